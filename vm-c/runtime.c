/* The runtime around the interpreter: loading an image, device reset,
 * invocations (arguments straight into the entry frame, string arguments into
 * their buffers) and the SYSCALL/NCALL boundary to the HAL, where the
 * observable effects leave the VM. Semantics are those of the reference VM
 * (compiler/vm/reference.ts), order of checks included. */
#include "alky_internal.h"
#include "hal.h"

void alky_init(alky_vm *vm, void *user) {
    uint8_t *p = (uint8_t *)vm;
    size_t i;
    for (i = 0; i < sizeof *vm; i++) p[i] = 0;
    alky_init_zeroed(vm, user);
}

void alky_init_zeroed(alky_vm *vm, void *user) {
    vm->user = user;
    vm->fuel_budget = ALKY_FUEL_DEFAULT;
    vm->stack_limit = ALKY_STACK_SIZE;
    if (ALKY_PROFILE_ID) vm->device_profile = ALKY_PROFILE_ID; /* 0 (every profile): already */
}

alky_status alky_load(alky_vm *vm, alky_rom rom, uint32_t length) {
    alky_status s = alky_attach(vm, rom, length);
    if (s == ALKY_OK) alky_reset(vm);
    return s;
}

alky_status alky_attach(alky_vm *vm, alky_rom rom, uint32_t length) {
    alky_status s = alky_image_parse(vm, rom, length);
#if ALKY_WITH_VERIFY
    if (s == ALKY_OK) s = alky_verify(vm);
#endif
    if (s != ALKY_OK) return s;
    if (vm->features & ~ALKY_FEATURES) return ALKY_E_FEATURES;
#if ALKY_MEMORY_SIZE < 65535
    if (vm->mem_size > ALKY_MEMORY_SIZE) return ALKY_E_MEMORY_SIZE;
#endif
    vm->loaded = 1;
    return ALKY_OK;
}

void alky_reset(alky_vm *vm) {
    uint16_t i;
    for (i = 0; i < vm->mem_size; i++) vm->memory[i] = i < vm->data_len ? alky_rom_u8(vm, (uint16_t)(vm->data + i)) : 0;
}

/* ---- Invocations. ---- */

/* Arena bytes of the entry frame, or 0 when it does not fit: then the run
 * faults "stack" and scalar arguments are dropped (string arguments are
 * still copied, as in the reference VM, whose copies happen before the check). */
static ALKY_NOINLINE uint16_t entry_frame(const alky_vm *vm, const alky_fn_info *f) {
    /* 8 + frame + max_stack <= stack_limit, in 16 bits */
    uint16_t room = vm->stack_limit;
    if (room < ALKY_FRAME_HEADER) return 0;
    room = (uint16_t)(room - ALKY_FRAME_HEADER);
    if (f->frame > room || f->max_stack > (uint16_t)(room - f->frame)) return 0;
    return (uint16_t)(ALKY_FRAME_HEADER + f->frame + f->max_stack);
}

alky_status alky_call_begin(alky_vm *vm, uint8_t fn) {
    alky_fn_info f;
    uint16_t i;
    if (!vm->loaded) return ALKY_E_NO_IMAGE;
    if (fn >= vm->fn_count) return ALKY_E_FUNCTION;
    alky_read_fn(vm, fn, &f);
    vm->call_fn = fn;
    vm->call_args = 0;
    vm->call_strings = 0;
    vm->call_off = 0;
    vm->call_have = 0;
    if (entry_frame(vm, &f))
        for (i = 0; i < f.frame; i++) vm->stack[ALKY_FRAME_HEADER + i] = 0;
    return ALKY_OK;
}

/* The argument stream (docs/link.md §3.3) as it arrives, byte by byte: a
 * scalar's bytes straight into the entry frame, a string's u16 length into
 * call_len and its bytes straight into its buffer, then the NUL and the
 * buffer's address into the frame. call_have counts the bytes taken of the
 * current parameter (a string's two length bytes included). */
alky_status alky_call_stream(alky_vm *vm, const uint8_t *p, uint16_t n) {
    alky_fn_info f;
    uint16_t have = vm->call_have;
    uint8_t fits, dropped[ALKY_MAX_VALUE_BYTES]; /* a parameter the entry frame has no room for */
    alky_read_fn(vm, vm->call_fn, &f);
    fits = (uint8_t)(entry_frame(vm, &f) != 0);
    while (vm->call_args < f.params) {
        uint8_t type = alky_rom_u8(vm, (uint16_t)(vm->types + f.types + vm->call_args)), width = alky_type_bytes(type);
        uint8_t *frame = fits ? vm->stack + ALKY_FRAME_HEADER + vm->call_off : dropped, *dst = frame;
        uint16_t need = width, address = 0, at = have, length = (uint16_t)(vm->call_len[0] | ((uint16_t)vm->call_len[1] << 8));
        uint8_t string = (uint8_t)((type >> 4) == ALKY_VALUE_STRING);
        if (string) {
            /* The buffer records follow the local types, one per string parameter. */
            uint16_t rec = (uint16_t)(vm->types + f.types + f.locals + 3 * vm->call_strings);
            uint8_t capacity = alky_rom_u8(vm, (uint16_t)(rec + 2));
            address = alky_rom_u16(vm, rec);
            dst = vm->call_len;
            need = 2;
            if (have >= 2) {
                /* The capacity counts the NUL. The bounds guard a build
                 * without the verifier, which would otherwise trust the record. */
                if (f.kind != ALKY_FN_PUBLIC || length >= capacity || address > vm->mem_size ||
                    capacity > (uint16_t)(vm->mem_size - address))
                    return ALKY_E_ARG;
                need = (uint16_t)(length + 2);
                dst = vm->memory + address;
                at = (uint16_t)(have - 2);
            }
        } else if (width > ALKY_MAX_VALUE_BYTES) {
            return ALKY_E_ARG; /* a width this build cannot hold */
        }
        if (have < need) {
            if (!n) {
                vm->call_have = have;
                return ALKY_E_MORE;
            }
            dst[at] = *p;
            p++;
            n--;
            have++;
            continue;
        }
        if (string) {
            dst[at] = 0; /* the NUL after the string's bytes */
            frame[0] = (uint8_t)address;
            frame[1] = (uint8_t)(address >> 8);
            vm->call_strings++;
        }
        vm->call_off = (uint16_t)(vm->call_off + width);
        vm->call_args++;
        have = 0;
    }
    return n ? ALKY_E_ARG : ALKY_OK;
}

alky_status alky_call_arg(alky_vm *vm, const uint8_t *bytes, uint16_t length) {
    uint8_t type, head[2];
    alky_status s;
    if (!vm->loaded) return ALKY_E_NO_IMAGE;
    if (vm->call_args >= alky_function_param_count(vm, vm->call_fn)) return ALKY_E_ARG;
    type = alky_function_param_type(vm, vm->call_fn, vm->call_args);
    if ((type >> 4) == ALKY_VALUE_STRING) {
        head[0] = (uint8_t)length;
        head[1] = (uint8_t)(length >> 8);
        if (alky_call_stream(vm, head, 2) == ALKY_E_ARG) return ALKY_E_ARG;
    } else if (length != alky_type_bytes(type)) {
        return ALKY_E_ARG;
    }
    s = alky_call_stream(vm, bytes, length);
    return s == ALKY_E_ARG ? s : ALKY_OK;
}

/* By pointer (ALKY_BY_POINTER): it sets a dozen of the VM's fields. */
ALKY_BY_POINTER alky_status alky_call_run(alky_vm *vm) {
    alky_fn_info f;
    if (!vm->loaded) return ALKY_E_NO_IMAGE;
    alky_read_fn(vm, vm->call_fn, &f);
    if (vm->call_args != f.params) return ALKY_E_ARG;
    vm->result_len = 0;
    vm->stopped = 0;
    vm->call_args = 0xFF; /* consumed: the next invocation starts with alky_call_begin */
    vm->frame_end = entry_frame(vm, &f);
    if (!vm->frame_end) return ALKY_FAULT_STACK;
    vm->fn = vm->call_fn;
    vm->base = 0;
    vm->sp = (uint16_t)(ALKY_FRAME_HEADER + f.frame);
    vm->pc = (uint16_t)(vm->code + f.code);
    vm->mode = ALKY_W8;
    vm->fuel = vm->fuel_budget;
    return alky_execute(vm);
}

const uint8_t *alky_result(const alky_vm *vm, uint8_t *length) {
    *length = vm->result_len;
    return vm->result_len ? vm->stack + vm->result_at : NULL;
}

/* ---- Imports. ---- */

const uint8_t *alky_string(const alky_vm *vm, uint16_t addr, uint16_t *length) {
    uint16_t i;
    *length = 0;
    for (i = addr; i < vm->mem_size; i++)
        if (vm->memory[i] == 0) {
            *length = (uint16_t)(i - addr);
            return vm->memory + addr;
        }
    return NULL; /* no NUL inside memory, or addr outside it */
}

alky_status alky_call_import(alky_vm *vm, uint8_t op, uint8_t imp, uint16_t *sp) {
    alky_import_info f;
    uint16_t types_at, params, off;
    uint8_t i, rb, *args;
    uint8_t result[ALKY_MAX_VALUE_BYTES];
    alky_status s;
    (void)op;
    alky_read_import(vm, imp, &f);
    types_at = (uint16_t)(vm->types + f.types);
    rb = alky_type_bytes(f.result);
    off = params = alky_types_bytes(vm, f.types, f.params);
    args = vm->stack + *sp - params;
    /* String arguments are read last parameter first, as they are popped. */
    for (i = f.params; i-- > 0;) {
        uint8_t type = alky_rom_u8(vm, (uint16_t)(types_at + i));
        off = (uint16_t)(off - alky_type_bytes(type));
        if ((type >> 4) == ALKY_VALUE_STRING) {
            uint16_t addr = (uint16_t)(args[off] | ((uint16_t)args[off + 1] << 8)), length;
            if (!alky_string(vm, addr, &length)) {
                /* the first byte outside memory */
                vm->fault_addr = addr < vm->mem_size ? vm->mem_size : addr;
                return ALKY_FAULT_MEMORY;
            }
        }
    }
    for (i = 0; i < sizeof result; i++) result[i] = 0;
#if ALKY_WITH_NCALL
    if (op == ALKY_OP_NCALL) s = alky_hal_ncall(vm, imp, args, result);
    else
#endif
        s = alky_hal_syscall(vm, imp, args, result);
    if (s != ALKY_OK) return s;
    for (i = 0; i < rb; i++) args[i] = result[i]; /* the parameters popped, the result pushed */
    *sp = (uint16_t)(*sp - params + rb);
    return ALKY_OK;
}
