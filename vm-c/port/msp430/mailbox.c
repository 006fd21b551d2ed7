/* Mailbox byte link for mspdebug's simulator; protocol in mailbox.h. */
#include "mailbox.h"

__attribute__((section(".alky_mailbox"), used)) volatile alky_mailbox_t alky_mailbox;

/* The host sets breakpoints on these two. The asm statement keeps the compiler
 * from proving them empty and deleting the calls; the memory clobber tells it
 * the host may have rewritten the mailbox while we were stopped. */
__attribute__((noinline, used)) void alky_mailbox_wait(void) {
  __asm__ volatile("" : : : "memory");
}

__attribute__((noinline, used)) void alky_mailbox_flush(void) {
  __asm__ volatile("" : : : "memory");
}

void alky_mailbox_init(void) {
  alky_mailbox.rx_cap = ALKY_MAILBOX_RX_CAP;
  alky_mailbox.tx_cap = ALKY_MAILBOX_TX_CAP;
  alky_mailbox.flags = 0;
  alky_mailbox.tx_len = 0;
  alky_mailbox.rx_pos = 0;
  alky_mailbox.rx_len = 0;
  /* Written last: the host treats the mailbox as live once it sees it. */
  alky_mailbox.magic = ALKY_MAILBOX_MAGIC;
}

void alky_mailbox_flush_tx(void) {
  if (alky_mailbox.tx_len != 0) {
    alky_mailbox_flush();
  }
}

/* Asks the host for input; it drains tx_buf first, so a request the host is
 * waiting for always goes out before we block on the answer. */
static void request_input(uint8_t flags) {
  alky_mailbox.rx_pos = 0;
  alky_mailbox.rx_len = 0;
  alky_mailbox.flags = flags;
  alky_mailbox_wait();
  alky_mailbox.flags = 0;
}

uint8_t alky_mailbox_read_byte(void) {
  while (alky_mailbox.rx_pos >= alky_mailbox.rx_len) {
    request_input(ALKY_MAILBOX_FLAG_BLOCKING);
  }
  uint8_t pos = alky_mailbox.rx_pos;
  alky_mailbox.rx_pos = (uint8_t)(pos + 1);
  return alky_mailbox.rx_buf[pos];
}

int16_t alky_mailbox_try_read_byte(void) {
  if (alky_mailbox.rx_pos >= alky_mailbox.rx_len) {
    request_input(0);
    if (alky_mailbox.rx_pos >= alky_mailbox.rx_len) {
      return -1;
    }
  }
  uint8_t pos = alky_mailbox.rx_pos;
  alky_mailbox.rx_pos = (uint8_t)(pos + 1);
  return alky_mailbox.rx_buf[pos];
}

void alky_mailbox_write_byte(uint8_t byte) {
  if (alky_mailbox.tx_len >= ALKY_MAILBOX_TX_CAP) {
    alky_mailbox_flush();
  }
  uint8_t len = alky_mailbox.tx_len;
  alky_mailbox.tx_buf[len] = byte;
  alky_mailbox.tx_len = (uint8_t)(len + 1);
}

void alky_mailbox_write(const uint8_t *bytes, uint16_t length) {
  for (uint16_t i = 0; i < length; i++) {
    alky_mailbox_write_byte(bytes[i]);
  }
}
