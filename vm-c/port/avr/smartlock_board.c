/* The smart lock's board part on the Arduino Uno (smartlock.h): the keypad
 * scanned from Timer2 at 1 kHz (smartlock.c debounces it and queues the key
 * presses); the lock and buzzer outputs; a millisecond clock. Pins
 * come from smartlock_pins.h, generated from boards/boards.ts. Built only
 * into smartlock-profile firmware (-DALKY_SMARTLOCK_DRIVERS=1). */
#include <avr/interrupt.h>
#include <avr/io.h>

#include "smartlock.h"
#include "smartlock_pins.h"

typedef struct {
    volatile uint8_t *port;
    volatile uint8_t *ddr;
    volatile uint8_t *pin;
    uint8_t mask;
} avr_pin;

#define ALKY_PIN(letter, bit) {&PORT##letter, &DDR##letter, &PIN##letter, (uint8_t)(1u << (bit))}

static const avr_pin rows[ALKY_KEYPAD_ROWS] = ALKY_KEYPAD_ROW_PINS;
static const avr_pin columns[ALKY_KEYPAD_COLUMNS] = ALKY_KEYPAD_COLUMN_PINS;
static const avr_pin lock_pin = ALKY_LOCK_PIN;
static const avr_pin buzzer_pin = ALKY_BUZZER_PIN;

static volatile uint32_t millis_count;

/* Which keys are down now, one bit per key (row-major). */
static uint16_t scan_matrix(void) {
    uint16_t down = 0;
    uint8_t r, c;
    for (r = 0; r < ALKY_KEYPAD_ROWS; r++) {
        *rows[r].port &= (uint8_t)~rows[r].mask;
        /* Let the column lines settle through their pull-ups. */
        __asm__ volatile("nop\n\tnop\n\tnop\n\tnop");
        for (c = 0; c < ALKY_KEYPAD_COLUMNS; c++)
            if (!(*columns[c].pin & columns[c].mask)) down |= (uint16_t)(1u << (r * ALKY_KEYPAD_COLUMNS + c));
        *rows[r].port |= rows[r].mask;
    }
    return down;
}

ISR(TIMER2_COMPA_vect) {
    millis_count++;
    alky_smartlock_keypad_scanned(scan_matrix());
}

static void output_low(const avr_pin *p) {
    *p->port &= (uint8_t)~p->mask;
    *p->ddr |= p->mask;
}

void alky_board_smartlock_init(void) {
    uint8_t i;
    for (i = 0; i < ALKY_KEYPAD_ROWS; i++) {
        *rows[i].port |= rows[i].mask; /* idle high */
        *rows[i].ddr |= rows[i].mask;
    }
    for (i = 0; i < ALKY_KEYPAD_COLUMNS; i++) {
        *columns[i].ddr &= (uint8_t)~columns[i].mask;
        *columns[i].port |= columns[i].mask; /* pull-up */
    }
    output_low(&lock_pin);
    output_low(&buzzer_pin);
    /* Timer2, CTC, clk/64: 250 kHz, compare match every 250 counts = 1 kHz. */
    TCCR2A = _BV(WGM21);
    TCCR2B = _BV(CS22);
    OCR2A = (uint8_t)(F_CPU / 64UL / 1000UL - 1UL);
    TIMSK2 = _BV(OCIE2A);
    sei();
}

void alky_board_lock_output(uint8_t open) {
    if (open) *lock_pin.port |= lock_pin.mask;
    else *lock_pin.port &= (uint8_t)~lock_pin.mask;
}

void alky_board_buzzer_output(uint8_t on) {
    if (on) *buzzer_pin.port |= buzzer_pin.mask;
    else *buzzer_pin.port &= (uint8_t)~buzzer_pin.mask;
}

uint32_t alky_board_millis(void) {
    uint32_t ms;
    uint8_t sreg = SREG;
    cli();
    ms = millis_count;
    SREG = sreg;
    return ms;
}
