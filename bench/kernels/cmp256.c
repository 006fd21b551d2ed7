/* Micro benchmark: 256-bit comparison: n counts a[j] < b[(j + r) & 1], over two operand pairs, 32 rounds
 * (64 operations) (bench/kernels/README.md).
 * Input: a[0], b[0], a[1], b[1] in turn from the LCG s = s * 1664525 + 1013904223
 * (s0 = 1), 8 outputs each, least significant word first.
 * Result: n. */
#include <stdint.h>

static uint32_t cmp256_a[2][8];
static uint32_t cmp256_b[2][8];

uint32_t bench_cmp256(void);

/* x < y as unsigned 256-bit numbers. */
static uint8_t u256_lt(const uint32_t *x, const uint32_t *y)
{
    uint8_t k = 8;
    while (k > 0) {
        k--;
        if (x[k] != y[k]) return x[k] < y[k];
    }
    return 0;
}

uint32_t bench_cmp256(void)
{
    uint32_t (*a)[8] = cmp256_a, (*b)[8] = cmp256_b;
    uint32_t s = 1u, n = 0u;
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
        for (j = 0; j < 2; j++) if (u256_lt(a[j], b[(j + r) & 1u])) n++;
    }
    return n;
}
