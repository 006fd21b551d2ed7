/* Sealed frames on the device (docs/link.md §2.1): a firmware built with a
 * link key (-DALKY_LINK_SEALED=1 and the generated alky_link_key.h on the
 * include path, compiler/engines/link-key-build.ts) opens every frame it
 * takes and seals every frame it sends, with ChaCha20-Poly1305
 * (vm-c/crypto/). The message counters of both directions survive resets
 * without reuse: their marks sit in the 8 bytes after the app store's region
 * of the medium (ALKY_LINK_MARK_BYTES) and are always ahead of every counter
 * used, written before a counter past them is used (in jumps of
 * ALKY_LINK_MARK_JUMP, so a write per that many frames). */
#ifndef ALKY_SEAL_H
#define ALKY_SEAL_H

#include "link.h"

#if ALKY_LINK_SEALED
#include "store.h"

/* Frames between two writes of a mark: the medium's wear against the counter
 * values a reset skips. */
#ifndef ALKY_LINK_MARK_JUMP
#define ALKY_LINK_MARK_JUMP 64u
#endif

/* Reads the marks: the first counter the device sends and the receive floor
 * start at them. */
void alky_seal_init(alky_link *l, const alky_store_medium *medium);

/* The received frame buf[1..] (after its CRC passed) with n bytes between
 * type and CRC: a sealed frame whose counter is above the floor and whose
 * tag is authentic is decrypted in place, its SEALED flag cleared, the floor
 * raised; a plain HELLO is moved to the sealed layout. Sets the link's
 * payload length and returns 1, or 0 for a frame to drop. */
uint8_t alky_seal_open(alky_link *l, uint16_t n);

/* Seals the frame being sent (header, seq, type and len payload bytes in
 * place): the next counter, the ciphertext, the tag. 0 if it must not go
 * out (the counters are used up, or the mark could not be written). */
uint8_t alky_seal_close(alky_link *l);
#endif

#endif /* ALKY_SEAL_H */
