/* Timer1 cycle counter and clock; see clock.h. */
#include "clock.h"

#include <avr/interrupt.h>
#include <avr/io.h>

#define CYCLES_PER_MS (F_CPU / 1000UL)
/* One overflow is 65536 cycles: this many whole milliseconds plus a rest. */
#define MS_PER_OVERFLOW ((uint16_t)(65536UL / CYCLES_PER_MS))
#define REST_PER_OVERFLOW ((uint16_t)(65536UL % CYCLES_PER_MS))

static volatile uint32_t overflows;
static volatile uint32_t millis_count;
static volatile uint16_t millis_rest; /* cycles toward the next millisecond */
static uint32_t epoch_base_seconds;
static uint32_t epoch_base_millis;

ISR(TIMER1_OVF_vect) {
  overflows++;
  uint32_t ms = millis_count + MS_PER_OVERFLOW;
  uint16_t rest = (uint16_t)(millis_rest + REST_PER_OVERFLOW);
  while (rest >= CYCLES_PER_MS) {
    rest = (uint16_t)(rest - CYCLES_PER_MS);
    ms++;
  }
  millis_count = ms;
  millis_rest = rest;
}

void alky_clock_init(void) {
  uint8_t sreg = SREG;
  cli();
  TCCR1A = 0;
  TCCR1B = 0;
  TCNT1 = 0;
  TIFR1 = _BV(TOV1); /* clear a stale overflow */
  overflows = 0;
  millis_count = 0;
  millis_rest = 0;
  TIMSK1 = _BV(TOIE1);
  TCCR1B = _BV(CS10); /* clk/1: one count per CPU cycle */
  SREG = sreg;
  sei();
}

/* A consistent (overflow count, counter) pair: an overflow that happened
 * after interrupts went off is still pending in TOV1 and counted here. */
static void snapshot(uint32_t *high, uint16_t *low) {
  uint8_t sreg = SREG;
  cli();
  uint16_t count = TCNT1;
  uint32_t over = overflows;
  if ((TIFR1 & _BV(TOV1)) && count < 0x8000u) {
    over++;
  }
  SREG = sreg;
  *high = over;
  *low = count;
}

uint32_t alky_cycles32(void) {
  uint32_t high;
  uint16_t low;
  snapshot(&high, &low);
  return (high << 16) | low;
}

uint64_t alky_cycles64(void) {
  uint32_t high;
  uint16_t low;
  snapshot(&high, &low);
  return ((uint64_t)high << 16) | low;
}

uint32_t alky_millis(void) {
  uint8_t sreg = SREG;
  cli();
  uint16_t count = TCNT1;
  uint32_t ms = millis_count;
  uint32_t rest = millis_rest;
  if ((TIFR1 & _BV(TOV1)) && count < 0x8000u) {
    ms += MS_PER_OVERFLOW;
    rest += REST_PER_OVERFLOW;
  }
  SREG = sreg;
  return ms + (rest + count) / CYCLES_PER_MS;
}

void alky_clock_set_seconds(uint32_t seconds) {
  epoch_base_millis = alky_millis();
  epoch_base_seconds = seconds;
}

uint32_t alky_clock_seconds(void) {
  return epoch_base_seconds + (alky_millis() - epoch_base_millis) / 1000UL;
}
