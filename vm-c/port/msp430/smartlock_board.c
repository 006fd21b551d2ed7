/* The smart lock's board part on the MSP430G2553 LaunchPad (smartlock.h):
 * the keypad scanned from Timer0_A's CCR0 interrupt at 1 kHz (SMCLK, the
 * calibrated 16 MHz DCO; smartlock.c debounces it and queues the key
 * presses); the lock and buzzer outputs; a millisecond clock. Pins come
 * from smartlock_pins.h, generated from boards/boards.ts. Built only into
 * smartlock-profile firmware for the real board (-DALKY_SMARTLOCK_DRIVERS=1);
 * mspdebug's simulator has no port-pin model, so this file is build-tested. */
#include "board.h"
#include "smartlock.h"
#include "smartlock_pins.h"

/* Port registers by address (msp430mcu's msp430g2553.h). */
#define P1_IN 0x0020u
#define P1_OUT 0x0021u
#define P1_DIR 0x0022u
#define P1_REN 0x0027u
#define P2_IN 0x0028u
#define P2_OUT 0x0029u
#define P2_DIR 0x002Au
#define P2_REN 0x002Fu

/* Timer0_A3: up mode to CCR0 from SMCLK; CCR0's interrupt is vector slot 9. */
#define TA0CTL ALKY_REG16(0x0160)
#define TA0CCTL0 ALKY_REG16(0x0162)
#define TA0CCR0 ALKY_REG16(0x0172)
#define TASSEL_SMCLK 0x0200u
#define MC_UP 0x0010u
#define TACLR 0x0004u
#define CCIE 0x0010u
#define TIMER0_A0_SLOT 9

typedef struct {
    uint16_t in, out, dir, ren;
    uint8_t mask;
} msp_pin;

#define ALKY_PIN(port, bit) {P##port##_IN, P##port##_OUT, P##port##_DIR, P##port##_REN, (uint8_t)(1u << (bit))}
#define REG(addr) ALKY_REG8(addr)

static const msp_pin rows[ALKY_KEYPAD_ROWS] = ALKY_KEYPAD_ROW_PINS;
static const msp_pin columns[ALKY_KEYPAD_COLUMNS] = ALKY_KEYPAD_COLUMN_PINS;
static const msp_pin lock_pin = ALKY_LOCK_PIN;
static const msp_pin buzzer_pin = ALKY_BUZZER_PIN;

static volatile uint32_t millis_count;

static uint16_t scan_matrix(void) {
    uint16_t down = 0;
    uint8_t r, c;
    for (r = 0; r < ALKY_KEYPAD_ROWS; r++) {
        REG(rows[r].out) &= (uint8_t)~rows[r].mask;
        /* Let the column lines settle through their pull-ups (about 0.5 us at 16 MHz). */
        __asm__ volatile("nop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop");
        for (c = 0; c < ALKY_KEYPAD_COLUMNS; c++)
            if (!(REG(columns[c].in) & columns[c].mask)) down |= (uint16_t)(1u << (r * ALKY_KEYPAD_COLUMNS + c));
        REG(rows[r].out) |= rows[r].mask;
    }
    return down;
}

ALKY_MSP430_ISR(TIMER0_A0_SLOT, alky_keypad_scan_isr) {
    millis_count++;
    alky_smartlock_keypad_scanned(scan_matrix());
}

static void output_low(const msp_pin *p) {
    REG(p->out) &= (uint8_t)~p->mask;
    REG(p->dir) |= p->mask;
}

void alky_board_smartlock_init(void) {
    uint8_t i;
    for (i = 0; i < ALKY_KEYPAD_ROWS; i++) {
        REG(rows[i].out) |= rows[i].mask; /* idle high */
        REG(rows[i].dir) |= rows[i].mask;
    }
    for (i = 0; i < ALKY_KEYPAD_COLUMNS; i++) {
        REG(columns[i].dir) &= (uint8_t)~columns[i].mask;
        REG(columns[i].out) |= columns[i].mask; /* with REN: pull-up */
        REG(columns[i].ren) |= columns[i].mask;
    }
    output_low(&lock_pin);
    output_low(&buzzer_pin);
    TA0CCR0 = (uint16_t)(ALKY_MCLK_HZ / 1000UL - 1UL);
    TA0CCTL0 = CCIE;
    TA0CTL = TASSEL_SMCLK | MC_UP | TACLR;
    __asm__ volatile("eint\n\tnop" : : : "memory");
}

void alky_board_lock_output(uint8_t open) {
    if (open) REG(lock_pin.out) |= lock_pin.mask;
    else REG(lock_pin.out) &= (uint8_t)~lock_pin.mask;
}

void alky_board_buzzer_output(uint8_t on) {
    if (on) REG(buzzer_pin.out) |= buzzer_pin.mask;
    else REG(buzzer_pin.out) &= (uint8_t)~buzzer_pin.mask;
}

uint32_t alky_board_millis(void) {
    uint16_t sr = alky_msp430_irq_save();
    uint32_t ms = millis_count;
    alky_msp430_irq_restore(sr);
    return ms;
}
