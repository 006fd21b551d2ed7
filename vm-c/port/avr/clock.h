/* Timer1 of the ATmega328P as a cycle counter and a device clock.
 *
 * Timer1 runs at the CPU clock (prescaler 1), so TCNT1 counts cycles exactly,
 * on a real Uno and in simavr alike; an overflow interrupt every 65536 cycles
 * extends it to 48 bits and keeps a millisecond count. Benchmarks read
 * alky_cycles32() before and after a kernel (the read itself costs a few
 * dozen cycles; measure an empty interval and subtract it). */
#ifndef ALKY_AVR_CLOCK_H
#define ALKY_AVR_CLOCK_H

#include <stdint.h>

/* Starts Timer1 from zero and enables interrupts. */
void alky_clock_init(void);

/* Cycles since alky_clock_init, low 32 bits (wraps after 268 s at 16 MHz). */
uint32_t alky_cycles32(void);

/* Cycles since alky_clock_init (48 significant bits). */
uint64_t alky_cycles64(void);

/* Milliseconds since alky_clock_init (wraps after 49.7 days). */
uint32_t alky_millis(void);

/* Sets the device clock, in seconds since the Unix epoch (the node sends it). */
void alky_clock_set_seconds(uint32_t seconds);

/* The device clock: the last value set plus the time elapsed since. */
uint32_t alky_clock_seconds(void);

#endif
