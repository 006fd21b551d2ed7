/* Micro benchmark: 256-bit multiplication a[j] = a[j] * b[j] (b[j] odd), over two operand pairs, 32 rounds
 * (64 operations) (bench/kernels/README.md).
 * Input: a[0], b[0], a[1], b[1] in turn from the LCG s = s * 1664525 + 1013904223
 * (s0 = 1), 8 outputs each, least significant word first.
 * Result: h = h * 31 + f(a[j]) for j = 0, 1, f(x) the XOR of x's 32-bit words. */
#include <stdint.h>

static uint32_t mul256_a[2][8];
static uint32_t mul256_b[2][8];

uint32_t bench_mul256(void);

/* r = x * y mod 2^256 (r may be x): schoolbook, 32 x 32 -> 64-bit partial products. */
static void u256_mul(uint32_t *r, const uint32_t *x, const uint32_t *y)
{
    uint32_t t[8];
    uint8_t i, j;
    for (i = 0; i < 8; i++) t[i] = 0u;
    for (i = 0; i < 8; i++) {
        uint32_t carry = 0u;
        for (j = 0; i + j < 8; j++) {
            uint64_t p = (uint64_t)x[i] * y[j] + t[i + j] + carry;
            t[i + j] = (uint32_t)p;
            carry = (uint32_t)(p >> 32);
        }
    }
    for (i = 0; i < 8; i++) r[i] = t[i];
}

uint32_t bench_mul256(void)
{
    uint32_t (*a)[8] = mul256_a, (*b)[8] = mul256_b;
    uint32_t s = 1u, h = 0u;
    uint8_t r, j;
    for (j = 0; j < 2; j++) {
        uint8_t k;
        for (k = 0; k < 8; k++) {
            s = s * 1664525u + 1013904223u;
            a[j][k] = s;
        }
        for (k = 0; k < 8; k++) {
            s = s * 1664525u + 1013904223u;
            b[j][k] = s;
        }
    }
    for (j = 0; j < 2; j++) b[j][0] |= 1u;
    for (r = 0; r < 32; r++) {
        for (j = 0; j < 2; j++) u256_mul(a[j], a[j], b[j]);
    }
    for (j = 0; j < 2; j++) {
        uint32_t f = 0u;
        uint8_t k;
        for (k = 0; k < 8; k++) f ^= a[j][k];
        h = h * 31u + f;
    }
    return h;
}
