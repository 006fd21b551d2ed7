/* The container (docs/ir.md §6), parsed in place: the image stays where it is
 * (RAM, flash, EEPROM) and is read through ALKY_ROM_U8; the VM keeps only the
 * section offsets. With the verifier, the function and import tables are
 * checked here too, in one walk: each entry's structural rules, its types'
 * features and its entry or profile rules before the next entry. The checks
 * and their order are those of decodeImage in compiler/ir/image.ts with the
 * verifier's TableRules (compiler/ir/verify.ts), so both report the same rule
 * at the same offset. */
#include "alky_internal.h"

uint8_t alky_rom_u8(const alky_vm *vm, uint16_t off) {
    return (uint8_t)ALKY_ROM_U8(vm->rom, off);
}

uint16_t alky_rom_u16(const alky_vm *vm, uint16_t off) {
    return (uint16_t)(alky_rom_u8(vm, off) | ((uint16_t)alky_rom_u8(vm, (uint16_t)(off + 1)) << 8));
}

/* Copies n image bytes at off to RAM. */
static void rom_read(const alky_vm *vm, uint16_t off, uint8_t *dst, uint8_t n) {
    uint8_t i;
    for (i = 0; i < n; i++) dst[i] = alky_rom_u8(vm, (uint16_t)(off + i));
}

static uint16_t le16(const uint8_t *p) {
    return (uint16_t)(p[0] | ((uint16_t)p[1] << 8));
}

/* On a little-endian target whose C layout of alky_fn_info / alky_import_info
 * is the entry's byte layout (no padding: every uint16_t field is at an even
 * offset), an entry is read straight into the struct; elsewhere it is
 * unpacked field by field. The typedefs fail to compile if the layout differs. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ALKY_DIRECT_ENTRIES 1
typedef char alky_fn_layout_[(sizeof(alky_fn_info) == ALKY_FUNCTION_ENTRY_SIZE && offsetof(alky_fn_info, frame) == ALKY_FE_FRAME &&
                              offsetof(alky_fn_info, name) == ALKY_FE_NAME) ? 1 : -1];
typedef char alky_import_layout_[(sizeof(alky_import_info) == ALKY_IMPORT_ENTRY_SIZE && offsetof(alky_import_info, types) == ALKY_IE_TYPES &&
                                  offsetof(alky_import_info, name) == ALKY_IE_NAME) ? 1 : -1];
#else
#define ALKY_DIRECT_ENTRIES 0
#endif

uint16_t alky_read_fn(const alky_vm *vm, uint8_t fn, alky_fn_info *f) {
    uint16_t e = alky_fn_entry(vm, fn);
#if ALKY_DIRECT_ENTRIES
    rom_read(vm, e, (uint8_t *)f, ALKY_FUNCTION_ENTRY_SIZE);
#else
    uint8_t b[ALKY_FUNCTION_ENTRY_SIZE];
    rom_read(vm, e, b, sizeof b);
    f->kind = b[ALKY_FE_KIND];
    f->event = b[ALKY_FE_EVENT];
    f->params = b[ALKY_FE_PARAMS];
    f->locals = b[ALKY_FE_LOCALS];
    f->result = b[ALKY_FE_RESULT];
    f->reserved = b[ALKY_FE_RESERVED];
    f->frame = le16(b + ALKY_FE_FRAME);
    f->max_stack = le16(b + ALKY_FE_MAX_STACK);
    f->code = le16(b + ALKY_FE_CODE);
    f->code_len = le16(b + ALKY_FE_CODE_LEN);
    f->types = le16(b + ALKY_FE_TYPES);
    f->name = le16(b + ALKY_FE_NAME);
#endif
    return e;
}

ALKY_NOINLINE uint16_t alky_read_import(const alky_vm *vm, uint8_t imp, alky_import_info *f) {
    uint16_t e = alky_import_entry(vm, imp);
#if ALKY_DIRECT_ENTRIES
    rom_read(vm, e, (uint8_t *)f, ALKY_IMPORT_ENTRY_SIZE);
#else
    uint8_t b[ALKY_IMPORT_ENTRY_SIZE];
    rom_read(vm, e, b, sizeof b);
    f->kind = b[ALKY_IE_KIND];
    f->id = b[ALKY_IE_ID];
    f->params = b[ALKY_IE_PARAMS];
    f->result = b[ALKY_IE_RESULT];
    f->types = le16(b + ALKY_IE_TYPES);
    f->name = le16(b + ALKY_IE_NAME);
#endif
    return e;
}

#if ALKY_WITH_VERIFY || ALKY_USE_COMPUTED_GOTO
/* Opcode kinds: 256 bytes of flash, kind + 1 (0 = not an opcode), bit 7 =
 * terminal. The verifier's and the interpreter's dispatch. */
#define OPINFO_(name, byte, kind, imm, terminal) [byte] = (uint8_t)((kind) + 1 + ((terminal) << 7)),
static const uint8_t ALKY_PROGMEM op_info[256] = {ALKY_OPCODE_LIST(OPINFO_)};
#undef OPINFO_

uint8_t alky_op_info(uint8_t op) {
    return ALKY_PROGMEM_U8(&op_info[op]);
}
#endif

static const uint8_t ALKY_PROGMEM width_bytes[ALKY_WIDTH_CODES] = ALKY_WIDTH_BYTES_LIST;

uint8_t alky_width_bytes(uint8_t width_code) {
    return ALKY_PROGMEM_U8(&width_bytes[width_code]);
}

uint8_t alky_type_bytes(uint8_t type) {
    return type == ALKY_TYPE_VOID ? 0 : alky_width_bytes((uint8_t)(type & 0x0F));
}

uint16_t alky_types_bytes(const alky_vm *vm, uint16_t at, uint8_t count) {
    uint16_t total = 0;
    uint8_t i;
    for (i = 0; i < count; i++) total = (uint16_t)(total + alky_type_bytes(alky_rom_u8(vm, (uint16_t)(vm->types + at + i))));
    return total;
}

uint8_t alky_type_valid(uint8_t type) {
    uint8_t kind = (uint8_t)(type >> 4), width = (uint8_t)(type & 0x0F);
    if (kind > ALKY_VALUE_STRING || width >= ALKY_WIDTH_CODES) return 0;
    if ((kind == ALKY_VALUE_BOOL || kind == ALKY_VALUE_CHAR) && width != ALKY_BOOL_WIDTH) return 0;
    if (kind == ALKY_VALUE_STRING && width != ALKY_ADDRESS_WIDTH) return 0;
    return 1;
}

alky_status alky_fail(alky_vm *vm, uint16_t offset, uint8_t rule) {
    vm->rule = rule;
    vm->rule_offset = offset;
    return ALKY_E_VERIFY;
}
#define fail alky_fail

#define ALKY_CRC32_RESIDUE 0x2144DF1CUL

/* IEEE CRC-32 without a table: 1 KB of flash saved for a check run once per
 * load (the image's trailer here, the app store's read-back in store.c). */
uint32_t alky_crc32_rom(alky_rom base, uint16_t length) {
    uint32_t c = 0xFFFFFFFFUL;
    uint16_t i;
    uint8_t k;
    for (i = 0; i < length; i++) {
        c ^= (uint8_t)ALKY_ROM_U8(base, i);
        for (k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0xEDB88320UL : c >> 1;
    }
    return ~c;
}

#if ALKY_WITH_VERIFY
#define NO_OFFSET 0xFFFF

#if ALKY_W64 != 3 || ALKY_W256 != 4 || ALKY_FEATURE_WIDTH64 != 1 || ALKY_FEATURE_WIDTH256 != 2
#error "alky_width_feature assumes w64 = 3 -> feature 1, w256 = 4 -> feature 2"
#endif
uint8_t alky_width_feature(uint8_t w) {
    return (uint8_t)(w > ALKY_W32 ? w - 2 : 0);
}

static uint8_t is_name_char(uint8_t c, uint8_t first) {
    if ((uint8_t)((c | 0x20) - 'a') < 26 || c == '_') return 1;
    return (uint8_t)(!first && (uint8_t)(c - '0') < 10);
}

/* readName: `field` is the entry's name field. */
static ALKY_NOINLINE alky_status check_name(alky_vm *vm, uint16_t field) {
    uint16_t off = alky_rom_u16(vm, field), at;
    uint16_t names_len = (uint16_t)(vm->image_len - ALKY_TRAILER_SIZE - vm->names);
    uint8_t n, i;
    if (off >= names_len) return fail(vm, field, ALKY_RULE_NAME);
    at = (uint16_t)(vm->names + off);
    n = alky_rom_u8(vm, at);
    /* off + 1 + n > names_len, in 16 bits: off < names_len here */
    if (n == 0 || n > ALKY_MAX_NAME_LENGTH || n > (uint16_t)(names_len - off - 1)) return fail(vm, at, ALKY_RULE_NAME);
    for (i = 0; i < n; i++) {
        at++;
        if (!is_name_char(alky_rom_u8(vm, at), (uint8_t)(i == 0))) return fail(vm, at, ALKY_RULE_NAME);
    }
    return ALKY_OK;
}

/* The type byte at image offset `at` (void allowed where `result`): a value
 * type, and one whose width's feature the header declares. */
static ALKY_NOINLINE alky_status check_type(alky_vm *vm, uint16_t at, uint8_t result, uint8_t *used) {
    uint8_t t = alky_rom_u8(vm, at), f;
    if (result && t == ALKY_TYPE_VOID) return ALKY_OK;
    if (!alky_type_valid(t)) return fail(vm, at, ALKY_RULE_TYPE);
    f = alky_width_feature((uint8_t)(t & 0x0F));
    if (f & ~vm->features) return fail(vm, at, ALKY_RULE_FEATURE);
    *used |= f;
    return ALKY_OK;
}

/* Whether the names at two names-section offsets are equal (length byte first). */
static uint8_t same_name(const alky_vm *vm, uint16_t a, uint16_t b) {
    uint8_t n = alky_rom_u8(vm, (uint16_t)(vm->names + a)), i;
    for (i = 0; i <= n; i++)
        if (alky_rom_u8(vm, (uint16_t)(vm->names + a + i)) != alky_rom_u8(vm, (uint16_t)(vm->names + b + i))) return 0;
    return 1;
}

/* How many of the n image bytes at `rom` equal the profile blob bytes at `blob`
 * before the first difference (n if all do). */
static ALKY_NOINLINE uint8_t blob_match(const alky_vm *vm, uint16_t rom, uint16_t blob, uint8_t n) {
    uint8_t i;
    for (i = 0; i < n; i++)
        if (alky_rom_u8(vm, (uint16_t)(rom + i)) != alky_profile_byte((uint16_t)(blob + i))) break;
    return i;
}

/* Entry i of the function table (imp 0) or the import table (imp 1): its
 * structural rules, its types' features, then the entry rules of a function
 * and the profile rules of an event handler or a syscall import (`profile`:
 * blob offset, or NO_OFFSET for no profile checks). One walk for both tables:
 * the fields they share are checked by the same code. */
/* Rules check_entry computes from one another. */
typedef char alky_entry_rules_[(ALKY_RULE_FUNCTION_EVENT == ALKY_RULE_FUNCTION_KIND + 1 && ALKY_RULE_IMPORT_ID == ALKY_RULE_IMPORT_KIND + 1 &&
                                ALKY_RULE_PROFILE == ALKY_RULE_ENTRY + 1) ? 1 : -1];

/* A check of field `field` of the entry failed: check_entry keeps the
 * entry's offset in vm->rule_offset while it checks it (the field means
 * something only after ALKY_E_VERIFY). */
static ALKY_NOINLINE alky_status fail_field(alky_vm *vm, uint8_t field, uint8_t rule) {
    return fail(vm, (uint16_t)(vm->rule_offset + field), rule);
}

static ALKY_NOINLINE alky_status check_entry(alky_vm *vm, uint8_t imp, uint8_t i, uint16_t *code, uint16_t profile, uint8_t *used) {
    alky_fn_info f, o;
    alky_import_info *g = (alky_import_info *)(void *)&f;
    uint16_t e, at, buf_at, types_at, types, sig;
    uint8_t k, kind, count, result_field = (uint8_t)(ALKY_FE_RESULT - imp), types_field = imp ? ALKY_IE_TYPES : ALKY_FE_TYPES;
    uint8_t sig_kind = imp ? ALKY_IMPORT_SYSCALL : ALKY_FN_EVENT, rule = (uint8_t)(ALKY_RULE_ENTRY + imp); /* ALKY_RULE_PROFILE for imports */
    alky_status s;

    e = imp ? alky_read_import(vm, i, g) : alky_read_fn(vm, i, &f);
    vm->rule_offset = e; /* for fail_field */
    kind = f.kind;
    count = imp ? g->params : f.locals;
    types = imp ? g->types : f.types;
    k = imp ? ALKY_RULE_IMPORT_KIND : ALKY_RULE_FUNCTION_KIND; /* the id's rule follows the kind's */
    if (kind > ALKY_FN_EVENT - imp) return fail_field(vm, 0, k);
    if (kind != sig_kind && f.event != 0) return fail_field(vm, 1, (uint8_t)(k + 1));
    if (f.params > count) return fail_field(vm, ALKY_FE_PARAMS, ALKY_RULE_FUNCTION_PARAMS);
    if ((s = check_type(vm, e + result_field, 1, used)) != ALKY_OK) return s;
    if (!imp && f.reserved != 0) return fail_field(vm, ALKY_FE_RESERVED, ALKY_RULE_RESERVED);
    if ((s = check_name(vm, e + types_field + 2)) != ALKY_OK) return s;
    if (!imp) {
        /* code[0]: where this function's code must start, code[1]: the code section's bytes after it */
        if (f.code != code[0]) return fail_field(vm, ALKY_FE_CODE, ALKY_RULE_FUNCTION_CODE);
        if (f.code_len == 0 || f.code_len > code[1]) return fail_field(vm, ALKY_FE_CODE_LEN, ALKY_RULE_FUNCTION_CODE);
        code[0] = (uint16_t)(code[0] + f.code_len);
        code[1] = (uint16_t)(code[1] - f.code_len);
    }
    /* readTypes: the list inside the types section, then each type */
    at = (uint16_t)(vm->data - vm->types);
    if (types > at || count > (uint16_t)(at - types)) return fail_field(vm, types_field, ALKY_RULE_TYPES);
    types_at = (uint16_t)(vm->types + types);
    for (k = 0; k < count; k++)
        if ((s = check_type(vm, (uint16_t)(types_at + k), 0, used)) != ALKY_OK) return s;
    if (!imp) {
        if (alky_types_bytes(vm, f.types, f.locals) != f.frame) return fail_field(vm, ALKY_FE_FRAME, ALKY_RULE_FUNCTION_FRAME);
        /* The last local must start within LGET/LSET's one-byte offset. */
        if (f.locals > 0 && alky_types_bytes(vm, f.types, (uint8_t)(f.locals - 1)) > 255) return fail_field(vm, ALKY_FE_LOCALS, ALKY_RULE_FUNCTION_FRAME);
        /* A helper has no entry rules. The parameters: an event handler takes
         * no string, a public function has a buffer record for each. */
        if (kind == ALKY_FN_HELPER) return ALKY_OK;
        buf_at = (uint16_t)(f.types + f.locals);
        for (k = 0; k < f.params; k++) {
            uint16_t address;
            uint8_t capacity;
            if (alky_rom_u8(vm, (uint16_t)(types_at + k)) >> 4 != ALKY_VALUE_STRING) continue;
            if (kind == ALKY_FN_EVENT) return fail(vm, (uint16_t)(types_at + k), ALKY_RULE_ENTRY);
            /* buf_at <= the types length: the local types and each buffer so far fit */
            if ((uint16_t)(vm->data - vm->types - buf_at) < 3) return fail_field(vm, ALKY_FE_TYPES, ALKY_RULE_STRING_BUFFER);
            at = (uint16_t)(vm->types + buf_at);
            address = alky_rom_u16(vm, at);
            capacity = alky_rom_u8(vm, (uint16_t)(at + 2));
            if (capacity == 0 || address > vm->mem_size || capacity > (uint16_t)(vm->mem_size - address)) return fail(vm, at, ALKY_RULE_STRING_BUFFER);
            buf_at = (uint16_t)(buf_at + 3);
        }
        /* A public function returns no string, an event handler nothing. */
        if (kind == ALKY_FN_PUBLIC ? (f.result >> 4) == ALKY_VALUE_STRING : f.result != ALKY_TYPE_VOID) return fail_field(vm, ALKY_FE_RESULT, ALKY_RULE_ENTRY);
        for (k = 0; k < i; k++) {
            alky_read_fn(vm, k, &o);
            if (o.kind != ALKY_FN_HELPER && same_name(vm, o.name, f.name)) return fail_field(vm, ALKY_FE_NAME, ALKY_RULE_ENTRY);
            if (kind == ALKY_FN_EVENT && o.kind == ALKY_FN_EVENT && o.event == f.event) return fail_field(vm, ALKY_FE_EVENT, ALKY_RULE_ENTRY);
        }
    } else if (kind == ALKY_IMPORT_NODECALL) {
        if (!(vm->features & ALKY_FEATURE_NODECALLS)) return fail_field(vm, 0, ALKY_RULE_FEATURE);
        *used |= ALKY_FEATURE_NODECALLS;
    }
    if (kind != sig_kind || profile == NO_OFFSET) return ALKY_OK;
    /* The profile's event or syscall of that id: its parameters, then a syscall's result and name. */
    sig = alky_profile_item(profile, imp, f.event);
    if (sig == NO_OFFSET) return fail_field(vm, 1, rule);
    if (alky_profile_byte((uint16_t)(sig + 1)) != f.params) return fail_field(vm, ALKY_FE_PARAMS, rule);
    sig = (uint16_t)(sig + 2);
    k = blob_match(vm, types_at, sig, f.params);
    if (k < f.params) return fail(vm, (uint16_t)(types_at + k), rule);
    if (!imp) return ALKY_OK;
    sig = (uint16_t)(sig + f.params);
    if (alky_profile_byte(sig) != g->result) return fail_field(vm, ALKY_IE_RESULT, ALKY_RULE_PROFILE);
    /* The length bytes, then the characters (n < 255: profile names are short). */
    sig = (uint16_t)(sig + 2);
    k = alky_profile_byte(sig);
    if (blob_match(vm, (uint16_t)(vm->names + g->name), sig, (uint8_t)(k + 1)) <= k) return fail_field(vm, ALKY_IE_NAME, ALKY_RULE_PROFILE);
    return ALKY_OK;
}

alky_status alky_check_tables(alky_vm *vm, uint16_t profile, uint8_t *used) {
    uint16_t code[2];
    uint8_t imp, i;
    alky_status s;
    code[0] = 0;
    code[1] = (uint16_t)(vm->names - vm->code);
    /* the functions, then (imp 1) the imports */
    for (imp = 0; imp < 2; imp++) {
        for (i = 0; i < (imp ? vm->import_count : vm->fn_count); i++)
            if ((s = check_entry(vm, imp, i, code, profile, used)) != ALKY_OK) return s;
        if (code[1] != 0) return fail(vm, 18, ALKY_RULE_CODE);
    }
    return ALKY_OK;
}

#endif /* ALKY_WITH_VERIFY */

/* The magic, then the version. */
static const uint8_t ALKY_PROGMEM magic[5] = {ALKY_MAGIC_0, ALKY_MAGIC_1, ALKY_MAGIC_2, ALKY_MAGIC_3, ALKY_IMAGE_VERSION};

/* Where the section offsets go, in the image's order. */
static const uint8_t ALKY_PROGMEM section_fields[6] = {offsetof(alky_vm, fn_table), offsetof(alky_vm, import_table), offsetof(alky_vm, types),
                                                       offsetof(alky_vm, data),     offsetof(alky_vm, code),         offsetof(alky_vm, names)};

alky_status alky_image_parse(alky_vm *vm, alky_rom rom, uint32_t length) {
    uint8_t h[ALKY_HEADER_SIZE]; /* the header, read once */
    uint32_t at;
    uint16_t size;
    uint8_t i;

    vm->loaded = 0;
    if (length > 0xFFFFUL) return ALKY_E_TOO_LARGE;
    vm->rom = rom;
    vm->image_len = (uint16_t)length;
    if (length < ALKY_HEADER_SIZE + ALKY_TRAILER_SIZE) return fail(vm, 0, ALKY_RULE_HEADER);
    rom_read(vm, 0, h, ALKY_HEADER_SIZE);
    for (i = 0; i < 5; i++)
        if (h[i] != ALKY_PROGMEM_U8(&magic[i])) return fail(vm, i, i < 4 ? ALKY_RULE_MAGIC : ALKY_RULE_VERSION);
    if (h[5] & ~ALKY_FEATURE_MASK) return fail(vm, 5, ALKY_RULE_FEATURES);
    if (le16(h + 22) != 0) return fail(vm, 22, ALKY_RULE_RESERVED);
    vm->features = h[5];
    vm->profile_id = le16(h + 6);
    vm->mem_size = le16(h + 8);
    vm->storage_size = le16(h + 10);
    vm->fn_count = h[12];
    vm->import_count = h[13];
    vm->data_len = le16(h + 16);
    /* Section offsets, each the previous one plus its size: the two tables',
     * then the lengths at header offsets 14..20. At most 24 + 255 * 26 +
     * 4 * 65535, so a 32-bit sum until the size check. */
    size = (uint16_t)((uint16_t)h[12] * ALKY_FUNCTION_ENTRY_SIZE);
    h[10] = (uint8_t)size;
    h[11] = (uint8_t)(size >> 8);
    size = (uint16_t)((uint16_t)h[13] * ALKY_IMPORT_ENTRY_SIZE);
    h[12] = (uint8_t)size;
    h[13] = (uint8_t)(size >> 8);
    at = ALKY_HEADER_SIZE;
    for (i = 0; i < 6; i++) {
        *(uint16_t *)(void *)((uint8_t *)vm + ALKY_PROGMEM_U8(&section_fields[i])) = (uint16_t)at;
        at += le16(h + 10 + 2 * i);
    }
    if (at + ALKY_TRAILER_SIZE != length) return fail(vm, 12, ALKY_RULE_SIZE);
    /* The CRC-32 of the image with its little-endian CRC-32 trailer is this
     * constant exactly when the trailer is the CRC-32 of what precedes it
     * (the last four bytes map one to one onto the result). */
    if (alky_crc32_rom(vm->rom, (uint16_t)length) != ALKY_CRC32_RESIDUE) return fail(vm, (uint16_t)at, ALKY_RULE_CRC);
    if (le16(h + 16) > le16(h + 8)) return fail(vm, 16, ALKY_RULE_DATA);
    return ALKY_OK;
}

/* ---- Reading the loaded image. ---- */

/* A byte of function `fn`'s entry, of import `imp`'s entry, and a type byte
 * of an entry's type list: the accessors below are one call each. */
static ALKY_NOINLINE uint8_t fn_byte(const alky_vm *vm, uint8_t fn, uint8_t field) {
    return alky_rom_u8(vm, (uint16_t)(alky_fn_entry(vm, fn) + field));
}

static uint8_t import_byte(const alky_vm *vm, uint8_t imp, uint8_t field) {
    return alky_rom_u8(vm, (uint16_t)(alky_import_entry(vm, imp) + field));
}

static ALKY_NOINLINE uint8_t listed_type(const alky_vm *vm, uint16_t types_field, uint8_t i) {
    return alky_rom_u8(vm, (uint16_t)(vm->types + alky_rom_u16(vm, types_field) + i));
}

uint8_t alky_event_handler(const alky_vm *vm, uint8_t event) {
    uint8_t i;
    for (i = 0; i < vm->fn_count; i++)
        if (fn_byte(vm, i, ALKY_FE_KIND) == ALKY_FN_EVENT && fn_byte(vm, i, ALKY_FE_EVENT) == event) return i;
    return 0xFF;
}

uint8_t alky_function_kind(const alky_vm *vm, uint8_t fn) {
    return fn_byte(vm, fn, ALKY_FE_KIND);
}

uint8_t alky_function_param_count(const alky_vm *vm, uint8_t fn) {
    return fn_byte(vm, fn, ALKY_FE_PARAMS);
}

uint8_t alky_function_param_type(const alky_vm *vm, uint8_t fn, uint8_t param) {
    return listed_type(vm, (uint16_t)(alky_fn_entry(vm, fn) + ALKY_FE_TYPES), param);
}

uint8_t alky_function_result_type(const alky_vm *vm, uint8_t fn) {
    return fn_byte(vm, fn, ALKY_FE_RESULT);
}

uint8_t alky_import_kind(const alky_vm *vm, uint8_t imp) {
    return import_byte(vm, imp, ALKY_IE_KIND);
}

uint8_t alky_import_id(const alky_vm *vm, uint8_t imp) {
    return import_byte(vm, imp, ALKY_IE_ID);
}

uint8_t alky_import_param_count(const alky_vm *vm, uint8_t imp) {
    return import_byte(vm, imp, ALKY_IE_PARAMS);
}

uint8_t alky_import_param_type(const alky_vm *vm, uint8_t imp, uint8_t param) {
    return listed_type(vm, (uint16_t)(alky_import_entry(vm, imp) + ALKY_IE_TYPES), param);
}

uint8_t alky_import_result_type(const alky_vm *vm, uint8_t imp) {
    return import_byte(vm, imp, ALKY_IE_RESULT);
}

uint8_t alky_import_flags(const alky_vm *vm, uint8_t imp) {
    uint16_t profile, sc;
    if (alky_import_kind(vm, imp) != ALKY_IMPORT_SYSCALL) return 0;
    profile = alky_profile_find(vm->profile_id);
    if (profile == 0xFFFF) return 0;
    sc = alky_profile_item(profile, 1, alky_import_id(vm, imp));
    /* the flags follow the parameter types and the result */
    return sc == 0xFFFF ? 0 : alky_profile_byte((uint16_t)(sc + 3 + alky_profile_byte((uint16_t)(sc + 1))));
}
