/* AVR benchmark firmware of vm-c/crypto/chacha20poly1305.c for
 * test/vm-c/aead.test.ts, run under simavr with the bench harness
 * (scripts/harness/simavr_bench.c, bench/firmware/bench_marker.h).
 *
 * The key is in flash (PROGMEM) and read through ALKY_AEAD_KEY_BYTE, which
 * the build defines as pgm_read_byte, as a board keeping its key in flash
 * would. AEAD_BENCH_OPEN=0 measures alky_aead_seal of a 64-byte payload with
 * 8 bytes of AAD; AEAD_BENCH_OPEN=1 seals first (unmeasured) and measures
 * alky_aead_open. The stack below the call is painted before the measured
 * call and scanned after it, so the result also gives its peak stack use.
 *
 * Result word: bits 16..31 peak stack bytes of the call; bits 0..15 the first
 * two tag bytes (seal) or 1 if open accepted and restored the plaintext. */
#include <avr/io.h>
#include <avr/pgmspace.h>

#include "bench_marker.h"
#include "chacha20poly1305.h"

#ifndef AEAD_BENCH_OPEN
#define AEAD_BENCH_OPEN 0
#endif

#define PAINT 0xA5u

extern uint8_t __heap_start;

static const uint8_t key[32] PROGMEM = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
    0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78, 0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0,
};

/* Paints from the end of static data to 32 bytes below the caller's stack. */
static void __attribute__((noinline)) paint_stack(void) {
    uint8_t *p = &__heap_start;
    uint8_t *end = (uint8_t *)SP - 32;
    while (p < end) *p++ = PAINT;
}

/* Lowest address the measured call wrote below `top`. */
static uint16_t __attribute__((noinline)) stack_used(uint16_t top) {
    const uint8_t *p = &__heap_start;
    while (*p == PAINT) p++;
    return (uint16_t)(top - (uint16_t)p);
}

int main(void) {
    uint8_t nonce[12], aad[8], data[64], tag[16];
    uint8_t i;
    uint16_t top, check;
    for (i = 0; i < 12; i++) nonce[i] = (uint8_t)(0xa0 + i);
    for (i = 0; i < 8; i++) aad[i] = (uint8_t)(0x10 * i + 1);
    for (i = 0; i < 64; i++) data[i] = (uint8_t)(3 * i + 7);
#if AEAD_BENCH_OPEN
    alky_aead_seal(key, nonce, aad, 8, data, 64, tag);
#endif
    paint_stack();
    top = SP;
    BENCH_MARK(1);
    BENCH_MARK(2);
    BENCH_MARK(1);
#if AEAD_BENCH_OPEN
    check = alky_aead_open(key, nonce, aad, 8, data, 64, tag);
#else
    alky_aead_seal(key, nonce, aad, 8, data, 64, tag);
#endif
    BENCH_MARK(2);
#if AEAD_BENCH_OPEN
    for (i = 0; i < 64; i++) {
        if (data[i] != (uint8_t)(3 * i + 7)) check = 0;
    }
#else
    check = (uint16_t)(tag[0] | (uint16_t)tag[1] << 8);
#endif
    bench_finish(0, (uint32_t)stack_used(top) << 16 | check);
    return 0;
}
