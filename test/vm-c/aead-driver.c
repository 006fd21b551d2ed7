/* Host driver of vm-c/crypto/chacha20poly1305.c for test/vm-c/aead.test.ts.
 * Reads one command per line on stdin, writes one answer line per command.
 * Byte strings are hex ("-" for empty); the quarter-round state is 64 bytes,
 * its sixteen words little-endian.
 *
 *   quarter A B C D STATE         -> STATE
 *   block KEY NONCE COUNTER       -> 64 BYTES
 *   xor KEY NONCE COUNTER DATA    -> DATA
 *   poly KEY MSG                  -> TAG
 *   seal KEY NONCE AAD DATA       -> CIPHERTEXT TAG
 *   open KEY NONCE AAD DATA TAG   -> OK DATA   (OK 1 or 0; DATA as left by alky_aead_open) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chacha20poly1305.h"

#define MAX_BYTES 4096

static char line[8 * MAX_BYTES];

static unsigned hex_nibble(char ch) {
    if (ch >= '0' && ch <= '9') return (unsigned)(ch - '0');
    if (ch >= 'a' && ch <= 'f') return (unsigned)(ch - 'a' + 10);
    if (ch >= 'A' && ch <= 'F') return (unsigned)(ch - 'A' + 10);
    fprintf(stderr, "aead-driver: bad hex digit '%c'\n", ch);
    exit(1);
}

/* Parses the next hex field into out; returns its length. */
static uint16_t hex_field(char **cursor, uint8_t *out, size_t cap) {
    char *tok = strtok(*cursor, " \n");
    size_t n, i;
    *cursor = NULL;
    if (!tok) {
        fprintf(stderr, "aead-driver: missing field\n");
        exit(1);
    }
    if (!strcmp(tok, "-")) return 0;
    n = strlen(tok);
    if (n % 2 || n / 2 > cap) {
        fprintf(stderr, "aead-driver: bad hex field of %zu digits\n", n);
        exit(1);
    }
    for (i = 0; i < n / 2; i++) out[i] = (uint8_t)(hex_nibble(tok[2 * i]) << 4 | hex_nibble(tok[2 * i + 1]));
    return (uint16_t)(n / 2);
}

static unsigned long num_field(char **cursor) {
    char *tok = strtok(*cursor, " \n");
    *cursor = NULL;
    if (!tok) {
        fprintf(stderr, "aead-driver: missing number\n");
        exit(1);
    }
    return strtoul(tok, NULL, 0);
}

static void put_hex(const uint8_t *b, size_t n) {
    size_t i;
    if (n == 0) fputs("-", stdout);
    for (i = 0; i < n; i++) printf("%02x", b[i]);
}

int main(void) {
    static uint8_t key[32], nonce[12], aad[MAX_BYTES], data[MAX_BYTES], tag[16], state[64];
    while (fgets(line, sizeof line, stdin)) {
        char *cursor = line;
        char *cmd = strtok(cursor, " \n");
        cursor = NULL;
        if (!cmd) continue;
        if (!strcmp(cmd, "quarter")) {
            uint32_t words[16];
            uint8_t a = (uint8_t)num_field(&cursor), b = (uint8_t)num_field(&cursor);
            uint8_t c = (uint8_t)num_field(&cursor), d = (uint8_t)num_field(&cursor);
            unsigned i;
            if (hex_field(&cursor, state, 64) != 64) return 1;
            for (i = 0; i < 16; i++) {
                words[i] = (uint32_t)state[4 * i] | (uint32_t)state[4 * i + 1] << 8 | (uint32_t)state[4 * i + 2] << 16 |
                           (uint32_t)state[4 * i + 3] << 24;
            }
            alky_chacha20_quarter_round(words, a, b, c, d);
            for (i = 0; i < 64; i++) state[i] = (uint8_t)(words[i / 4] >> (8 * (i % 4)));
            put_hex(state, 64);
        } else if (!strcmp(cmd, "block")) {
            unsigned long counter;
            hex_field(&cursor, key, 32);
            hex_field(&cursor, nonce, 12);
            counter = num_field(&cursor);
            alky_chacha20_block(key, nonce, (uint32_t)counter, state);
            put_hex(state, 64);
        } else if (!strcmp(cmd, "xor")) {
            unsigned long counter;
            uint16_t len;
            hex_field(&cursor, key, 32);
            hex_field(&cursor, nonce, 12);
            counter = num_field(&cursor);
            len = hex_field(&cursor, data, sizeof data);
            alky_chacha20_xor(key, nonce, (uint32_t)counter, data, len);
            put_hex(data, len);
        } else if (!strcmp(cmd, "poly")) {
            uint16_t len;
            hex_field(&cursor, key, 32);
            len = hex_field(&cursor, data, sizeof data);
            alky_poly1305(key, data, len, tag);
            put_hex(tag, 16);
        } else if (!strcmp(cmd, "seal") || !strcmp(cmd, "open")) {
            uint16_t aad_len, len;
            hex_field(&cursor, key, 32);
            hex_field(&cursor, nonce, 12);
            aad_len = hex_field(&cursor, aad, sizeof aad);
            len = hex_field(&cursor, data, sizeof data);
            if (cmd[0] == 's') {
                alky_aead_seal(key, nonce, aad, aad_len, data, len, tag);
                put_hex(data, len);
                fputs(" ", stdout);
                put_hex(tag, 16);
            } else {
                uint8_t ok;
                if (hex_field(&cursor, tag, 16) != 16) return 1;
                ok = alky_aead_open(key, nonce, aad, aad_len, data, len, tag);
                printf("%u ", ok);
                put_hex(data, len);
            }
        } else {
            fprintf(stderr, "aead-driver: unknown command %s\n", cmd);
            return 1;
        }
        fputs("\n", stdout);
    }
    return 0;
}
