/* Benchmark firmware, native variant: the kernel's C (bench/kernels/<name>.c)
 * called once between two markers. BENCH_KERNEL names it (bench_<name>). */
#include "bench_marker.h"

uint32_t BENCH_KERNEL(void);

int main(void) {
    uint32_t result;
    BENCH_MARK(1);
    BENCH_MARK(2);
    BENCH_MARK(1);
    result = BENCH_KERNEL();
    BENCH_MARK(2);
    bench_finish(0, result);
    return 0;
}
