/* The link layer of the device (docs/link.md §2): frames in and out of one
 * buffer, COBS-decoded and -encoded in place, checked with CRC-16/CCITT-FALSE.
 * No I/O of its own: bytes come in through alky_link_receive, frames go out
 * through the send function the port gives to alky_link_init.
 *
 * One buffer serves both directions because the protocol is stop-and-wait:
 * the device reads a request completely (arguments go straight into the VM)
 * before it builds the first report of its answer. Layout of the buffer:
 *   [0] COBS overhead byte  [1] header  [2] seq  [3] type  [4..] payload, CRC
 * and in a firmware built with a link key (ALKY_LINK_SEALED, seal.h), where
 * every frame is sealed:
 *   [0] COBS  [1] header  [2..5] counter  [6] seq  [7] type  [8..] payload, tag, CRC
 * so the frame never moves: decoding turns the COBS code bytes back into the
 * zeros they stand for, encoding does the reverse (docs/link.md §2.2), and
 * the payload is decrypted and encrypted where it lies. */
#ifndef ALKY_LINK_H
#define ALKY_LINK_H

#include "alky.h"
#include "generated/alky_link_ids.h"
#include "hal.h"

/* Largest payload of one frame, announced in HELLO_REPLY. A report longer
 * than this (a syscall with long strings) is sent as several frames; the
 * host never sends more. Each byte here is a byte of RAM. */
#ifndef ALKY_LINK_MAX_PAYLOAD
#define ALKY_LINK_MAX_PAYLOAD 64
#endif

/* A firmware built with a link key seals its link (seal.h). */
#ifndef ALKY_LINK_SEALED
#define ALKY_LINK_SEALED 0
#endif
#if ALKY_LINK_SEALED
#define ALKY_LINK_SEAL_BYTES (ALKY_LINK_SEAL_COUNTER_BYTES + ALKY_LINK_SEAL_TAG_BYTES)
#define ALKY_LINK_MARK_BYTES 8 /* the counters' marks, after the app store's region */
#define ALKY_LINK_FEATURES ALKY_LINK_FEATURE_SEALED
#define ALKY_LINK_RX_FLOOR(l) ((l)->rx)
#define ALKY_LINK_SEQ_AT (2 + ALKY_LINK_SEAL_COUNTER_BYTES) /* after the COBS byte, the header and the counter */
#else
#define ALKY_LINK_SEAL_BYTES 0
#define ALKY_LINK_MARK_BYTES 0
#define ALKY_LINK_FEATURES 0
#define ALKY_LINK_RX_FLOOR(l) 0
#define ALKY_LINK_SEQ_AT 2 /* after the COBS byte and the header */
#endif

/* A board that asks for the largest frames gets the largest a sealed frame allows. */
#if ALKY_LINK_SEALED && ALKY_LINK_MAX_PAYLOAD + ALKY_LINK_FRAME_OVERHEAD + ALKY_LINK_SEAL_BYTES > ALKY_LINK_MAX_FRAME_BYTES
#undef ALKY_LINK_MAX_PAYLOAD
#define ALKY_LINK_MAX_PAYLOAD (ALKY_LINK_MAX_FRAME_BYTES - ALKY_LINK_FRAME_OVERHEAD - ALKY_LINK_SEAL_BYTES)
#endif

#if ALKY_LINK_MAX_PAYLOAD < ALKY_LINK_MIN_PAYLOAD || ALKY_LINK_MAX_PAYLOAD + ALKY_LINK_FRAME_OVERHEAD + ALKY_LINK_SEAL_BYTES > ALKY_LINK_MAX_FRAME_BYTES
#error "ALKY_LINK_MAX_PAYLOAD must lie between ALKY_LINK_MIN_PAYLOAD and ALKY_LINK_MAX_FRAME_BYTES - ALKY_LINK_FRAME_OVERHEAD (- ALKY_LINK_SEAL_BYTES)"
#endif

/* COBS byte, frame, delimiter. */
#define ALKY_LINK_BUFFER_BYTES (1 + ALKY_LINK_MAX_PAYLOAD + ALKY_LINK_FRAME_OVERHEAD + ALKY_LINK_SEAL_BYTES + 1)
#if ALKY_LINK_BUFFER_BYTES > 256
#error "the link's lengths are 8-bit: a frame is at most 254 bytes"
#endif

/* Where the port's transport takes bytes (a UART, a pipe, a mailbox). */
typedef void (*alky_link_send_fn)(void *ctx, const uint8_t *bytes, uint16_t length);

/* A board whose transport is fixed at build time defines ALKY_LINK_SEND, a
 * function taking (bytes, length), in its config: frames go to it directly,
 * and the link keeps no pointers (alky_link_init's send and ctx are unused). */
#ifdef ALKY_LINK_SEND
#define ALKY_LINK_SEND_FRAME(l, bytes, length) ALKY_LINK_SEND((bytes), (length))
#else
#define ALKY_LINK_SEND_FRAME(l, bytes, length) (l)->send((l)->ctx, (bytes), (length))
#endif

typedef struct alky_link {
#ifndef ALKY_LINK_SEND
    alky_link_send_fn send;
    void *ctx;
#endif
    uint16_t dropped;  /* frames dropped: bad COBS or CRC, too short, too long */
    uint8_t len;       /* receiving: encoded bytes so far; ready or building: payload bytes (the buffer is at most 256 bytes) */
    uint8_t overflow;  /* receiving: the frame is longer than the buffer, drop it at its end */
    uint8_t ready;     /* a received frame is in the buffer */
    uint8_t tx_seq;    /* report being built */
    uint8_t tx_type;
#if ALKY_LINK_SEALED
    uint32_t tx, tx_mark; /* next counter to send; its persisted mark (every counter sent is below it) */
    uint32_t rx, rx_mark; /* receive floor: the last counter accepted; its persisted mark (no lower) */
    const alky_store_medium *marks;
#endif
    uint8_t buf[ALKY_LINK_BUFFER_BYTES];
} alky_link;

/* Sets up a link whose bytes are all zero (alky_device_init zeroes the
 * device first): no frame, nothing dropped. */
void alky_link_init(alky_link *l, alky_link_send_fn send, void *ctx);

/* Feeds one received byte. Returns 1 when it completed a valid frame, which
 * stays in the buffer (alky_link_* accessors) until the next byte or report. */
uint8_t alky_link_receive(alky_link *l, uint8_t byte);

#define alky_link_header(l) ((l)->buf[1])
#define alky_link_seq(l) ((l)->buf[ALKY_LINK_SEQ_AT])
#define alky_link_type(l) ((l)->buf[ALKY_LINK_SEQ_AT + 1])
#define alky_link_payload(l) ((l)->buf + ALKY_LINK_SEQ_AT + 2)
#define alky_link_payload_len(l) ((l)->len)

/* Building a report: begin, put its payload (a payload longer than one frame
 * goes out in frames flagged MORE as the buffer fills), end. The payload can
 * also be written through alky_link_payload and alky_link_set_len. */
void alky_link_begin(alky_link *l, uint8_t seq, uint8_t type);
void alky_link_put(alky_link *l, const uint8_t *bytes, uint16_t length);
void alky_link_put_u8(alky_link *l, uint8_t v);
void alky_link_put_u16(alky_link *l, uint16_t v);
#define alky_link_set_len(l, n) ((l)->len = (uint8_t)(n))
void alky_link_end(alky_link *l);

/* Little-endian fields. */
uint16_t alky_le16(const uint8_t *p);
uint32_t alky_le32(const uint8_t *p);
void alky_put_le16(uint8_t *p, uint16_t v);
void alky_put_le32(uint8_t *p, uint32_t v);

/* CRC-16/CCITT-FALSE: pass 0xFFFF first, then the previous value. */
uint16_t alky_crc16(uint16_t crc, const uint8_t *bytes, uint16_t length);

#endif /* ALKY_LINK_H */
