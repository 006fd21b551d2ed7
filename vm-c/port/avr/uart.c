/* USART0 driver; see uart.h. */
#include "uart.h"

#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/sleep.h>

#if ALKY_UART_RX_SIZE > 256 || (ALKY_UART_RX_SIZE & (ALKY_UART_RX_SIZE - 1)) != 0
#error "ALKY_UART_RX_SIZE must be a power of two no larger than 256"
#endif

#define RX_MASK ((uint8_t)(ALKY_UART_RX_SIZE - 1))
/* Rounded, for U2X0 (8 samples per bit). */
#define UBRR_VALUE ((F_CPU + 4UL * ALKY_UART_BAUD) / (8UL * ALKY_UART_BAUD) - 1UL)

/* head is written only by the ISR, tail only by the reader: with one-byte
 * indexes neither side needs a lock. Both start at 0 (static storage): the
 * ring is empty at reset. */
static volatile uint8_t rx_ring[ALKY_UART_RX_SIZE];
static volatile uint8_t rx_head;
static volatile uint8_t rx_tail;

/* A byte that finds the ring full is dropped (the link's CRC or sequence
 * rules then catch the loss). Naked, in assembly: it needs four registers
 * and SREG, where avr-gcc's prologue also saves r0 and r1 and a fifth
 * register (12 bytes of flash). Reading UDR0 clears the interrupt. */
ISR(USART_RX_vect, ISR_NAKED) {
  __asm__ volatile(
      "push r24\n\t"
      "in r24, __SREG__\n\t"
      "push r24\n\t"
      "push r25\n\t"
      "push r30\n\t"
      "push r31\n\t"
      "lds r25, %[udr]\n\t"        /* the byte */
      "lds r30, %[head]\n\t"
      "ldi r24, 1\n\t"
      "add r24, r30\n\t"
      "andi r24, %[mask]\n\t"      /* next = (head + 1) & RX_MASK */
      "lds r31, %[tail]\n\t"
      "cp r24, r31\n\t"
      "breq 1f\n\t"                /* full: dropped */
      "ldi r31, 0\n\t"
      "subi r30, lo8(-(%[ring]))\n\t"
      "sbci r31, hi8(-(%[ring]))\n\t"
      "st Z, r25\n\t"              /* rx_ring[head] = byte */
      "sts %[head], r24\n\t"       /* rx_head = next */
      "1:\n\t"
      "pop r31\n\t"
      "pop r30\n\t"
      "pop r25\n\t"
      "pop r24\n\t"
      "out __SREG__, r24\n\t"
      "pop r24\n\t"
      "reti" ::[udr] "n"(_SFR_MEM_ADDR(UDR0)),
      [head] "i"(&rx_head), [tail] "i"(&rx_tail), [ring] "i"(rx_ring), [mask] "n"(RX_MASK));
}

void alky_uart_init(void) {
  UBRR0H = (uint8_t)(UBRR_VALUE >> 8);
  UBRR0L = (uint8_t)UBRR_VALUE;
  UCSR0A = _BV(U2X0);
  UCSR0C = _BV(UCSZ01) | _BV(UCSZ00);
  UCSR0B = _BV(RXEN0) | _BV(TXEN0) | _BV(RXCIE0);
  sei();
}

uint8_t alky_uart_available(void) {
  return (uint8_t)((rx_head - rx_tail) & RX_MASK);
}

int16_t alky_uart_read(void) {
  uint8_t tail = rx_tail;
  if (tail == rx_head) {
    return -1;
  }
  uint8_t byte = rx_ring[tail];
  rx_tail = (uint8_t)((tail + 1u) & RX_MASK);
  return byte;
}

uint8_t alky_uart_read_blocking(void) {
  for (;;) {
    int16_t byte = alky_uart_read();
    if (byte >= 0) {
      return (uint8_t)byte;
    }
    /* Check-then-sleep without a lost wake-up: interrupts stay off between
     * the check and the sleep; `sei; sleep` runs the sleep before any ISR. */
    set_sleep_mode(SLEEP_MODE_IDLE);
    cli();
    if (rx_head == rx_tail) {
      sleep_enable();
      sei();
      sleep_cpu();
      sleep_disable();
    }
    sei();
  }
}

void alky_uart_write(uint8_t byte) {
  loop_until_bit_is_set(UCSR0A, UDRE0);
  UDR0 = byte;
}

void alky_uart_write_bytes(const uint8_t *bytes, uint16_t length) {
  for (uint16_t i = 0; i < length; i++) {
    alky_uart_write(bytes[i]);
  }
}
