/* Example board settings for an ATmega328P (Arduino Uno) keeping the app image
 * in EEPROM, used by the size checks (vm-c/tools/sizes.sh). Real board builds
 * get a generated config header with the same kind of lines. */
#ifndef ALKY_CONFIG_AVR_EEPROM_H
#define ALKY_CONFIG_AVR_EEPROM_H

#include <avr/eeprom.h>
#include <avr/pgmspace.h>

/* The image is an EEPROM address; the core reads it byte by byte. */
#define ALKY_ROM_TYPE uint16_t
#define ALKY_ROM_U8(rom, off) eeprom_read_byte((const uint8_t *)(uintptr_t)(uint16_t)((rom) + (off)))
/* Constant tables stay in flash instead of being copied to RAM. */
#define ALKY_PROGMEM PROGMEM
#define ALKY_PROGMEM_U8(p) pgm_read_byte(p)

#define ALKY_STACK_SIZE 384
#define ALKY_MEMORY_SIZE 256
#define ALKY_PROFILE_ID 2 /* smartlock */

#endif
