/* USART0 of the ATmega328P (Arduino Uno): the byte link to the Aryl node.
 *
 * Receive is interrupt-driven into a ring buffer, so bytes arriving while the
 * VM is busy are kept (up to ALKY_UART_RX_SIZE - 1 of them, later ones are
 * dropped while it is full); transmit waits on the
 * data register, which keeps the driver small and its timing predictable.
 * Works the same on a real Uno and in simavr (scripts/harness/simavr_uart.c). */
#ifndef ALKY_AVR_UART_H
#define ALKY_AVR_UART_H

#include <stdint.h>

/* Receive ring size in bytes; a power of two, at most 256. */
#ifndef ALKY_UART_RX_SIZE
#define ALKY_UART_RX_SIZE 64
#endif

#ifndef ALKY_UART_BAUD
#define ALKY_UART_BAUD 115200UL
#endif

/* 8N1 at ALKY_UART_BAUD with double speed (U2X0): at 16 MHz, 115200 baud is
 * 2.1% off without it and 0.8% off with it. Enables interrupts. */
void alky_uart_init(void);

/* Bytes waiting in the receive ring. */
uint8_t alky_uart_available(void);

/* The next received byte, or -1 when none is waiting. */
int16_t alky_uart_read(void);

/* The next received byte; sleeps (idle mode) until one arrives. */
uint8_t alky_uart_read_blocking(void);

void alky_uart_write(uint8_t byte);

void alky_uart_write_bytes(const uint8_t *bytes, uint16_t length);

#endif
