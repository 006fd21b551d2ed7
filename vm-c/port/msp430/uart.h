/* USCI_A0 of the MSP430G2553 as a UART: the byte link to the Aryl node on a
 * real LaunchPad, whose USB bridge (the eZ430 emulator's "Application UART")
 * carries P1.1 (RXD) and P1.2 (TXD) at 9600 baud. With the board's RXD/TXD
 * jumpers set for hardware UART (horizontal on LaunchPad rev 1.5).
 *
 * Receive is interrupt-driven into a small ring, so bytes arriving while the
 * VM is busy are kept; transmit waits on the transmit flag. mspdebug's
 * simulator has no UART model: the simulator build uses the RAM mailbox
 * (mailbox.c) instead, chosen at build time in main.c (ALKY_MSP430_LINK). */
#ifndef ALKY_MSP430_UART_H
#define ALKY_MSP430_UART_H

#include <stdint.h>

/* Receive ring size in bytes; a power of two, at most 128. The link is
 * stop-and-wait, so the node never sends more than one frame ahead. */
#ifndef ALKY_UART_RX_SIZE
#define ALKY_UART_RX_SIZE 16
#endif

#ifndef ALKY_UART_BAUD
#define ALKY_UART_BAUD 9600UL
#endif

/* Sets MCLK and SMCLK to the calibrated 16 MHz DCO (ALKY_MCLK_HZ must say
 * 16000000: the flash timing divider is derived from it), P1.1/P1.2 to
 * USCI_A0, 8N1 at ALKY_UART_BAUD, and enables interrupts. */
void alky_uart_init(void);

/* The next received byte, or -1 when none is waiting. */
int16_t alky_uart_read(void);

/* The next received byte; waits until one arrives. */
uint8_t alky_uart_read_blocking(void);

void alky_uart_write(uint8_t byte);

void alky_uart_write_bytes(const uint8_t *bytes, uint16_t length);

#endif
