/* Heap sort (binary max-heap, iterative sift-down) of 32 32-bit values
 * (bench/kernels/README.md). Same input and result as bubble32.c. */
#include <stdint.h>

#define HEAP32_N 32

static uint32_t heap32_a[HEAP32_N];

uint32_t bench_heap32(void);

/* Sifts a[root] down within a[0 .. end - 1]. */
static void heap32_sift(uint8_t root, uint8_t end)
{
    uint32_t *a = heap32_a;
    uint8_t child = (uint8_t)(2u * root + 1u);
    while (child < end) {
        uint32_t t;
        if (child + 1 < end && a[child] < a[child + 1]) child++;
        if (a[root] >= a[child]) break;
        t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
        child = (uint8_t)(2u * root + 1u);
    }
}

uint32_t bench_heap32(void)
{
    uint32_t *a = heap32_a;
    uint32_t s = 1u;
    uint32_t h = 0u;
    uint8_t i;
    for (i = 0; i < HEAP32_N; i++) {
        s = s * 1664525u + 1013904223u;
        a[i] = s;
    }
    for (i = HEAP32_N / 2; i > 0; i--) heap32_sift((uint8_t)(i - 1u), HEAP32_N);
    for (i = HEAP32_N - 1; i > 0; i--) {
        uint32_t t = a[0];
        a[0] = a[i];
        a[i] = t;
        heap32_sift(0, i);
    }
    for (i = 0; i < HEAP32_N; i++) h = h * 31u + a[i];
    return h;
}
