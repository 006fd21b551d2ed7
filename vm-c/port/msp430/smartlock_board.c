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

/* Port registers by address (msp430mcu's msp430g2553.h): P1 from 0x20, P2
 * from 0x28, at the same offsets from their port's input register. */
#define P1_IN 0x20u
#define P2_IN 0x28u
#define PX_OUT 1u
#define PX_DIR 2u
#define PX_REN 7u

/* Timer0_A3: up mode to CCR0 from SMCLK; CCR0's interrupt is vector slot 9. */
#define TA0CTL ALKY_REG16(0x0160)
#define TA0CCTL0 ALKY_REG16(0x0162)
#define TA0CCR0 ALKY_REG16(0x0172)
#define TASSEL_SMCLK 0x0200u
#define MC_UP 0x0010u
#define TACLR 0x0004u
#define CCIE 0x0010u
#define TIMER0_A0_SLOT 9

/* A pin: its port's input register and its bit (2 bytes, not a register
 * address each: the keypad's 7 pins are a table). */
typedef struct {
    uint8_t in, mask;
} msp_pin;

#define ALKY_PIN(port, bit) {P##port##_IN, (uint8_t)(1u << (bit))}
#define REG(p, offset) ALKY_REG8((uint16_t)((p)->in + (offset)))

static const msp_pin rows[ALKY_KEYPAD_ROWS] = ALKY_KEYPAD_ROW_PINS;
static const msp_pin columns[ALKY_KEYPAD_COLUMNS] = ALKY_KEYPAD_COLUMN_PINS;
static const msp_pin lock_pin = ALKY_LOCK_PIN;
static const msp_pin buzzer_pin = ALKY_BUZZER_PIN;

static volatile uint32_t millis_count;

static uint16_t scan_matrix(void) {
    uint16_t down = 0, bit = 1;
    const msp_pin *r, *c;
    for (r = rows; r < rows + ALKY_KEYPAD_ROWS; r++) {
        REG(r, PX_OUT) &= (uint8_t)~r->mask;
        /* Let the column lines settle through their pull-ups (about 0.5 us at 16 MHz). */
        __asm__ volatile("nop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop");
        for (c = columns; c < columns + ALKY_KEYPAD_COLUMNS; c++, bit = (uint16_t)(bit << 1))
            if (!(REG(c, 0) & c->mask)) down |= bit;
        REG(r, PX_OUT) |= r->mask;
    }
    return down;
}

ALKY_MSP430_ISR(TIMER0_A0_SLOT, alky_keypad_scan_isr) {
    millis_count++;
    alky_smartlock_keypad_scanned(scan_matrix());
}

static void set_bits(const msp_pin *p, uint8_t offset, uint8_t on) {
    if (on) REG(p, offset) |= p->mask;
    else REG(p, offset) &= (uint8_t)~p->mask;
}

void alky_board_smartlock_init(void) {
    const msp_pin *p;
    for (p = rows; p < rows + ALKY_KEYPAD_ROWS; p++) {
        set_bits(p, PX_OUT, 1); /* idle high */
        set_bits(p, PX_DIR, 1);
    }
    for (p = columns; p < columns + ALKY_KEYPAD_COLUMNS; p++) {
        set_bits(p, PX_DIR, 0);
        set_bits(p, PX_OUT, 1); /* with REN: pull-up */
        set_bits(p, PX_REN, 1);
    }
    /* Outputs, low. */
    set_bits(&lock_pin, PX_OUT, 0);
    set_bits(&lock_pin, PX_DIR, 1);
    set_bits(&buzzer_pin, PX_OUT, 0);
    set_bits(&buzzer_pin, PX_DIR, 1);
    TA0CCR0 = (uint16_t)(ALKY_MCLK_HZ / 1000UL - 1UL);
    TA0CCTL0 = CCIE;
    TA0CTL = TASSEL_SMCLK | MC_UP | TACLR;
    __asm__ volatile("eint\n\tnop" : : : "memory");
}

void alky_board_lock_output(uint8_t open) {
    set_bits(&lock_pin, PX_OUT, open);
}

void alky_board_buzzer_output(uint8_t on) {
    set_bits(&buzzer_pin, PX_OUT, on);
}

uint32_t alky_board_millis(void) {
    uint16_t sr = alky_msp430_irq_save();
    uint32_t ms = millis_count;
    alky_msp430_irq_restore(sr);
    return ms;
}
