/* USCI_A0 UART driver for the MSP430G2553; see uart.h. Registers by address
 * (values from msp430mcu's msp430g2553.h), as board.h does. */
#include "uart.h"

#include "board.h"

#if ALKY_UART_RX_SIZE > 128 || (ALKY_UART_RX_SIZE & (ALKY_UART_RX_SIZE - 1)) != 0
#error "ALKY_UART_RX_SIZE must be a power of two no larger than 128"
#endif
#if ALKY_MCLK_HZ != 16000000UL
#error "the UART build runs from the calibrated 16 MHz DCO: define ALKY_MCLK_HZ=16000000UL"
#endif

/* Interrupt enable and flag register 2: USCI_A0 receive and transmit. */
#define IE2 ALKY_REG8(0x0001)
#define IFG2 ALKY_REG8(0x0003)
#define UCA0RXIE 0x01u
#define UCA0RXIFG 0x01u
#define UCA0TXIFG 0x02u

/* Basic clock module and its factory calibration (information segment A). */
#define DCOCTL ALKY_REG8(0x0056)
#define BCSCTL1 ALKY_REG8(0x0057)
#define BCSCTL2 ALKY_REG8(0x0058)
#define CALDCO_16MHZ ALKY_REG8(0x10F8)
#define CALBC1_16MHZ ALKY_REG8(0x10F9)

/* Port 1 function select: P1.1 = UCA0RXD, P1.2 = UCA0TXD. */
#define P1SEL ALKY_REG8(0x0026)
#define P1SEL2 ALKY_REG8(0x0041)
#define UART_PINS 0x06u

#define UCA0CTL0 ALKY_REG8(0x0060)
#define UCA0CTL1 ALKY_REG8(0x0061)
#define UCA0BR0 ALKY_REG8(0x0062)
#define UCA0BR1 ALKY_REG8(0x0063)
#define UCA0MCTL ALKY_REG8(0x0064)
#define UCA0RXBUF ALKY_REG8(0x0066)
#define UCA0TXBUF ALKY_REG8(0x0067)
#define UCSWRST 0x01u
#define UCSSEL_SMCLK 0x80u
#define UCOS16 0x01u

/* Oversampling mode (UCOS16): UCBR = clock / (16 * baud), the fraction in
 * sixteenths goes to UCBRF (16 MHz, 9600 baud: 104 and 3, TI's table). */
#define BAUD_DIVISOR_X16 ((ALKY_MCLK_HZ + ALKY_UART_BAUD / 2UL) / ALKY_UART_BAUD)
#define UCBR_VALUE (BAUD_DIVISOR_X16 / 16UL)
#define UCBRF_VALUE (BAUD_DIVISOR_X16 % 16UL)

/* USCIAB0RX_VECTOR (0xFFEE) is slot 7 of msp430g2553.ld. */
#define USCIAB0RX_SLOT 7

#define RX_MASK ((uint8_t)(ALKY_UART_RX_SIZE - 1))

/* head is written only by the ISR, tail only by the reader. */
static volatile uint8_t rx_ring[ALKY_UART_RX_SIZE];
static volatile uint8_t rx_head;
static volatile uint8_t rx_tail;

ALKY_MSP430_ISR(USCIAB0RX_SLOT, alky_uart_rx_isr) {
  uint8_t byte = UCA0RXBUF; /* reading clears UCA0RXIFG */
  uint8_t next = (uint8_t)((rx_head + 1u) & RX_MASK);
  if (next != rx_tail) {
    rx_ring[rx_head] = byte;
    rx_head = next;
  }
}

void alky_uart_init(void) {
  /* The calibration bytes are 0xFF on a chip whose segment A was erased:
   * keep the 1 MHz boot clock then rather than run at an unknown speed. */
  if (CALBC1_16MHZ != 0xFFu) {
    DCOCTL = 0;
    BCSCTL1 = CALBC1_16MHZ;
    DCOCTL = CALDCO_16MHZ;
  }
  BCSCTL2 = 0; /* MCLK and SMCLK from the DCO, undivided */
  P1SEL |= UART_PINS;
  P1SEL2 |= UART_PINS;
  UCA0CTL1 = UCSWRST | UCSSEL_SMCLK;
  UCA0CTL0 = 0; /* 8N1, LSB first, UART mode */
  UCA0BR0 = (uint8_t)UCBR_VALUE;
  UCA0BR1 = (uint8_t)(UCBR_VALUE >> 8);
  UCA0MCTL = (uint8_t)((UCBRF_VALUE << 4) | UCOS16);
  UCA0CTL1 = UCSSEL_SMCLK; /* out of reset */
  rx_head = 0;
  rx_tail = 0;
  IE2 |= UCA0RXIE;
  __asm__ volatile("eint\n\tnop" : : : "memory");
}

int16_t alky_uart_read(void) {
  uint8_t tail = rx_tail;
  if (tail == rx_head) return -1;
  uint8_t byte = rx_ring[tail];
  rx_tail = (uint8_t)((tail + 1u) & RX_MASK);
  return byte;
}

/* Polls rather than sleeping in LPM0: waking from a low-power mode needs the
 * ISR to clear CPUOFF in the status register it saved, whose stack offset
 * depends on the registers clang chose to push (no __bic_SR_register_on_exit
 * in clang for the MSP430). */
uint8_t alky_uart_read_blocking(void) {
  for (;;) {
    int16_t byte = alky_uart_read();
    if (byte >= 0) return (uint8_t)byte;
  }
}

void alky_uart_write(uint8_t byte) {
  while (!(IFG2 & UCA0TXIFG)) {
  }
  UCA0TXBUF = byte;
}

void alky_uart_write_bytes(const uint8_t *bytes, uint16_t length) {
  for (uint16_t i = 0; i < length; i++) alky_uart_write(bytes[i]);
}
