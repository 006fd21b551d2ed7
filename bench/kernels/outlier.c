/* Distance-based outlier detection (as in CapeVM's benchmark): a sample is an
 * outlier if more than half of the 20 samples lie farther than 100 from it
 * (bench/kernels/README.md).
 * Input: 20 int16_t samples x[i] = 1000 + (s >> 26) from the LCG
 * s = s * 1664525 + 1013904223 (s0 = 1), then x[3] = -2000, x[11] = 5000,
 * x[17] = 1130 (near the cluster's edge).
 * Result: h = h * 31 + count[i] over the samples (count[i]: samples farther
 * than 100 from x[i]), then h = h * 31 + mask (bit i set for an outlier). */
#include <stdint.h>

#define OUTLIER_N 20
#define OUTLIER_T 100

static int16_t outlier_x[OUTLIER_N];

uint32_t bench_outlier(void);

uint32_t bench_outlier(void)
{
    int16_t *x = outlier_x;
    uint32_t s = 1u, h = 0u, mask = 0u;
    uint8_t i, j;
    for (i = 0; i < OUTLIER_N; i++) {
        s = s * 1664525u + 1013904223u;
        x[i] = (int16_t)(1000 + (int16_t)(s >> 26));
    }
    x[3] = -2000;
    x[11] = 5000;
    x[17] = 1130;
    for (i = 0; i < OUTLIER_N; i++) {
        uint8_t count = 0;
        for (j = 0; j < OUTLIER_N; j++) {
            int16_t dist = (int16_t)(x[i] - x[j]);
            if (dist < 0) dist = (int16_t)-dist;
            if (dist > OUTLIER_T) count++;
        }
        if (count > OUTLIER_N / 2) mask |= (uint32_t)1u << i;
        h = h * 31u + count;
    }
    return h * 31u + mask;
}
