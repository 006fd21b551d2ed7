/* Micro benchmark: 8-bit assignment a[(j + r) & 1] = b[j], over two operand pairs, 32 rounds
 * (64 operations) (bench/kernels/README.md).
 * Input: a[0], b[0], a[1], b[1] in turn from the LCG s = s * 1664525 + 1013904223
 * (s0 = 1), the top 8 bits of one output.
 * Result: h = h * 31 + a[j] for j = 0, 1. */
#include <stdint.h>

static uint8_t assign8_a[2];
static uint8_t assign8_b[2];

uint32_t bench_assign8(void);

uint32_t bench_assign8(void)
{
    uint8_t *a = assign8_a, *b = assign8_b;
    uint32_t s = 1u, h = 0u;
    uint8_t r, j;
    for (j = 0; j < 2; j++) {
        s = s * 1664525u + 1013904223u;
        a[j] = (uint8_t)(s >> 24);
        s = s * 1664525u + 1013904223u;
        b[j] = (uint8_t)(s >> 24);
    }
    for (r = 0; r < 32; r++) {
        for (j = 0; j < 2; j++) a[(j + r) & 1u] = b[j];
    }
    for (j = 0; j < 2; j++) h = h * 31u + a[j];
    return h;
}
