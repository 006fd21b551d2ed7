/* Micro benchmark: 16-bit addition a[j] = a[j] + b[j], over two operand pairs, 32 rounds
 * (64 operations) (bench/kernels/README.md).
 * Input: a[0], b[0], a[1], b[1] in turn from the LCG s = s * 1664525 + 1013904223
 * (s0 = 1), the top 16 bits of one output.
 * Result: h = h * 31 + a[j] for j = 0, 1. */
#include <stdint.h>

static uint16_t add16_a[2];
static uint16_t add16_b[2];

uint32_t bench_add16(void);

uint32_t bench_add16(void)
{
    uint16_t *a = add16_a, *b = add16_b;
    uint32_t s = 1u, h = 0u;
    uint8_t r, j;
    for (j = 0; j < 2; j++) {
        s = s * 1664525u + 1013904223u;
        a[j] = (uint16_t)(s >> 16);
        s = s * 1664525u + 1013904223u;
        b[j] = (uint16_t)(s >> 16);
    }
    for (r = 0; r < 32; r++) {
        for (j = 0; j < 2; j++) a[j] = (uint16_t)(a[j] + b[j]);
    }
    for (j = 0; j < 2; j++) h = h * 31u + a[j];
    return h;
}
