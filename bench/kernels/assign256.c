/* Micro benchmark: 256-bit assignment a[(j + r) & 1] = b[j], over two operand pairs, 32 rounds
 * (64 operations) (bench/kernels/README.md).
 * Input: a[0], b[0], a[1], b[1] in turn from the LCG s = s * 1664525 + 1013904223
 * (s0 = 1), 8 outputs each, least significant word first.
 * Result: h = h * 31 + f(a[j]) for j = 0, 1, f(x) the XOR of x's 32-bit words. */
#include <stdint.h>

static uint32_t assign256_a[2][8];
static uint32_t assign256_b[2][8];

uint32_t bench_assign256(void);

/* r = x. */
static void u256_copy(uint32_t *r, const uint32_t *x)
{
    uint8_t k;
    for (k = 0; k < 8; k++) r[k] = x[k];
}

uint32_t bench_assign256(void)
{
    uint32_t (*a)[8] = assign256_a, (*b)[8] = assign256_b;
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
        for (j = 0; j < 2; j++) u256_copy(a[(j + r) & 1u], b[j]);
    }
    for (j = 0; j < 2; j++) {
        uint32_t f = 0u;
        uint8_t k;
        for (k = 0; k < 8; k++) f ^= a[j][k];
        h = h * 31u + f;
    }
    return h;
}
