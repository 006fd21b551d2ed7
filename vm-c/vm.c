/* The interpreter loop (docs/ir.md §3-4) for verified images.
 *
 * The operand stack is raw little-endian bytes with no type tags: the verifier
 * proved every slot's width, so an instruction knows its operands' sizes from
 * the mode alone. Frames live in one byte arena (vm->stack), each taking
 * exactly 8 + frameSize + maxStack bytes:
 *
 *   [header 8][locals frameSize][operand stack maxStack] [next frame ...]
 *
 * so a call overflows at the same depth as in every other engine. Runtime
 * checks are only what the verifier cannot prove: memory and storage bounds,
 * fuel, call depth.
 *
 * Dispatch is one `vmdispatch` over the opcode's kind (the verifier's
 * table, alky_op_info: 23 kinds instead of 150 opcodes) with a `vmcase` per
 * kind (Lua's lvm.c style): a switch, or a computed-goto table with
 * ALKY_USE_COMPUTED_GOTO; without the verifier, a switch over the opcodes of
 * each kind (the generated ALKY_OPS_<kind> lists). A handler tells the
 * opcodes of its kind apart. */
#include "alky_internal.h"
#include "hal.h"

#if ALKY_USE_COMPUTED_GOTO
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Woverride-init"
#endif
#define vmdispatch(k) goto *jumptable[k];
#define vmcase(kind) L_##kind:
#define vmdefault L_default:
#define vmbreak goto next
#elif ALKY_WITH_VERIFY
#define vmdispatch(k) switch (k)
#define vmcase(kind) case ALKY_KIND_##kind + 1:
#define vmdefault default:
#define vmbreak break
#else
/* Without the verifier the kind table would be linked for the dispatch
 * alone: a switch over the opcodes of each kind is smaller then. */
#define VMOP_(name) case ALKY_OP_##name:
#define vmdispatch(k) switch (op)
#define vmcase(kind) ALKY_OPS_##kind(VMOP_)
#define vmdefault default:
#define vmbreak break
#endif

/* The bytes of up to 17 values (DUP16, SWAP16): 8 bits when values are at most 4 bytes. */
#if ALKY_MAX_VALUE_BYTES * 17 <= 255
typedef uint8_t slot_offset;
#else
typedef uint16_t slot_offset;
#endif

/* Whether n bytes at addr leave a region of `size` bytes (addr + n > size, in 16 bits). */
static uint8_t outside(uint16_t addr, uint8_t n, uint16_t size) {
    return (uint8_t)(addr > size || n > (uint16_t)(size - addr));
}

/* Byte copy: the core links no libc (the MSP430 build has none). */
static void copy(uint8_t *dst, const uint8_t *src, uint8_t n) {
    while (n--) *dst++ = *src++;
}

static uint16_t load16(const uint8_t *p) {
    return (uint16_t)(p[0] | ((uint16_t)p[1] << 8));
}

static void store16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

ALKY_NOINLINE ALKY_LOOP_OPTIONS alky_status alky_execute(alky_vm *vm) {
#if ALKY_USE_COMPUTED_GOTO
#define JT_(kind, classes, flags) [ALKY_KIND_##kind + 1] = &&L_##kind,
    static const void *const jumptable[ALKY_KIND_COUNT + 1] = {[0] = &&L_default, ALKY_KIND_LIST(JT_)};
#undef JT_
#endif
    uint8_t *const arena = vm->stack;
    uint16_t pc = vm->pc;
    uint8_t *sp = arena + vm->sp;
    uint8_t *lp = arena + vm->base + ALKY_FRAME_HEADER;
    uint8_t mode = vm->mode;
    uint8_t nb = alky_width_bytes(mode);
    /* Fuel, split in halves so that the one decremented per instruction is a
     * 16-bit count the compiler can keep in registers. */
    uint16_t fuel_lo = (uint16_t)vm->fuel, fuel_hi = (uint16_t)(vm->fuel >> 16);
    alky_status status = ALKY_OK;
    uint8_t op, storing;

    for (;;) {
#if ALKY_USE_COMPUTED_GOTO
    next:
#endif
        if (fuel_lo == 0) {
            if (fuel_hi == 0) {
                status = ALKY_FAULT_FUEL;
                goto done;
            }
            fuel_hi--;
        }
        fuel_lo--;
        ALKY_PORT_TICK();
        op = alky_rom_fetch(vm, pc);
        pc++;
        vmdispatch(alky_op_info(op) & 0x7F) {
            vmcase(G_0_0) { /* STOP, INVALID */
                if (op != ALKY_OP_STOP) goto trap;
                vm->stopped = 1;
                goto done;
            }

            /* a = top, b = next; the result replaces b. */
#if ALKY_WITH_BIG
            vmcase(G_WW_W) {
                if (nb > 4 || !alky_small_native(op)) {
                    alky_big_binop(op, sp - 2 * nb, sp - nb, nb);
                    sp -= nb;
                    vmbreak;
                }
                sp -= nb;
                alky_small_store(sp - nb, alky_small_binop(op, alky_small_load(sp, nb), alky_small_load(sp - nb, nb), nb), nb);
                vmbreak;
            }
            vmcase(G_WW_B) {
                uint8_t r;
                if (nb > 4) r = alky_big_compare(op, sp - 2 * nb, sp - nb, nb);
                else r = alky_small_compare(op, alky_small_load(sp - nb, nb), alky_small_load(sp - 2 * nb, nb), nb);
                sp -= 2 * nb;
                *sp++ = r;
                vmbreak;
            }
            vmcase(G_WWW_W) {
                alky_big_modop(op, sp - 3 * nb, sp - 2 * nb, sp - nb, nb);
                sp -= 2 * nb;
                vmbreak;
            }
#else
            /* Widths 8 to 32 only: one out-of-line step for the three kinds. */
            vmcase(G_WW_W)
            vmcase(G_WW_B)
            vmcase(G_WWW_W) {
                sp = alky_small_step(op, sp, nb);
                vmbreak;
            }
#endif
            vmcase(G_W_B) {
                uint8_t i = nb, any = 0;
                do any |= *--sp;
                while (--i);
                *sp++ = (uint8_t)(any == 0);
                vmbreak;
            }
            vmcase(G_W_W) {
                uint8_t i = nb, *p = sp;
                do {
                    p--;
                    *p = (uint8_t)~*p;
                } while (--i);
                vmbreak;
            }
            vmcase(G_W_0) {
                sp -= nb;
                vmbreak;
            }

            /* Memory and storage: the 16-bit address on top, then the value. */
            vmcase(G_A_W) { /* MLOAD, SLOAD */
                storing = 0;
                goto memory;
            }
            vmcase(G_AW_0) { /* MSTORE, MSTORE8, SSTORE */
                uint16_t addr;
                uint8_t storage, n;
                storing = 1;
            memory:
                addr = load16(sp - 2);
                storage = (uint8_t)(op >= ALKY_OP_SLOAD);
                n = op == ALKY_OP_MSTORE8 ? 1 : nb;
                sp -= 2;
                if (storing) sp -= nb;
#if !ALKY_WITH_STORAGE
                if (storage) goto trap; /* unreachable: images using storage are refused */
#endif
                if (outside(addr, n, storage ? vm->storage_size : vm->mem_size)) {
                    vm->fault_addr = addr;
                    status = storage ? ALKY_FAULT_STORAGE : ALKY_FAULT_MEMORY;
                    goto done;
                }
#if ALKY_WITH_STORAGE
                if (storage) {
                    if (storing) alky_hal_storage_write(vm, addr, sp, nb);
                    else alky_hal_storage_read(vm, addr, sp, nb);
                } else
#endif
                {
                    uint8_t *m = vm->memory + addr;
                    copy(storing ? m : sp, storing ? sp : m, n); /* n is nb but for MSTORE8 */
                }
                if (!storing) sp += nb;
                vmbreak;
            }

            vmcase(SPECIAL_JUMPDEST) {
                mode = ALKY_W8;
                nb = 1;
                vmbreak;
            }
            vmcase(SPECIAL_MODE) {
                mode = (uint8_t)(op - ALKY_OP_MODE8);
                nb = alky_width_bytes(mode);
                vmbreak;
            }
            vmcase(SPECIAL_PUSH) {
                /* n big-endian immediate bytes, zero-extended to W, stored little-endian. */
                uint8_t n = (uint8_t)(op - ALKY_OP_PUSH0), i;
                uint16_t at;
                pc = (uint16_t)(pc + n);
                at = pc;
                for (i = 0; i < nb; i++) sp[i] = i < n ? alky_rom_fetch(vm, --at) : 0;
                sp += nb;
                vmbreak;
            }
            vmcase(SPECIAL_DUP) {
                copy(sp, sp - (slot_offset)((op - ALKY_OP_DUP1 + 1) * nb), nb);
                sp += nb;
                vmbreak;
            }
            vmcase(SPECIAL_SWAP) {
                uint8_t *other = sp - (slot_offset)((op - ALKY_OP_SWAP1 + 2) * nb), *top = sp - nb, t;
                while (top < sp) {
                    t = *top;
                    *top++ = *other;
                    *other++ = t;
                }
                vmbreak;
            }
            vmcase(SPECIAL_CONVERT) {
                uint8_t to = alky_width_bytes(alky_rom_fetch(vm, pc)), i;
                pc++;
                if (op == ALKY_OP_TRUNC) {
                    sp -= (uint8_t)(nb - to);
                } else {
                    /* ZEXT or SEXT, which is odd: 0xFF for SEXT of a negative value */
                    uint8_t ext = (uint8_t)(0 - ((op & (sp[-1] >> 7)) & 1));
                    for (i = nb; i < to; i++) *sp++ = ext;
                }
                vmbreak;
            }
            vmcase(SPECIAL_LOCAL_GET) {
                copy(sp, lp + alky_rom_fetch(vm, pc), nb);
                pc++;
                sp += nb;
                vmbreak;
            }
            vmcase(SPECIAL_LOCAL_SET) {
                sp -= nb;
                copy(lp + alky_rom_fetch(vm, pc), sp, nb);
                pc++;
                vmbreak;
            }

            vmcase(SPECIAL_SYSCALL)
            vmcase(SPECIAL_NODECALL) {
                uint16_t top = (uint16_t)(sp - arena);
                status = alky_call_import(vm, op, alky_rom_fetch(vm, pc), &top);
                if (status != ALKY_OK) goto done;
                sp = arena + top;
                pc++;
                vmbreak;
            }

            vmcase(SPECIAL_JUMP)
            vmcase(SPECIAL_JUMPI) {
                uint16_t rel = (uint16_t)(((uint16_t)alky_rom_fetch(vm, pc) << 8) | alky_rom_fetch(vm, (uint16_t)(pc + 1)));
                pc = (uint16_t)(pc + 2);
                if (op == ALKY_OP_RJUMP || *--sp) pc = (uint16_t)(pc + rel); /* wraps: rel is two's complement */
                vmbreak;
            }

            vmcase(SPECIAL_CALLF) {
                alky_fn_info f;
                uint8_t callee = alky_rom_fetch(vm, pc), *h, *locals;
                uint16_t end, size, params, i;
                alky_read_fn(vm, callee, &f);
                end = vm->frame_end;
                size = (uint16_t)(ALKY_FRAME_HEADER + f.frame + f.max_stack);
                if (end > vm->stack_limit || size > (uint16_t)(vm->stack_limit - end)) {
                    status = ALKY_FAULT_STACK;
                    goto done;
                }
                pc++;
                params = alky_types_bytes(vm, f.types, f.params);
                h = arena + end;
                locals = h + ALKY_FRAME_HEADER;
                /* The parameters are contiguous on the stack in local order: one copy. */
                sp -= params;
                for (i = 0; i < params; i++) locals[i] = sp[i];
                for (; i < f.frame; i++) locals[i] = 0;
                store16(h, pc);
                store16(h + 2, (uint16_t)(sp - arena));
                store16(h + 4, vm->base);
                h[6] = vm->fn;
                h[7] = mode;
                vm->fn = callee;
                vm->base = end;
                vm->frame_end = (uint16_t)(end + size);
                lp = locals;
                sp = locals + f.frame;
                pc = (uint16_t)(vm->code + f.code);
                mode = ALKY_W8;
                nb = 1;
                vmbreak;
            }
            vmcase(SPECIAL_RETF) {
                uint8_t rb = alky_type_bytes(alky_function_result_type(vm, vm->fn));
                uint8_t *h = arena + vm->base, *result = sp - rb;
                if (vm->base == 0) {
                    vm->result_at = (uint16_t)(result - arena);
                    vm->result_len = rb;
                    goto done;
                }
                vm->frame_end = vm->base;
                pc = load16(h);
                sp = arena + load16(h + 2);
                vm->base = load16(h + 4);
                vm->fn = h[6];
                mode = h[7];
                nb = alky_width_bytes(mode);
                lp = arena + vm->base + ALKY_FRAME_HEADER;
                copy(sp, result, rb);
                sp += rb;
                vmbreak;
            }

            vmdefault {
            trap:
                status = ALKY_FAULT_TRAP;
                goto done;
            }
        }
    }
done:
    vm->pc = pc;
    vm->sp = (uint16_t)(sp - arena);
    vm->mode = mode;
    vm->fuel = fuel_hi;
    vm->fuel = (vm->fuel << 16) + fuel_lo;
    return status;
}
