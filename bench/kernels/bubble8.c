/* Bubble sort of 32 8-bit values (bench/kernels/README.md).
 * Input: 32 values from the LCG s = s * 1664525 + 1013904223 (s0 = 1), top 8 bits.
 * Result: h = h * 31 + a[i] over the sorted array (uint32_t, wrapping). */
#include <stdint.h>

#define BUBBLE8_N 32

static uint8_t bubble8_a[BUBBLE8_N];

uint32_t bench_bubble8(void);

uint32_t bench_bubble8(void)
{
    uint8_t *a = bubble8_a;
    uint32_t s = 1u;
    uint32_t h = 0u;
    uint8_t i, j;
    for (i = 0; i < BUBBLE8_N; i++) {
        s = s * 1664525u + 1013904223u;
        a[i] = (uint8_t)(s >> 24);
    }
    for (i = 0; i < BUBBLE8_N - 1; i++) {
        for (j = 0; j < BUBBLE8_N - 1 - i; j++) {
            if (a[j] > a[j + 1]) {
                uint8_t t = a[j];
                a[j] = a[j + 1];
                a[j + 1] = t;
            }
        }
    }
    for (i = 0; i < BUBBLE8_N; i++) h = h * 31u + a[i];
    return h;
}
