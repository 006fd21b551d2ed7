/* Arithmetic at widths 8, 16 and 32 (docs/ir.md §4): the EVM's definitions
 * at width W, on uint32_t. Values arrive zero-extended from their `nb` bytes
 * and only the low `nb` bytes of a result are stored, which is the wrap-around
 * modulo 2^W for free. No signed C types: signed readings are done on the
 * sign bit, so nothing depends on implementation-defined conversions, and no
 * 64-bit type is needed (MULMOD uses double-and-add). */
#include "alky_internal.h"
#include "arith_small.h"

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

#if !ALKY_WITH_BIG
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
    case ALKY_OP_SDIV: return alky_small_sdiv(a, b, nb);
    case ALKY_OP_SMOD: return alky_small_smod(a, b, nb);
    case ALKY_OP_EXP: return alky_small_exp(a, b);
    case ALKY_OP_SIGNEXTEND: return alky_small_signextend(a, b, nb);
    case ALKY_OP_BYTE: return alky_small_byte(a, b, nb);
    case ALKY_OP_SAR: return alky_small_sar(a, b, nb);
#endif
    default: return 0;
    }
}

uint8_t alky_small_compare(uint8_t op, uint32_t a, uint32_t b, uint8_t nb) {
    /* Flipping the sign bit maps two's complement order onto unsigned order. */
    if (op == ALKY_OP_SLT || op == ALKY_OP_SGT) {
        a ^= alky_small_sign_bit(nb);
        b ^= alky_small_sign_bit(nb);
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
