/* The container (docs/ir.md §6), parsed in place: the image stays where it is
 * (RAM, flash, EEPROM) and is read through ALKY_ROM_U8; the VM keeps only the
 * section offsets. The checks and their order are those of decodeImage in
 * compiler/ir/image.ts, so both report the same rule at the same offset. */
#include "alky_internal.h"

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

static alky_status fail(alky_vm *vm, uint32_t offset, uint8_t rule) {
    vm->rule = rule;
    vm->rule_offset = (uint16_t)offset;
    return ALKY_E_VERIFY;
}

/* IEEE CRC-32 without a table: 1 KB of flash saved for a check run once per load. */
static uint32_t crc32_rom(const alky_vm *vm, uint16_t end) {
    uint32_t c = 0xFFFFFFFFUL;
    uint16_t i;
    uint8_t k;
    for (i = 0; i < end; i++) {
        c ^= alky_rom_u8(vm, i);
        for (k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0xEDB88320UL : c >> 1;
    }
    return ~c;
}

static uint8_t is_name_char(uint8_t c, uint8_t first) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_') return 1;
    return (uint8_t)(!first && c >= '0' && c <= '9');
}

/* readName of decodeImage: `field` is the entry's name field. */
static alky_status check_name(alky_vm *vm, uint16_t field) {
    uint16_t off = alky_rom_u16(vm, field);
    uint16_t names_len = (uint16_t)(vm->image_len - ALKY_TRAILER_SIZE - vm->names);
    uint8_t n, i;
    if (off >= names_len) return fail(vm, field, ALKY_RULE_NAME);
    n = alky_rom_u8(vm, (uint16_t)(vm->names + off));
    if (n == 0 || n > ALKY_MAX_NAME_LENGTH || (uint32_t)off + 1 + n > names_len) return fail(vm, (uint32_t)vm->names + off, ALKY_RULE_NAME);
    for (i = 0; i < n; i++) {
        uint16_t at = (uint16_t)(vm->names + off + 1 + i);
        if (!is_name_char(alky_rom_u8(vm, at), (uint8_t)(i == 0))) return fail(vm, at, ALKY_RULE_NAME);
    }
    return ALKY_OK;
}

/* readTypes of decodeImage: `count` type bytes at types offset `at`. */
static alky_status check_types(alky_vm *vm, uint16_t field, uint16_t at, uint8_t count) {
    uint16_t types_len = (uint16_t)(vm->data - vm->types);
    uint8_t i;
    if ((uint32_t)at + count > types_len) return fail(vm, field, ALKY_RULE_TYPES);
    for (i = 0; i < count; i++) {
        uint16_t p = (uint16_t)(vm->types + at + i);
        if (!alky_type_valid(alky_rom_u8(vm, p))) return fail(vm, p, ALKY_RULE_TYPE);
    }
    return ALKY_OK;
}

static alky_status check_result(alky_vm *vm, uint16_t at) {
    uint8_t t = alky_rom_u8(vm, at);
    if (t == ALKY_TYPE_VOID || alky_type_valid(t)) return ALKY_OK;
    return fail(vm, at, ALKY_RULE_TYPE);
}

static alky_status check_function(alky_vm *vm, uint8_t i, uint16_t *expected_code) {
    uint16_t e = alky_fn_entry(vm, i);
    uint8_t kind = alky_rom_u8(vm, e + ALKY_FE_KIND);
    uint8_t params = alky_rom_u8(vm, e + ALKY_FE_PARAMS);
    uint8_t locals = alky_rom_u8(vm, e + ALKY_FE_LOCALS);
    uint16_t code_start, code_len, types_at, frame, at, buf_at;
    uint16_t code_section = (uint16_t)(vm->names - vm->code);
    uint16_t types_len = (uint16_t)(vm->data - vm->types);
    uint8_t k;
    alky_status s;

    if (kind > ALKY_FN_EVENT) return fail(vm, e, ALKY_RULE_FUNCTION_KIND);
    if (kind != ALKY_FN_EVENT && alky_rom_u8(vm, e + ALKY_FE_EVENT) != 0) return fail(vm, e + ALKY_FE_EVENT, ALKY_RULE_FUNCTION_EVENT);
    if (params > locals) return fail(vm, e + ALKY_FE_PARAMS, ALKY_RULE_FUNCTION_PARAMS);
    if ((s = check_result(vm, e + ALKY_FE_RESULT)) != ALKY_OK) return s;
    if (alky_rom_u8(vm, e + ALKY_FE_RESERVED) != 0) return fail(vm, e + ALKY_FE_RESERVED, ALKY_RULE_RESERVED);
    frame = alky_rom_u16(vm, e + ALKY_FE_FRAME);
    code_start = alky_rom_u16(vm, e + ALKY_FE_CODE);
    code_len = alky_rom_u16(vm, e + ALKY_FE_CODE_LEN);
    types_at = alky_rom_u16(vm, e + ALKY_FE_TYPES);
    if ((s = check_name(vm, e + ALKY_FE_NAME)) != ALKY_OK) return s;
    if (code_start != *expected_code) return fail(vm, e + ALKY_FE_CODE, ALKY_RULE_FUNCTION_CODE);
    if (code_len == 0) return fail(vm, e + ALKY_FE_CODE_LEN, ALKY_RULE_FUNCTION_CODE);
    if ((uint32_t)code_start + code_len > code_section) return fail(vm, e + ALKY_FE_CODE_LEN, ALKY_RULE_FUNCTION_CODE);
    *expected_code = (uint16_t)(code_start + code_len);
    if ((s = check_types(vm, e + ALKY_FE_TYPES, types_at, locals)) != ALKY_OK) return s;
    if (alky_types_bytes(vm, types_at, locals) != frame) return fail(vm, e + ALKY_FE_FRAME, ALKY_RULE_FUNCTION_FRAME);
    /* The last local must start within LGET/LSET's one-byte offset. */
    if (locals > 0 && alky_types_bytes(vm, types_at, (uint8_t)(locals - 1)) > 255) return fail(vm, e + ALKY_FE_LOCALS, ALKY_RULE_FUNCTION_FRAME);
    if (kind != ALKY_FN_PUBLIC) return ALKY_OK;
    buf_at = (uint16_t)(types_at + locals);
    for (k = 0; k < params; k++) {
        uint16_t address;
        uint8_t capacity;
        if (alky_rom_u8(vm, (uint16_t)(vm->types + types_at + k)) >> 4 != ALKY_VALUE_STRING) continue;
        if ((uint32_t)buf_at + 3 > types_len) return fail(vm, e + ALKY_FE_TYPES, ALKY_RULE_STRING_BUFFER);
        at = (uint16_t)(vm->types + buf_at);
        address = alky_rom_u16(vm, at);
        capacity = alky_rom_u8(vm, (uint16_t)(at + 2));
        if (capacity == 0 || (uint32_t)address + capacity > vm->mem_size) return fail(vm, at, ALKY_RULE_STRING_BUFFER);
        buf_at = (uint16_t)(buf_at + 3);
    }
    return ALKY_OK;
}

static alky_status check_import(alky_vm *vm, uint8_t i) {
    uint16_t e = alky_import_entry(vm, i);
    uint8_t kind = alky_rom_u8(vm, e + ALKY_IE_KIND);
    alky_status s;
    if (kind > ALKY_IMPORT_NODECALL) return fail(vm, e, ALKY_RULE_IMPORT_KIND);
    if (kind == ALKY_IMPORT_NODECALL && alky_rom_u8(vm, e + ALKY_IE_ID) != 0) return fail(vm, e + ALKY_IE_ID, ALKY_RULE_IMPORT_ID);
    if ((s = check_result(vm, e + ALKY_IE_RESULT)) != ALKY_OK) return s;
    if ((s = check_types(vm, e + ALKY_IE_TYPES, alky_rom_u16(vm, e + ALKY_IE_TYPES), alky_rom_u8(vm, e + ALKY_IE_PARAMS))) != ALKY_OK) return s;
    return check_name(vm, e + ALKY_IE_NAME);
}

alky_status alky_image_parse(alky_vm *vm, alky_rom rom, uint32_t length) {
    uint32_t types, data, code, names, trailer, stored;
    uint16_t expected_code = 0, data_len, code_len;
    uint8_t i;
    alky_status s;

    vm->loaded = 0;
    if (length > 0xFFFFUL) return ALKY_E_TOO_LARGE;
    vm->rom = rom;
    vm->image_len = (uint16_t)length;
    if (length < ALKY_HEADER_SIZE + ALKY_TRAILER_SIZE) return fail(vm, 0, ALKY_RULE_HEADER);
    if (alky_rom_u8(vm, 0) != ALKY_MAGIC_0) return fail(vm, 0, ALKY_RULE_MAGIC);
    if (alky_rom_u8(vm, 1) != ALKY_MAGIC_1) return fail(vm, 1, ALKY_RULE_MAGIC);
    if (alky_rom_u8(vm, 2) != ALKY_MAGIC_2) return fail(vm, 2, ALKY_RULE_MAGIC);
    if (alky_rom_u8(vm, 3) != ALKY_MAGIC_3) return fail(vm, 3, ALKY_RULE_MAGIC);
    if (alky_rom_u8(vm, 4) != ALKY_IMAGE_VERSION) return fail(vm, 4, ALKY_RULE_VERSION);
    vm->features = alky_rom_u8(vm, 5);
    if (vm->features & ~ALKY_FEATURE_MASK) return fail(vm, 5, ALKY_RULE_FEATURES);
    vm->profile_id = alky_rom_u16(vm, 6);
    vm->mem_size = alky_rom_u16(vm, 8);
    vm->storage_size = alky_rom_u16(vm, 10);
    vm->fn_count = alky_rom_u8(vm, 12);
    vm->import_count = alky_rom_u8(vm, 13);
    data_len = alky_rom_u16(vm, 16);
    code_len = alky_rom_u16(vm, 18);
    if (alky_rom_u16(vm, 22) != 0) return fail(vm, 22, ALKY_RULE_RESERVED);
    vm->fn_table = ALKY_HEADER_SIZE;
    vm->import_table = (uint16_t)(ALKY_HEADER_SIZE + (uint16_t)vm->fn_count * ALKY_FUNCTION_ENTRY_SIZE);
    types = (uint32_t)vm->import_table + (uint32_t)vm->import_count * ALKY_IMPORT_ENTRY_SIZE;
    data = types + alky_rom_u16(vm, 14);
    code = data + data_len;
    names = code + code_len;
    trailer = names + alky_rom_u16(vm, 20);
    if (trailer + ALKY_TRAILER_SIZE != length) return fail(vm, 12, ALKY_RULE_SIZE);
    stored = (uint32_t)alky_rom_u16(vm, (uint16_t)trailer) | ((uint32_t)alky_rom_u16(vm, (uint16_t)(trailer + 2)) << 16);
    if (stored != crc32_rom(vm, (uint16_t)trailer)) return fail(vm, trailer, ALKY_RULE_CRC);
    if (data_len > vm->mem_size) return fail(vm, 16, ALKY_RULE_DATA);
    vm->types = (uint16_t)types;
    vm->data = (uint16_t)data;
    vm->data_len = data_len;
    vm->code = (uint16_t)code;
    vm->names = (uint16_t)names;
    for (i = 0; i < vm->fn_count; i++)
        if ((s = check_function(vm, i, &expected_code)) != ALKY_OK) return s;
    if (expected_code != code_len) return fail(vm, 18, ALKY_RULE_CODE);
    for (i = 0; i < vm->import_count; i++)
        if ((s = check_import(vm, i)) != ALKY_OK) return s;
    return ALKY_OK;
}

/* ---- Reading the loaded image. ---- */

uint8_t alky_function_kind(const alky_vm *vm, uint8_t fn) {
    return alky_rom_u8(vm, alky_fn_entry(vm, fn) + ALKY_FE_KIND);
}

uint8_t alky_function_param_count(const alky_vm *vm, uint8_t fn) {
    return alky_rom_u8(vm, alky_fn_entry(vm, fn) + ALKY_FE_PARAMS);
}

uint8_t alky_function_param_type(const alky_vm *vm, uint8_t fn, uint8_t param) {
    return alky_rom_u8(vm, (uint16_t)(vm->types + alky_rom_u16(vm, alky_fn_entry(vm, fn) + ALKY_FE_TYPES) + param));
}

uint8_t alky_function_result_type(const alky_vm *vm, uint8_t fn) {
    return alky_rom_u8(vm, alky_fn_entry(vm, fn) + ALKY_FE_RESULT);
}

uint8_t alky_import_kind(const alky_vm *vm, uint8_t imp) {
    return alky_rom_u8(vm, alky_import_entry(vm, imp) + ALKY_IE_KIND);
}

uint8_t alky_import_id(const alky_vm *vm, uint8_t imp) {
    return alky_rom_u8(vm, alky_import_entry(vm, imp) + ALKY_IE_ID);
}

uint8_t alky_import_param_count(const alky_vm *vm, uint8_t imp) {
    return alky_rom_u8(vm, alky_import_entry(vm, imp) + ALKY_IE_PARAMS);
}

uint8_t alky_import_param_type(const alky_vm *vm, uint8_t imp, uint8_t param) {
    return alky_rom_u8(vm, (uint16_t)(vm->types + alky_rom_u16(vm, alky_import_entry(vm, imp) + ALKY_IE_TYPES) + param));
}

uint8_t alky_import_result_type(const alky_vm *vm, uint8_t imp) {
    return alky_rom_u8(vm, alky_import_entry(vm, imp) + ALKY_IE_RESULT);
}

uint8_t alky_import_flags(const alky_vm *vm, uint8_t imp) {
    uint16_t profile, sc;
    if (alky_import_kind(vm, imp) != ALKY_IMPORT_SYSCALL) return 0;
    profile = alky_profile_find(vm->profile_id);
    if (profile == 0xFFFF) return 0;
    sc = alky_profile_syscall(profile, alky_import_id(vm, imp));
    return sc == 0xFFFF ? 0 : alky_profile_byte((uint16_t)(sc + 3));
}
