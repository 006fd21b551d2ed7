/* The app store: A/B slots with a commit record each; see store.h. */
#include "store.h"

#include "alky_internal.h"

#include "generated/alky_opcodes.h"
#include "link.h"

#define RECORD_MAGIC 0xA7u
/* Record fields (little-endian). */
#define REC_MAGIC 0
#define REC_GEN 1
#define REC_LENGTH 2
#define REC_OFFSET 4 /* where the image starts in the region */
#define REC_CRC 6
#define REC_CHECK 10 /* CRC-16 of the 10 bytes before it */

#define MIN_IMAGE (ALKY_HEADER_SIZE + ALKY_TRAILER_SIZE)

static uint8_t rom_at(const alky_store *s, uint16_t addr) {
    return (uint8_t)ALKY_ROM_U8(ALKY_MEDIUM_BASE(s->medium), addr);
}

/* Two layouts (store.h): on flash each slot is its own erase units, record
 * first; on a rewritable medium both records sit at the start and images go
 * wherever they fit beside the installed one. */
static ALKY_NOINLINE uint16_t record_at(const alky_store *s, uint8_t slot) {
    return (uint16_t)(slot * (ALKY_MEDIUM_ERASE_BYTES(s->medium) ? s->slot_bytes : ALKY_STORE_RECORD_BYTES));
}

/* The image area of a rewritable medium: after the records, before the storage. */
static uint16_t area_start(void) {
    return (uint16_t)(2u * ALKY_STORE_RECORD_BYTES);
}

/* The storage tag (generation of the app the storage belongs to) sits right
 * before the storage bytes, at the end of the region. */
static uint16_t storage_tag_at(const alky_store *s) {
    return (uint16_t)(ALKY_MEDIUM_SIZE(s->medium) - ALKY_MEDIUM_STORAGE_BYTES(s->medium) - 1u);
}

static uint16_t area_end(const alky_store *s) {
    return ALKY_MEDIUM_STORAGE_BYTES(s->medium) ? storage_tag_at(s) : ALKY_MEDIUM_SIZE(s->medium);
}

void alky_store_init(alky_store *s, const alky_store_medium *medium) {
    uint16_t free_bytes = ALKY_MEDIUM_SIZE(medium);
    if (ALKY_MEDIUM_STORAGE_BYTES(medium)) free_bytes = (uint16_t)(free_bytes - ALKY_MEDIUM_STORAGE_BYTES(medium) - 1u);
#ifdef ALKY_STORE_MEDIUM_SIZE
    (void)medium; /* the medium's fields are constants: s->medium is never read */
#else
    s->medium = medium;
#endif
    if (ALKY_MEDIUM_ERASE_BYTES(medium)) { /* slot_bytes is read on flash only */
        uint16_t erase = ALKY_MEDIUM_ERASE_BYTES(medium);
        free_bytes = (uint16_t)(free_bytes / 2u);
        s->slot_bytes = (uint16_t)(free_bytes - free_bytes % erase);
    }
    /* The app_* fields are read only while a slot is active. */
    s->active = ALKY_STORE_NONE;
}

uint16_t alky_store_max_image(const alky_store *s) {
    if (!ALKY_MEDIUM_ERASE_BYTES(s->medium)) return (uint16_t)(area_end(s) - area_start());
    return (uint16_t)(s->slot_bytes - ALKY_STORE_RECORD_BYTES);
}

/* Reads slot's record into r; 1 if it is intact and plausible. */
static uint8_t read_record(const alky_store *s, uint8_t slot, uint8_t r[ALKY_STORE_RECORD_BYTES]) {
    uint16_t at = record_at(s, slot), length, offset;
    uint8_t i;
    for (i = 0; i < ALKY_STORE_RECORD_BYTES; i++) r[i] = rom_at(s, (uint16_t)(at + i));
    if (r[REC_MAGIC] != RECORD_MAGIC || alky_crc16(0xFFFFu, r, REC_CHECK) != alky_le16(r + REC_CHECK)) return 0;
    length = alky_le16(r + REC_LENGTH);
    offset = alky_le16(r + REC_OFFSET);
    if (length < MIN_IMAGE || length > alky_store_max_image(s)) return 0;
    /* Flash: right after the record; else inside the area (length fits it:
     * offset - start, wrapping below it, at most end - start - length). */
    if (ALKY_MEDIUM_ERASE_BYTES(s->medium) ? offset != at + ALKY_STORE_RECORD_BYTES
                                           : (uint16_t)(offset - area_start()) > (uint16_t)(area_end(s) - area_start() - length))
        return 0;
    /* The record names its image: its CRC-32 is the trailer there. An older
     * record brought back by a torn commit (its magic rewritten first) over
     * another image of the same length and place is not valid. */
    for (i = 0; i < 4u; i++)
        if (rom_at(s, (uint16_t)(offset + length - ALKY_TRAILER_SIZE + i)) != r[REC_CRC + i]) return 0;
    return 1;
}

alky_rom alky_store_app_image(const alky_store *s) {
    return ALKY_MEDIUM_BASE(s->medium) + s->app_offset;
}

alky_rom alky_store_loaded_image(const alky_store *s) {
    return ALKY_MEDIUM_BASE(s->medium) + s->load_at;
}

/* A zero: an invalidated record's magic, the cleared storage's bytes. */
static const uint8_t zero; /* static storage: 0 */

static uint8_t write_zeros(alky_store *s, uint16_t at, uint16_t length) {
    for (; length; length--, at++)
        if (!ALKY_MEDIUM_WRITE(s->medium)(at, &zero, 1)) return 0;
    return 1;
}

/* Zeroes the storage, then tags it with the installed app's generation: a
 * power cut in between leaves a stale tag, and the next start clears again. */
static uint8_t clear_storage(alky_store *s) {
    const alky_store_medium *m = s->medium;
    uint16_t tag = storage_tag_at(s);
    if (!ALKY_MEDIUM_STORAGE_BYTES(m)) return 1;
    if (!write_zeros(s, (uint16_t)(tag + 1u), ALKY_MEDIUM_STORAGE_BYTES(m))) return 0;
    return ALKY_MEDIUM_WRITE(m)(tag, &s->gen, 1);
}

/* Makes slot the installed app if its record is valid (1), from the record
 * as the medium holds it: after a commit, that also checks the write. */
ALKY_BY_POINTER static uint8_t open_slot(alky_store *s, uint8_t slot) {
    uint8_t r[ALKY_STORE_RECORD_BYTES];
    if (!read_record(s, slot, r)) return 0;
    s->active = slot;
    s->gen = r[REC_GEN];
    s->app_length = alky_le16(r + REC_LENGTH);
    s->app_offset = alky_le16(r + REC_OFFSET);
    s->app_crc = alky_le32(r + REC_CRC);
    return 1;
}

uint8_t alky_store_candidate(alky_store *s, uint8_t i) {
    uint8_t r0[ALKY_STORE_RECORD_BYTES], r1[ALKY_STORE_RECORD_BYTES];
    uint8_t v0 = read_record(s, 0, r0), v1 = read_record(s, 1, r1);
    /* Slot 1 first if only it is valid, or both are and it is newer
     * (generations wrap: the newer one is 1 to 127 ahead). */
    uint8_t second = (uint8_t)(v1 && (!v0 || (uint8_t)(r1[REC_GEN] - r0[REC_GEN] - 1u) < 0x7Fu));
    s->active = ALKY_STORE_NONE;
    s->gen = 0; /* as after alky_store_init when none is accepted: a first load is generation 1 */
    return (uint8_t)(i < v0 + v1 && open_slot(s, (uint8_t)(second ^ i)));
}

void alky_store_select(alky_store *s) {
    if (ALKY_MEDIUM_STORAGE_BYTES(s->medium) && rom_at(s, storage_tag_at(s)) != s->gen) (void)clear_storage(s);
}

uint8_t alky_store_free_slot(const alky_store *s) {
    return (uint8_t)((s->active + 1u) & 1u); /* ALKY_STORE_NONE + 1 is even: slot 0 */
}

/* Where a new image of `length` bytes goes on a rewritable medium: before
 * or after the installed image if it fits there (the installed app stays
 * intact), else at the start of the area, over it (*displaces = 1). */
static uint16_t place(const alky_store *s, uint16_t length, uint8_t *displaces) {
    uint16_t lo = area_start(), hi = area_end(s);
    *displaces = 0;
    if (s->active == ALKY_STORE_NONE) return lo;
    if ((uint16_t)(s->app_offset - lo) >= length) return lo;
    if ((uint16_t)(hi - (s->app_offset + s->app_length)) >= length) return (uint16_t)(hi - length);
    *displaces = 1;
    return lo;
}

uint8_t alky_store_begin(alky_store *s, uint16_t length, uint32_t crc) {
    const alky_store_medium *m = s->medium;
    uint16_t at = record_at(s, alky_store_free_slot(s)), k;
    uint8_t displaces = 0;
    /* Set first (read only while loading): nothing to keep across the writes. */
    s->loading = 0;
    s->load_length = length;
    s->load_received = 0;
    s->load_crc = crc;
    if (length < MIN_IMAGE || length > alky_store_max_image(s)) return ALKY_ERR_TOO_LARGE;
    if (ALKY_MEDIUM_ERASE_BYTES(m)) {
        /* Flash: the record and the image bytes must read 0xFF before they are written. */
        for (k = 0; k < s->slot_bytes; k = (uint16_t)(k + ALKY_MEDIUM_ERASE_BYTES(m)))
            if (!m->erase((uint16_t)(at + k))) return ALKY_ERR_STORE;
        s->load_at = (uint16_t)(at + ALKY_STORE_RECORD_BYTES);
    } else {
        /* EEPROM, file: spoiling the magic invalidates the slot; the image
         * bytes are overwritten as they arrive. */
        s->load_at = place(s, length, &displaces);
        if (!ALKY_MEDIUM_WRITE(m)(at, &zero, 1)) return ALKY_ERR_STORE;
        if (displaces) {
            /* Too big to sit beside the installed app: that app is given up
             * before its bytes are overwritten (docs/link.md §5). */
            if (!ALKY_MEDIUM_WRITE(m)(record_at(s, s->active), &zero, 1)) return ALKY_ERR_STORE;
            s->active = ALKY_STORE_NONE;
        }
    }
    s->loading = 1;
    return 0;
}

uint8_t alky_store_chunk(alky_store *s, uint16_t offset, const uint8_t *bytes, uint16_t length) {
    uint16_t at;
    if (!s->loading) {
        s->load_received = 0;
        return ALKY_ERR_SEQUENCE;
    }
    if (offset != s->load_received) return ALKY_ERR_SEQUENCE;
    if (length > (uint16_t)(s->load_length - s->load_received)) return ALKY_ERR_TOO_LARGE;
    at = (uint16_t)(s->load_at + offset);
    if (length && !ALKY_MEDIUM_WRITE(s->medium)(at, bytes, length)) return ALKY_ERR_STORE;
    s->load_received = (uint16_t)(s->load_received + length);
    return 0;
}

uint8_t alky_store_check(const alky_store *s) {
    uint16_t at = s->load_at;
    if (!s->loading || s->load_received != s->load_length) return ALKY_ERR_SEQUENCE;
    /* Read back from the medium: this also catches a write that did not take. */
    if (alky_crc32_rom(ALKY_MEDIUM_BASE(s->medium) + at, (uint16_t)(s->load_length - ALKY_TRAILER_SIZE)) != s->load_crc) return ALKY_ERR_IMAGE_CRC;
    return 0;
}

uint8_t alky_store_commit(alky_store *s) {
    uint8_t r[ALKY_STORE_RECORD_BYTES];
    uint8_t slot = alky_store_free_slot(s);
    r[REC_MAGIC] = RECORD_MAGIC;
    r[REC_GEN] = (uint8_t)(s->gen + 1u);
    alky_put_le16(r + REC_LENGTH, s->load_length);
    alky_put_le16(r + REC_OFFSET, s->load_at);
    alky_put_le32(r + REC_CRC, s->load_crc);
    alky_put_le16(r + REC_CHECK, alky_crc16(0xFFFFu, r, REC_CHECK));
    s->loading = 0;
    if (!ALKY_MEDIUM_WRITE(s->medium)(record_at(s, slot), r, ALKY_STORE_RECORD_BYTES) || !open_slot(s, slot)) return ALKY_ERR_STORE;
    return clear_storage(s) ? 0 : ALKY_ERR_STORE;
}

void alky_store_abort(alky_store *s) {
    s->loading = 0;
}

void alky_store_storage_read(const alky_store *s, uint16_t addr, uint8_t *dst, uint8_t length) {
    uint16_t at = (uint16_t)(storage_tag_at(s) + 1u + addr);
    uint8_t i;
    for (i = 0; i < length; i++) dst[i] = rom_at(s, (uint16_t)(at + i));
}

void alky_store_storage_write(alky_store *s, uint16_t addr, const uint8_t *src, uint8_t length) {
    (void)ALKY_MEDIUM_WRITE(s->medium)((uint16_t)(storage_tag_at(s) + 1u + addr), src, length);
}
