/* The verifier (docs/ir.md §5): the checks of compiler/ir/verify.ts and
 * verify-code.ts in the same order, so that the device and the toolchain reject
 * the same images with the same rule at the same offset. The code pass is laid
 * out for size rather than as a line-by-line transcription (see check_code).
 *
 * RAM: O(1) besides the list of operand widths, which lives in the VM's stack
 * arena (unused while no invocation runs), one width code per byte. Jump
 * targets are checked by re-walking the code, not with a bitmap. */
#include "alky_internal.h"

#if ALKY_WITH_VERIFY

#define NO_OFFSET 0xFFFF

/* Per kind: the pop classes and the flags byte (ALKY_KF_*). */
#define KIND_CLASSES_(kind, classes, flags) classes,
#define KIND_FLAGS_(kind, classes, flags) flags,
static const uint8_t ALKY_PROGMEM kind_classes[ALKY_KIND_COUNT] = {ALKY_KIND_LIST(KIND_CLASSES_)};
static const uint8_t ALKY_PROGMEM kind_flags[ALKY_KIND_COUNT] = {ALKY_KIND_LIST(KIND_FLAGS_)};
#undef KIND_CLASSES_
#undef KIND_FLAGS_

/* ---- Shared helpers. ---- */

#define fail alky_fail

#define width_feature alky_width_feature

static uint8_t type_width(uint8_t type) {
    return (uint8_t)(type & 0x0F);
}

/* ---- The code pass of one function (verify-code.ts CodePass). ----
 * One loop: per instruction, what its kind needs first (the immediate, the
 * feature), then one operand check for every kind: `n` values from the top,
 * each of the width its 2-bit class gives (W: the mode, B: 8-bit, A: 16-bit;
 * 0: the type list at `types`), popped unless the kind keeps them, then one
 * push. Every check of an instruction fails at that instruction's offset. */

#define LIMIT 0xFF

#if ALKY_BOOL_WIDTH != ALKY_CLASS_B - 2 || ALKY_ADDRESS_WIDTH != ALKY_CLASS_A - 2
#error "the operand check assumes B and A are the width codes 0 and 1"
#endif
/* Compile-time checks (an array of -1 bytes fails): SLOAD and SSTORE differ
 * in bit 0 only; the void type byte's width nibble is no width code (a void
 * call pushes nothing); SYSCALL / NCALL call imports of kind 0 / 1, and both
 * entries keep the parameter count at the same offset. */
typedef char alky_sload_sstore[ALKY_OP_SLOAD == (ALKY_OP_SSTORE & 0xFE) && ALKY_OP_SLOAD != ALKY_OP_SSTORE ? 1 : -1];
typedef char alky_void_not_a_width[(ALKY_TYPE_VOID & 0x0F) >= ALKY_WIDTH_CODES ? 1 : -1];
typedef char alky_ncall_after_syscall[ALKY_OP_NCALL == ALKY_OP_SYSCALL + 1 && ALKY_IMPORT_SYSCALL == 0 && ALKY_IMPORT_NODECALL == 1 &&
                                              ALKY_FE_PARAMS == ALKY_IE_PARAMS
                                          ? 1
                                          : -1];

/* An image byte, out of line: where a device has one VM, link-time constant
 * propagation keeps its address here and the call sites pass only the offset. */
static ALKY_NOINLINE uint8_t rom_at(const alky_vm *vm, uint16_t at) {
    return alky_rom_u8(vm, at);
}

/* A width code's bytes, out of line: one call at each of the code pass's
 * four uses instead of the table read inlined there. */
static ALKY_NOINLINE uint8_t width_bytes(uint8_t width_code) {
    return alky_width_bytes(width_code);
}

/* Bytes of an instruction that starts with byte `op` (1 for a byte that is not an opcode). */
static uint8_t insn_size(uint8_t op) {
    uint8_t info = alky_op_info(op), kind = (uint8_t)((info & 0x7F) - 1);
    if (!info) return 1;
    if (kind == ALKY_KIND_SPECIAL_PUSH) return (uint8_t)(op - ALKY_OP_PUSH0 + 1);
    return (uint8_t)(1 + (ALKY_PROGMEM_U8(&kind_flags[kind]) >> ALKY_KF_IMM_SHIFT));
}

/* checkLocal: a local of the mode's width starts at frame offset `offset`.
 * Every local starts within 255 (the container's function-frame rule), so
 * the running offset fits a byte until past the last one. */
static uint8_t check_local(const alky_vm *vm, uint16_t locals_at, uint8_t count, uint8_t offset, uint8_t mode) {
    uint8_t at = 0, w;
    for (; count; count--) {
        w = type_width(rom_at(vm, locals_at++));
        if (at >= offset) return at == offset && w == mode ? 0 : ALKY_RULE_LOCAL;
        at = (uint8_t)(at + width_bytes(w));
    }
    return ALKY_RULE_LOCAL;
}

/* The jump at image offset `at` of the code [code, end): its target is a
 * JUMPDEST inside the code that starts an instruction (found by walking
 * from the jump's next instruction, or from `code` for a jump back). */
static uint8_t check_jump(const alky_vm *vm, uint16_t code, uint16_t end, uint16_t at) {
    uint16_t next = (uint16_t)(at + 3), q = next;
    uint16_t raw = (uint16_t)(((uint16_t)rom_at(vm, (uint16_t)(at + 1)) << 8) | rom_at(vm, (uint16_t)(at + 2))), target;
    /* next + raw as a signed 16-bit offset, in 16 bits (the image is within
     * them): a jump back that passes 0 wraps to >= next, one forward past
     * 0xFFFF to < next. A target before the walk's start (below the code,
     * or forward wrapped) is an image byte where the walk does not stop. */
    target = (uint16_t)(next + raw);
    if (raw >= 0x8000) {
        if (target >= next) return ALKY_RULE_JUMP_TARGET;
        q = code;
    } else if (target >= end)
        return ALKY_RULE_JUMP_TARGET;
    if (rom_at(vm, target) != ALKY_OP_JUMPDEST) return ALKY_RULE_JUMP_TARGET;
    while (q < target) q = (uint16_t)(q + insn_size(rom_at(vm, q)));
    return q == target ? 0 : ALKY_RULE_JUMP_TARGET;
}

/* Out of line: inlined into alky_load's caller it cost 148 bytes more on the
 * Uno (register pressure). */
static ALKY_NOINLINE alky_status check_code(alky_vm *vm, uint8_t fn, uint8_t *used) {
    alky_fn_info f;
    union {
        alky_fn_info fn;
        alky_import_info imp;
    } g;
    uint16_t e = alky_read_fn(vm, fn, &f);
    uint16_t code = (uint16_t)(vm->code + f.code), end = (uint16_t)(code + f.code_len), at = code, last = code;
    uint16_t slack = f.max_stack, least = slack, types = 0; /* stack bytes left below maxStack; the fewest */
    uint8_t *top = vm->stack; /* the operand widths, one code per value, bottom first */
    uint8_t mode = ALKY_W8, features = 0, terminal = 0, r;
    while (at < end) {
        uint8_t op = rom_at(vm, at), info = alky_op_info(op), kind = (uint8_t)((info & 0x7F) - 1), imm, n, cls, push_w,
                flags, i, size;
        uint16_t popped;
        r = ALKY_RULE_OPCODE;
        if (!info) goto bad;
        r = ALKY_RULE_UNREACHABLE;
        if (terminal && op != ALKY_OP_JUMPDEST) goto bad;
        r = ALKY_RULE_TRUNCATED;
        if ((size = insn_size(op)) > end - at) goto bad;
        imm = rom_at(vm, (uint16_t)(at + 1));
        cls = ALKY_PROGMEM_U8(&kind_classes[kind]);
        flags = ALKY_PROGMEM_U8(&kind_flags[kind]);
        n = flags & ALKY_KF_POPS;
        push_w = (flags >> ALKY_KF_PUSH_SHIFT) & 3;
        push_w = push_w == ALKY_CLASS_W ? mode : (uint8_t)(push_w - 2); /* class 0: 0xFE, no push */
        switch (kind) {
        case ALKY_KIND_SPECIAL_PUSH:
            r = ALKY_RULE_PUSH_WIDTH;
            if ((uint8_t)(op - ALKY_OP_PUSH0) > width_bytes(mode)) goto bad;
            break;
        case ALKY_KIND_SPECIAL_DUP:
        case ALKY_KIND_SPECIAL_SWAP:
            n = (uint8_t)(n + (op & 15));
            break;
        case ALKY_KIND_SPECIAL_MODE:
            mode = (uint8_t)(op - ALKY_OP_MODE8);
            break;
        case ALKY_KIND_SPECIAL_CONVERT:
            r = ALKY_RULE_CONVERT;
            if (imm >= ALKY_WIDTH_CODES || (op != ALKY_OP_TRUNC ? imm <= mode : imm >= mode)) goto bad;
            features |= width_feature(imm);
            push_w = imm;
            break;
        case ALKY_KIND_SPECIAL_LOCAL_GET:
        case ALKY_KIND_SPECIAL_LOCAL_SET:
            if ((r = check_local(vm, (uint16_t)(vm->types + f.types), f.locals, imm, mode)) != 0) goto bad;
            break;
        case ALKY_KIND_SPECIAL_SYSCALL:
        case ALKY_KIND_SPECIAL_NODECALL:
        case ALKY_KIND_SPECIAL_CALLF:
            if (op == ALKY_OP_CALLF) {
                r = ALKY_RULE_CALL;
                if (imm >= vm->fn_count) goto bad;
                alky_read_fn(vm, imm, &g.fn);
                n = g.fn.params;
                push_w = g.fn.result;
                types = g.fn.types;
            } else {
                r = ALKY_RULE_IMPORT;
                if (imm >= vm->import_count) goto bad;
                alky_read_import(vm, imm, &g.imp);
                /* SYSCALL / NCALL: the import kinds 0 / 1 */
                if (g.imp.kind != (uint8_t)(op - ALKY_OP_SYSCALL)) goto bad;
                if (op == ALKY_OP_NCALL) features |= ALKY_FEATURE_NODECALLS;
                n = g.imp.params;
                push_w = g.imp.result;
                types = g.imp.types;
            }
            push_w = type_width(push_w); /* void: 15, no push */
            types = (uint16_t)(types + vm->types);
            break;
        case ALKY_KIND_SPECIAL_RETF:
            n = f.result != ALKY_TYPE_VOID;
            r = ALKY_RULE_RETURN;
            if (top != vm->stack + n) goto bad;
            types = (uint16_t)(e + ALKY_FE_RESULT);
            break;
        case ALKY_KIND_SPECIAL_JUMP:
        case ALKY_KIND_SPECIAL_JUMPI:
            if ((r = check_jump(vm, code, end, at)) != 0) goto bad;
            break;
        case ALKY_KIND_SPECIAL_JUMPDEST:
            mode = ALKY_W8;
            break;
        default:
            if ((op | 1) == ALKY_OP_SSTORE) features |= ALKY_FEATURE_STORAGE;
        }
        /* The mode's width feature: new after MODE, CONVERT's source width;
         * every other instruction runs in a mode already checked. */
        features |= width_feature(mode);
        r = ALKY_RULE_FEATURE;
        if ((features & vm->features) != features) goto bad; /* the features used before were all declared */
        r = ALKY_RULE_UNDERFLOW;
        if ((uint16_t)(top - vm->stack) < n) goto bad;
        r = ALKY_RULE_WIDTH;
        popped = slack;
        for (i = n; i; i--) {
            uint8_t c = cls & 3, want = mode;
            if (c != ALKY_CLASS_W) want = c ? (uint8_t)(c - 2) : type_width(rom_at(vm, (uint16_t)(types + i - 1)));
            if (*--top != want) goto bad;
            slack = (uint16_t)(slack + width_bytes(want));
            cls = (uint8_t)((cls >> 2) | (cls << 6));
        }
        if (flags & ALKY_KF_KEEP) {
            top += n;
            slack = popped;
        }
        if (push_w < ALKY_WIDTH_CODES) {
            uint8_t b;
            r = LIMIT;
            if (top >= vm->stack + ALKY_STACK_SIZE) goto bad;
            b = width_bytes(push_w);
            r = ALKY_RULE_MAX_STACK;
            if (b > slack) goto bad;
            *top++ = push_w;
            slack = (uint16_t)(slack - b);
            if (slack < least) least = slack;
        }
        r = ALKY_RULE_JUMP_STACK;
        if ((flags & ALKY_KF_EMPTY) && top != vm->stack) goto bad;
        terminal = (uint8_t)(info >> 7);
        if (terminal) {
            top = vm->stack;
            slack = f.max_stack;
        }
        last = at;
        at = (uint16_t)(at + size);
    }
    if (!terminal) return fail(vm, last, ALKY_RULE_FALLTHROUGH);
    if (least) return fail(vm, (uint16_t)(e + ALKY_FE_MAX_STACK), ALKY_RULE_MAX_STACK);
    *used |= features;
    return ALKY_OK;
bad:
    return r == LIMIT ? ALKY_E_VERIFY_LIMIT : fail(vm, at, r);
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
