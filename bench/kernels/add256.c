/* Micro benchmark: 256-bit addition a[j] = a[j] + b[j], over two operand pairs, 32 rounds
 * (64 operations) (bench/kernels/README.md).
 * Input: a[0], b[0], a[1], b[1] in turn from the LCG s = s * 1664525 + 1013904223
 * (s0 = 1), 8 outputs each, least significant word first.
 * Result: h = h * 31 + f(a[j]) for j = 0, 1, f(x) the XOR of x's 32-bit words. */
#include <stdint.h>

static uint32_t add256_a[2][8];
static uint32_t add256_b[2][8];

uint32_t bench_add256(void);

/* r = x + y mod 2^256 (r may be x). */
static void u256_add(uint32_t *r, const uint32_t *x, const uint32_t *y)
{
    uint32_t carry = 0u;
    uint8_t k;
    for (k = 0; k < 8; k++) {
        uint32_t xs = x[k] + carry;
        uint32_t c1 = xs < carry;
        uint32_t sum = xs + y[k];
        carry = c1 + (sum < xs);
        r[k] = sum;
    }
}

uint32_t bench_add256(void)
{
    uint32_t (*a)[8] = add256_a, (*b)[8] = add256_b;
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
    for (r = 0; r < 32; r++) {
        for (j = 0; j < 2; j++) u256_add(a[j], a[j], b[j]);
    }
    for (j = 0; j < 2; j++) {
        uint32_t f = 0u;
        uint8_t k;
        for (k = 0; k < 8; k++) f ^= a[j][k];
        h = h * 31u + f;
    }
    return h;
}
