/* The runtime of a firmware with an ahead-of-time compiled app (aot.h):
 * which engine runs an invocation, and the import boundary of the
 * generated code. Checks and their order are alky_call_run's (runtime.c). */
#include "aot.h"

/* Whether the loaded image is the compiled-in app: its CRC-32 trailer and
 * length (the app hash of docs/ir.md §6). */
static uint8_t is_compiled_app(const alky_vm *vm) {
    uint16_t at;
    uint32_t crc;
    uint8_t i;
    if (!vm->loaded || vm->image_len != alky_aot_app_length || vm->image_len < 4) return 0;
    at = (uint16_t)(vm->image_len - 4);
    crc = 0;
    for (i = 0; i < 4; i++) crc |= (uint32_t)alky_rom_u8(vm, (uint16_t)(at + i)) << (8 * i);
    return (uint8_t)(crc == alky_aot_app_crc);
}

alky_status alky_aot_call_run(alky_vm *vm) {
    alky_fn_info f;
    uint32_t size;
    alky_status s;
    if (!is_compiled_app(vm)) return alky_call_run(vm);
    alky_read_fn(vm, vm->call_fn, &f);
    if (vm->call_args != f.params) return ALKY_E_ARG;
    vm->result_len = 0;
    vm->stopped = 0;
    vm->call_args = 0xFF; /* consumed, as in alky_call_run */
    size = (uint32_t)ALKY_FRAME_HEADER + f.frame + f.max_stack;
    if (size > vm->stack_limit) return ALKY_FAULT_STACK;
    /* frame_end counts the call stack the interpreter would use, so a CALLF
     * overflows at the same depth. */
    vm->frame_end = (uint16_t)size;
    vm->fuel = vm->fuel_budget;
    s = alky_aot_app_invoke(vm, vm->call_fn);
    if (s == ALKY_AOT_STOPPED) {
        vm->stopped = 1;
        vm->result_len = 0;
        s = ALKY_OK;
    }
    return s;
}

alky_status alky_aot_import(alky_vm *vm, uint8_t op, uint8_t imp, uint16_t params) {
    uint16_t top = params;
    return alky_call_import(vm, op, imp, &top);
}

#if ALKY_AOT_CHARGE_CALL
/* Out of line on purpose (aot.h), also under -flto. */
__attribute__((noinline)) uint8_t alky_rt_charge(alky_vm *vm, uint16_t n) {
    ALKY_PORT_TICK();
    if (vm->fuel < n) return 1;
    vm->fuel -= n;
    return 0;
}
#endif
