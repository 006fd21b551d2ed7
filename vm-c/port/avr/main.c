/* Link-device firmware for the Arduino Uno: the link protocol on USART0 at
 * 115200 baud (uart.c), the app store in the 1 KB EEPROM (eeprom.c): two
 * records, a 935-byte image area the installed and the incoming image share,
 * and 64 bytes of contract storage; see docs/link.md §5. Build with -DALKY_CONFIG_HEADER='"config/uno.h"'
 * (compiler/engines/firmware-build.ts, buildUnoDevice). */
#include "device.h"
#include "eeprom.h"
#include "uart.h"

static alky_device device;

static uint8_t eeprom_store_write(uint16_t addr, const uint8_t *src, uint16_t length) {
    return alky_eeprom_write(addr, src, length);
}

/* EEPROM address 0 is the region's start: the store's offsets are EEPROM addresses. */
/* The values config/uno.h also gives store.c at build time. */
#if ALKY_STORE_MEDIUM_SIZE + ALKY_LINK_MARK_BYTES != ALKY_EEPROM_SIZE
#error "ALKY_STORE_MEDIUM_SIZE is not the EEPROM's size (less the link counters' marks)"
#endif
static const alky_store_medium medium = {ALKY_STORE_MEDIUM_BASE, ALKY_STORE_MEDIUM_SIZE, ALKY_STORE_MEDIUM_ERASE_BYTES,
                                         ALKY_STORE_MEDIUM_STORAGE_BYTES, eeprom_store_write, 0};

#include <avr/interrupt.h>
#include <avr/wdt.h>

/* The hardware watchdog, 2 s (docs/security.md, "Bounded execution and the
 * watchdog"): armed before main, reset at every tick below (the idle main
 * loop, a node call's wait) and before every VM instruction (ALKY_PORT_TICK,
 * config/uno.h), so only a hang elsewhere (a stuck driver, a wedged UART)
 * resets the board. After a watchdog reset WDRF holds WDE on at the shortest
 * timeout (16 ms), which the start-up's image checks would outlast: MCUSR is
 * cleared first, then the timeout set again. */
__attribute__((naked, used, section(".init3"))) static void watchdog_start(void) {
    MCUSR = 0;
    wdt_enable(WDTO_2S);
}

/* Timer0's compare match ends a tick: the handler turns itself off
 * (TIMSK0 = 0). Naked: it only needs one register, and no instruction here
 * changes SREG. */
ISR(TIMER0_COMPA_vect, ISR_NAKED) {
    __asm__ volatile("push r24\n\tldi r24, 0\n\tsts %0, r24\n\tpop r24\n\treti" ::"n"(_SFR_MEM_ADDR(TIMSK0)));
}

/* A tick of the idle main loop and of a node call's wait (device.h): 1 ms of Timer0 (CTC, clk/64, 250
 * counts) asleep in idle mode, unless a byte comes first. Asleep, simavr's
 * harness paces simulated time to the wall clock, so an emulated Uno waits
 * for its node as long as a real one (2 s), in exactly as many cycles. Bytes
 * arriving meanwhile wait in the UART's receive ring. */
int16_t alky_device_port_read(void) {
    int16_t byte;
    wdt_reset();
    TCNT0 = 0;
    OCR0A = 249;
    TCCR0A = _BV(WGM01);
    TCCR0B = _BV(CS01) | _BV(CS00);
    TIMSK0 = _BV(OCIE0A);
    SMCR = _BV(SE); /* idle mode */
    for (;;) {
        /* Check-then-sleep without a lost wake-up: `sei; sleep` sleeps before any interrupt runs. */
        cli();
        byte = alky_uart_read();
        if (byte >= 0 || !TIMSK0) break;
        __asm__ volatile("sei\n\tsleep" ::: "memory");
    }
    sei();
    SMCR = 0;
    TCCR0B = 0;
    TIMSK0 = 0;
    return byte;
}

#if ALKY_SMARTLOCK_DRIVERS
#include <avr/sleep.h>

#include "smartlock.h"

/* The smart lock's firmware (smartlock.h): between frames the main loop
 * runs the keypad's events; it sleeps until the next interrupt (a UART byte,
 * the keypad scan's 1 ms tick). */
int main(void) {
    uint8_t mid_frame = 0;
    alky_uart_init();
    alky_board_smartlock_init();
    alky_device_init(&device, &medium, 0, 0); /* the link sends through ALKY_LINK_SEND (config/uno.h) */
    set_sleep_mode(SLEEP_MODE_IDLE);
    for (;;) {
        int16_t byte = alky_uart_read();
        wdt_reset(); /* the keypad scan's tick wakes the loop every 1 ms */
        if (byte >= 0) {
            mid_frame = (uint8_t)(byte != 0); /* 0 ends a frame */
            alky_device_receive(&device, (uint8_t)byte);
            continue;
        }
        if (!mid_frame && alky_smartlock_poll(&device)) continue;
        cli();
        if (!alky_uart_available()) {
            sleep_enable();
            sei();
            sleep_cpu();
            sleep_disable();
        }
        sei();
    }
}
#else
int main(void) {
    alky_uart_init();
    alky_device_init(&device, &medium, 0, 0); /* the link sends through ALKY_LINK_SEND (config/uno.h) */
    for (;;) {
        int16_t byte = alky_device_port_read(); /* a byte, or none after 1 ms asleep */
        if (byte >= 0) alky_device_receive(&device, (uint8_t)byte);
#ifdef ALKY_WDT_TEST_HANG
        /* Test builds only (test/vm-c/bounded-execution.test.ts): SET_TIME
         * to this value wedges the loop as a stuck driver would. */
        if (device.clock == (ALKY_WDT_TEST_HANG))
            for (;;) {
            }
#endif
    }
}
#endif
