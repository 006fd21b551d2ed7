/* 16-point radix-2 decimation-in-time complex FFT in Q15 fixed point, each
 * butterfly scaled by 1/2 (so the output is the DFT / 16)
 * (bench/kernels/README.md).
 * Input: re[i], im[i] (int16_t) alternately from the LCG
 * s = s * 1664525 + 1013904223 (s0 = 1) as (s >> 17) - 16384.
 * Twiddles: cos and sin of 2 pi k / 16 in Q15 (rounded, 32767 for 1).
 * Result: h = h * 31 + (uint16_t)re[i] over the output, then the same over im. */
#include <stdint.h>

#define FFT_N 16

static const int16_t fft_cos[FFT_N / 2] = {32767, 30274, 23170, 12540, 0, -12540, -23170, -30274};
static const int16_t fft_sin[FFT_N / 2] = {0, 12540, 23170, 30274, 32767, 30274, 23170, 12540};
static int16_t fft_re[FFT_N];
static int16_t fft_im[FFT_N];

uint32_t bench_fft(void);

uint32_t bench_fft(void)
{
    int16_t *re = fft_re, *im = fft_im;
    uint32_t s = 1u, h = 0u;
    uint8_t i, k, len;
    for (i = 0; i < FFT_N; i++) {
        s = s * 1664525u + 1013904223u;
        re[i] = (int16_t)((int32_t)(s >> 17) - 16384);
        s = s * 1664525u + 1013904223u;
        im[i] = (int16_t)((int32_t)(s >> 17) - 16384);
    }
    /* Bit-reversed order (4 bits). */
    for (i = 0; i < FFT_N; i++) {
        uint8_t r = (uint8_t)(((i & 1u) << 3) | ((i & 2u) << 1) | ((i & 4u) >> 1) | ((i & 8u) >> 3));
        if (i < r) {
            int16_t t = re[i];
            re[i] = re[r];
            re[r] = t;
            t = im[i];
            im[i] = im[r];
            im[r] = t;
        }
    }
    for (len = 2; len <= FFT_N; len = (uint8_t)(len << 1)) {
        uint8_t half = len >> 1, step = FFT_N / len;
        for (i = 0; i < FFT_N; i = (uint8_t)(i + len)) {
            for (k = 0; k < half; k++) {
                uint8_t a = (uint8_t)(i + k), b = (uint8_t)(a + half);
                int32_t c = fft_cos[k * step], sn = fft_sin[k * step];
                int32_t xr = re[b], xi = im[b];
                int32_t tr = (xr * c + xi * sn) >> 15;
                int32_t ti = (xi * c - xr * sn) >> 15;
                int32_t ur = re[a], ui = im[a];
                re[a] = (int16_t)((ur + tr) >> 1);
                im[a] = (int16_t)((ui + ti) >> 1);
                re[b] = (int16_t)((ur - tr) >> 1);
                im[b] = (int16_t)((ui - ti) >> 1);
            }
        }
    }
    for (i = 0; i < FFT_N; i++) h = h * 31u + (uint16_t)re[i];
    for (i = 0; i < FFT_N; i++) h = h * 31u + (uint16_t)im[i];
    return h;
}
