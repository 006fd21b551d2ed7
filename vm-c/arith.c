/* Arithmetic at widths 8, 16 and 32 (docs/ir.md §4): the EVM's definitions
 * at width W, on uint32_t. Values arrive zero-extended from their `nb` bytes
 * and only the low `nb` bytes of a result are stored, which is the wrap-around
 * modulo 2^W for free. No signed C types: signed readings are done on the
 * sign bit, so nothing depends on implementation-defined conversions, and no
 * 64-bit type is needed (MULMOD uses double-and-add). */
#include "alky_internal.h"

uint32_t alky_small_load(const uint8_t *p, uint8_t nb) {
    uint32_t v = p[0];
    if (nb > 1) v |= (uint32_t)p[1] << 8;
    if (nb > 2) v |= ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
    return v;
}

void alky_small_store(uint8_t *p, uint32_t v, uint8_t nb) {
    p[0] = (uint8_t)v;
    if (nb > 1) p[1] = (uint8_t)(v >> 8);
    if (nb > 2) {
        p[2] = (uint8_t)(v >> 16);
        p[3] = (uint8_t)(v >> 24);
    }
}

static uint32_t sign_bit(uint8_t nb) {
    return (uint32_t)1 << (8 * nb - 1);
}

#if !ALKY_WITH_BIG
/* The W-bit two's-complement value sign-extended to 32 bits. */
static uint32_t sext32(uint32_t v, uint8_t nb) {
    if (nb < 4 && (v & sign_bit(nb))) v |= ~(((uint32_t)1 << (8 * nb)) - 1);
    return v;
}

static uint8_t negative(uint32_t v, uint8_t nb) {
    return (uint8_t)((v & sign_bit(nb)) != 0);
}

/* Magnitude of a sign-extended value. */
static uint32_t magnitude(uint32_t v32) {
    return (v32 & 0x80000000UL) ? (uint32_t)(0 - v32) : v32;
}

static uint32_t exp32(uint32_t base, uint32_t e) {
    uint32_t r = 1;
    while (e) {
        if (e & 1) r *= base;
        e >>= 1;
        if (e) base *= base;
    }
    return r;
}

/* (x + y) mod n for x, y < n, without overflow. */
static uint32_t add_mod(uint32_t x, uint32_t y, uint32_t n) {
    uint32_t s = x + y;
    return (s < x || s >= n) ? s - n : s;
}

#endif /* !ALKY_WITH_BIG */

uint32_t alky_small_binop(uint8_t op, uint32_t a, uint32_t b, uint8_t nb) {
    uint8_t bits = (uint8_t)(8 * nb);
    switch (op) {
    case ALKY_OP_ADD: return a + b;
    case ALKY_OP_MUL: return a * b;
    case ALKY_OP_SUB: return a - b;
    case ALKY_OP_AND: return a & b;
    case ALKY_OP_OR: return a | b;
    case ALKY_OP_XOR: return a ^ b;
    case ALKY_OP_SHL: return a >= bits ? 0 : b << a;
    case ALKY_OP_SHR: return a >= bits ? 0 : b >> a;
#if !ALKY_WITH_BIG
    case ALKY_OP_DIV: return b ? a / b : 0;
    case ALKY_OP_MOD: return b ? a % b : 0;
    case ALKY_OP_SDIV:
    case ALKY_OP_SMOD: {
        uint32_t sa = sext32(a, nb), sb = sext32(b, nb), q;
        if (!b) return 0;
        if (op == ALKY_OP_SMOD) {
            q = magnitude(sa) % magnitude(sb);
            return negative(a, nb) ? 0 - q : q;
        }
        /* -2^(W-1) / -1 gives 2^(W-1), which stores as -2^(W-1) as the EVM requires. */
        q = magnitude(sa) / magnitude(sb);
        return negative(a, nb) != negative(b, nb) ? 0 - q : q;
    }
    case ALKY_OP_EXP: return exp32(a, b);
    case ALKY_OP_SIGNEXTEND:
        if (a >= (uint32_t)nb - 1) return b;
        return sext32(b & (((uint32_t)1 << (8 * (a + 1))) - 1), (uint8_t)(a + 1));
    case ALKY_OP_BYTE: return a >= nb ? 0 : (b >> (8 * (nb - 1 - a))) & 0xFF;
    case ALKY_OP_SAR: {
        uint32_t v = sext32(b, nb);
        uint8_t s = (uint8_t)(a >= bits ? 31 : a);
        return (v & 0x80000000UL) ? ~(~v >> s) : v >> s;
    }
#endif
    default: return 0;
    }
}

uint8_t alky_small_compare(uint8_t op, uint32_t a, uint32_t b, uint8_t nb) {
    /* Flipping the sign bit maps two's complement order onto unsigned order. */
    if (op == ALKY_OP_SLT || op == ALKY_OP_SGT) {
        a ^= sign_bit(nb);
        b ^= sign_bit(nb);
    }
    if (op == ALKY_OP_EQ) return (uint8_t)(a == b);
    /* LT, SLT are even opcodes; GT, SGT odd: swap the operands for those. */
    if (op & 1) {
        uint32_t t = a;
        a = b;
        b = t;
    }
    return (uint8_t)(a < b);
}

#if !ALKY_WITH_BIG
uint32_t alky_small_modop(uint8_t op, uint32_t a, uint32_t b, uint32_t n) {
    uint32_t r = 0, bit;
    if (!n) return 0;
    a %= n;
    b %= n;
    if (op == ALKY_OP_ADDMOD) return add_mod(a, b, n);
    /* MULMOD by double-and-add over the bits of a: exact without a 64-bit product. */
    for (bit = 0x80000000UL; bit; bit >>= 1) {
        r = add_mod(r, r, n);
        if (a & bit) r = add_mod(r, b, n);
    }
    return r;
}
#endif /* !ALKY_WITH_BIG */
