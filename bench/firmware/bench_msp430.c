/* The MSP430 side of bench_marker.h: the marker function mspdebug stops on
 * and the report words it reads when the run has reached crt0's `done`. */
#include "bench_marker.h"

volatile uint32_t bench_report_words[3];
volatile uint8_t bench_last_mark;

/* Not inlined, so that every marker is a call the simulator can stop on; the
 * calibration region pays for the call and return like the measured one. */
__attribute__((noinline)) void bench_mark(uint8_t v) {
    bench_last_mark = v;
}

void done(void) __attribute__((noreturn)); /* vm-c/port/msp430/crt0.S */

void bench_finish(uint8_t status, uint32_t result) {
    bench_report_words[1] = result;
    bench_report_words[0] = (uint32_t)status + 1u;
    done();
}
