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
 * `result` has room for the import's result width and is zero on entry.
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

#endif /* ALKY_HAL_H */
