/* The EVM's signed and rare operations at widths 8, 16 and 32 on uint32_t
 * (docs/ir.md §4), written once for the interpreter (arith.c, in builds
 * without the 64/256-bit byte routines) and for ahead-of-time code
 * (aot/aot.h). Operands arrive zero-extended from their `nb` bytes; only the
 * low `nb` bytes of a result are kept. No signed C types: signed readings go
 * through the sign bit, so nothing depends on implementation-defined
 * conversions. */
#ifndef ALKY_ARITH_SMALL_H
#define ALKY_ARITH_SMALL_H

#include <stdint.h>

static inline uint32_t alky_small_sign_bit(uint8_t nb) {
    return (uint32_t)1 << (8 * nb - 1);
}

/* The nb-byte two's-complement value sign-extended to 32 bits. */
static inline uint32_t alky_small_sext32(uint32_t v, uint8_t nb) {
    return nb < 4 ? ((v ^ alky_small_sign_bit(nb)) - alky_small_sign_bit(nb)) : v;
}

/* Magnitude of a sign-extended value. */
static inline uint32_t alky_small_magnitude(uint32_t v32) {
    return (v32 & 0x80000000UL) ? (uint32_t)(0 - v32) : v32;
}

/* SDIV(a, b): a / b signed, 0 for b = 0; -2^(W-1) / -1 gives 2^(W-1), which
 * stores as -2^(W-1) as the EVM requires. */
static inline uint32_t alky_small_sdiv(uint32_t a, uint32_t b, uint8_t nb) {
    uint32_t sa = alky_small_sext32(a, nb), sb = alky_small_sext32(b, nb), q;
    if (!b) return 0;
    q = alky_small_magnitude(sa) / alky_small_magnitude(sb);
    return ((sa ^ sb) & 0x80000000UL) ? (uint32_t)(0 - q) : q;
}

/* SMOD(a, b): the remainder takes the sign of a; 0 for b = 0. */
static inline uint32_t alky_small_smod(uint32_t a, uint32_t b, uint8_t nb) {
    uint32_t sa = alky_small_sext32(a, nb), sb = alky_small_sext32(b, nb), r;
    if (!b) return 0;
    r = alky_small_magnitude(sa) % alky_small_magnitude(sb);
    return (sa & 0x80000000UL) ? (uint32_t)(0 - r) : r;
}

/* EXP(base, e) by squaring. */
static inline uint32_t alky_small_exp(uint32_t base, uint32_t e) {
    uint32_t r = 1;
    while (e) {
        if (e & 1) r *= base;
        e >>= 1;
        if (e) base *= base;
    }
    return r;
}

/* SIGNEXTEND(a, b): b sign-extended from its byte a (counted from the least significant). */
static inline uint32_t alky_small_signextend(uint32_t a, uint32_t b, uint8_t nb) {
    if (a >= (uint32_t)nb - 1) return b;
    return alky_small_sext32(b & (((uint32_t)1 << (8 * (a + 1))) - 1), (uint8_t)(a + 1));
}

/* BYTE(a, b): byte a of b, counted from the most significant. */
static inline uint32_t alky_small_byte(uint32_t a, uint32_t b, uint8_t nb) {
    return a >= nb ? 0 : (b >> (8 * (nb - 1 - a))) & 0xFF;
}

/* SAR(a, b): b >> a arithmetic; a shift of W or more gives 0 or all ones. */
static inline uint32_t alky_small_sar(uint32_t a, uint32_t b, uint8_t nb) {
    uint32_t v = alky_small_sext32(b, nb);
    uint8_t s = (uint8_t)(a >= 8u * nb ? 31 : a);
    return (v & 0x80000000UL) ? ~(~v >> s) : v >> s;
}

#endif /* ALKY_ARITH_SMALL_H */
