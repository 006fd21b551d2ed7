/* MSP430G2553 board support shared by the port's C files: the few peripheral
 * registers the port touches, by address (values from msp430mcu's periph.x),
 * so no vendor header or linker symbol file is needed with clang.
 *
 * Build: clang --target=msp430 -mmcu=msp430g2553 -Os -ffreestanding -nostdlib
 *        + crt0.S + mspabi.c, linked with ld.lld -m msp430elf -T msp430g2553.ld
 * (docs/boards-emulation.md). */
#ifndef ALKY_MSP430_BOARD_H
#define ALKY_MSP430_BOARD_H

#include <stdint.h>

#define ALKY_REG8(addr) (*(volatile uint8_t *)(addr))
#define ALKY_REG16(addr) (*(volatile uint16_t *)(addr))

/* Watchdog. */
#define ALKY_WDTCTL ALKY_REG16(0x0120)
#define ALKY_WDTPW 0x5A00u
#define ALKY_WDTHOLD 0x0080u
#define ALKY_WDTCNTCL 0x0008u
#define ALKY_WDTSSEL 0x0004u /* the watchdog counts ACLK */
#define ALKY_IFG1 ALKY_REG8(0x0002)
#define ALKY_WDTIFG 0x01u /* IFG1: the last reset was the watchdog's */
#define ALKY_BCSCTL3 ALKY_REG8(0x0053)
#define ALKY_LFXT1S_VLO 0x20u /* ACLK from the 12 kHz VLO (the LaunchPad has no crystal fitted) */

/* Flash controller. */
#define ALKY_FCTL1 ALKY_REG16(0x0128)
#define ALKY_FCTL2 ALKY_REG16(0x012A)
#define ALKY_FCTL3 ALKY_REG16(0x012C)
#define ALKY_FWKEY 0xA500u
#define ALKY_FCTL1_ERASE 0x0002u
#define ALKY_FCTL1_WRT 0x0040u
#define ALKY_FCTL2_FSSEL_MCLK 0x0040u
#define ALKY_FCTL3_BUSY 0x0001u
#define ALKY_FCTL3_LOCK 0x0010u

/* MCLK frequency the firmware runs at; the flash timing generator divider is
 * derived from it. 1 MHz is the calibrated DCO setting the board boots with. */
#ifndef ALKY_MCLK_HZ
#define ALKY_MCLK_HZ 1000000UL
#endif

/* Declares an interrupt handler for vector slot n (msp430mcu's *_VECTOR / 2,
 * e.g. 9 for TIMER0_A0); see msp430g2553.ld. */
#define ALKY_MSP430_ISR(n, name) __attribute__((interrupt(n))) void name(void)

/* Status register access (GIE is bit 3). */
static inline uint16_t alky_msp430_irq_save(void) {
  uint16_t sr;
  __asm__ volatile("mov r2, %0\n\tdint\n\tnop" : "=r"(sr) : : "memory");
  return sr;
}

static inline void alky_msp430_irq_restore(uint16_t sr) {
  /* "nop" around GIE changes: the MSP430 needs it for the change to settle. */
  __asm__ volatile("nop\n\tmov %0, r2\n\tnop" : : "r"(sr) : "memory");
}

#endif
