/* The smart lock's board part on a Raspberry Pi running Linux (smartlock.h):
 * GPIO through the kernel's character device (/dev/gpiochipN, the lines of
 * smartlock_pins.h, generated from boards/boards.ts), so no root-only
 * memory mapping is needed: membership of the `gpio` group is enough. The
 * main loop (port/host/main.c) calls alky_board_smartlock_tick about every
 * millisecond to scan the keypad. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <linux/gpio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "smartlock.h"
#include "smartlock_pins.h"

#define ALKY_GPIO_LINE(n) (n)

static const unsigned row_lines[ALKY_KEYPAD_ROWS] = ALKY_KEYPAD_ROW_PINS;
static const unsigned column_lines[ALKY_KEYPAD_COLUMNS] = ALKY_KEYPAD_COLUMN_PINS;

static int rows_fd = -1, columns_fd = -1, outputs_fd = -1;
static struct gpiohandle_data outputs; /* [0] lock, [1] buzzer */

#ifndef GPIOHANDLE_REQUEST_BIAS_PULL_UP
#define GPIOHANDLE_REQUEST_BIAS_PULL_UP 0 /* kernels before 5.5: wire pull-ups to the columns */
#endif

static void fail(const char *what) {
    fprintf(stderr, "alky_device: cannot use GPIO chip %s (%s): %s\n", ALKY_GPIO_CHIP, what, strerror(errno));
    exit(2);
}

/* One handle for a set of lines, all inputs or all outputs with initial values. */
static int request_lines(int chip, const unsigned *lines, unsigned n, unsigned flags, uint8_t initial, const char *what) {
    struct gpiohandle_request req;
    unsigned i;
    memset(&req, 0, sizeof req);
    for (i = 0; i < n; i++) {
        req.lineoffsets[i] = lines[i];
        req.default_values[i] = initial;
    }
    req.lines = n;
    req.flags = flags;
    snprintf(req.consumer_label, sizeof req.consumer_label, "alkyvm-%s", what);
    if (ioctl(chip, GPIO_GET_LINEHANDLE_IOCTL, &req) < 0) fail(what);
    return req.fd;
}

void alky_board_smartlock_init(void) {
    const unsigned out_lines[2] = {ALKY_LOCK_PIN, ALKY_BUZZER_PIN};
    int chip = open(ALKY_GPIO_CHIP, O_RDWR | O_CLOEXEC);
    if (chip < 0) fail("open");
    rows_fd = request_lines(chip, row_lines, ALKY_KEYPAD_ROWS, GPIOHANDLE_REQUEST_OUTPUT, 1, "keypad rows");
    columns_fd = request_lines(chip, column_lines, ALKY_KEYPAD_COLUMNS, GPIOHANDLE_REQUEST_INPUT | GPIOHANDLE_REQUEST_BIAS_PULL_UP, 0, "keypad columns");
    outputs_fd = request_lines(chip, out_lines, 2, GPIOHANDLE_REQUEST_OUTPUT, 0, "lock and buzzer");
    close(chip); /* the line handles stay valid */
}

void alky_board_smartlock_tick(void) {
    struct gpiohandle_data rows, columns;
    uint16_t down = 0;
    unsigned r, c, i;
    for (r = 0; r < ALKY_KEYPAD_ROWS; r++) {
        for (i = 0; i < ALKY_KEYPAD_ROWS; i++) rows.values[i] = (uint8_t)(i != r); /* row r low */
        if (ioctl(rows_fd, GPIOHANDLE_SET_LINE_VALUES_IOCTL, &rows) < 0 || ioctl(columns_fd, GPIOHANDLE_GET_LINE_VALUES_IOCTL, &columns) < 0) return;
        for (c = 0; c < ALKY_KEYPAD_COLUMNS; c++)
            if (!columns.values[c]) down |= (uint16_t)(1u << (r * ALKY_KEYPAD_COLUMNS + c));
    }
    for (i = 0; i < ALKY_KEYPAD_ROWS; i++) rows.values[i] = 1;
    (void)ioctl(rows_fd, GPIOHANDLE_SET_LINE_VALUES_IOCTL, &rows);
    alky_smartlock_keypad_scanned(down);
}

static void set_outputs(void) {
    (void)ioctl(outputs_fd, GPIOHANDLE_SET_LINE_VALUES_IOCTL, &outputs);
}

void alky_board_lock_output(uint8_t open) {
    outputs.values[0] = open;
    set_outputs();
}

void alky_board_buzzer_output(uint8_t on) {
    outputs.values[1] = on;
    set_outputs();
}

uint32_t alky_board_millis(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}
