/* Micro benchmark: 64-bit addition a[j] = a[j] + b[j], over two operand pairs, 32 rounds
 * (64 operations) (bench/kernels/README.md).
 * Input: a[0], b[0], a[1], b[1] in turn from the LCG s = s * 1664525 + 1013904223
 * (s0 = 1), 2 outputs each, least significant word first.
 * Result: h = h * 31 + f(a[j]) for j = 0, 1, f(x) the XOR of x's 32-bit words. */
#include <stdint.h>

static uint64_t add64_a[2];
static uint64_t add64_b[2];

uint32_t bench_add64(void);

uint32_t bench_add64(void)
{
    uint64_t *a = add64_a, *b = add64_b;
    uint32_t s = 1u, h = 0u;
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
        for (j = 0; j < 2; j++) a[j] = (uint64_t)(a[j] + b[j]);
    }
    for (j = 0; j < 2; j++) h = h * 31u + ((uint32_t)a[j] ^ (uint32_t)(a[j] >> 32));
    return h;
}
