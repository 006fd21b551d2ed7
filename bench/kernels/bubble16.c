/* Bubble sort of 32 16-bit values (bench/kernels/README.md).
 * Input: 32 values from the LCG s = s * 1664525 + 1013904223 (s0 = 1), top 16 bits.
 * Result: h = h * 31 + a[i] over the sorted array (uint32_t, wrapping). */
#include <stdint.h>

#define BUBBLE16_N 32

static uint16_t bubble16_a[BUBBLE16_N];

uint32_t bench_bubble16(void);

uint32_t bench_bubble16(void)
{
    uint16_t *a = bubble16_a;
    uint32_t s = 1u;
    uint32_t h = 0u;
    uint8_t i, j;
    for (i = 0; i < BUBBLE16_N; i++) {
        s = s * 1664525u + 1013904223u;
        a[i] = (uint16_t)(s >> 16);
    }
    for (i = 0; i < BUBBLE16_N - 1; i++) {
        for (j = 0; j < BUBBLE16_N - 1 - i; j++) {
            if (a[j] > a[j + 1]) {
                uint16_t t = a[j];
                a[j] = a[j + 1];
                a[j + 1] = t;
            }
        }
    }
    for (i = 0; i < BUBBLE16_N; i++) h = h * 31u + a[i];
    return h;
}
