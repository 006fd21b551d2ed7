/* Flash erase/program through the flash controller; see flash.h.
 *
 * The timing generator must run at 257-476 kHz: MCLK divided by
 * FLASH_DIVIDER. Interrupts are off during each operation because the CPU
 * must not fetch from flash while it is busy (code runs from flash here and
 * is held automatically; a vector fetch would not be). */
#include "flash.h"

#include "board.h"

#define FLASH_DIVIDER ((ALKY_MCLK_HZ + 349999UL) / 350000UL)
#if FLASH_DIVIDER < 1 || FLASH_DIVIDER > 64
#error "ALKY_MCLK_HZ gives no valid flash clock divider"
#endif

static uint8_t writable(uint16_t address, uint16_t length) {
  uint32_t end = (uint32_t)address + length;
  if (address >= ALKY_FLASH_INFO_START && end <= ALKY_FLASH_INFO_END) {
    return 1;
  }
  return address >= ALKY_FLASH_MAIN_START && end <= ALKY_FLASH_MAIN_END;
}

/* The simulator has no flash controller and FCTL3 reads back as 0xFFFF
 * (BUSY forever): there, nothing is ever busy. */
static void wait_ready(void) {
#if !ALKY_MSP430_SIM
  while (ALKY_FCTL3 & ALKY_FCTL3_BUSY) {
  }
#endif
}

static void unlock(void) {
  wait_ready();
  ALKY_FCTL2 = ALKY_FWKEY | ALKY_FCTL2_FSSEL_MCLK | (uint16_t)(FLASH_DIVIDER - 1u);
  ALKY_FCTL3 = ALKY_FWKEY; /* clear LOCK; LOCKA stays set, segment A is safe */
}

static void lock(void) {
  wait_ready();
  ALKY_FCTL1 = ALKY_FWKEY;
  ALKY_FCTL3 = ALKY_FWKEY | ALKY_FCTL3_LOCK;
}

uint8_t alky_flash_erase_segment(uint16_t address) {
  if (!writable(address, 1)) {
    return 0;
  }
  uint16_t size = address < ALKY_FLASH_MAIN_START ? ALKY_FLASH_INFO_SEGMENT : ALKY_FLASH_MAIN_SEGMENT;
  uint16_t start = (uint16_t)(address & (uint16_t)~(size - 1u));
  uint16_t sr = alky_msp430_irq_save();
  unlock();
  ALKY_FCTL1 = ALKY_FWKEY | ALKY_FCTL1_ERASE;
  *(volatile uint16_t *)start = 0; /* dummy write starts the erase */
  lock();
#if ALKY_MSP430_SIM
  for (uint16_t i = 0; i < size; i += 2) {
    *(volatile uint16_t *)(uint16_t)(start + i) = 0xFFFFu;
  }
#endif
  alky_msp430_irq_restore(sr);
  return 1;
}

uint8_t alky_flash_write(uint16_t address, const uint8_t *bytes, uint16_t length) {
  if (length == 0) {
    return 1;
  }
  if (!writable(address, length)) {
    return 0;
  }
  uint16_t sr = alky_msp430_irq_save();
  unlock();
  ALKY_FCTL1 = ALKY_FWKEY | ALKY_FCTL1_WRT;
  for (uint16_t i = 0; i < length; i++) {
    *(volatile uint8_t *)(uint16_t)(address + i) = bytes[i];
    wait_ready();
  }
  lock();
  alky_msp430_irq_restore(sr);
  return 1;
}
