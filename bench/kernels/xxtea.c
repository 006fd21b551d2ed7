/* XXTEA (Corrected Block TEA, Wheeler and Needham 1998) encryption of an
 * 8-word (32-byte) block with a 128-bit key, 6 + 52 / 8 = 12 rounds
 * (bench/kernels/README.md).
 * Input: LCG s = s * 1664525 + 1013904223 (s0 = 1): the key k[0..3] is the
 * first four outputs, the block v[0..7] the next eight.
 * Result: h = h * 31 + v[i] over the encrypted block. */
#include <stdint.h>

#define XXTEA_N 8
#define XXTEA_DELTA 0x9e3779b9u

static uint32_t xxtea_v[XXTEA_N];
static uint32_t xxtea_k[4];

uint32_t bench_xxtea(void);

uint32_t bench_xxtea(void)
{
    uint32_t *v = xxtea_v, *k = xxtea_k;
    uint32_t s = 1u, h = 0u, sum = 0u, y, z;
    uint8_t i, p, e, rounds = 6 + 52 / XXTEA_N;
    for (i = 0; i < 4; i++) {
        s = s * 1664525u + 1013904223u;
        k[i] = s;
    }
    for (i = 0; i < XXTEA_N; i++) {
        s = s * 1664525u + 1013904223u;
        v[i] = s;
    }
    z = v[XXTEA_N - 1];
    do {
        sum += XXTEA_DELTA;
        e = (uint8_t)((sum >> 2) & 3u);
        for (p = 0; p < XXTEA_N; p++) {
            y = v[(p + 1) & (XXTEA_N - 1)];
            v[p] += (((z >> 5) ^ (y << 2)) + ((y >> 3) ^ (z << 4))) ^ ((sum ^ y) + (k[(p & 3u) ^ e] ^ z));
            z = v[p];
        }
    } while (--rounds);
    for (i = 0; i < XXTEA_N; i++) h = h * 31u + v[i];
    return h;
}
