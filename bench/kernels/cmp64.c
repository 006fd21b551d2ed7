/* Micro benchmark: 64-bit comparison: n counts a[j] < b[(j + r) & 1], over two operand pairs, 32 rounds
 * (64 operations) (bench/kernels/README.md).
 * Input: a[0], b[0], a[1], b[1] in turn from the LCG s = s * 1664525 + 1013904223
 * (s0 = 1), 2 outputs each, least significant word first.
 * Result: n. */
#include <stdint.h>

static uint64_t cmp64_a[2];
static uint64_t cmp64_b[2];

uint32_t bench_cmp64(void);

uint32_t bench_cmp64(void)
{
    uint64_t *a = cmp64_a, *b = cmp64_b;
    uint32_t s = 1u, n = 0u;
    uint8_t r, j;
    for (j = 0; j < 2; j++) {
        uint32_t lo;
        s = s * 1664525u + 1013904223u;
        lo = s;
        s = s * 1664525u + 1013904223u;
        a[j] = lo | ((uint64_t)s << 32);
        s = s * 1664525u + 1013904223u;
        lo = s;
        s = s * 1664525u + 1013904223u;
        b[j] = lo | ((uint64_t)s << 32);
    }
    for (r = 0; r < 32; r++) {
        for (j = 0; j < 2; j++) if (a[j] < b[(j + r) & 1u]) n++;
    }
    return n;
}
