/* Link-device firmware for a host: speaks the link protocol (docs/link.md)
 * on stdin/stdout, binary, and exits 0 at the end of its input; or, on a
 * Linux board such as the Raspberry Pi, on a serial device or to the nodes
 * that connect to a TCP port, one at a time (port/linux/link_fd.c).
 *
 *   alky_device [--store FILE] [--serial PATH[@BAUD] | --listen HOST:PORT]
 *
 * --listen prints "alky_device: listening on HOST:PORT" (the bound port when
 * PORT is 0) to stderr once it accepts connections.
 * The app store lives in FILE (created if missing), written through on
 * every change, so a restarted process comes back with its app installed;
 * without --store it lives in memory only. Diagnostics go to stderr.
 *
 * Power cuts, for the tests (docs/security.md, "Power-safe updates"): with
 * ALKY_POWER_CUT_AT=N in the environment the power fails on the Nth byte
 * written to the store (counted from start-up, byte by byte as an EEPROM
 * writes): the bytes before it are in FILE, that one keeps its old value
 * (or holds V with ALKY_POWER_CUT_LEAVES=V: 255 is an EEPROM cell erased but
 * not yet programmed), and the process ends at once with status 3 (_exit:
 * no answer, nothing more reaches FILE). With ALKY_POWER_CUT_DOWNWARD set,
 * each write goes last byte first, as avr-libc's eeprom_update_block does
 * on the Uno. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "device.h"
#ifdef ALKY_HOST_LINK_FD
#include <signal.h>

#include "link_fd.h" /* vm-c/port/linux, on the include path of a build with ALKY_HOST_LINK_FD */
#endif

#define STORE_BYTES (2u * ALKY_HOST_SLOT_BYTES + 1u + ALKY_HOST_STORAGE_BYTES)
#if STORE_BYTES > 65535u
#error "the host app store must fit 16-bit addresses"
#endif

/* A firmware with a link key keeps its counters' marks after the store (seal.h). */
static uint8_t store_mirror[STORE_BYTES + ALKY_LINK_MARK_BYTES];
static int store_fd = -1;
static int link_out = STDOUT_FILENO;
static int link_in = STDIN_FILENO;
/* Bytes read from link_in and not yet handled (a node call reads on from here). */
static uint8_t input[512];
static ssize_t input_len, input_pos;
static alky_device device;

static uint8_t write_all(int fd, const uint8_t *bytes, size_t length, off_t at, int positioned) {
    while (length) {
        ssize_t n = positioned ? pwrite(fd, bytes, length, at) : write(fd, bytes, length);
        if (n < 0) {
            if (errno == EINTR) continue;
            return 0;
        }
        bytes += n;
        length -= (size_t)n;
        at += n;
    }
    return 1;
}

static unsigned long cut_at, store_bytes_written; /* cut_at 0: no power cut */
static int cut_leaves = -1, cut_downward;

/* The power fails while the byte at addr is being written. */
static void power_cut(uint16_t addr) {
    if (cut_leaves >= 0) {
        uint8_t v = (uint8_t)cut_leaves;
        store_mirror[addr] = v;
        if (store_fd >= 0) (void)write_all(store_fd, &v, 1, (off_t)addr, 1);
    }
    _exit(3);
}

static uint8_t store_write(uint16_t addr, const uint8_t *src, uint16_t length) {
    uint16_t n = length, from = 0; /* the bytes src[from, from + n) reach the store */
    if ((uint32_t)addr + length > sizeof store_mirror) return 0;
    if (cut_at && cut_at - store_bytes_written <= length) {
        n = (uint16_t)(cut_at - store_bytes_written - 1u);
        if (cut_downward) from = (uint16_t)(length - n);
    }
    memcpy(store_mirror + addr + from, src + from, n);
    if (store_fd >= 0 && !write_all(store_fd, src + from, n, (off_t)(addr + from), 1)) return 0;
    if (n < length) power_cut((uint16_t)(cut_downward ? addr + from - 1u : addr + n));
    store_bytes_written += length;
    return 1;
}

static const alky_store_medium medium = {store_mirror, STORE_BYTES, 0, ALKY_HOST_STORAGE_BYTES, store_write, NULL};

/* Loads FILE into the mirror; a new or short file is filled with 0xFF (an
 * empty store) up to its full size. */
static int open_store(const char *path) {
    ssize_t got = 0, n;
    memset(store_mirror, 0xFF, sizeof store_mirror);
    store_fd = open(path, O_RDWR | O_CREAT, 0644);
    if (store_fd < 0) return 0;
    while ((size_t)got < sizeof store_mirror && (n = read(store_fd, store_mirror + got, sizeof store_mirror - (size_t)got)) != 0) {
        if (n < 0) {
            if (errno == EINTR) continue;
            return 0;
        }
        got += n;
    }
    if ((size_t)got < sizeof store_mirror)
        return write_all(store_fd, store_mirror + got, sizeof store_mirror - (size_t)got, (off_t)got, 1);
    return 1;
}

static void send_bytes(void *ctx, const uint8_t *bytes, uint16_t length) {
    (void)ctx;
    /* A host that stopped reading gets no more answers; the next read sees EOF. */
    (void)write_all(link_out, bytes, length, 0, 0);
}

#if ALKY_WITH_NCALL
/* A tick of a node call's wait (device.h): a byte already read, else one
 * that arrives within 1 ms. At the end of the input every tick passes at
 * once: the call times out and the loop in main sees the end. */
int16_t alky_device_port_read(void) {
    struct pollfd p;
    if (input_pos >= input_len) {
        p.fd = link_in;
        p.events = POLLIN;
        if (poll(&p, 1, 1) <= 0 || (input_len = read(link_in, input, sizeof input)) <= 0) {
            input_len = 0;
            return -1;
        }
        input_pos = 0;
    }
    return input[input_pos++];
}
#endif

#if ALKY_SMARTLOCK_DRIVERS
#include "smartlock.h"

static uint8_t mid_frame; /* a request is half received */

/* read() that scans the keypad about every millisecond while it waits, and
 * between frames runs the keypad's events (smartlock.h). */
static ssize_t link_read(int fd, uint8_t *buf, size_t cap) {
    for (;;) {
        struct pollfd p;
        int ready;
        p.fd = fd;
        p.events = POLLIN;
        ready = poll(&p, 1, 1);
        alky_board_smartlock_tick();
        if (ready != 0) return ready < 0 ? -1 : read(fd, buf, cap);
        if (!mid_frame)
            while (alky_smartlock_poll(&device)) continue;
    }
}
#else
#define link_read read
#endif

int main(int argc, char **argv) {
    int i, listener = -1;
    (void)listener; /* used only with ALKY_HOST_LINK_FD */
    for (i = 1; i < argc; i++) {
#ifdef ALKY_HOST_LINK_FD
        if (strcmp(argv[i], "--serial") == 0 && i + 1 < argc) {
            static char path[4096];
            const char *spec = argv[++i], *at = strrchr(spec, '@');
            size_t n = at ? (size_t)(at - spec) : strlen(spec);
            unsigned long baud = at ? strtoul(at + 1, NULL, 10) : 115200ul;
            if (n >= sizeof path) n = sizeof path - 1;
            memcpy(path, spec, n);
            path[n] = '\0';
            if ((link_in = link_out = alky_link_open_serial(path, baud)) < 0) {
                fprintf(stderr, "alky_device: cannot open serial device %s at %lu baud: %s\n", path, baud, strerror(errno));
                return 2;
            }
            continue;
        }
        if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
            const char *why = "";
            unsigned bound = 0;
            if ((listener = alky_link_listen(argv[++i], &bound, &why)) < 0) {
                fprintf(stderr, "alky_device: cannot listen on %s: %s\n", argv[i], why);
                return 2;
            }
            signal(SIGPIPE, SIG_IGN); /* a node that hung up: write fails, read sees the end */
            fprintf(stderr, "alky_device: listening on %.*s:%u\n", (int)(strrchr(argv[i], ':') - argv[i]), argv[i], bound);
            continue;
        }
#endif
        if (strcmp(argv[i], "--store") == 0 && i + 1 < argc) {
            const char *path = argv[++i];
            if (!open_store(path)) {
                fprintf(stderr, "alky_device: cannot use %s as the app store: %s\n", path, strerror(errno));
                return 2;
            }
        } else {
#ifdef ALKY_HOST_LINK_FD
            fprintf(stderr, "usage: alky_device [--store FILE] [--serial PATH[@BAUD] | --listen HOST:PORT]\n");
#else
            fprintf(stderr, "usage: alky_device [--store FILE]\n");
#endif
            return 2;
        }
    }
    if (store_fd < 0) memset(store_mirror, 0xFF, sizeof store_mirror);
    if (getenv("ALKY_POWER_CUT_AT")) cut_at = strtoul(getenv("ALKY_POWER_CUT_AT"), NULL, 10);
    cut_downward = getenv("ALKY_POWER_CUT_DOWNWARD") != NULL;
    if (getenv("ALKY_POWER_CUT_LEAVES")) cut_leaves = (int)(strtoul(getenv("ALKY_POWER_CUT_LEAVES"), NULL, 0) & 0xFFu);
#if ALKY_LINK_SEALED
    if (store_fd < 0) {
        fprintf(stderr, "alky_device: a firmware with a link key needs --store FILE (its message counters must survive restarts)\n");
        return 2;
    }
#endif
#if ALKY_SMARTLOCK_DRIVERS
    alky_board_smartlock_init();
#endif
    alky_device_init(&device, &medium, send_bytes, NULL);
#ifdef ALKY_HOST_LINK_FD
    if (listener >= 0 && (link_in = link_out = alky_link_accept(listener)) < 0) return 1;
#endif
    for (;;) {
        ssize_t n = link_read(link_in, input, sizeof input);
#ifdef ALKY_HOST_LINK_FD
        /* A node that hung up makes room for the next one; the device keeps its state. */
        if (listener >= 0 && n <= 0 && !(n < 0 && errno == EINTR)) {
            close(link_in);
            if ((link_in = link_out = alky_link_accept(listener)) < 0) return 1;
            continue;
        }
#endif
        if (n == 0) return 0;
        if (n < 0) {
            if (errno == EINTR) continue;
            return 1;
        }
#if ALKY_SMARTLOCK_DRIVERS
        mid_frame = (uint8_t)(input[n - 1] != 0); /* 0 ends a frame */
#endif
        for (input_pos = 0, input_len = n; input_pos < input_len;) alky_device_receive(&device, input[input_pos++]);
    }
}
