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
#if ALKY_STORE_MEDIUM_SIZE != ALKY_EEPROM_SIZE
#error "ALKY_STORE_MEDIUM_SIZE is not the EEPROM's size"
#endif
static const alky_store_medium medium = {ALKY_STORE_MEDIUM_BASE, ALKY_STORE_MEDIUM_SIZE, ALKY_STORE_MEDIUM_ERASE_BYTES,
                                         ALKY_STORE_MEDIUM_STORAGE_BYTES, eeprom_store_write, 0};

static void send_bytes(void *ctx, const uint8_t *bytes, uint16_t length) {
    (void)ctx;
    alky_uart_write_bytes(bytes, length);
}

#if ALKY_WITH_NCALL
#include <util/delay.h>

/* A tick of a node call's wait (device.h): 1 ms of CPU cycles, so simavr
 * times it exactly as a real Uno does. Bytes arriving meanwhile wait in the
 * UART's receive ring. */
int16_t alky_device_port_read(void) {
    int16_t byte = alky_uart_read();
    if (byte < 0) _delay_ms(1);
    return byte;
}
#endif

#if ALKY_SMARTLOCK_DRIVERS
#include <avr/interrupt.h>
#include <avr/sleep.h>

#include "smartlock.h"

/* The smart lock's firmware (smartlock.h): between frames the main loop
 * runs the keypad's events; it sleeps until the next interrupt (a UART byte,
 * the keypad scan's 1 ms tick). */
int main(void) {
    uint8_t mid_frame = 0;
    alky_uart_init();
    alky_board_smartlock_init();
    alky_device_init(&device, &medium, send_bytes, 0);
    set_sleep_mode(SLEEP_MODE_IDLE);
    for (;;) {
        int16_t byte = alky_uart_read();
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
    alky_device_init(&device, &medium, send_bytes, 0);
    for (;;) alky_device_receive(&device, alky_uart_read_blocking());
}
#endif
