/* Markers of the benchmark firmwares (bench/firmware/). A run is
 *
 *   BENCH_MARK(1); BENCH_MARK(2);            calibration: an empty region
 *   BENCH_MARK(1); ...kernel...; BENCH_MARK(2);
 *   [bench_report(instructions);]            VM variants: IR instructions run
 *   bench_finish(status, result);            how it ended (0: ok), the result
 *
 * so the kernel's cycles are the second region's length less the first's.
 *
 * AVR (simavr, scripts/harness/simavr_bench.c; compiler/bench/simavr-bench.ts):
 * a marker is a write to GPIOR0, whose cycle the harness records; reports
 * are bytes written to GPIOR1 (the instruction count before GPIOR0 = 3 +
 * status, the result after it, least significant byte first); the run ends
 * in sleep with interrupts off.
 *
 * MSP430 (mspdebug's simulator; compiler/bench/mspdebug-bench.ts): a marker
 * is a call of bench_mark (bench_msp430.c), on which mspdebug stops to read
 * its tracer's cycle count; reports go to the words of bench_report_words,
 * read with `md` when the run reaches crt0's `done`. */
#ifndef BENCH_MARKER_H
#define BENCH_MARKER_H

#include <stdint.h>

#if defined(__AVR__)
#include <avr/interrupt.h>
#include <avr/io.h>

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

#elif defined(__MSP430__)

/* [0] status + 1 once finished, [1] result, [2] instructions (VM variants). */
extern volatile uint32_t bench_report_words[3];
void bench_mark(uint8_t v);
void bench_finish(uint8_t status, uint32_t result) __attribute__((noreturn));

#define BENCH_MARK(v) bench_mark(v)
static inline void bench_report(uint32_t value) {
    bench_report_words[2] = value;
}

#else
#error "bench_marker.h: a benchmark firmware is built for the AVR or the MSP430"
#endif

#endif
