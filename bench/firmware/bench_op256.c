/* Benchmark firmware: one 256-bit operation of the VM's arithmetic
 * (alky_big_binop in vm-c/arith256.c, which the interpreter's ADD and MUL at
 * 256 bits and the AOT code's helpers call) between two markers, on operands
 * from the kernels' LCG: a = 8 outputs, b = the next 8, least significant
 * word first. BENCH_OP is ALKY_OP_ADD or ALKY_OP_MUL. The result is the low
 * 32 bits of a op b (mod 2^256). */
#include "alky_internal.h"
#include "bench_marker.h"

static uint8_t a[32], b[32];

static void fill_lcg(uint8_t *x, uint32_t *s) {
    uint8_t i, k;
    for (i = 0; i < 8; i++) {
        *s = *s * 1664525u + 1013904223u;
        for (k = 0; k < 4; k++) x[4 * i + k] = (uint8_t)(*s >> (8 * k));
    }
}

int main(void) {
    uint32_t s = 1u;
    fill_lcg(a, &s);
    fill_lcg(b, &s);
    BENCH_MARK(1);
    BENCH_MARK(2);
    BENCH_MARK(1);
    alky_big_binop(BENCH_OP, b, a, 32);
    BENCH_MARK(2);
    bench_finish(0, (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24));
    return 0;
}
