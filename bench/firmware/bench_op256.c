/* Benchmark firmware: one 256-bit operation of the VM's arithmetic
 * (alky_big_binop in vm-c/arith256.c, which the interpreter's ADD and MUL at
 * 256 bits and the AOT code's helpers call) between two markers, on operands
 * from the kernels' LCG: a = 8 outputs, b = the next 8, least significant
 * word first. BENCH_OP is ALKY_OP_ADD or ALKY_OP_MUL. BENCH_OPERAND_WORDS
 * (default 8) keeps that many words of each operand and clears the rest:
 * 1 gives 32-bit values in 256-bit words. The result is the XOR of the eight
 * 32-bit words of a op b (mod 2^256). */
#include "alky_internal.h"
#include "bench_marker.h"

#ifndef BENCH_OPERAND_WORDS
#define BENCH_OPERAND_WORDS 8
#endif

static uint8_t a[32], b[32];

static void fill_lcg(uint8_t *x, uint32_t *s) {
    uint8_t i, k;
    for (i = 0; i < 8; i++) {
        *s = *s * 1664525u + 1013904223u;
        for (k = 0; k < 4; k++) x[4 * i + k] = i < BENCH_OPERAND_WORDS ? (uint8_t)(*s >> (8 * k)) : 0;
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
    {
        uint32_t folded = 0;
        uint8_t i;
        for (i = 0; i < 32; i++) folded ^= (uint32_t)b[i] << (8 * (i & 3));
        bench_finish(0, folded);
    }
    return 0;
}
