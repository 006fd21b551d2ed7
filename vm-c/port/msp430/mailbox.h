/* Byte link for the MSP430 under `mspdebug sim`, which has no UART model.
 *
 * The firmware and the host share one struct at a fixed RAM address (0x0200,
 * section .alky_mailbox). The host only touches it while the CPU is halted,
 * so there is no concurrency: the firmware stops itself by calling one of two
 * empty functions the host has set breakpoints on.
 *
 *   alky_mailbox_wait   the rx buffer is used up; the host drains tx_buf,
 *                       then refills rx_buf (blocking: it keeps the CPU halted
 *                       until it has bytes; polling: it resumes at once)
 *   alky_mailbox_flush  tx_buf is full or flushed; the host drains it
 *
 * Layout (little-endian, offsets from 0x0200; docs/boards-emulation.md):
 *   0 u16 magic 0xA1C7   2 u8 rx_cap   3 u8 tx_cap   4 u8 flags
 *   5 u8 tx_len          6 u8 rx_pos   7 u8 rx_len   8 rx_buf[rx_cap]
 *   8+rx_cap tx_buf[tx_cap]
 * so the host refills with one write at offset 5: 00 00 <n> <bytes...>.
 * On real hardware the same calls go to a UART instead (another port file). */
#ifndef ALKY_MSP430_MAILBOX_H
#define ALKY_MSP430_MAILBOX_H

#include <stdint.h>

#ifndef ALKY_MAILBOX_RX_CAP
#define ALKY_MAILBOX_RX_CAP 32
#endif
#ifndef ALKY_MAILBOX_TX_CAP
#define ALKY_MAILBOX_TX_CAP 32
#endif

#define ALKY_MAILBOX_MAGIC 0xA1C7u
/* flags: set while the firmware waits in alky_mailbox_wait and cannot go on
 * without input (clear: it only polls and the host resumes it at once). */
#define ALKY_MAILBOX_FLAG_BLOCKING 0x01u

typedef struct alky_mailbox_s {
  uint16_t magic;
  uint8_t rx_cap;
  uint8_t tx_cap;
  uint8_t flags;
  uint8_t tx_len;
  uint8_t rx_pos;
  uint8_t rx_len;
  uint8_t rx_buf[ALKY_MAILBOX_RX_CAP];
  uint8_t tx_buf[ALKY_MAILBOX_TX_CAP];
} alky_mailbox_t;

extern volatile alky_mailbox_t alky_mailbox;

/* Fills in the header; call once before any other mailbox function. */
void alky_mailbox_init(void);

/* Next received byte; flushes pending output and halts until the host has
 * input. */
uint8_t alky_mailbox_read_byte(void);

/* Next received byte, or -1 if none is pending after asking the host once. */
int16_t alky_mailbox_try_read_byte(void);

/* Queues one byte; halts for the host when tx_buf is full. */
void alky_mailbox_write_byte(uint8_t byte);

void alky_mailbox_write(const uint8_t *bytes, uint16_t length);

/* Hands every queued byte to the host now. */
void alky_mailbox_flush_tx(void);

/* The breakpoint targets. Never inlined, never removed: the host stops on
 * their first instruction. */
void alky_mailbox_wait(void);
void alky_mailbox_flush(void);

#endif
