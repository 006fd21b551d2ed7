/* Markers of the benchmark firmwares (bench/firmware/), read by the simavr
 * harness scripts/harness/simavr_bench.c: a write to GPIOR0 marks a point in
 * time (the harness records the cycle counter), four writes to GPIOR1 carry
 * the kernel's 32-bit result, least significant byte first. A run is
 *
 *   BENCH_MARK(1); BENCH_MARK(2);            calibration: an empty region
 *   BENCH_MARK(1); ...kernel...; BENCH_MARK(2);
 *   [bench_report(instructions);]            VM variants: IR instructions run
 *   bench_finish(status, result);            GPIOR0 = 3 + status, result, end
 *
 * so the kernel's cycles are the second region's length less the first's
 * (compiler/bench/simavr-bench.ts). */
#ifndef BENCH_MARKER_H
#define BENCH_MARKER_H

#include <avr/interrupt.h>
#include <avr/io.h>
#include <stdint.h>

/* One `out` instruction; "memory" keeps the compiler from moving loads and
 * stores of the kernel across the marker. */
#define BENCH_MARK(v) __asm__ __volatile__("out %0, %1" ::"I"(_SFR_IO_ADDR(GPIOR0)), "r"((uint8_t)(v)) : "memory")

/* Four bytes to GPIOR1, least significant first. */
static inline void bench_report(uint32_t value) {
    uint8_t i;
    for (i = 0; i < 4; i++) {
        GPIOR1 = (uint8_t)(value >> (8 * i));
    }
}

/* Reports how the run ended (0: ok, else the VM's status) and the result,
 * then stops the simulation: sleep with interrupts off. */
static inline void bench_finish(uint8_t status, uint32_t result) {
    BENCH_MARK(3 + status);
    bench_report(result);
    cli();
    SMCR = _BV(SE);
    for (;;) __asm__ __volatile__("sleep");
}

#endif
