/* VM configuration of the Uno benchmark firmwares (bench/firmware/bench_vm.c):
 * the Uno link device's sizes (vm-c/config/uno.h), the image in flash. */
#ifndef BENCH_UNO_H
#define BENCH_UNO_H

#include <avr/pgmspace.h>

#define ALKY_ROM_TYPE uint16_t
#define ALKY_ROM_U8(rom, off) pgm_read_byte((uint16_t)((rom) + (off)))
#define ALKY_PROGMEM PROGMEM
#define ALKY_PROGMEM_U8(p) pgm_read_byte(p)

#define ALKY_PROFILE_ID 0
#define ALKY_STACK_SIZE 384
#define ALKY_MEMORY_SIZE 256

#endif
