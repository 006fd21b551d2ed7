/* Declarations shared by the VM's own files; not part of the public API. */
#ifndef ALKY_INTERNAL_H
#define ALKY_INTERNAL_H

#include "alky.h"
#include "generated/alky_opcodes.h"
#include "generated/alky_profiles.h"

/* ---- Image bytes: every read goes through ALKY_ROM_U8. ----
 * The interpreter's instruction fetch uses the macro directly (speed); every
 * other read goes through these two functions (size: one call site each). */
#define alky_rom_fetch(vm, off) ((uint8_t)ALKY_ROM_U8((vm)->rom, (off)))
uint8_t alky_rom_u8(const alky_vm *vm, uint16_t off);
uint16_t alky_rom_u16(const alky_vm *vm, uint16_t off);

/* Field offsets of a function table entry (docs/ir.md §6). */
#define ALKY_FE_KIND 0
#define ALKY_FE_EVENT 1
#define ALKY_FE_PARAMS 2
#define ALKY_FE_LOCALS 3
#define ALKY_FE_RESULT 4
#define ALKY_FE_RESERVED 5
#define ALKY_FE_FRAME 6
#define ALKY_FE_MAX_STACK 8
#define ALKY_FE_CODE 10
#define ALKY_FE_CODE_LEN 12
#define ALKY_FE_TYPES 14
#define ALKY_FE_NAME 16
/* Field offsets of an import table entry. */
#define ALKY_IE_KIND 0
#define ALKY_IE_ID 1
#define ALKY_IE_PARAMS 2
#define ALKY_IE_RESULT 3
#define ALKY_IE_TYPES 4
#define ALKY_IE_NAME 6

/* Bytes of the frame header each active frame takes besides its locals and
 * operand stack: caller pc u16, caller sp u16, caller base u16, caller
 * function u8, caller mode u8. */
#define ALKY_FRAME_HEADER 8

/* A function table entry, decoded (docs/ir.md §6). */
typedef struct alky_fn_info {
    uint8_t kind, event, params, locals, result, reserved;
    uint16_t frame, max_stack, code, code_len, types, name;
} alky_fn_info;

/* An import table entry, decoded. */
typedef struct alky_import_info {
    uint8_t kind, id, params, result;
    uint16_t types, name;
} alky_import_info;

/* Reads function `fn`'s entry; returns its image offset. */
uint16_t alky_read_fn(const alky_vm *vm, uint8_t fn, alky_fn_info *f);
/* Reads import `imp`'s entry; returns its image offset. */
uint16_t alky_read_import(const alky_vm *vm, uint8_t imp, alky_import_info *f);

static inline uint16_t alky_fn_entry(const alky_vm *vm, uint8_t fn) {
    return (uint16_t)(vm->fn_table + (uint16_t)fn * ALKY_FUNCTION_ENTRY_SIZE);
}

static inline uint16_t alky_import_entry(const alky_vm *vm, uint8_t imp) {
    return (uint16_t)(vm->import_table + (uint16_t)imp * ALKY_IMPORT_ENTRY_SIZE);
}

/* An opcode's kind + 1 (0: not an opcode), bit 7 set for a terminal one. */
uint8_t alky_op_info(uint8_t op);

/* Bytes of each width code: 1, 2, 4, 8, 32. */
uint8_t alky_width_bytes(uint8_t width_code);

/* Bytes taken by `count` values whose type bytes start at types offset `at`. */
uint16_t alky_types_bytes(const alky_vm *vm, uint16_t at, uint8_t count);

/* Never inlined: on AVR one call per failing check instead of three stores. */
#if defined(__GNUC__)
#define ALKY_NOINLINE __attribute__((noinline))
#else
#define ALKY_NOINLINE
#endif

/* A function that reads and writes many of its struct's fields, kept out of
 * line and given the struct by pointer: on the AVR each field is then one
 * short displacement access, not a 4-byte absolute one (GCC's constant
 * propagation would otherwise bind it to the device's static struct). */
#if defined(__GNUC__) && !defined(__clang__)
#define ALKY_BY_POINTER __attribute__((noinline, noclone))
#else
#define ALKY_BY_POINTER
#endif

/* ---- image.c ---- */
/* A check failed: sets vm->rule / vm->rule_offset, returns ALKY_E_VERIFY. */
ALKY_NOINLINE alky_status alky_fail(alky_vm *vm, uint16_t offset, uint8_t rule);
/* The header's structural checks of docs/ir.md §6 (the order of decodeImage;
 * the tables' are alky_check_tables'): fills the vm's section fields, or sets
 * vm->rule / vm->rule_offset and returns ALKY_E_VERIFY. */
#if ALKY_PARSE_OUT_OF_LINE
ALKY_NOINLINE
#endif
alky_status alky_image_parse(alky_vm *vm, alky_rom rom, uint32_t length);
/* IEEE CRC-32 of the first `length` bytes at `base`, read with ALKY_ROM_U8. */
uint32_t alky_crc32_rom(alky_rom base, uint16_t length);
/* Validates a type byte as decodeTypeByte does: 1 if it is a value type. */
uint8_t alky_type_valid(uint8_t type);
/* The feature bit width code w needs (64- or 256-bit), or 0. */
uint8_t alky_width_feature(uint8_t w);
/* The function and import tables, entry by entry: the structural rules of
 * docs/ir.md §6, the features the types need, the entry and profile rules of
 * §5 (`profile`: blob offset, 0xFFFF for none); adds the features used to *used. */
alky_status alky_check_tables(alky_vm *vm, uint16_t profile, uint8_t *used);

/* ---- verify.c ---- */
/* The rules of docs/ir.md §5 on a structurally valid image. */
alky_status alky_verify(alky_vm *vm);

/* ---- profile.c ---- */
/* Offset of profile `id`'s entry in ALKY_PROFILES_BLOB, or 0xFFFF. */
uint16_t alky_profile_find(uint16_t id);
/* Blob offset of event (syscall 0) or syscall (syscall 1) `id` of the
 * profile at `profile`, or 0xFFFF. */
uint16_t alky_profile_item(uint16_t profile, uint8_t syscall, uint8_t id);
uint8_t alky_profile_byte(uint16_t off);

/* ---- arith.c: widths 8, 16, 32 on uint32_t (the low `nb` bytes matter). ----
 * When the byte-array routines are built (64- or 256-bit support), the rarely
 * used, code-heavy operations run on them at every width and arith.c keeps
 * only the cheap ones; without them, arith.c does all of its widths. */
#if ALKY_WITH_BIG
#define alky_small_native(op)                                                                             \
    ((op) == ALKY_OP_ADD || (op) == ALKY_OP_MUL || (op) == ALKY_OP_SUB || (op) == ALKY_OP_AND || (op) == ALKY_OP_OR || \
     (op) == ALKY_OP_XOR || (op) == ALKY_OP_SHL || (op) == ALKY_OP_SHR)
#else
#define alky_small_native(op) 1
#endif
uint32_t alky_small_load(const uint8_t *p, uint8_t nb);
void alky_small_store(uint8_t *p, uint32_t v, uint8_t nb);
uint32_t alky_small_binop(uint8_t op, uint32_t a, uint32_t b, uint8_t nb);
uint8_t alky_small_compare(uint8_t op, uint32_t a, uint32_t b, uint8_t nb);
uint32_t alky_small_modop(uint8_t op, uint32_t a, uint32_t b, uint32_t n);
#if !ALKY_WITH_BIG
/* A binary (G_WW_W), comparison (G_WW_B) or modular (G_WWW_W) instruction
 * on the operand stack whose top is at sp; returns the new top. */
uint8_t *alky_small_step(uint8_t op, uint8_t *sp, uint8_t nb);
#endif

/* ---- arith256.c: widths 64 and 256 on little-endian byte arrays in place. ----
 * Operands are the VM's stack slots: `a` is the top (μs[0]), `b` the next
 * (μs[1]), `n` the third; the result replaces the lowest slot. */
#if ALKY_WITH_BIG
void alky_big_binop(uint8_t op, uint8_t *b, uint8_t *a, uint8_t nb);
uint8_t alky_big_compare(uint8_t op, uint8_t *b, uint8_t *a, uint8_t nb);
void alky_big_modop(uint8_t op, uint8_t *n, uint8_t *b, uint8_t *a, uint8_t nb);
#endif

/* ---- runtime.c ---- */

/* alky_init of a VM whose bytes are all zero already (a device zeroes its
 * whole state, the VM's included, in one loop). */
void alky_init_zeroed(alky_vm *vm, void *user);
/* SYSCALL / NCALL of import `imp` with the operand stack top at arena offset
 * *sp: pops the parameters, pushes the result. */
alky_status alky_call_import(alky_vm *vm, uint8_t op, uint8_t imp, uint16_t *sp);

/* ---- vm.c ---- */
/* Runs the prepared invocation from the vm's registers to its end. */
alky_status alky_execute(alky_vm *vm);

#endif /* ALKY_INTERNAL_H */
