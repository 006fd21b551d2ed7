/* Bubble sort of 32 32-bit values (bench/kernels/README.md).
 * Input: 32 values from the LCG s = s * 1664525 + 1013904223 (s0 = 1), all 32 bits.
 * Result: h = h * 31 + a[i] over the sorted array (uint32_t, wrapping). */
#include <stdint.h>

#define BUBBLE32_N 32

static uint32_t bubble32_a[BUBBLE32_N];

uint32_t bench_bubble32(void);

uint32_t bench_bubble32(void)
{
    uint32_t *a = bubble32_a;
    uint32_t s = 1u;
    uint32_t h = 0u;
    uint8_t i, j;
    for (i = 0; i < BUBBLE32_N; i++) {
        s = s * 1664525u + 1013904223u;
        a[i] = s;
    }
    for (i = 0; i < BUBBLE32_N - 1; i++) {
        for (j = 0; j < BUBBLE32_N - 1 - i; j++) {
            if (a[j] > a[j + 1]) {
                uint32_t t = a[j];
                a[j] = a[j + 1];
                a[j + 1] = t;
            }
        }
    }
    for (i = 0; i < BUBBLE32_N; i++) h = h * 31u + a[i];
    return h;
}
