/* libFuzzer target over the C VM (docs/security.md, "Fuzzing"): image bytes
 * -> alky_load (container checks of image.c, then the verifier of verify.c),
 * and when the image is accepted, every public function and event handler run
 * through the interpreter (vm.c, runtime.c) with fixed arguments and a small
 * fuel budget. Built with clang -fsanitize=fuzzer,address,undefined and
 * -fno-sanitize-recover=all (scripts/fuzz/build.ts), so any sanitizer report,
 * crash or timeout ends the run as a finding.
 *
 * Random mutations almost never keep the CRC trailer right, which would stop
 * every input at the CRC check. So an input rejected for its CRC is loaded a
 * second time with the trailer rewritten: the exact bytes reach the container
 * checks, and the corrected copy reaches everything after them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alky_internal.h"
#include "hal.h"

#define FUZZ_FUEL 2000
#define FUZZ_STORAGE 65536

static alky_vm vm;
static uint8_t storage[FUZZ_STORAGE];
static uint8_t image_copy[65536];
static unsigned ncalls;

/* ---- The HAL: a syscall does nothing (the clock reads 0x12345678), every
 * other node call gets an answer, storage is a plain buffer. The VM checks
 * bounds before calling, so ASan catches a HAL access the VM let through. */
alky_status alky_hal_syscall(alky_vm *v, uint8_t imp, const uint8_t *args, uint8_t *result) {
    uint8_t i, count = alky_import_param_count(v, imp), off = 0;
    for (i = 0; i < count; i++) {
        uint8_t type = alky_import_param_type(v, imp, i);
        if ((type >> 4) == ALKY_VALUE_STRING) {
            uint16_t len;
            const uint8_t *s = alky_string(v, (uint16_t)(args[off] | (args[off + 1] << 8)), &len);
            volatile uint8_t sink = 0;
            uint16_t k;
            for (k = 0; k < len; k++) sink ^= s[k]; /* touch every byte the VM vouched for */
            (void)sink;
        }
        off = (uint8_t)(off + alky_type_bytes(type));
    }
    if (alky_import_flags(v, imp) & ALKY_SYSCALL_FLAG_CLOCK) {
        uint8_t rb = alky_type_bytes(alky_import_result_type(v, imp));
        uint32_t clock = 0x12345678u;
        for (i = 0; i < rb && i < 4; i++) result[i] = (uint8_t)(clock >> (8 * i));
    }
    return ALKY_OK;
}

alky_status alky_hal_ncall(alky_vm *v, uint8_t imp, const uint8_t *args, uint8_t *result) {
    uint8_t rb = alky_type_bytes(alky_import_result_type(v, imp));
    (void)args;
    if (++ncalls % 3 == 0) return ALKY_FAULT_TRAP; /* no answer */
    memset(result, 0xA5, rb);
    return ALKY_OK;
}

void alky_hal_storage_read(alky_vm *v, uint16_t addr, uint8_t *dst, uint8_t length) {
    (void)v;
    memcpy(dst, storage + addr, length);
}

void alky_hal_storage_write(alky_vm *v, uint16_t addr, const uint8_t *src, uint8_t length) {
    (void)v;
    memcpy(storage + addr, src, length);
}

/* ---- The target. ---- */

/* Every public function and event handler, in table order, with fixed
 * arguments: integers 0x07 in every byte, strings "fz". */
static void run_entries(void) {
    static const uint8_t sevens[32] = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
                                       7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};
    uint8_t fn;
    for (fn = 0; fn < vm.fn_count; fn++) {
        uint8_t kind = alky_function_kind(&vm, fn), p, params;
        alky_status s;
        if (kind != ALKY_FN_PUBLIC && kind != ALKY_FN_EVENT) continue;
        s = alky_call_begin(&vm, fn);
        params = alky_function_param_count(&vm, fn);
        for (p = 0; s == ALKY_OK && p < params; p++) {
            uint8_t type = alky_function_param_type(&vm, fn, p);
            if ((type >> 4) == ALKY_VALUE_STRING) s = alky_call_arg(&vm, (const uint8_t *)"fz", 2);
            else s = alky_call_arg(&vm, sevens, alky_type_bytes(type));
        }
        if (s == ALKY_OK) s = alky_call_run(&vm);
        if (s == ALKY_OK) {
            uint8_t len;
            const uint8_t *r = alky_result(&vm, &len);
            volatile uint8_t sink = 0;
            uint8_t k;
            for (k = 0; r && k < len; k++) sink ^= r[k];
            (void)sink;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    alky_status s;
    alky_init(&vm, NULL);
    vm.fuel_budget = FUZZ_FUEL;
    ncalls = 0;
    s = alky_load(&vm, data, (uint32_t)size);
    if (s == ALKY_E_VERIFY && vm.rule == ALKY_RULE_CRC && size >= 4 && size <= sizeof image_copy) {
        uint32_t crc;
        memcpy(image_copy, data, size);
        crc = alky_crc32_rom(image_copy, (uint16_t)(size - 4));
        image_copy[size - 4] = (uint8_t)crc;
        image_copy[size - 3] = (uint8_t)(crc >> 8);
        image_copy[size - 2] = (uint8_t)(crc >> 16);
        image_copy[size - 1] = (uint8_t)(crc >> 24);
        alky_init(&vm, NULL);
        vm.fuel_budget = FUZZ_FUEL;
        s = alky_load(&vm, image_copy, (uint32_t)size);
    }
    if (s != ALKY_OK) return 0;
#ifdef ALKY_FUZZ_SELF_TEST
    { /* A planted heap overflow on every accepted image: the test of the runner
       * (test/fuzz/libfuzzer.test.ts) checks that it is reported as a finding. */
        uint8_t *volatile p = (uint8_t *)malloc(1);
        p[vm.fn_count] = 1;
        free(p);
    }
#endif
    memset(storage, 0, vm.storage_size);
    run_entries();
    alky_reset(&vm); /* and once more from a fresh memory, after the first round changed it */
    run_entries();
    return 0;
}
