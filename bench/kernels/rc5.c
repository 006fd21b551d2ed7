/* RC5-32/12/16 (Rivest 1994): key expansion of a 16-byte key and ECB
 * encryption of four 64-bit blocks (bench/kernels/README.md).
 * Input: LCG s = s * 1664525 + 1013904223 (s0 = 1): the key is the first four
 * outputs as little-endian words (L[0..3]), the data d[0..7] the next eight
 * (block b is A = d[2b], B = d[2b + 1]).
 * Result: h = h * 31 + d[i] over the encrypted data. */
#include <stdint.h>

#define RC5_ROUNDS 12
#define RC5_T (2 * RC5_ROUNDS + 2)
#define RC5_P 0xb7e15163u
#define RC5_Q 0x9e3779b9u

static uint32_t rc5_S[RC5_T];
static uint32_t rc5_L[4];
static uint32_t rc5_d[8];

uint32_t bench_rc5(void);

static uint32_t rc5_rotl(uint32_t x, uint32_t n)
{
    n &= 31u;
    return (x << n) | (x >> ((32u - n) & 31u));
}

uint32_t bench_rc5(void)
{
    uint32_t *S = rc5_S, *L = rc5_L, *d = rc5_d;
    uint32_t s = 1u, h = 0u, A = 0u, B = 0u;
    uint8_t i, j, k, r;
    for (i = 0; i < 4; i++) {
        s = s * 1664525u + 1013904223u;
        L[i] = s;
    }
    for (i = 0; i < 8; i++) {
        s = s * 1664525u + 1013904223u;
        d[i] = s;
    }
    /* Key expansion. */
    S[0] = RC5_P;
    for (i = 1; i < RC5_T; i++) S[i] = S[i - 1] + RC5_Q;
    i = 0;
    j = 0;
    for (k = 0; k < 3 * RC5_T; k++) {
        A = S[i] = rc5_rotl(S[i] + A + B, 3u);
        B = L[j] = rc5_rotl(L[j] + A + B, A + B);
        if (++i == RC5_T) i = 0;
        j = (uint8_t)((j + 1u) & 3u);
    }
    /* Encryption. */
    for (k = 0; k < 8; k += 2) {
        A = d[k] + S[0];
        B = d[k + 1] + S[1];
        for (r = 1; r <= RC5_ROUNDS; r++) {
            A = rc5_rotl(A ^ B, B) + S[2 * r];
            B = rc5_rotl(B ^ A, A) + S[2 * r + 1];
        }
        d[k] = A;
        d[k + 1] = B;
    }
    for (i = 0; i < 8; i++) h = h * 31u + d[i];
    return h;
}
