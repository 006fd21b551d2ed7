/* Arithmetic at widths 8, 16 and 32 (docs/ir.md §4): the EVM's definitions
 * at width W, on uint32_t. Values arrive zero-extended from their `nb` bytes
 * and only the low `nb` bytes of a result are stored, which is the wrap-around
 * modulo 2^W for free. No signed C types: signed readings are done on the
 * sign bit, so nothing depends on implementation-defined conversions, and no
 * 64-bit type is needed (MULMOD uses double-and-add).
 *
 * Written for size: the interpreter is what a small board's flash holds. The
 * shifts, SAR, BYTE and SIGNEXTEND share one bit-at-a-time shifter, and the
 * four divisions one unsigned division; ahead-of-time code, where each
 * operation is inlined at its width, uses the specialised forms of
 * arith_small.h instead (the same definitions). */
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

#define SIGN32 0x80000000UL

#if !ALKY_WITH_BIG
#define SHIFT_LEFT 0
#define SHIFT_RIGHT 1
#define SHIFT_ARITH 2 /* right, copying bit 31 */

/* v shifted by min(s, 32) bits, one bit per step: a shift by 32 or more
 * gives 0 (or all ones, arithmetic from a negative v), as the EVM's
 * operations need for any shift of W or more. */
static ALKY_NOINLINE uint32_t shift(uint32_t v, uint32_t s, uint8_t how) {
    uint8_t n = (uint8_t)(s > 32 ? 32 : s);
    while (n--) v = how == SHIFT_LEFT ? v << 1 : (v >> 1) | (how == SHIFT_ARITH ? (v & SIGN32) : 0);
    return v;
}

/* The low `bytes` bytes of v (1 to 4) as a two's-complement value, sign-extended to 32 bits. */
static uint32_t sext(uint32_t v, uint8_t bytes) {
    uint8_t k = (uint8_t)(32 - 8 * bytes);
    return shift(shift(v, k, SHIFT_LEFT), k, SHIFT_ARITH);
}

/* (x + y) mod n for x, y < n, without overflow. */
static ALKY_NOINLINE uint32_t add_mod(uint32_t x, uint32_t y, uint32_t n) {
    uint32_t s = x + y;
    return (s < x || s >= n) ? s - n : s;
}

/* DIV, SDIV, MOD, SMOD: 0 for b = 0; the signed ones on the magnitudes, the
 * quotient negative when the signs differ, the remainder with a's sign
 * (-2^(W-1) / -1 gives 2^(W-1), which stores as -2^(W-1) as the EVM requires). */
static uint32_t divide(uint8_t op, uint32_t a, uint32_t b, uint8_t nb) {
    /* DIV 4, SDIV 5, MOD 6, SMOD 7: bit 1 says remainder, bit 0 signed */
    uint8_t is_mod = (uint8_t)(op & 2), neg = 0;
    uint32_t r;
    if (!b) return 0;
    if (op & 1) {
        a = sext(a, nb);
        b = sext(b, nb);
        if (a & SIGN32) {
            a = 0 - a;
            neg = 1;
        }
        if (b & SIGN32) {
            b = 0 - b;
            if (!is_mod) neg ^= 1;
        }
    }
    r = is_mod ? a % b : a / b;
    return neg ? 0 - r : r;
}
#endif /* !ALKY_WITH_BIG */

uint32_t alky_small_binop(uint8_t op, uint32_t a, uint32_t b, uint8_t nb) {
    switch (op) {
    case ALKY_OP_ADD: return a + b;
    case ALKY_OP_MUL: return a * b;
    case ALKY_OP_SUB: return a - b;
    case ALKY_OP_AND: return a & b;
    case ALKY_OP_OR: return a | b;
    case ALKY_OP_XOR: return a ^ b;
#if ALKY_WITH_BIG
    case ALKY_OP_SHL: return a >= 8u * nb ? 0 : b << a;
    case ALKY_OP_SHR: return a >= 8u * nb ? 0 : b >> a;
#else
    /* b's bits above W are zero, and a shift of W or more leaves W zero bits. */
    case ALKY_OP_SHL: return shift(b, a, SHIFT_LEFT);
    case ALKY_OP_SHR: return shift(b, a, SHIFT_RIGHT);
    case ALKY_OP_SAR: return shift(sext(b, nb), a, SHIFT_ARITH);
    case ALKY_OP_DIV:
    case ALKY_OP_SDIV:
    case ALKY_OP_MOD:
    case ALKY_OP_SMOD: return divide(op, a, b, nb);
    case ALKY_OP_EXP: {
        /* a ^ b by squaring */
        uint32_t r = 1;
        while (b) {
            if (b & 1) r *= a;
            b >>= 1;
            a *= a;
        }
        return r;
    }
    /* b sign-extended from its byte a (counted from the least significant) */
    case ALKY_OP_SIGNEXTEND: return a < (uint8_t)(nb - 1) ? sext(b, (uint8_t)(a + 1)) : b;
    /* byte a of b, counted from the most significant */
    case ALKY_OP_BYTE: return a >= nb ? 0 : shift(b, (uint8_t)(8 * (nb - 1 - (uint8_t)a)), SHIFT_RIGHT) & 0xFF;
#endif
    default: return 0;
    }
}

uint8_t alky_small_compare(uint8_t op, uint32_t a, uint32_t b, uint8_t nb) {
    /* Flipping the sign bit maps two's complement order onto unsigned order. */
    uint32_t sign = (op == ALKY_OP_SLT || op == ALKY_OP_SGT) ? (uint32_t)1 << (8 * nb - 1) : 0;
    if (op == ALKY_OP_EQ) return (uint8_t)(a == b);
    a ^= sign;
    b ^= sign;
    /* LT, SLT are even opcodes; GT, SGT odd. */
    return (uint8_t)((op & 1) ? b < a : a < b);
}

#if !ALKY_WITH_BIG
uint32_t alky_small_modop(uint8_t op, uint32_t a, uint32_t b, uint32_t n) {
    uint32_t r = 0;
    if (!n) return 0;
    b %= n;
    /* ADDMOD is one step of the MULMOD loop: a mod n plus 1 times b. */
    if (op == ALKY_OP_ADDMOD) {
        r = a % n;
        a = 1;
    }
    /* MULMOD by add-and-double over the bits of a, low to high: exact
     * without a 64-bit product. */
    while (a) {
        if (a & 1) r = add_mod(r, b, n);
        b = add_mod(b, b, n);
        a >>= 1;
    }
    return r;
}
#endif /* !ALKY_WITH_BIG */

#if !ALKY_WITH_BIG
/* LT, GT, SLT, SGT, EQ on the values' bytes, most significant first (the
 * signed orders flip the sign bit of the top byte): no 32-bit registers. */
static uint8_t compare_bytes(uint8_t op, const uint8_t *a, const uint8_t *b, uint8_t nb) {
    uint8_t flip = (uint8_t)((op == ALKY_OP_SLT || op == ALKY_OP_SGT) ? 0x80 : 0), x, y;
    a += nb;
    b += nb;
    do {
        x = (uint8_t)(*--a ^ flip);
        y = (uint8_t)(*--b ^ flip);
        flip = 0;
    } while (x == y && --nb);
    if (op == ALKY_OP_EQ) return (uint8_t)(x == y);
    return (uint8_t)((op & 1) ? x > y : x < y);
}

uint8_t *alky_small_step(uint8_t op, uint8_t *sp, uint8_t nb) {
    uint32_t a, b;
    if (op >= ALKY_OP_LT && op <= ALKY_OP_EQ) {
        uint8_t r = compare_bytes(op, sp - nb, sp - 2 * nb, nb);
        sp -= 2 * nb;
        *sp = r;
        return sp + 1;
    }
    a = alky_small_load(sp - nb, nb);
    sp -= nb;
    b = alky_small_load(sp - nb, nb);
    sp -= nb;
    if (op == ALKY_OP_ADDMOD || op == ALKY_OP_MULMOD) {
        sp -= nb;
        a = alky_small_modop(op, a, b, alky_small_load(sp, nb));
    } else {
        a = alky_small_binop(op, a, b, nb);
    }
    alky_small_store(sp, a, nb);
    return sp + nb;
}
#endif /* !ALKY_WITH_BIG */
