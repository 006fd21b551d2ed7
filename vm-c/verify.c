/* The verifier (docs/ir.md §5): a transcription of compiler/ir/verify.ts and
 * verify-code.ts, check for check and in the same order, so that the device and
 * the toolchain reject the same images with the same rule at the same offset.
 *
 * RAM: O(1) besides the list of operand widths, which lives in the VM's stack
 * arena (unused while no invocation runs), one width code per byte. Jump
 * targets are checked by re-walking the code, not with a bitmap. */
#include "alky_internal.h"

#if ALKY_WITH_VERIFY

#define NO_OFFSET 0xFFFF

/* Per kind: immediate bytes, pop count, pop classes, push class. */
#define KINDINFO_(kind, imm, pops, classes, push) {imm, pops, classes, push},
static const uint8_t ALKY_PROGMEM kind_info[ALKY_KIND_COUNT][4] = {ALKY_KIND_LIST(KINDINFO_)};
#undef KINDINFO_

/* ---- Shared helpers. ---- */

#define fail alky_fail

#define width_feature alky_width_feature

static uint8_t type_width(uint8_t type) {
    return (uint8_t)(type & 0x0F);
}

/* ---- The code pass of one function (verify-code.ts CodePass). ----
 * Every check of an instruction fails at that instruction's offset, so the
 * helpers return only the rule they broke (0: none; LIMIT: ALKY_E_VERIFY_LIMIT)
 * and check_code turns it into the verdict. */

#define LIMIT 0xFF

typedef struct code_pass {
    alky_vm *vm;
    uint8_t *widths;    /* vm->stack: the operand widths */
    uint16_t code;      /* image offset of the function's code */
    uint16_t len;       /* its bytes */
    uint16_t locals_at; /* image offset of its local type bytes */
    uint8_t local_count;
    uint8_t result;     /* result type byte */
    uint16_t max_stack; /* declared */
    uint16_t depth;     /* values on the stack; their width codes are widths[0..depth) */
    uint16_t bytes;     /* bytes they take: at most max_stack (push checks before adding) */
    uint16_t peak;
    uint8_t mode;
    uint8_t features;   /* used by the code */
} code_pass;

static uint8_t code_u8(const code_pass *p, uint16_t pc) {
    return alky_rom_u8(p->vm, (uint16_t)(p->code + pc));
}

static ALKY_NOINLINE uint8_t op_kind(uint8_t op) {
    return alky_op_info(op);
}

/* Immediate bytes of a valid opcode with info byte `info`. */
static uint8_t imm_size(uint8_t op, uint8_t info) {
    uint8_t kind = (uint8_t)((info & 0x7F) - 1);
    if (kind == ALKY_KIND_SPECIAL_PUSH) return (uint8_t)(op - ALKY_OP_PUSH0);
    return ALKY_PROGMEM_U8(&kind_info[kind][0]);
}

static uint8_t use_feature(code_pass *p, uint8_t bit) {
    p->features |= bit;
    return (p->vm->features & bit) ? 0 : ALKY_RULE_FEATURE;
}

/* The width feature of width code w, if any, used. */
static uint8_t use_width(code_pass *p, uint8_t w) {
    uint8_t f = width_feature(w);
    return f ? use_feature(p, f) : 0;
}

/* underflow, then the top n values all `w` wide (popWidths with one width). */
static uint8_t expect_top(const code_pass *p, uint8_t n, uint8_t w) {
    uint8_t i;
    if (p->depth < n) return ALKY_RULE_UNDERFLOW;
    for (i = 0; i < n; i++)
        if (p->widths[p->depth - 1 - i] != w) return ALKY_RULE_WIDTH;
    return 0;
}

static void drop(code_pass *p, uint8_t n) {
    while (n--) p->bytes = (uint16_t)(p->bytes - alky_width_bytes(p->widths[--p->depth]));
}

static uint8_t push(code_pass *p, uint8_t w) {
    uint8_t b;
    if (p->depth >= ALKY_STACK_SIZE) return LIMIT;
    b = alky_width_bytes(w);
    /* bytes + b > max_stack, without leaving 16 bits (bytes <= max_stack here) */
    if (b > p->max_stack - p->bytes) return ALKY_RULE_MAX_STACK;
    p->widths[p->depth++] = w;
    p->bytes = (uint16_t)(p->bytes + b);
    if (p->bytes > p->peak) p->peak = p->bytes;
    return 0;
}

/* popWidths for n values of width w. */
static uint8_t pop_top(code_pass *p, uint8_t n, uint8_t w) {
    uint8_t r = expect_top(p, n, w);
    if (!r) drop(p, n);
    return r;
}

static uint8_t class_width(const code_pass *p, uint8_t cls) {
    return cls == ALKY_CLASS_W ? p->mode : cls == ALKY_CLASS_B ? ALKY_BOOL_WIDTH : ALKY_ADDRESS_WIDTH;
}

static uint8_t generic(code_pass *p, uint8_t op, uint8_t kind) {
    uint8_t pops = ALKY_PROGMEM_U8(&kind_info[kind][1]);
    uint8_t classes = ALKY_PROGMEM_U8(&kind_info[kind][2]);
    uint8_t push_class = ALKY_PROGMEM_U8(&kind_info[kind][3]);
    uint8_t i, r;
    if ((op == ALKY_OP_SLOAD || op == ALKY_OP_SSTORE) && (r = use_feature(p, ALKY_FEATURE_STORAGE)) != 0) return r;
    if (p->depth < pops) return ALKY_RULE_UNDERFLOW;
    for (i = 0; i < pops; i++, classes >>= 2)
        if (p->widths[p->depth - 1 - i] != class_width(p, (uint8_t)(classes & 3))) return ALKY_RULE_WIDTH;
    drop(p, pops);
    return push_class ? push(p, class_width(p, push_class)) : 0;
}

/* CALLF, SYSCALL, NCALL: `count` parameter types at types-section offset `types`. */
static uint8_t call(code_pass *p, uint16_t types, uint8_t count, uint8_t result) {
    uint16_t types_at = (uint16_t)(p->vm->types + types);
    uint8_t i;
    if (p->depth < count) return ALKY_RULE_UNDERFLOW;
    for (i = 0; i < count; i++)
        if (p->widths[p->depth - count + i] != type_width(alky_rom_u8(p->vm, (uint16_t)(types_at + i)))) return ALKY_RULE_WIDTH;
    drop(p, count);
    return result == ALKY_TYPE_VOID ? 0 : push(p, type_width(result));
}

static uint8_t convert(code_pass *p, uint8_t op, uint8_t w) {
    uint8_t r;
    if (w >= ALKY_WIDTH_CODES) return ALKY_RULE_CONVERT;
    if (op != ALKY_OP_TRUNC ? w <= p->mode : w >= p->mode) return ALKY_RULE_CONVERT;
    if ((r = use_width(p, p->mode)) != 0 || (r = use_width(p, w)) != 0 || (r = pop_top(p, 1, p->mode)) != 0) return r;
    return push(p, w);
}

static uint8_t check_local(const code_pass *p, uint8_t offset) {
    uint16_t at = 0;
    uint8_t i;
    for (i = 0; i < p->local_count; i++) {
        uint8_t w = type_width(alky_rom_u8(p->vm, (uint16_t)(p->locals_at + i)));
        if (at == offset) return w == p->mode ? 0 : ALKY_RULE_LOCAL;
        if (at > offset) break;
        at = (uint16_t)(at + alky_width_bytes(w));
    }
    return ALKY_RULE_LOCAL;
}

/* startsInstruction: whether an instruction starts at `target`, walking from `from`. */
static uint8_t starts_instruction(const code_pass *p, uint16_t from, uint16_t target) {
    uint16_t q = from;
    while (q < target) {
        uint8_t op = code_u8(p, q), info = op_kind(op);
        q = (uint16_t)(q + 1 + (info ? imm_size(op, info) : 0));
    }
    return (uint8_t)(q == target);
}

static uint8_t jump(code_pass *p, uint16_t pc, uint8_t op) {
    uint16_t next = (uint16_t)(pc + 3);
    uint16_t raw = (uint16_t)(((uint16_t)code_u8(p, (uint16_t)(pc + 1)) << 8) | code_u8(p, (uint16_t)(pc + 2)));
    /* next + raw as a signed 16-bit offset, in 16 bits: a target before 0
     * wraps to >= next, one past 0xFFFF wraps to < next (next <= len). */
    uint16_t target = (uint16_t)(next + raw);
    uint8_t r;
    if ((raw >= 0x8000 ? target >= next : target < next) || target >= p->len || code_u8(p, target) != ALKY_OP_JUMPDEST ||
        !starts_instruction(p, target >= next ? next : 0, target))
        return ALKY_RULE_JUMP_TARGET;
    if (op == ALKY_OP_RJUMPI && (r = pop_top(p, 1, ALKY_BOOL_WIDTH)) != 0) return r;
    return p->depth == 0 ? 0 : ALKY_RULE_JUMP_STACK;
}

static uint8_t step(code_pass *p, uint16_t pc, uint8_t op, uint8_t kind) {
    uint8_t imm = (uint8_t)(pc + 1 < p->len ? code_u8(p, (uint16_t)(pc + 1)) : 0);
    uint8_t r;
    switch (kind) {
    case ALKY_KIND_SPECIAL_PUSH:
        if (op - ALKY_OP_PUSH0 > alky_width_bytes(p->mode)) return ALKY_RULE_PUSH_WIDTH;
        return push(p, p->mode);
    case ALKY_KIND_SPECIAL_DUP:
        if ((r = expect_top(p, (uint8_t)(op - ALKY_OP_DUP1 + 1), p->mode)) != 0) return r;
        return push(p, p->mode);
    case ALKY_KIND_SPECIAL_SWAP:
        return expect_top(p, (uint8_t)(op - ALKY_OP_SWAP1 + 2), p->mode);
    case ALKY_KIND_SPECIAL_MODE:
        p->mode = (uint8_t)(op - ALKY_OP_MODE8);
        return use_width(p, p->mode);
    case ALKY_KIND_SPECIAL_CONVERT:
        return convert(p, op, imm);
    case ALKY_KIND_SPECIAL_LOCAL_GET:
    case ALKY_KIND_SPECIAL_LOCAL_SET:
        if ((r = check_local(p, imm)) != 0) return r;
        return kind == ALKY_KIND_SPECIAL_LOCAL_GET ? push(p, p->mode) : pop_top(p, 1, p->mode);
    case ALKY_KIND_SPECIAL_SYSCALL:
    case ALKY_KIND_SPECIAL_NODECALL: {
        alky_import_info f;
        if (imm >= p->vm->import_count) return ALKY_RULE_IMPORT;
        alky_read_import(p->vm, imm, &f);
        if (f.kind != (op == ALKY_OP_SYSCALL ? ALKY_IMPORT_SYSCALL : ALKY_IMPORT_NODECALL)) return ALKY_RULE_IMPORT;
        if (op == ALKY_OP_NCALL && (r = use_feature(p, ALKY_FEATURE_NODECALLS)) != 0) return r;
        return call(p, f.types, f.params, f.result);
    }
    case ALKY_KIND_SPECIAL_CALLF: {
        alky_fn_info f;
        if (imm >= p->vm->fn_count) return ALKY_RULE_CALL;
        alky_read_fn(p->vm, imm, &f);
        return call(p, f.types, f.params, f.result);
    }
    case ALKY_KIND_SPECIAL_RETF:
        if (p->depth != (p->result == ALKY_TYPE_VOID ? 0 : 1)) return ALKY_RULE_RETURN;
        return p->result == ALKY_TYPE_VOID ? 0 : expect_top(p, 1, type_width(p->result));
    case ALKY_KIND_SPECIAL_JUMP:
    case ALKY_KIND_SPECIAL_JUMPI:
        return jump(p, pc, op);
    case ALKY_KIND_SPECIAL_JUMPDEST:
        if (p->depth != 0) return ALKY_RULE_JUMP_STACK;
        p->mode = ALKY_W8;
        return 0;
    default:
        return generic(p, op, kind);
    }
}

static alky_status check_code(alky_vm *vm, uint8_t fn, uint8_t *used) {
    code_pass p;
    alky_fn_info f;
    uint16_t e = alky_read_fn(vm, fn, &f), pc = 0, last = 0;
    uint8_t prev_terminal = 0, r;
    p.vm = vm;
    p.widths = vm->stack;
    p.code = (uint16_t)(vm->code + f.code);
    p.len = f.code_len;
    p.locals_at = (uint16_t)(vm->types + f.types);
    p.local_count = f.locals;
    p.result = f.result;
    p.max_stack = f.max_stack;
    p.depth = 0;
    p.bytes = 0;
    p.peak = 0;
    p.mode = ALKY_W8;
    p.features = 0;
    while (pc < p.len) {
        uint8_t op = code_u8(&p, pc), info = op_kind(op), size;
        if (!info) r = ALKY_RULE_OPCODE;
        else if (prev_terminal && op != ALKY_OP_JUMPDEST) r = ALKY_RULE_UNREACHABLE;
        else if ((size = (uint8_t)(1 + imm_size(op, info))) > p.len - pc) r = ALKY_RULE_TRUNCATED;
        else r = step(&p, pc, op, (uint8_t)((info & 0x7F) - 1));
        if (r == LIMIT) return ALKY_E_VERIFY_LIMIT;
        if (r) return fail(vm, (uint16_t)(p.code + pc), r);
        prev_terminal = (uint8_t)(info >> 7);
        if (prev_terminal) {
            p.depth = 0;
            p.bytes = 0;
        }
        last = pc;
        pc = (uint16_t)(pc + size);
    }
    if (!prev_terminal) return fail(vm, (uint16_t)(p.code + last), ALKY_RULE_FALLTHROUGH);
    if (p.peak < p.max_stack) return fail(vm, e + ALKY_FE_MAX_STACK, ALKY_RULE_MAX_STACK);
    *used |= p.features;
    return ALKY_OK;
}

/* ---- verifyImage. ---- */

/* The profile id, the tables (image.c, with the entry and profile rules),
 * each function's code, the features declared but unused. */
alky_status alky_verify(alky_vm *vm) {
    uint16_t want = vm->device_profile ? vm->device_profile : vm->profile_id;
    uint16_t profile = NO_OFFSET;
    uint8_t used = 0, i, unused;
    alky_status s;
    if (want != 0xFFFF) {
        if (vm->profile_id != want) return fail(vm, 6, ALKY_RULE_PROFILE);
        profile = alky_profile_find(want);
        if (profile == NO_OFFSET) return ALKY_E_PROFILE;
    }
    if ((s = alky_check_tables(vm, profile, &used)) != ALKY_OK) return s;
    for (i = 0; i < vm->fn_count; i++)
        if ((s = check_code(vm, i, &used)) != ALKY_OK) return s;
    unused = (uint8_t)(vm->features & ~used & ALKY_FEATURE_MASK);
    if (unused) return fail(vm, 5, ALKY_RULE_FEATURE);
    return ALKY_OK;
}

#endif /* ALKY_WITH_VERIFY */
