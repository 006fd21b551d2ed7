/* Heap sort (binary max-heap, iterative sift-down) of 32 8-bit values
 * (bench/kernels/README.md). Same input and result as bubble8.c. */
#include <stdint.h>

#define HEAP8_N 32

static uint8_t heap8_a[HEAP8_N];

uint32_t bench_heap8(void);

/* Sifts a[root] down within a[0 .. end - 1]. */
static void heap8_sift(uint8_t root, uint8_t end)
{
    uint8_t *a = heap8_a;
    uint8_t child = (uint8_t)(2u * root + 1u);
    while (child < end) {
        uint8_t t;
        if (child + 1 < end && a[child] < a[child + 1]) child++;
        if (a[root] >= a[child]) break;
        t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
        child = (uint8_t)(2u * root + 1u);
    }
}

uint32_t bench_heap8(void)
{
    uint8_t *a = heap8_a;
    uint32_t s = 1u;
    uint32_t h = 0u;
    uint8_t i;
    for (i = 0; i < HEAP8_N; i++) {
        s = s * 1664525u + 1013904223u;
        a[i] = (uint8_t)(s >> 24);
    }
    for (i = HEAP8_N / 2; i > 0; i--) heap8_sift((uint8_t)(i - 1u), HEAP8_N);
    for (i = HEAP8_N - 1; i > 0; i--) {
        uint8_t t = a[0];
        a[0] = a[i];
        a[i] = t;
        heap8_sift(0, i);
    }
    for (i = 0; i < HEAP8_N; i++) h = h * 31u + a[i];
    return h;
}
