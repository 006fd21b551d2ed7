/* The app store (docs/link.md §5): two image slots and the contract storage
 * in one persistent region (hal.h, alky_store_medium).
 *
 * Flash (erase units):  [slot 0: record | image][slot 1: record | image]
 * EEPROM or a file:     [record 0][record 1][image area ...][storage tag | storage]
 *
 * A slot's record (magic, generation, image length, image offset, the
 * image's CRC-32 trailer, a CRC-16 over the record) is written last, after
 * every image byte is stored and the image has passed alky_attach. The
 * installed app is the valid slot with the newer generation; a load always
 * writes the other slot, so a refused image, a lost link or a power cut at
 * any point leaves the installed app as it was. On a rewritable medium the
 * new image goes before or after the installed one, wherever it fits beside
 * it, so an image may use the whole area when none is installed (the Uno's
 * 1 KB EEPROM); one too big to fit beside the installed app displaces it
 * (that app's record is cleared first: no app until the commit). No byte of
 * an image is held in RAM. */
#ifndef ALKY_STORE_H
#define ALKY_STORE_H

#include "hal.h"

/* The medium's fields as store.c reads them. A board whose region is fixed at
 * build time defines ALKY_STORE_MEDIUM_SIZE, _BASE, _ERASE_BYTES,
 * _STORAGE_BYTES and _WRITE (a function) in its config, and passes a medium
 * made of the same values: constants instead of loads through the pointer
 * (which the store then neither keeps nor reads). */
#ifdef ALKY_STORE_MEDIUM_SIZE
#define ALKY_MEDIUM_BASE(m) ((void)sizeof(m), (alky_rom)(ALKY_STORE_MEDIUM_BASE))
#define ALKY_MEDIUM_SIZE(m) ((void)sizeof(m), (uint16_t)(ALKY_STORE_MEDIUM_SIZE))
#define ALKY_MEDIUM_ERASE_BYTES(m) ((void)sizeof(m), (uint16_t)(ALKY_STORE_MEDIUM_ERASE_BYTES))
#define ALKY_MEDIUM_STORAGE_BYTES(m) ((void)sizeof(m), (uint16_t)(ALKY_STORE_MEDIUM_STORAGE_BYTES))
#define ALKY_MEDIUM_WRITE(m) ((void)sizeof(m), ALKY_STORE_MEDIUM_WRITE)
#else
#define ALKY_MEDIUM_BASE(m) ((m)->base)
#define ALKY_MEDIUM_SIZE(m) ((m)->size)
#define ALKY_MEDIUM_ERASE_BYTES(m) ((m)->erase_bytes)
#define ALKY_MEDIUM_STORAGE_BYTES(m) ((m)->storage_bytes)
#define ALKY_MEDIUM_WRITE(m) ((m)->write)
#endif

#define ALKY_STORE_RECORD_BYTES 12
#define ALKY_STORE_NONE 0xFF

typedef struct alky_store {
    const alky_store_medium *medium;
    uint16_t slot_bytes;  /* record + largest image */
    uint8_t active;       /* installed slot, or ALKY_STORE_NONE */
    uint8_t gen;          /* its generation */
    uint16_t app_length;  /* its image */
    uint16_t app_offset;  /* where the image starts in the region */
    uint32_t app_crc;
    /* A load in progress (loading != 0) goes to the other slot. */
    uint8_t loading;
    uint16_t load_length;
    uint16_t load_received;
    uint16_t load_at;     /* where its image goes in the region */
    uint32_t load_crc;
} alky_store;

/* Lays the region out, in a store whose bytes are all zero (alky_device_init
 * zeroes the device first). No app is active until alky_store_candidate. */
void alky_store_init(alky_store *s, const alky_store_medium *medium);

/* Start-up: makes the i-th newest slot with a valid record (i = 0, 1) the
 * active one, its record in the app fields; 0 if there is none (no slot is
 * active then). The device tries them in turn and keeps the first the VM
 * accepts (a medium that lost bits can spoil the newest). */
uint8_t alky_store_candidate(alky_store *s, uint8_t i);

/* Keeps the active candidate: clears the storage if it belonged to another
 * app (a power cut between commit and clearing). */
void alky_store_select(alky_store *s);

/* Where the active app's image starts, as the VM reads it. */
alky_rom alky_store_app_image(const alky_store *s);

/* Where the image of the load in progress is being written, as the VM reads it. */
alky_rom alky_store_loaded_image(const alky_store *s);

/* Largest image a slot holds. */
uint16_t alky_store_max_image(const alky_store *s);

/* ---- Loading. Each returns 0 or an ALKY_ERR_* code of the link. ---- */

/* Starts a load into the free slot (invalidates or erases it). */
uint8_t alky_store_begin(alky_store *s, uint16_t length, uint32_t crc);
/* Stores the next bytes; offset must be load_received (else
 * ALKY_ERR_SEQUENCE, the expected offset in load_received). */
uint8_t alky_store_chunk(alky_store *s, uint16_t offset, const uint8_t *bytes, uint16_t length);
/* All bytes there (ALKY_ERR_SEQUENCE) and their CRC-32 before the trailer
 * equal to LOAD_BEGIN's (ALKY_ERR_IMAGE_CRC)? */
uint8_t alky_store_check(const alky_store *s);
/* Writes the loaded slot's record: it becomes the installed app (the old
 * one is kept as the other slot until the next load), storage cleared. */
uint8_t alky_store_commit(alky_store *s);
/* Forgets the load in progress (the slot stays invalid). */
void alky_store_abort(alky_store *s);
/* The slot a load writes to. */
uint8_t alky_store_free_slot(const alky_store *s);

/* ---- Contract storage (for alky_hal_storage_*): inside storage_bytes. ---- */
void alky_store_storage_read(const alky_store *s, uint16_t addr, uint8_t *dst, uint8_t length);
void alky_store_storage_write(alky_store *s, uint16_t addr, const uint8_t *src, uint8_t length);

#endif /* ALKY_STORE_H */
