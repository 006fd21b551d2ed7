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
    vm->user = user;
    vm->fuel_budget = ALKY_FUEL_DEFAULT;
    vm->stack_limit = ALKY_STACK_SIZE;
    vm->device_profile = ALKY_PROFILE_ID;
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
    if (entry_frame(vm, &f))
        for (i = 0; i < f.frame; i++) vm->stack[ALKY_FRAME_HEADER + i] = 0;
    return ALKY_OK;
}

alky_status alky_call_arg(alky_vm *vm, const uint8_t *bytes, uint16_t length) {
    alky_fn_info f;
    uint16_t k;
    uint8_t type, width, value[ALKY_MAX_VALUE_BYTES];
    const uint8_t *src = bytes;
    if (!vm->loaded) return ALKY_E_NO_IMAGE;
    alky_read_fn(vm, vm->call_fn, &f);
    if (vm->call_args >= f.params) return ALKY_E_ARG;
    type = alky_rom_u8(vm, (uint16_t)(vm->types + f.types + vm->call_args));
    width = alky_type_bytes(type);
    if ((type >> 4) == ALKY_VALUE_STRING) {
        /* The buffer records follow the local types, one per string parameter. */
        uint16_t rec = (uint16_t)(vm->types + f.types + f.locals + 3 * vm->call_strings), address;
        uint8_t capacity;
        if (f.kind != ALKY_FN_PUBLIC) return ALKY_E_ARG;
        address = alky_rom_u16(vm, rec);
        capacity = alky_rom_u8(vm, (uint16_t)(rec + 2));
        if (length >= capacity) return ALKY_E_ARG;
        for (k = 0; k < length; k++) vm->memory[address + k] = bytes[k];
        vm->memory[address + length] = 0;
        value[0] = (uint8_t)address;
        value[1] = (uint8_t)(address >> 8);
        src = value;
        vm->call_strings++;
    } else if (length != width) {
        return ALKY_E_ARG;
    }
    if (entry_frame(vm, &f))
        for (k = 0; k < width; k++) vm->stack[ALKY_FRAME_HEADER + vm->call_off + k] = src[k];
    vm->call_off = (uint16_t)(vm->call_off + width);
    vm->call_args++;
    return ALKY_OK;
}

uint8_t alky_function_string_buffer(const alky_vm *vm, uint8_t fn, uint8_t k, uint16_t *address) {
    alky_fn_info f;
    uint16_t rec;
    alky_read_fn(vm, fn, &f);
    rec = (uint16_t)(vm->types + f.types + f.locals + 3 * k);
    *address = alky_rom_u16(vm, rec);
    return alky_rom_u8(vm, (uint16_t)(rec + 2));
}

alky_status alky_call_run(alky_vm *vm) {
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

/* The length of the NUL-terminated string at addr, or 0xFFFF with the fault
 * address in *fault (the first byte outside memory). */
static uint16_t string_length(const alky_vm *vm, uint16_t addr, uint16_t *fault) {
    uint16_t i;
    if (addr >= vm->mem_size) {
        *fault = addr;
        return 0xFFFF;
    }
    for (i = addr; i < vm->mem_size; i++)
        if (vm->memory[i] == 0) return (uint16_t)(i - addr);
    *fault = vm->mem_size;
    return 0xFFFF;
}

const uint8_t *alky_string(const alky_vm *vm, uint16_t addr, uint16_t *length) {
    uint16_t fault = 0;
    *length = string_length(vm, addr, &fault);
    if (*length == 0xFFFF) {
        *length = 0;
        return NULL;
    }
    return vm->memory + addr;
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
            uint16_t fault = 0;
            if (string_length(vm, (uint16_t)(args[off] | ((uint16_t)args[off + 1] << 8)), &fault) == 0xFFFF) {
                vm->fault_addr = fault;
                return ALKY_FAULT_MEMORY;
            }
        }
    }
    for (i = 0; i < rb; i++) result[i] = 0;
#if ALKY_WITH_NCALL
    if (op == ALKY_OP_NCALL) s = alky_hal_ncall(vm, imp, args, result);
    else
#endif
        s = alky_hal_syscall(vm, imp, args, result);
    if (s != ALKY_OK) return s;
    *sp = (uint16_t)(*sp - params);
    for (i = 0; i < rb; i++) vm->stack[*sp + i] = result[i];
    *sp = (uint16_t)(*sp + rb);
    return ALKY_OK;
}
