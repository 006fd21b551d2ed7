/* Binary search (lower bound) in a sorted array of 32 32-bit values
 * (bench/kernels/README.md).
 * Input: a[i] = a[i - 1] + 1 + (s >> 6) (a[-1] = 0), then 64 keys: an even
 * search looks up a[s >> 27] (a hit), an odd one s >> 3 (mostly misses).
 * Result: h = h * 31 + r per search, r = index + 1 if found, else 256 + the
 * insertion point (the number of elements less than the key). */
#include <stdint.h>

#define BSEARCH32_N 32

static uint32_t bsearch32_a[BSEARCH32_N];

uint32_t bench_bsearch32(void);

uint32_t bench_bsearch32(void)
{
    uint32_t *a = bsearch32_a;
    uint32_t s = 1u;
    uint32_t h = 0u;
    uint32_t prev = 0;
    uint8_t i, k;
    for (i = 0; i < BSEARCH32_N; i++) {
        s = s * 1664525u + 1013904223u;
        a[i] = (uint32_t)(prev + 1u + (s >> 6));
        prev = a[i];
    }
    for (k = 0; k < 64; k++) {
        uint32_t key;
        uint8_t lo = 0, hi = BSEARCH32_N;
        uint32_t r = 0u;
        s = s * 1664525u + 1013904223u;
        if (k & 1u) key = s >> 3;
        else key = a[s >> 27];
        while (lo < hi) {
            uint8_t mid = (uint8_t)((lo + hi) >> 1);
            if (a[mid] < key) lo = (uint8_t)(mid + 1u);
            else hi = mid;
        }
        if (lo < BSEARCH32_N && a[lo] == key) r = lo + 1u;
        else r = 256u + lo;
        h = h * 31u + r;
    }
    return h;
}
