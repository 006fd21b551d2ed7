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
 * Dispatch is one `vmdispatch` over the opcode with a `vmcase` per opcode
 * (Lua's lvm.c style): a switch, or a computed-goto table with
 * ALKY_USE_COMPUTED_GOTO. Opcode families (PUSHn, DUPn, ...) share a handler
 * through the generated ALKY_OPS_<kind> lists. */
#include "alky_internal.h"
#include "hal.h"

#if ALKY_USE_COMPUTED_GOTO
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Woverride-init"
#endif
#define vmdispatch(op) goto *jumptable[op];
#define vmcase(name) L_##name:
#define vmdefault L_default:
#define vmbreak goto next
#else
#define vmdispatch(op) switch (op)
#define vmcase(name) case ALKY_OP_##name:
#define vmdefault default:
#define vmbreak break
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

alky_status alky_execute(alky_vm *vm) {
#if ALKY_USE_COMPUTED_GOTO
#define JT_(name, byte, kind, imm, terminal) [byte] = &&L_##name,
    static const void *const jumptable[256] = {[0 ... 255] = &&L_default, ALKY_OPCODE_LIST(JT_)};
#undef JT_
#endif
    uint8_t *const arena = vm->stack;
    uint16_t pc = vm->pc;
    uint8_t *sp = arena + vm->sp;
    uint8_t *lp = arena + vm->base + ALKY_FRAME_HEADER;
    uint8_t mode = vm->mode;
    uint8_t nb = alky_width_bytes(mode);
    uint32_t fuel = vm->fuel;
    alky_status status = ALKY_OK;
    uint8_t op;

    for (;;) {
#if ALKY_USE_COMPUTED_GOTO
    next:
#endif
        if (fuel == 0) {
            status = ALKY_FAULT_FUEL;
            goto done;
        }
        fuel--;
        op = alky_rom_fetch(vm, pc);
        pc++;
        vmdispatch(op) {
            vmcase(STOP) {
                vm->stopped = 1;
                goto done;
            }

            /* a = top, b = next; the result replaces b. */
            ALKY_OPS_G_WW_W(vmcase) {
#if ALKY_WITH_BIG
                if (nb > 4 || !alky_small_native(op)) {
                    alky_big_binop(op, sp - 2 * nb, sp - nb, nb);
                    sp -= nb;
                    vmbreak;
                }
#endif
                sp -= nb;
                alky_small_store(sp - nb, alky_small_binop(op, alky_small_load(sp, nb), alky_small_load(sp - nb, nb), nb), nb);
                vmbreak;
            }
            ALKY_OPS_G_WW_B(vmcase) {
                uint8_t r;
#if ALKY_WITH_BIG
                if (nb > 4) r = alky_big_compare(op, sp - 2 * nb, sp - nb, nb);
                else
#endif
                    r = alky_small_compare(op, alky_small_load(sp - nb, nb), alky_small_load(sp - 2 * nb, nb), nb);
                sp -= 2 * nb;
                *sp++ = r;
                vmbreak;
            }
            ALKY_OPS_G_WWW_W(vmcase) {
#if ALKY_WITH_BIG
                alky_big_modop(op, sp - 3 * nb, sp - 2 * nb, sp - nb, nb);
                sp -= 2 * nb;
                vmbreak;
#else
                sp -= 2 * nb;
                alky_small_store(sp - nb,
                                 alky_small_modop(op, alky_small_load(sp + nb, nb), alky_small_load(sp, nb), alky_small_load(sp - nb, nb)), nb);
                vmbreak;
#endif
            }
            vmcase(ISZERO) {
                uint8_t i, any = 0;
                for (i = 1; i <= nb; i++) any |= sp[-(int16_t)i];
                sp -= nb;
                *sp++ = (uint8_t)(any == 0);
                vmbreak;
            }
            vmcase(NOT) {
                uint8_t i;
                for (i = 1; i <= nb; i++) sp[-(int16_t)i] = (uint8_t)~sp[-(int16_t)i];
                vmbreak;
            }
            vmcase(POP) {
                sp -= nb;
                vmbreak;
            }

            /* Memory and storage: the 16-bit address on top, then the value. */
            vmcase(MLOAD) {
                uint16_t addr = load16(sp - 2);
                if (outside(addr, nb, vm->mem_size)) {
                    vm->fault_addr = addr;
                    status = ALKY_FAULT_MEMORY;
                    goto done;
                }
                sp -= 2;
                copy(sp, vm->memory + addr, nb);
                sp += nb;
                vmbreak;
            }
            vmcase(MSTORE)
            vmcase(MSTORE8) {
                uint16_t addr = load16(sp - 2);
                uint8_t n = op == ALKY_OP_MSTORE8 ? 1 : nb;
                sp -= 2 + nb;
                if (outside(addr, n, vm->mem_size)) {
                    vm->fault_addr = addr;
                    status = ALKY_FAULT_MEMORY;
                    goto done;
                }
                copy(vm->memory + addr, sp, n);
                vmbreak;
            }
            vmcase(SLOAD)
            vmcase(SSTORE) {
#if ALKY_WITH_STORAGE
                uint16_t addr = load16(sp - 2);
                sp -= 2;
                if (op == ALKY_OP_SSTORE) sp -= nb;
                if (outside(addr, nb, vm->storage_size)) {
                    vm->fault_addr = addr;
                    status = ALKY_FAULT_STORAGE;
                    goto done;
                }
                if (op == ALKY_OP_SSTORE) {
                    alky_hal_storage_write(vm, addr, sp, nb);
                } else {
                    alky_hal_storage_read(vm, addr, sp, nb);
                    sp += nb;
                }
                vmbreak;
#else
                status = ALKY_FAULT_TRAP; /* unreachable: images using storage are refused */
                goto done;
#endif
            }

            vmcase(JUMPDEST) {
                mode = ALKY_W8;
                nb = 1;
                vmbreak;
            }
            ALKY_OPS_SPECIAL_MODE(vmcase) {
                mode = (uint8_t)(op - ALKY_OP_MODE8);
                nb = alky_width_bytes(mode);
                vmbreak;
            }
            ALKY_OPS_SPECIAL_PUSH(vmcase) {
                /* n big-endian immediate bytes, zero-extended to W, stored little-endian. */
                uint8_t n = (uint8_t)(op - ALKY_OP_PUSH0), i;
                for (i = 0; i < nb; i++) sp[i] = i < n ? alky_rom_fetch(vm, (uint16_t)(pc + n - 1 - i)) : 0;
                pc = (uint16_t)(pc + n);
                sp += nb;
                vmbreak;
            }
            ALKY_OPS_SPECIAL_DUP(vmcase) {
                copy(sp, sp - (uint16_t)(op - ALKY_OP_DUP1 + 1) * nb, nb);
                sp += nb;
                vmbreak;
            }
            ALKY_OPS_SPECIAL_SWAP(vmcase) {
                uint8_t *other = sp - (uint16_t)(op - ALKY_OP_SWAP1 + 2) * nb, *top = sp - nb, i, t;
                for (i = 0; i < nb; i++) {
                    t = top[i];
                    top[i] = other[i];
                    other[i] = t;
                }
                vmbreak;
            }
            ALKY_OPS_SPECIAL_CONVERT(vmcase) {
                uint8_t to = alky_width_bytes(alky_rom_fetch(vm, pc)), i;
                pc++;
                if (op == ALKY_OP_TRUNC) {
                    sp -= nb - to;
                } else {
                    uint8_t ext = (uint8_t)(op == ALKY_OP_SEXT && (sp[-1] & 0x80) ? 0xFF : 0);
                    for (i = nb; i < to; i++) *sp++ = ext;
                }
                vmbreak;
            }
            vmcase(LGET) {
                copy(sp, lp + alky_rom_fetch(vm, pc), nb);
                pc++;
                sp += nb;
                vmbreak;
            }
            vmcase(LSET) {
                sp -= nb;
                copy(lp + alky_rom_fetch(vm, pc), sp, nb);
                pc++;
                vmbreak;
            }

            vmcase(SYSCALL)
            vmcase(NCALL) {
                uint16_t top = (uint16_t)(sp - arena);
                status = alky_call_import(vm, op, alky_rom_fetch(vm, pc), &top);
                if (status != ALKY_OK) goto done;
                sp = arena + top;
                pc++;
                vmbreak;
            }

            vmcase(RJUMP)
            vmcase(RJUMPI) {
                uint16_t rel = (uint16_t)(((uint16_t)alky_rom_fetch(vm, pc) << 8) | alky_rom_fetch(vm, (uint16_t)(pc + 1)));
                pc = (uint16_t)(pc + 2);
                if (op == ALKY_OP_RJUMP || *--sp) pc = (uint16_t)(pc + rel); /* wraps: rel is two's complement */
                vmbreak;
            }

            vmcase(CALLF) {
                alky_fn_info f;
                uint8_t callee = alky_rom_fetch(vm, pc);
                uint16_t size, params, i;
                uint8_t *h = arena + vm->frame_end, *locals = h + ALKY_FRAME_HEADER;
                alky_read_fn(vm, callee, &f);
                size = (uint16_t)(ALKY_FRAME_HEADER + f.frame + f.max_stack);
                if (vm->frame_end > vm->stack_limit || size > (uint16_t)(vm->stack_limit - vm->frame_end)) {
                    status = ALKY_FAULT_STACK;
                    goto done;
                }
                pc++;
                /* The parameters are contiguous on the stack in local order: one copy. */
                params = alky_types_bytes(vm, f.types, f.params);
                sp -= params;
                for (i = 0; i < params; i++) locals[i] = sp[i];
                for (; i < f.frame; i++) locals[i] = 0;
                store16(h, pc);
                store16(h + 2, (uint16_t)(sp - arena));
                store16(h + 4, vm->base);
                h[6] = vm->fn;
                h[7] = mode;
                vm->fn = callee;
                vm->base = vm->frame_end;
                vm->frame_end = (uint16_t)(vm->base + size);
                lp = locals;
                sp = locals + f.frame;
                pc = (uint16_t)(vm->code + f.code);
                mode = ALKY_W8;
                nb = 1;
                vmbreak;
            }
            vmcase(RETF) {
                uint8_t rb = alky_type_bytes(alky_rom_u8(vm, alky_fn_entry(vm, vm->fn) + ALKY_FE_RESULT));
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

            vmcase(INVALID)
            vmdefault {
                status = ALKY_FAULT_TRAP;
                goto done;
            }
        }
    }
done:
    vm->pc = pc;
    vm->sp = (uint16_t)(sp - arena);
    vm->mode = mode;
    vm->fuel = fuel;
    return status;
}
