/* Link-device firmware for the MSP430G2553: the link protocol over the RAM
 * mailbox in the simulator build (-DALKY_MSP430_SIM=1, mailbox.c; mspdebug's
 * simulator has no UART model) or over USCI_A0 at 9600 baud on a real
 * LaunchPad (uart.c, with -DALKY_MCLK_HZ=16000000UL), the app store in two main-flash segments the
 * linker script reserves (flash.c); see docs/link.md §5. Build with
 * -DALKY_CONFIG_HEADER='"config/lpmsp430g2553.h"' (firmware-build.ts,
 * buildMsp430Device). */
#include "board.h"
#include "device.h"
#include "flash.h"

/* The byte link, chosen at build time. */
#if ALKY_MSP430_SIM
#include "mailbox.h"
#define link_init alky_mailbox_init
#define link_read_byte alky_mailbox_read_byte
#define link_write alky_mailbox_write
#else
#include "uart.h"
#define link_init alky_uart_init
#define link_read_byte alky_uart_read_blocking
#define link_write alky_uart_write_bytes
#endif

/* msp430g2553.ld: the STORE region, segment-aligned. */
extern const uint8_t __alky_store_start[];

static alky_device device;

static uint16_t flash_address(uint16_t addr) {
    return (uint16_t)((uintptr_t)__alky_store_start + addr);
}

static uint8_t flash_store_write(uint16_t addr, const uint8_t *src, uint16_t length) {
    return alky_flash_write(flash_address(addr), src, length);
}

static uint8_t flash_store_erase(uint16_t addr) {
    return alky_flash_erase_segment(flash_address(addr));
}

static const alky_store_medium medium = {__alky_store_start, ALKY_MSP430_STORE_BYTES, ALKY_FLASH_MAIN_SEGMENT, 0,
                                         flash_store_write, flash_store_erase};

static void send_bytes(void *ctx, const uint8_t *bytes, uint16_t length) {
    (void)ctx;
    link_write(bytes, length);
}

/* The watchdog (docs/security.md, "Bounded execution and the watchdog"):
 * crt0.S holds it at reset (a watchdog reset restarts it at SMCLK / 32768,
 * about 30 ms at the boot clock); main starts it in watchdog mode on ACLK
 * from the VLO / 32768, 1.6 to 8 s (the VLO is 4 to 20 kHz; 2.7 s typical),
 * restarted by the main loop, each tick of a node call's wait and every VM
 * instruction (ALKY_PORT_TICK, config/lpmsp430g2553.h). */
static void watchdog_start(void) {
    ALKY_IFG1 &= (uint8_t)~ALKY_WDTIFG;
    ALKY_BCSCTL3 |= ALKY_LFXT1S_VLO;
    ALKY_PORT_TICK();
}

#if ALKY_WITH_NCALL
/* A tick of a node call's wait (device.h). In the simulator it is one poll
 * of the mailbox (the host answers at once, the CPU stands still meanwhile),
 * so the timeout is a count of polls; on a LaunchPad it is about 1 ms. */
int16_t alky_device_port_read(void) {
    ALKY_PORT_TICK();
#if ALKY_MSP430_SIM
    return alky_mailbox_try_read_byte();
#else
    int16_t byte = alky_uart_read();
    volatile uint16_t spin;
    /* About 5 cycles a turn at ALKY_MCLK_HZ. */
    if (byte < 0)
        for (spin = 0; spin < (uint16_t)(ALKY_MCLK_HZ / 5000UL); spin++) {
        }
    return byte;
#endif
}
#endif

#if ALKY_SMARTLOCK_DRIVERS && !ALKY_MSP430_SIM
#include "smartlock.h"

/* The smart lock's firmware on the real board (smartlock.h): between frames
 * the main loop runs the keypad's events. */
int main(void) {
    uint8_t mid_frame = 0;
    watchdog_start();
    link_init();
    alky_board_smartlock_init();
    alky_device_init(&device, &medium, send_bytes, 0);
    for (;;) {
        int16_t byte = alky_uart_read();
        ALKY_PORT_TICK();
        if (byte >= 0) {
            mid_frame = (uint8_t)(byte != 0); /* 0 ends a frame */
            alky_device_receive(&device, (uint8_t)byte);
        } else if (!mid_frame) {
            (void)alky_smartlock_poll(&device);
        }
    }
}
#else
int main(void) {
    watchdog_start();
    link_init();
    alky_device_init(&device, &medium, send_bytes, 0);
    for (;;) {
        /* The simulator's mailbox stops the CPU while it waits; the UART is polled (as uart.c's blocking read does). */
#if ALKY_MSP430_SIM
        alky_device_receive(&device, link_read_byte());
#else
        int16_t byte = alky_uart_read();
        if (byte >= 0) alky_device_receive(&device, (uint8_t)byte);
#endif
        ALKY_PORT_TICK();
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
