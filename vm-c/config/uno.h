/* The link-device firmware for an Arduino Uno (ATmega328P: 32 KB flash,
 * 2 KB RAM, 1 KB EEPROM; vm-c/port/avr/main.c). The app store is the
 * EEPROM and the VM runs the installed image from there in place. */
#ifndef ALKY_CONFIG_UNO_H
#define ALKY_CONFIG_UNO_H

#include <avr/eeprom.h>
#include <avr/pgmspace.h>

#define ALKY_DEVICE_BOARD ALKY_BOARD_UNO

/* No 64/256-bit modes: the byte-array arithmetic (0.85 KB) does not fit the
 * 12 KB budget beside the verifier (docs/performance.md, "The Uno: what each
 * part costs"). The Uno announces the features it has; an image needing
 * 64/256-bit values is refused ("features"), and such work runs on the node. */
#define ALKY_WITH_W64 0
#define ALKY_WITH_W256 0

/* The image is an EEPROM address; the core reads it byte by byte. */
#define ALKY_ROM_TYPE uint16_t
#define ALKY_ROM_U8(rom, off) eeprom_read_byte((const uint8_t *)(uintptr_t)(uint16_t)((rom) + (off)))
/* Constant tables stay in flash instead of being copied to RAM. */
#define ALKY_PROGMEM PROGMEM
#define ALKY_PROGMEM_U8(p) pgm_read_byte(p)

/* Every profile: the emulated board runs the conformance tests (test
 * profile) as well as the smart lock; a product build names its profile. */
#define ALKY_PROFILE_ID 0
/* ...but not the Aryl node's own (vm_config.h): 172 bytes of flash on the Uno. */
#define ALKY_WITH_NODE_PROFILES 0
#define ALKY_STACK_SIZE 384
#define ALKY_MEMORY_SIZE 256
#define ALKY_LINK_MAX_PAYLOAD 64
/* The watchdog (port/avr/main.c) is reset before every VM instruction: one
 * `wdr`. Volatile asm, not __builtin_avr_wdr: with the builtin in AOT code's
 * fuel charges avr-gcc 5.4 miscompiled test/conformance/eval_order (a 16-bit
 * result 6 came out as -250). */
static inline void alky_uno_wdr(void) {
    __asm__ __volatile__("wdr");
}
#define ALKY_PORT_TICK() alky_uno_wdr()

/* The app store is the whole EEPROM (port/avr/main.c), fixed at build time
 * (store.h): contract storage in its last bytes, after the two app slots. */
#define ALKY_UNO_STORAGE_BYTES 64u
#define ALKY_STORE_MEDIUM_BASE 0
#if ALKY_LINK_SEALED
#define ALKY_STORE_MEDIUM_SIZE 1016u /* ALKY_EEPROM_SIZE less the link counters' marks (seal.h) */
#else
#define ALKY_STORE_MEDIUM_SIZE 1024u /* ALKY_EEPROM_SIZE */
#endif
#define ALKY_STORE_MEDIUM_ERASE_BYTES 0
#define ALKY_STORE_MEDIUM_STORAGE_BYTES ALKY_UNO_STORAGE_BYTES
#define ALKY_STORE_MEDIUM_WRITE alky_eeprom_write
uint8_t alky_eeprom_write(uint16_t address, const void *src, uint16_t length);

/* The link's frames go to USART0 (port/avr/uart.c), fixed at build time (link.h). */
#define ALKY_LINK_SEND alky_uart_write_bytes
void alky_uart_write_bytes(const uint8_t *bytes, uint16_t length);

#endif
