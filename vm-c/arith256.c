/* Arithmetic at widths 64 and 256 (docs/ir.md §4), EVM-exact, on the VM's
 * stack slots: little-endian byte arrays of `nb` bytes (8 or 32), worked on
 * in place.
 *
 * Why bytes and not 8 x uint32_t: the operand stack is unaligned raw bytes,
 * and the MSP430 cannot load a word from an odd address, so limbs would mean
 * copying every operand out and back (96 bytes of C stack for MULMOD on a
 * 512-byte MCU). Bytes need no copies, 8x8->16 is one MUL on the AVR, the
 * same code serves 64-bit, and the temporaries stay at 2 x 32 bytes (EXP,
 * ADDMOD, MULMOD). Division is shift-subtract with the quotient shifted into
 * the dividend itself; MULMOD is double-and-add modulo N, exact with no
 * 512-bit product. Leading zero bytes are skipped, so small values in 256-bit
 * mode stay cheap. */
#include "alky_internal.h"

#if ALKY_WITH_BIG

typedef uint8_t word[ALKY_MAX_VALUE_BYTES];

static void copy(uint8_t *dst, const uint8_t *src, uint8_t n) {
    while (n--) *dst++ = *src++;
}

static ALKY_NOINLINE void fill(uint8_t *dst, uint8_t v, uint8_t n) {
    while (n--) *dst++ = v;
}

static uint8_t is_zero(const uint8_t *x, uint8_t n) {
    while (n--)
        if (*x++) return 0;
    return 1;
}

/* Bytes up to the highest non-zero one (0 for zero). */
static uint8_t used_bytes(const uint8_t *x, uint8_t n) {
    while (n && !x[n - 1]) n--;
    return n;
}

/* -1, 0, 1 as x <, =, > y, unsigned. */
static int8_t ucmp(const uint8_t *x, const uint8_t *y, uint8_t n) {
    while (n--) {
        if (x[n] != y[n]) return x[n] < y[n] ? -1 : 1;
    }
    return 0;
}

static uint8_t negative(const uint8_t *x, uint8_t n) {
    return (uint8_t)(x[n - 1] >> 7);
}

/* dst = x + y; returns the carry out. dst may be x or y. */
static uint8_t add(uint8_t *dst, const uint8_t *x, const uint8_t *y, uint8_t n) {
    uint16_t c = 0;
    uint8_t i;
    for (i = 0; i < n; i++) {
        c = (uint16_t)(c + x[i] + y[i]);
        dst[i] = (uint8_t)c;
        c >>= 8;
    }
    return (uint8_t)c;
}

/* dst = x - y mod 2^(8n). dst may be x or y. */
static void sub(uint8_t *dst, const uint8_t *x, const uint8_t *y, uint8_t n) {
    uint8_t borrow = 0, i;
    for (i = 0; i < n; i++) {
        uint16_t d = (uint16_t)((uint16_t)x[i] - y[i] - borrow);
        dst[i] = (uint8_t)d;
        borrow = (uint8_t)((d >> 8) & 1);
    }
}

static void negate(uint8_t *x, uint8_t n) {
    uint16_t c = 1;
    uint8_t i;
    for (i = 0; i < n; i++) {
        c = (uint16_t)(c + (uint8_t)~x[i]);
        x[i] = (uint8_t)c;
        c >>= 8;
    }
}

/* Shift left by one bit, shifting `in` into bit 0; returns the bit shifted out. */
static uint8_t shl1(uint8_t *x, uint8_t n, uint8_t in) {
    uint8_t i;
    for (i = 0; i < n; i++) {
        uint8_t out = (uint8_t)(x[i] >> 7);
        x[i] = (uint8_t)((x[i] << 1) | in);
        in = out;
    }
    return in;
}

/* dst = x * y mod 2^(8n); dst must be neither x nor y. */
static void mul(uint8_t *dst, const uint8_t *x, const uint8_t *y, uint8_t n) {
    uint8_t i, j, nx = used_bytes(x, n);
    fill(dst, 0, n);
    for (i = 0; i < nx; i++) {
        uint16_t c = 0;
        if (!x[i]) continue;
        for (j = 0; i + j < n; j++) {
            c = (uint16_t)(c + dst[i + j] + (uint16_t)x[i] * y[j]);
            dst[i + j] = (uint8_t)c;
            c >>= 8;
        }
    }
}

/* num := num / den, rem := num % den (unsigned, den != 0). */
static void divmod(uint8_t *num, const uint8_t *den, uint8_t *rem, uint8_t n) {
    uint8_t k = used_bytes(num, n), i;
    uint16_t bits;
    fill(rem, 0, n);
    /* The quotient bits of the leading zero bytes are 0: start past them. */
    for (i = n; i-- > 0;) num[i] = i >= n - k ? num[i - (n - k)] : 0;
    for (bits = (uint16_t)(8 * k); bits; bits--) {
        uint8_t over = shl1(rem, n, shl1(num, n, 0));
        if (over || ucmp(rem, den, n) >= 0) {
            sub(rem, rem, den, n);
            num[0] |= 1;
        }
    }
}

/* x mod n into r (n != 0); x is destroyed. */
static void reduce(uint8_t *x, const uint8_t *m, uint8_t *r, uint8_t n) {
    divmod(x, m, r, n);
}

/* r := (r + y) mod m for r, y < m. */
static void add_mod(uint8_t *r, const uint8_t *y, const uint8_t *m, uint8_t n) {
    if (add(r, r, y, n) || ucmp(r, m, n) >= 0) sub(r, r, m, n);
}

/* A shift amount (W-wide) below 8n, or 0xFFFF. */
static uint16_t shift_amount(const uint8_t *a, uint8_t n) {
    uint16_t s = a[0];
    if (!is_zero(a + 1, (uint8_t)(n - 1)) || s >= 8u * n) return 0xFFFF;
    return s;
}

/* Shift by s < 8n bits: whole bytes first, then at most 7 single bits.
 * Left shifts in zeros; right shifts in fill_byte (0x00, or 0xFF for SAR). */
static void shift_left(uint8_t *x, uint16_t s, uint8_t n) {
    uint8_t k = (uint8_t)(s >> 3), i;
    for (i = n; i-- > 0;) x[i] = i >= k ? x[i - k] : 0;
    for (k = (uint8_t)(s & 7); k; k--) shl1(x, n, 0);
}

static void shift_right(uint8_t *x, uint16_t s, uint8_t n, uint8_t fill_byte) {
    uint8_t k = (uint8_t)(s >> 3), i, in;
    for (i = 0; i < n; i++) x[i] = (uint8_t)(n - i > k ? x[i + k] : fill_byte);
    for (k = (uint8_t)(s & 7); k; k--)
        for (i = n, in = (uint8_t)(fill_byte & 0x80); i-- > 0;) {
            uint8_t out = (uint8_t)(x[i] << 7);
            x[i] = (uint8_t)((x[i] >> 1) | in);
            in = out;
        }
}

/* b := a ^ b mod 2^(8n): square-and-multiply over the bits of the exponent b. */
static void power(uint8_t *b, uint8_t *a, uint8_t n) {
    word result, tmp;
    uint16_t bits = (uint16_t)(8 * used_bytes(b, n)), i;
    fill(result, 0, n);
    result[0] = 1;
    for (i = 0; i < bits; i++) {
        if ((b[i >> 3] >> (i & 7)) & 1) {
            mul(tmp, result, a, n);
            copy(result, tmp, n);
        }
        if (i + 1 < bits) {
            mul(tmp, a, a, n);
            copy(a, tmp, n);
        }
    }
    copy(b, result, n);
}

void alky_big_binop(uint8_t op, uint8_t *b, uint8_t *a, uint8_t nb) {
    word tmp;
    uint16_t s;
    uint8_t i, neg_a, neg_b;
    switch (op) {
    case ALKY_OP_ADD: add(b, a, b, nb); break;
    case ALKY_OP_SUB: sub(b, a, b, nb); break;
    case ALKY_OP_MUL:
        mul(tmp, a, b, nb);
        copy(b, tmp, nb);
        break;
    case ALKY_OP_DIV:
    case ALKY_OP_MOD:
    case ALKY_OP_SDIV:
    case ALKY_OP_SMOD:
        if (is_zero(b, nb)) break; /* b is already the 0 result */
        neg_a = neg_b = 0;
        if (op == ALKY_OP_SDIV || op == ALKY_OP_SMOD) {
            neg_a = negative(a, nb);
            neg_b = negative(b, nb);
            if (neg_a) negate(a, nb);
            if (neg_b) negate(b, nb);
        }
        divmod(a, b, tmp, nb);
        if (op == ALKY_OP_DIV || op == ALKY_OP_SDIV) {
            copy(b, a, nb);
            if (neg_a != neg_b) negate(b, nb);
        } else {
            copy(b, tmp, nb);
            if (neg_a) negate(b, nb);
        }
        break;
    case ALKY_OP_EXP: power(b, a, nb); break;
    case ALKY_OP_SIGNEXTEND:
        if (!is_zero(a + 1, (uint8_t)(nb - 1)) || a[0] >= nb - 1) break;
        fill(b + a[0] + 1, (uint8_t)(negative(b, (uint8_t)(a[0] + 1)) ? 0xFF : 0), (uint8_t)(nb - 1 - a[0]));
        break;
    case ALKY_OP_AND:
    case ALKY_OP_OR:
    case ALKY_OP_XOR:
        for (i = 0; i < nb; i++) b[i] = (uint8_t)(op == ALKY_OP_AND ? b[i] & a[i] : op == ALKY_OP_OR ? b[i] | a[i] : b[i] ^ a[i]);
        break;
    case ALKY_OP_BYTE:
        i = (uint8_t)(is_zero(a + 1, (uint8_t)(nb - 1)) && a[0] < nb ? b[nb - 1 - a[0]] : 0);
        fill(b, 0, nb);
        b[0] = i;
        break;
    case ALKY_OP_SHL:
    case ALKY_OP_SHR:
    case ALKY_OP_SAR:
        s = shift_amount(a, nb);
        i = (uint8_t)(op == ALKY_OP_SAR && negative(b, nb) ? 0xFF : 0);
        if (s == 0xFFFF) fill(b, i, nb);
        else if (op == ALKY_OP_SHL) shift_left(b, s, nb);
        else shift_right(b, s, nb, i);
        break;
    default: break;
    }
}

uint8_t alky_big_compare(uint8_t op, uint8_t *b, uint8_t *a, uint8_t nb) {
    int8_t c;
    /* Flipping the sign bits maps two's complement order onto unsigned order;
     * both slots are popped, so they need no restoring. */
    if (op == ALKY_OP_SLT || op == ALKY_OP_SGT) {
        a[nb - 1] ^= 0x80;
        b[nb - 1] ^= 0x80;
    }
    c = ucmp(a, b, nb);
    if (op == ALKY_OP_EQ) return (uint8_t)(c == 0);
    /* LT, SLT are even opcodes; GT, SGT odd. */
    return (uint8_t)((op & 1) ? c > 0 : c < 0);
}

void alky_big_modop(uint8_t op, uint8_t *n, uint8_t *b, uint8_t *a, uint8_t nb) {
    word r, t;
    uint16_t i;
    if (is_zero(n, nb)) return; /* n is already the 0 result */
    reduce(b, n, t, nb);
    if (op == ALKY_OP_ADDMOD) {
        reduce(a, n, r, nb);
        add_mod(r, t, n, nb);
    } else {
        /* (a * b) mod n, double-and-add over the bits of a, high to low. */
        fill(r, 0, nb);
        for (i = (uint16_t)(8 * used_bytes(a, nb)); i-- > 0;) {
            add_mod(r, r, n, nb);
            if ((a[i >> 3] >> (i & 7)) & 1) add_mod(r, t, n, nb);
        }
    }
    copy(n, r, nb);
}

#endif /* ALKY_WITH_BIG */
