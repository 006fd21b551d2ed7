/* Sealed frames: counters, nonces and the AEAD calls; see seal.h and
 * docs/link.md §2.1. */
#include "seal.h"

#if ALKY_LINK_SEALED
#include "alky_link_key.h" /* generated at build time, never committed (also -included first, for the cipher's key reads): ALKY_LINK_KEY */
#include "crypto/chacha20poly1305.h"

/* In flash on the AVR (ALKY_PROGMEM; the key header defines ALKY_AEAD_KEY_BYTE to read it there). */
static const uint8_t link_key[32] ALKY_PROGMEM = {ALKY_LINK_KEY};

/* header, counter, seq, type: the additional authenticated data. */
#define AAD_BYTES (1 + ALKY_LINK_SEAL_COUNTER_BYTES + 2)
#define BODY (1 + AAD_BYTES) /* the payload's index in the buffer */

/* A mark is stored big-endian and complemented: an erased medium (0xFF)
 * reads as 0, and because a larger mark is written from its most
 * significant byte on, a write cut short leaves a value at least the old
 * one. Each byte is its own write, so that order holds on every medium. */
static uint32_t mark_read(const alky_store_medium *m, uint8_t at) {
    uint32_t v = 0;
    uint8_t i;
    for (i = 0; i < 4; i++) v = (v << 8) | (uint8_t)~ALKY_ROM_U8(ALKY_MEDIUM_BASE(m), (uint16_t)(ALKY_MEDIUM_SIZE(m) + at + i));
    return v;
}

/* Moves a mark past counter before the counter is used; 0 if the write failed. */
static uint8_t mark_ahead(alky_link *l, uint8_t at, uint32_t counter, uint32_t *mark) {
    uint32_t v = counter + ALKY_LINK_MARK_JUMP;
    uint8_t i, b;
    if (v < counter) v = 0xFFFFFFFFu;
    for (i = 0; i < 4; i++) {
        b = (uint8_t)~(uint8_t)(v >> (24 - 8 * i));
        if (!ALKY_MEDIUM_WRITE(l->marks)((uint16_t)(ALKY_MEDIUM_SIZE(l->marks) + at + i), &b, 1)) return 0;
    }
    *mark = v;
    return 1;
}

void alky_seal_init(alky_link *l, const alky_store_medium *medium) {
    l->marks = medium;
    l->tx = l->tx_mark = mark_read(medium, 0);
    l->rx = l->rx_mark = mark_read(medium, 4);
}

/* direction | 7 zeros | the counter's 4 bytes as in the frame (LE). */
static void make_nonce(uint8_t nonce[12], uint8_t direction, const uint8_t *counter) {
    uint8_t i;
    for (i = 0; i < 8; i++) nonce[i] = 0;
    nonce[0] = direction;
    for (i = 0; i < 4; i++) nonce[8 + i] = counter[i];
}

uint8_t alky_seal_open(alky_link *l, uint16_t n) {
    uint8_t *b = l->buf, nonce[12];
    uint32_t c;
    if (!(b[1] & ALKY_LINK_FLAG_SEALED)) {
        /* Plain: only an empty HELLO (the node learns the receive floor from
         * its sealed answer), moved to where a sealed frame has seq and type. */
        if (n != 0 || b[3] != ALKY_MSG_HELLO) return 0;
        b[BODY - 1] = ALKY_MSG_HELLO;
        b[BODY - 2] = b[2];
        l->len = 0;
        return 1;
    }
    if (n < ALKY_LINK_SEAL_COUNTER_BYTES + ALKY_LINK_SEAL_TAG_BYTES) return 0;
    n = (uint16_t)(n - ALKY_LINK_SEAL_COUNTER_BYTES - ALKY_LINK_SEAL_TAG_BYTES);
    c = alky_le32(b + 2);
    if (c <= l->rx) return 0; /* a replay, or older than the floor */
    make_nonce(nonce, 0, b + 2);
    if (!alky_aead_open(link_key, nonce, b + 1, AAD_BYTES, b + BODY, n, b + BODY + n)) return 0;
    if (c > l->rx_mark && !mark_ahead(l, 4, c, &l->rx_mark)) return 0;
    l->rx = c;
    b[1] = (uint8_t)(b[1] & ~ALKY_LINK_FLAG_SEALED);
    l->len = n;
    return 1;
}

uint8_t alky_seal_close(alky_link *l) {
    uint8_t *b = l->buf, nonce[12];
    if (l->tx == 0xFFFFFFFFu) return 0;
    if (l->tx >= l->tx_mark && !mark_ahead(l, 0, l->tx, &l->tx_mark)) return 0;
    alky_put_le32(b + 2, l->tx++);
    make_nonce(nonce, 1, b + 2);
    alky_aead_seal(link_key, nonce, b + 1, AAD_BYTES, b + BODY, l->len, b + BODY + l->len);
    return 1;
}
#else
typedef char alky_seal_unused; /* ISO C wants a translation unit to declare something */
#endif
