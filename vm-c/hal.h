/* The board boundary: the only functions of the VM a board implements.
 *
 * The core calls these and nothing else board-specific; they are linked, not
 * registered, so a device pays no RAM for function pointers. The VM has done
 * every check the IR requires before calling (bounds, string termination), so
 * a HAL only does the device's work.
 *
 * Where the image lives is chosen in the board's config header with
 * ALKY_ROM_TYPE / ALKY_ROM_U8 (vm_config.h), for example on an ATmega:
 *   image in flash:   #define ALKY_ROM_TYPE uint16_t
 *                     #define ALKY_ROM_U8(rom, off) pgm_read_byte((rom) + (off))
 *   image in EEPROM:  #define ALKY_ROM_TYPE uint16_t
 *                     #define ALKY_ROM_U8(rom, off) eeprom_read_byte((const uint8_t *)((rom) + (off)))
 *   constant tables:  #define ALKY_PROGMEM PROGMEM
 *                     #define ALKY_PROGMEM_U8(p) pgm_read_byte(p)
 */
#ifndef ALKY_HAL_H
#define ALKY_HAL_H

#include "alky.h"

/* A SYSCALL of import `imp` (alky_import_id gives its profile syscall id).
 * `args` holds the parameters' raw little-endian bytes in parameter order
 * (a string parameter is its 16-bit address: read it with alky_string).
 * `result` is zero on entry and has room for ALKY_MAX_VALUE_BYTES (at least
 * 4): the import's result is its first bytes, at the result's width.
 * Returns ALKY_OK, or a fault code to end the invocation with. */
alky_status alky_hal_syscall(alky_vm *vm, uint8_t imp, const uint8_t *args, uint8_t *result);

#if ALKY_WITH_NCALL
/* An NCALL of import `imp` to the Aryl node: blocks until the answer (written
 * to `result`, zero on entry) or a timeout. Returns ALKY_OK, or
 * ALKY_FAULT_TRAP when there is no answer. */
alky_status alky_hal_ncall(alky_vm *vm, uint8_t imp, const uint8_t *args, uint8_t *result);
#endif

#if ALKY_WITH_STORAGE
/* Persistent storage (EEPROM, flash, a file): `length` bytes at `addr`, inside
 * the image's storage size. */
void alky_hal_storage_read(alky_vm *vm, uint16_t addr, uint8_t *dst, uint8_t length);
void alky_hal_storage_write(alky_vm *vm, uint16_t addr, const uint8_t *src, uint8_t length);
#endif

/* ---- The app store's medium (device firmware: store.c, device.c) ----
 * A device firmware keeps its app store (docs/link.md §5) in one region of
 * persistent memory addressed from 0: a file's RAM mirror on a host, EEPROM
 * on an Uno, flash segments on an MSP430. Reads go through ALKY_ROM_U8 from
 * `base`, so the VM runs the installed image where it is stored; writes and
 * erases go through the two functions. These are registered once at start-up
 * (a few bytes of RAM) rather than linked, because the host test driver
 * (host/alky_run.c) links the core and the device code with no board. */
typedef struct alky_store_medium {
    alky_rom base;          /* the region as ALKY_ROM_U8 reads it */
    uint16_t size;          /* bytes of the region */
    uint16_t erase_bytes;   /* 0: bytes are rewritable (EEPROM, a file); else the flash segment size (base aligned to it) */
    uint16_t storage_bytes; /* contract storage kept in the region (0: none; flash boards keep none) */
    /* Writes length bytes at addr (flash: erased bytes only). 0 on failure. */
    uint8_t (*write)(uint16_t addr, const uint8_t *src, uint16_t length);
    /* Erases the segment holding addr to 0xFF; only when erase_bytes != 0. 0 on failure. */
    uint8_t (*erase)(uint16_t addr);
} alky_store_medium;

#endif /* ALKY_HAL_H */
