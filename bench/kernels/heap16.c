/* Heap sort (binary max-heap, iterative sift-down) of 32 16-bit values
 * (bench/kernels/README.md). Same input and result as bubble16.c. */
#include <stdint.h>

#define HEAP16_N 32

static uint16_t heap16_a[HEAP16_N];

uint32_t bench_heap16(void);

/* Sifts a[root] down within a[0 .. end - 1]. */
static void heap16_sift(uint8_t root, uint8_t end)
{
    uint16_t *a = heap16_a;
    uint8_t child = (uint8_t)(2u * root + 1u);
    while (child < end) {
        uint16_t t;
        if (child + 1 < end && a[child] < a[child + 1]) child++;
        if (a[root] >= a[child]) break;
        t = a[root];
        a[root] = a[child];
        a[child] = t;
        root = child;
        child = (uint8_t)(2u * root + 1u);
    }
}

uint32_t bench_heap16(void)
{
    uint16_t *a = heap16_a;
    uint32_t s = 1u;
    uint32_t h = 0u;
    uint8_t i;
    for (i = 0; i < HEAP16_N; i++) {
        s = s * 1664525u + 1013904223u;
        a[i] = (uint16_t)(s >> 16);
    }
    for (i = HEAP16_N / 2; i > 0; i--) heap16_sift((uint8_t)(i - 1u), HEAP16_N);
    for (i = HEAP16_N - 1; i > 0; i--) {
        uint16_t t = a[0];
        a[0] = a[i];
        a[i] = t;
        heap16_sift(0, i);
    }
    for (i = 0; i < HEAP16_N; i++) h = h * 31u + a[i];
    return h;
}
