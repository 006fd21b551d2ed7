/* ChaCha20-Poly1305 AEAD, written from RFC 8439 (§2.1-§2.8) for small
 * devices: code size first, then stack, then speed. See the header for the
 * rules it keeps (constant time, no heap, byte loads).
 *
 * ChaCha20 works on sixteen 32-bit words; the 64-byte block is turned into
 * bytes in place (a union of words and bytes), so one 64-byte buffer serves
 * for the Poly1305 key, the key stream and the computed tag.
 *
 * Poly1305 works in radix 2^8: the accumulator h and the clamped r are
 * 17 bytes each (h's top byte holds bits 128..130 and a little headroom),
 * and h * r mod 2^130 - 5 is the schoolbook product where the parts of
 * weight 2^136 and up fold back multiplied by 320 (2^136 = 2^130 * 64 and
 * 2^130 = 5 mod p). The AVR multiplies 8 x 8 -> 16 bits in one instruction,
 * so this is both the smallest and a fast form there. */
#include "chacha20poly1305.h"

/* Every helper stays a function of its own: inlined (as -Os otherwise
 * chooses for the ones called once or twice) the AVR code grows by about
 * 15 %, as the 32-bit temporaries of each spill separately. */
#if defined(__GNUC__)
#define ALKY_AEAD_NOINLINE __attribute__((noinline))
#else
#define ALKY_AEAD_NOINLINE
#endif

typedef union {
    uint32_t w[16];
    uint8_t b[64];
} chacha_block_t;

typedef struct {
    uint8_t h[17]; /* accumulator, little-endian bytes */
    uint8_t r[17]; /* clamped r; r[16] is 0 */
    uint8_t s[16];
} poly_state_t;


/* Word i of the initial state (RFC 8439 §2.3): constants, key, counter, nonce. */
static ALKY_AEAD_NOINLINE uint32_t chacha_word(const uint8_t *key, const uint8_t *nonce, uint32_t counter, uint8_t i) {
    uint32_t v = 0;
    uint8_t n;
    if (i == 0) return 0x61707865ul; /* "expa" */
    if (i == 1) return 0x3320646eul; /* "nd 3" */
    if (i == 2) return 0x79622d32ul; /* "2-by" */
    if (i == 3) return 0x6b206574ul; /* "te k" */
    if (i == 12) return counter;
    for (n = 4; n-- > 0;) {
        v = (v << 8) | (i < 12 ? ALKY_AEAD_KEY_BYTE(key, (uint8_t)(4 * (i - 4) + n)) : nonce[4 * (i - 13) + n]);
    }
    return v;
}

/* Rotates left by n (0 < n < 32): whole bytes first, then single bits
 * (the AVR shifts one bit per instruction). */
static ALKY_AEAD_NOINLINE uint32_t rotl32(uint32_t v, uint8_t n) {
    for (; n >= 8; n -= 8) v = (v << 8) | (v >> 24);
    for (; n > 0; n--) v = (v << 1) | (v >> 31);
    return v;
}

/* One quarter round (RFC 8439 §2.1) on words a, b, c, d of s, as four steps
 * "p += q; r ^= p; r <<<= n" with (p, q, r, n) = (a, b, d, 16), (c, d, b, 12),
 * (a, b, d, 8), (c, d, b, 7). */
static ALKY_AEAD_NOINLINE void quarter_round(uint32_t *s, uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    uint8_t step;
    for (step = 0; step < 4; step++) {
        uint8_t p = (step & 1) ? c : a, q = (step & 1) ? d : b, r = (step & 1) ? b : d;
        s[p] += s[q];
        s[r] = rotl32(s[r] ^ s[p], step == 3 ? 7 : (uint8_t)(16 - 4 * step));
    }
}

/* One 64-byte key-stream block (RFC 8439 §2.3), left as bytes in x->b. */
static ALKY_AEAD_NOINLINE void chacha_block(const uint8_t *key, const uint8_t *nonce, uint32_t counter, chacha_block_t *x) {
    uint8_t i;
    for (i = 0; i < 16; i++) x->w[i] = chacha_word(key, nonce, counter, i);
    /* 10 double rounds of 8 quarter rounds: the columns, then the diagonals. */
    for (i = 0; i < 80; i++) {
        uint8_t a = i & 3, diag = (i >> 2) & 1;
        quarter_round(x->w, a, (uint8_t)(4 + ((a + diag) & 3)), (uint8_t)(8 + ((a + 2 * diag) & 3)),
                      (uint8_t)(12 + ((a + 3 * diag) & 3)));
    }
    for (i = 0; i < 16; i++) {
        /* Reads word i, then overwrites exactly its four bytes. */
        uint32_t v = x->w[i] + chacha_word(key, nonce, counter, i);
        x->b[4 * i] = (uint8_t)v;
        x->b[4 * i + 1] = (uint8_t)(v >> 8);
        x->b[4 * i + 2] = (uint8_t)(v >> 16);
        x->b[4 * i + 3] = (uint8_t)(v >> 24);
    }
}

/* data ^= key stream from block `counter` on (RFC 8439 §2.4). */
static ALKY_AEAD_NOINLINE void chacha_xor(const uint8_t *key, const uint8_t *nonce, uint32_t counter, uint8_t *data, uint16_t len,
                       chacha_block_t *x) {
    uint8_t i = 64;
    while (len-- > 0) {
        if (i == 64) {
            chacha_block(key, nonce, counter++, x);
            i = 0;
        }
        *data++ ^= x->b[i++];
    }
}

/* r (clamped, RFC 8439 §2.5) and s from the 32-byte one-time key; h = 0. */
static ALKY_AEAD_NOINLINE void poly_init(poly_state_t *p, const uint8_t *k) {
    uint8_t i;
    for (i = 0; i < 16; i++) {
        uint8_t mask = (i & 3) == 3 ? 0x0f : ((i & 3) == 0 && i != 0) ? 0xfc : 0xff;
        p->r[i] = k[i] & mask;
        p->s[i] = k[16 + i];
        p->h[i] = 0;
    }
    p->r[16] = 0;
    p->h[16] = 0;
}

/* h = (h + block) * r mod 2^130 - 5. The block is the `avail` bytes at m,
 * zero-padded, with a 1 bit added at byte `end` (16 for a full or an AEAD
 * zero-padded block, avail for a short final block of plain Poly1305). */
static ALKY_AEAD_NOINLINE void poly_block(poly_state_t *p, const uint8_t *m, uint8_t avail, uint8_t end) {
    uint8_t x[17];
    uint8_t i, j;
    uint16_t c = 0;
    uint32_t carry = 0;
    for (i = 0; i < 17; i++) {
        c += p->h[i];
        if (i < avail) c += m[i];
        if (i == end) c += 1;
        p->h[i] = (uint8_t)c;
        c >>= 8;
    }
    /* Now h < 7 * 2^128: every column sum below stays under 2^29. */
    for (i = 0; i < 17; i++) {
        uint32_t u = carry, wrap = 0;
        for (j = 0; j < 17; j++) {
            uint8_t k = (uint8_t)(i - j);
            if (j > i) {
                k = (uint8_t)(k + 17);
                wrap += (uint16_t)((uint16_t)p->h[j] * p->r[k]);
            } else {
                u += (uint16_t)((uint16_t)p->h[j] * p->r[k]);
            }
        }
        u += wrap * 320u;
        if (i < 16) {
            x[i] = (uint8_t)u;
            carry = u >> 8;
        } else {
            x[16] = (uint8_t)(u & 3);
            carry = (u >> 2) * 5u; /* bits 130 and up, folded back */
        }
    }
    for (i = 0; i < 17; i++) {
        carry += x[i];
        p->h[i] = (uint8_t)carry;
        carry >>= 8;
    }
    /* h < 5 * 2^128 < 2p. */
}

/* Feeds len bytes in 16-byte blocks; the last one zero-padded (pad, the
 * AEAD's rule) or ended with the 1 byte (plain Poly1305). */
static ALKY_AEAD_NOINLINE void poly_feed(poly_state_t *p, const uint8_t *m, uint16_t len, uint8_t pad) {
    while (len > 0) {
        uint8_t n = len < 16 ? (uint8_t)len : 16;
        poly_block(p, m, n, pad ? 16 : n);
        m += n;
        len -= n;
    }
}

/* tag = ((h mod p) + s) mod 2^128. As h < 2p, h mod p is h, or h + 5 - 2^130
 * when h + 5 reaches 2^130; both agree with h + 5 * that carry below 2^128,
 * so the carry is computed and added, without a branch. */
static ALKY_AEAD_NOINLINE void poly_finish(const poly_state_t *p, uint8_t *tag) {
    uint8_t i;
    uint16_t c = 5;
    for (i = 0; i < 16; i++) c = (uint16_t)(c + p->h[i]) >> 8;
    c = (uint16_t)(5 * ((c + p->h[16]) >> 2)); /* 5 if h >= p, else 0 */
    for (i = 0; i < 16; i++) {
        c += p->h[i];
        c += p->s[i];
        tag[i] = (uint8_t)c;
        c >>= 8;
    }
}

static ALKY_AEAD_NOINLINE void wipe(void *buf, uint8_t len) {
    volatile uint8_t *v = (volatile uint8_t *)buf;
    while (len-- > 0) *v++ = 0;
}

/* Seal (open = 0: encrypt, then MAC the ciphertext) or open (MAC the
 * ciphertext, compare, decrypt only if it matched). Returns 1 if authentic. */
static ALKY_AEAD_NOINLINE uint8_t aead(const uint8_t *key, const uint8_t *nonce, const uint8_t *aad, uint16_t aad_len, uint8_t *data,
                    uint16_t len, uint8_t *tag, uint8_t open) {
    chacha_block_t x;
    poly_state_t p;
    uint8_t i, diff = 0, ok;
    chacha_block(key, nonce, 0, &x);
    poly_init(&p, x.b);
    if (!open) chacha_xor(key, nonce, 1, data, len, &x);
    poly_feed(&p, aad, aad_len, 1);
    poly_feed(&p, data, len, 1);
    for (i = 0; i < 16; i++) x.b[i] = 0;
    x.b[0] = (uint8_t)aad_len;
    x.b[1] = (uint8_t)(aad_len >> 8);
    x.b[8] = (uint8_t)len;
    x.b[9] = (uint8_t)(len >> 8);
    poly_block(&p, x.b, 16, 16);
    poly_finish(&p, x.b);
    for (i = 0; i < 16; i++) {
        if (open) diff |= (uint8_t)(x.b[i] ^ tag[i]);
        else tag[i] = x.b[i];
    }
    ok = (uint8_t)((((uint16_t)diff - 1u) >> 8) & 1u); /* 1 iff diff == 0, without a branch */
    if (open && ok) chacha_xor(key, nonce, 1, data, len, &x);
    wipe(&x, sizeof x);
    wipe(&p, sizeof p);
    return ok;
}

void alky_aead_seal(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad, uint16_t aad_len, uint8_t *data,
                    uint16_t len, uint8_t tag[16]) {
    (void)aead(key, nonce, aad, aad_len, data, len, tag, 0);
}

uint8_t alky_aead_open(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad, uint16_t aad_len, uint8_t *data,
                       uint16_t len, const uint8_t tag[16]) {
    /* The tag is only read when open = 1. */
    return aead(key, nonce, aad, aad_len, data, len, (uint8_t *)(uintptr_t)tag, 1);
}

#ifdef ALKY_AEAD_TEST_HOOKS
void alky_chacha20_quarter_round(uint32_t state[16], uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    quarter_round(state, a, b, c, d);
}

void alky_chacha20_block(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter, uint8_t out[64]) {
    chacha_block_t x;
    uint8_t i;
    chacha_block(key, nonce, counter, &x);
    for (i = 0; i < 64; i++) out[i] = x.b[i];
}

void alky_chacha20_xor(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter, uint8_t *data, uint16_t len) {
    chacha_block_t x;
    chacha_xor(key, nonce, counter, data, len, &x);
}

void alky_poly1305(const uint8_t key[32], const uint8_t *msg, uint16_t len, uint8_t tag[16]) {
    poly_state_t p;
    poly_init(&p, key);
    poly_feed(&p, msg, len, 0);
    poly_finish(&p, tag);
}
#endif
