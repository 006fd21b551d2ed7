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
    alky_status s = alky_image_parse(vm, rom, length);
    if (s == ALKY_OK) s = alky_verify(vm);
    if (s != ALKY_OK) return s;
    if (vm->features & ~ALKY_FEATURES) return ALKY_E_FEATURES;
#if ALKY_MEMORY_SIZE < 65535
    if (vm->mem_size > ALKY_MEMORY_SIZE) return ALKY_E_MEMORY_SIZE;
#endif
    vm->loaded = 1;
    alky_reset(vm);
    return ALKY_OK;
}

void alky_reset(alky_vm *vm) {
    uint16_t i;
    for (i = 0; i < vm->mem_size; i++) vm->memory[i] = i < vm->data_len ? alky_rom_u8(vm, (uint16_t)(vm->data + i)) : 0;
}

/* ---- Invocations. ---- */

static uint16_t entry_frame_bytes(const alky_vm *vm, uint16_t e) {
    return (uint16_t)(ALKY_FRAME_HEADER + alky_rom_u16(vm, e + ALKY_FE_FRAME) + alky_rom_u16(vm, e + ALKY_FE_MAX_STACK));
}

/* Whether the entry frame fits the arena; if not, the run faults "stack" and
 * scalar arguments are dropped (string arguments are still copied, as in the
 * reference VM, whose copies happen before the check). */
static uint8_t entry_fits(const alky_vm *vm, uint16_t e) {
    return (uint8_t)((uint32_t)entry_frame_bytes(vm, e) <= vm->stack_limit);
}

alky_status alky_call_begin(alky_vm *vm, uint8_t fn) {
    uint16_t e, i, frame;
    if (!vm->loaded) return ALKY_E_NO_IMAGE;
    if (fn >= vm->fn_count) return ALKY_E_FUNCTION;
    e = alky_fn_entry(vm, fn);
    vm->call_fn = fn;
    vm->call_args = 0;
    vm->call_strings = 0;
    vm->call_off = 0;
    if (entry_fits(vm, e)) {
        frame = alky_rom_u16(vm, e + ALKY_FE_FRAME);
        for (i = 0; i < frame; i++) vm->stack[ALKY_FRAME_HEADER + i] = 0;
    }
    return ALKY_OK;
}

alky_status alky_call_arg(alky_vm *vm, const uint8_t *bytes, uint16_t length) {
    uint16_t e, types_at, k;
    uint8_t type, width, value[ALKY_MAX_VALUE_BYTES];
    const uint8_t *src = bytes;
    if (!vm->loaded) return ALKY_E_NO_IMAGE;
    e = alky_fn_entry(vm, vm->call_fn);
    if (vm->call_args >= alky_rom_u8(vm, e + ALKY_FE_PARAMS)) return ALKY_E_ARG;
    types_at = alky_rom_u16(vm, e + ALKY_FE_TYPES);
    type = alky_rom_u8(vm, (uint16_t)(vm->types + types_at + vm->call_args));
    width = alky_type_bytes(type);
    if ((type >> 4) == ALKY_VALUE_STRING) {
        uint16_t rec, address;
        uint8_t capacity;
        if (alky_rom_u8(vm, e + ALKY_FE_KIND) != ALKY_FN_PUBLIC) return ALKY_E_ARG;
        rec = (uint16_t)(vm->types + types_at + alky_rom_u8(vm, e + ALKY_FE_LOCALS) + 3 * vm->call_strings);
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
    if (entry_fits(vm, e))
        for (k = 0; k < width; k++) vm->stack[ALKY_FRAME_HEADER + vm->call_off + k] = src[k];
    vm->call_off = (uint16_t)(vm->call_off + width);
    vm->call_args++;
    return ALKY_OK;
}

alky_status alky_call_run(alky_vm *vm) {
    uint16_t e;
    if (!vm->loaded) return ALKY_E_NO_IMAGE;
    e = alky_fn_entry(vm, vm->call_fn);
    if (vm->call_args != alky_rom_u8(vm, e + ALKY_FE_PARAMS)) return ALKY_E_ARG;
    vm->result_len = 0;
    vm->stopped = 0;
    vm->call_args = 0xFF; /* consumed: the next invocation starts with alky_call_begin */
    if (!entry_fits(vm, e)) return ALKY_FAULT_STACK;
    vm->fn = vm->call_fn;
    vm->base = 0;
    vm->frame_end = entry_frame_bytes(vm, e);
    vm->sp = (uint16_t)(ALKY_FRAME_HEADER + alky_rom_u16(vm, e + ALKY_FE_FRAME));
    vm->pc = (uint16_t)(vm->code + alky_rom_u16(vm, e + ALKY_FE_CODE));
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
    uint16_t e = alky_import_entry(vm, imp);
    uint16_t types_at = (uint16_t)(vm->types + alky_rom_u16(vm, e + ALKY_IE_TYPES));
    uint8_t count = alky_rom_u8(vm, e + ALKY_IE_PARAMS), i;
    uint8_t rb = alky_type_bytes(alky_rom_u8(vm, e + ALKY_IE_RESULT));
    uint16_t params = alky_types_bytes(vm, alky_rom_u16(vm, e + ALKY_IE_TYPES), count), off = params;
    uint8_t *args = vm->stack + *sp - params;
    uint8_t result[ALKY_MAX_VALUE_BYTES];
    alky_status s;
    (void)op;
    /* String arguments are read last parameter first, as they are popped. */
    for (i = count; i-- > 0;) {
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
