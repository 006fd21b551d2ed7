/* Frame codec of the link (docs/link.md §2): COBS in place, CRC-16, reports
 * split into MORE frames. */
#include "link.h"
#include "seal.h"
#include "alky_internal.h"

/* The verifier rule codes sent in ERROR frames are the core's enum values;
 * a table in compiler/link/messages.ts names them on the host. Fail the
 * build if the two ever disagree. Fault kinds likewise. */
#define ALKY_LINK_RULE_CHECK_(name, code) typedef char alky_link_rule_code_##name[(ALKY_RULE_##name == (code)) ? 1 : -1];
ALKY_LINK_RULE_CODES(ALKY_LINK_RULE_CHECK_)
#undef ALKY_LINK_RULE_CHECK_
typedef char alky_link_fault_codes[(ALKY_FAULT_FUEL == ALKY_LINK_FAULT_FUEL && ALKY_FAULT_MEMORY == ALKY_LINK_FAULT_MEMORY &&
                                    ALKY_FAULT_STORAGE == ALKY_LINK_FAULT_STORAGE && ALKY_FAULT_STACK == ALKY_LINK_FAULT_STACK &&
                                    ALKY_FAULT_TRAP == ALKY_LINK_FAULT_TRAP)
                                       ? 1
                                       : -1];

uint16_t alky_le16(const uint8_t *p) {
    return (uint16_t)(p[0] | ((uint16_t)p[1] << 8));
}

uint32_t alky_le32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

void alky_put_le16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

void alky_put_le32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Bit by bit: no 512-byte table in flash, and frames are short. */
uint16_t alky_crc16(uint16_t crc, const uint8_t *bytes, uint16_t length) {
    uint8_t k;
    for (; length; length--) {
        crc ^= (uint16_t)((uint16_t)*bytes++ << 8);
        for (k = 0; k < 8; k++) crc = (uint16_t)((crc & 0x8000u) ? ((unsigned)crc << 1) ^ 0x1021u : (unsigned)crc << 1);
    }
    return crc;
}

void alky_link_init(alky_link *l, alky_link_send_fn send, void *ctx) {
#ifdef ALKY_LINK_SEND
    (void)l;
    (void)send;
    (void)ctx;
#else
    l->send = send;
    l->ctx = ctx;
#endif
}

/* Decodes buf[0..len) in place: each COBS code byte after the first becomes
 * the zero it stands for, so the frame is buf[1..len). Returns the frame's
 * length, or 0 if the encoding is invalid. Frames are at most 254 bytes, so a
 * 0xFF code (254 bytes without a zero after them) can only be the last one. */
static uint8_t cobs_decode_in_place(uint8_t *buf, uint8_t len) {
    uint8_t i = 0;
    for (;;) {
        uint8_t code = buf[i];
        if (code == 0 || code > (uint8_t)(len - i)) return 0; /* i < len here */
        if (i != 0) buf[i] = 0;
        i = (uint8_t)(i + code);
        if (i == len) return (uint8_t)(len - 1);
        if (code == 0xFF) return 0;
    }
}

/* Encodes the frame buf[1..n] in place: every zero, and buf[0], becomes the
 * distance to the next zero (the one after the frame is implied). */
static void cobs_encode_in_place(uint8_t *buf, uint8_t n) {
    uint8_t last = (uint8_t)(n + 1), i;
    for (i = n; i > 0; i--) {
        if (buf[i] == 0) {
            buf[i] = (uint8_t)(last - i);
            last = i;
        }
    }
    buf[0] = last;
}

uint8_t alky_link_receive(alky_link *l, uint8_t byte) {
    uint8_t n = 0;
    if (l->ready) {
        l->ready = 0;
        l->len = 0;
    }
    if (byte != 0) {
        if (l->len < ALKY_LINK_BUFFER_BYTES - 1) l->buf[l->len++] = byte;
        else l->overflow = 1;
        return 0;
    }
    if (l->len == 0 && !l->overflow) return 0; /* empty frame: senders may repeat delimiters */
    if (!l->overflow) n = cobs_decode_in_place(l->buf, l->len);
    /* Too long, bad COBS, too short, bad CRC, or (sealed) not authentic: dropped. */
    if (n < ALKY_LINK_FRAME_OVERHEAD || alky_crc16(0xFFFFu, l->buf + 1, (uint8_t)(n - 2)) != alky_le16(l->buf + n - 1)
#if ALKY_LINK_SEALED
        || !alky_seal_open(l, (uint8_t)(n - ALKY_LINK_FRAME_OVERHEAD))
#endif
    ) {
        l->dropped++;
        l->len = 0;
        l->overflow = 0;
        return 0;
    }
#if !ALKY_LINK_SEALED
    l->len = (uint8_t)(n - ALKY_LINK_FRAME_OVERHEAD);
#endif
    l->ready = 1;
    return 1;
}

void alky_link_begin(alky_link *l, uint8_t seq, uint8_t type) {
    /* A received frame still marked ready is forgotten at the next byte. */
    l->tx_seq = seq;
    l->tx_type = type;
    l->len = 0;
}

static void flush(alky_link *l, uint8_t flags) {
    uint8_t n = (uint8_t)(l->len + ALKY_LINK_FRAME_OVERHEAD + ALKY_LINK_SEAL_BYTES);
    uint16_t crc;
    l->buf[1] = (uint8_t)((ALKY_LINK_VERSION << 4) | ALKY_LINK_FLAG_FROM_DEVICE | flags);
    l->buf[ALKY_LINK_SEQ_AT] = l->tx_seq;
    l->buf[ALKY_LINK_SEQ_AT + 1] = l->tx_type;
#if ALKY_LINK_SEALED
    l->buf[1] |= ALKY_LINK_FLAG_SEALED;
    if (!alky_seal_close(l)) {
        l->len = 0;
        return;
    }
#endif
    crc = alky_crc16(0xFFFFu, l->buf + 1, (uint8_t)(n - 2));
    alky_put_le16(l->buf + n - 1, crc);
    cobs_encode_in_place(l->buf, n);
    l->buf[n + 1] = 0;
    ALKY_LINK_SEND_FRAME(l, l->buf, (uint16_t)(n + 2));
    l->len = 0;
}

/* A payload longer than a frame goes out in frames flagged MORE as the buffer fills. */
void alky_link_put_u8(alky_link *l, uint8_t v) {
    if (l->len == ALKY_LINK_MAX_PAYLOAD) flush(l, ALKY_LINK_FLAG_MORE);
    alky_link_payload(l)[l->len++] = v;
}

void alky_link_put(alky_link *l, const uint8_t *bytes, uint16_t length) {
    for (; length; length--) alky_link_put_u8(l, *bytes++);
}

void alky_link_put_u16(alky_link *l, uint16_t v) {
    alky_link_put_u8(l, (uint8_t)v);
    alky_link_put_u8(l, (uint8_t)(v >> 8));
}

/* Out of line: one call at each report's end instead of flush's arguments. */
ALKY_NOINLINE void alky_link_end(alky_link *l) {
    flush(l, 0);
}
