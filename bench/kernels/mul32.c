/* Micro benchmark: 32-bit multiplication a[j] = a[j] * b[j] (b[j] odd), over two operand pairs, 32 rounds
 * (64 operations) (bench/kernels/README.md).
 * Input: a[0], b[0], a[1], b[1] in turn from the LCG s = s * 1664525 + 1013904223
 * (s0 = 1), one output.
 * Result: h = h * 31 + a[j] for j = 0, 1. */
#include <stdint.h>

static uint32_t mul32_a[2];
static uint32_t mul32_b[2];

uint32_t bench_mul32(void);

uint32_t bench_mul32(void)
{
    uint32_t *a = mul32_a, *b = mul32_b;
    uint32_t s = 1u, h = 0u;
    uint8_t r, j;
    for (j = 0; j < 2; j++) {
        s = s * 1664525u + 1013904223u;
        a[j] = s;
        s = s * 1664525u + 1013904223u;
        b[j] = s;
    }
    for (j = 0; j < 2; j++) b[j] |= 1u;
    for (r = 0; r < 32; r++) {
        for (j = 0; j < 2; j++) a[j] = (uint32_t)(a[j] * b[j]);
    }
    for (j = 0; j < 2; j++) h = h * 31u + a[j];
    return h;
}
