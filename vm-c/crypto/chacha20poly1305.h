/* ChaCha20-Poly1305 AEAD (RFC 8439 §2.8): the device side of the link's
 * frame protection (docs/security.md, "Authenticated link: the cipher").
 *
 * Portable C99 for the AVR, the MSP430 and the host: no heap, no recursion,
 * no static state (everything lives on the caller's stack, about 200 bytes on
 * the AVR), byte loads only (endian-independent), no branch or table index
 * that depends on the key, the plaintext or the tag.
 *
 * The key is read one byte at a time through ALKY_AEAD_KEY_BYTE(key, i),
 * never copied: a board whose key lives in the AVR's flash (PROGMEM) defines
 *     #define ALKY_AEAD_KEY_BYTE(key, i) pgm_read_byte((key) + (i))
 * before this header is seen (e.g. in its config header, with -include or
 * -D), and passes the flash address as `key`. The nonce, the AAD and the data
 * are always in RAM. */
#ifndef ALKY_CHACHA20POLY1305_H
#define ALKY_CHACHA20POLY1305_H

#include <stdint.h>

#ifndef ALKY_AEAD_KEY_BYTE
#define ALKY_AEAD_KEY_BYTE(key, i) ((key)[i])
#endif

#define ALKY_AEAD_KEY_BYTES 32u
#define ALKY_AEAD_NONCE_BYTES 12u
#define ALKY_AEAD_TAG_BYTES 16u

/* Encrypts `len` bytes of `data` in place and writes the 16-byte tag. */
void alky_aead_seal(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad, uint16_t aad_len, uint8_t *data,
                    uint16_t len, uint8_t tag[16]);

/* Checks the tag (constant time), then decrypts in place. Returns 1 if
 * authentic; on 0 the data is left unchanged (still ciphertext). */
uint8_t alky_aead_open(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad, uint16_t aad_len, uint8_t *data,
                       uint16_t len, const uint8_t tag[16]);

#ifdef ALKY_AEAD_TEST_HOOKS
/* The building blocks, for the RFC 8439 test vectors (test/vm-c/aead-driver.c). */
void alky_chacha20_quarter_round(uint32_t state[16], uint8_t a, uint8_t b, uint8_t c, uint8_t d);
void alky_chacha20_block(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter, uint8_t out[64]);
/* XORs the ChaCha20 key stream from block `counter` on into data (RFC 8439 §2.4). */
void alky_chacha20_xor(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter, uint8_t *data, uint16_t len);
void alky_poly1305(const uint8_t key[32], const uint8_t *msg, uint16_t len, uint8_t tag[16]);
#endif

#endif
