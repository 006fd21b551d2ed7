/* Link-device firmware for a host: speaks the link protocol (docs/link.md)
 * on stdin/stdout, binary, and exits 0 at the end of its input.
 *
 *   alky_device [--store FILE]
 *
 * The app store lives in FILE (created if missing), written through on
 * every change, so a restarted process comes back with its app installed;
 * without --store it lives in memory only. Diagnostics go to stderr. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "device.h"

#define STORE_BYTES (2u * ALKY_HOST_SLOT_BYTES + 1u + ALKY_HOST_STORAGE_BYTES)
#if STORE_BYTES > 65535u
#error "the host app store must fit 16-bit addresses"
#endif

static uint8_t store_mirror[STORE_BYTES];
static int store_fd = -1;
static alky_device device;
/* Bytes read from stdin and not yet handled (a node call reads on from here). */
static uint8_t input[512];
static ssize_t input_len, input_pos;

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

static uint8_t store_write(uint16_t addr, const uint8_t *src, uint16_t length) {
    if ((uint32_t)addr + length > STORE_BYTES) return 0;
    memcpy(store_mirror + addr, src, length);
    return (uint8_t)(store_fd < 0 || write_all(store_fd, src, length, (off_t)addr, 1));
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
    (void)write_all(STDOUT_FILENO, bytes, length, 0, 0);
}

#if ALKY_WITH_NCALL
/* A tick of a node call's wait (device.h): a byte already read, else one
 * that arrives within 1 ms. At the end of the input every tick passes at
 * once: the call times out and the loop in main sees the end. */
int16_t alky_device_port_read(void) {
    struct pollfd p;
    if (input_pos >= input_len) {
        p.fd = STDIN_FILENO;
        p.events = POLLIN;
        if (poll(&p, 1, 1) <= 0 || (input_len = read(STDIN_FILENO, input, sizeof input)) <= 0) {
            input_len = 0;
            return -1;
        }
        input_pos = 0;
    }
    return input[input_pos++];
}
#endif

int main(int argc, char **argv) {
    int i;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--store") == 0 && i + 1 < argc) {
            const char *path = argv[++i];
            if (!open_store(path)) {
                fprintf(stderr, "alky_device: cannot use %s as the app store: %s\n", path, strerror(errno));
                return 2;
            }
        } else {
            fprintf(stderr, "usage: alky_device [--store FILE]\n");
            return 2;
        }
    }
    if (store_fd < 0) memset(store_mirror, 0xFF, sizeof store_mirror);
    alky_device_init(&device, &medium, send_bytes, NULL);
    for (;;) {
        ssize_t n = read(STDIN_FILENO, input, sizeof input);
        if (n == 0) return 0;
        if (n < 0) {
            if (errno == EINTR) continue;
            return 1;
        }
        for (input_pos = 0, input_len = n; input_pos < input_len;) alky_device_receive(&device, input[input_pos++]);
    }
}
