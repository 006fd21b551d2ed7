/* Micro benchmark: 16-bit comparison: n counts a[j] < b[(j + r) & 1], over two operand pairs, 32 rounds
 * (64 operations) (bench/kernels/README.md).
 * Input: a[0], b[0], a[1], b[1] in turn from the LCG s = s * 1664525 + 1013904223
 * (s0 = 1), the top 16 bits of one output.
 * Result: n. */
#include <stdint.h>

static uint16_t cmp16_a[2];
static uint16_t cmp16_b[2];

uint32_t bench_cmp16(void);

uint32_t bench_cmp16(void)
{
    uint16_t *a = cmp16_a, *b = cmp16_b;
    uint32_t s = 1u, n = 0u;
    uint8_t r, j;
    for (j = 0; j < 2; j++) {
        s = s * 1664525u + 1013904223u;
        a[j] = (uint16_t)(s >> 16);
        s = s * 1664525u + 1013904223u;
        b[j] = (uint16_t)(s >> 16);
    }
    for (r = 0; r < 32; r++) {
        for (j = 0; j < 2; j++) if (a[j] < b[(j + r) & 1u]) n++;
    }
    return n;
}
