/* EEPROM helpers; see eeprom.h. */
#include "eeprom.h"

#include <avr/eeprom.h>
#include <avr/io.h>

#if (E2END + 1) != ALKY_EEPROM_SIZE
#error "ALKY_EEPROM_SIZE does not match this MCU's EEPROM"
#endif

static uint8_t in_range(uint16_t address, uint16_t length) {
  if (address > ALKY_EEPROM_SIZE) {
    return 0;
  }
  return length <= ALKY_EEPROM_SIZE - address;
}

uint8_t alky_eeprom_read(uint16_t address, void *dst, uint16_t length) {
  if (!in_range(address, length)) {
    return 0;
  }
  eeprom_read_block(dst, (const void *)(uintptr_t)address, length);
  return 1;
}

uint8_t alky_eeprom_write(uint16_t address, const void *src, uint16_t length) {
  if (!in_range(address, length)) {
    return 0;
  }
  eeprom_update_block(src, (void *)(uintptr_t)address, length);
  return 1;
}

uint8_t alky_eeprom_read_byte(uint16_t address) {
  return eeprom_read_byte((const uint8_t *)(uintptr_t)address);
}
