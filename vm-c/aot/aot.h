/* The fixed half of ahead-of-time compiled apps (docs/aot.md).
 *
 * `alkyvm compile --emit c` translates a verified image into one C file
 * (compiler/aot/, template templates/aot_app.c.hbs) that includes this
 * header: one C function per IR function, stack slots and frame locals as
 * C variables of fixed-width types, and these helpers for what is not one C
 * operator. The semantics are the interpreter's (vm.c, arith.c, arith256.c),
 * which the helpers reuse where they can: 256-bit values are the same
 * little-endian byte arrays, run through alky_big_*; syscalls and node calls
 * go through alky_call_import, so string checks, the HAL and faults are the
 * interpreter's own.
 *
 * A firmware links one generated app. Its device runs invocations through
 * alky_aot_call_run (device.c's ALKY_DEVICE_CALL_RUN hook): the AOT code
 * when the loaded image is the compiled-in one (same CRC-32 and length),
 * the interpreter otherwise. */
#ifndef ALKY_AOT_H
#define ALKY_AOT_H

#include "alky_internal.h"
#include "arith_small.h"
#include "hal.h"

/* Internal status of a generated function: STOP ended the invocation (it
 * unwinds the C calls like a fault; alky_aot_call_run turns it into ALKY_OK). */
#define ALKY_AOT_STOPPED 0x80

/* A 256-bit value: 32 little-endian bytes, the interpreter's stack layout. */
typedef struct alky_u256 {
    uint8_t b[32];
} alky_u256;

/* ---- Defined by the generated file. ---- */
/* The compiled-in image's identity (docs/ir.md §6: CRC-32 trailer and length). */
extern const uint32_t alky_aot_app_crc;
extern const uint16_t alky_aot_app_length;
/* Runs function `fn` of the compiled-in app with the arguments alky_call_arg
 * left in the entry frame; vm->fuel and vm->frame_end are set up. Returns
 * ALKY_OK (result at vm->result_at), ALKY_AOT_STOPPED or a fault. */
alky_status alky_aot_app_invoke(alky_vm *vm, uint8_t fn);

/* ---- aot_runtime.c ---- */
/* alky_call_run for a firmware with an AOT app. */
alky_status alky_aot_call_run(alky_vm *vm);
/* SYSCALL / NCALL of import `imp` whose `params` argument bytes are at the
 * start of the VM arena (free while AOT code runs); the result replaces them. */
alky_status alky_aot_import(alky_vm *vm, uint8_t op, uint8_t imp, uint16_t params);

/* ---- Fuel: one charge per segment of `n` instructions (docs/aot.md). ----
 * ALKY_AOT_CHARGE(n) is 1, charging nothing, when fewer than `n` units are
 * left (the segment faults at its start); else it charges `n` and is 0.
 * By default each generated function holds the budget in a local `fuel`
 * (ALKY_AOT_FUEL_LOCAL), which the compiler keeps in registers: stored to
 * vm->fuel before calls, imports and returns (ALKY_AOT_FUEL_SAVE) and
 * reloaded after a call (ALKY_AOT_FUEL_LOAD). A firmware built with
 * ALKY_AOT_CHARGE_CALL=1 (the MSP430's, aot-build.ts) charges vm->fuel
 * through one out-of-line alky_rt_charge in aot_runtime.c instead: a call
 * per segment is less than half the code of an inline 32-bit compare and
 * subtract there. On the Uno the local is about twice as fast (docs/aot.md).
 * Each charge also runs the board's ALKY_PORT_TICK (vm_config.h: the Uno's
 * watchdog reset), as the interpreter does per instruction. */
#ifndef ALKY_AOT_CHARGE_CALL
#define ALKY_AOT_CHARGE_CALL 0
#endif
#if ALKY_AOT_CHARGE_CALL
uint8_t alky_rt_charge(alky_vm *vm, uint16_t n);
#define ALKY_AOT_FUEL_LOCAL
#define ALKY_AOT_CHARGE(n) alky_rt_charge(vm, (n))
#define ALKY_AOT_FUEL_SAVE() ((void)0)
#define ALKY_AOT_FUEL_LOAD() ((void)0)
#else
#define ALKY_AOT_FUEL_LOCAL uint32_t fuel = vm->fuel;
#define ALKY_AOT_CHARGE(n) (ALKY_PORT_TICK(), fuel < (n) ? 1 : (fuel -= (n), 0))
#define ALKY_AOT_FUEL_SAVE() (vm->fuel = fuel)
#define ALKY_AOT_FUEL_LOAD() (fuel = vm->fuel)
#endif

/* ---- Little-endian loads and stores (memory, storage, arguments). ---- */
static inline uint16_t alky_rt_get16(const uint8_t *p) {
    return (uint16_t)(p[0] | ((uint16_t)p[1] << 8));
}
static inline uint32_t alky_rt_get32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t alky_rt_get64(const uint8_t *p) {
    return (uint64_t)alky_rt_get32(p) | ((uint64_t)alky_rt_get32(p + 4) << 32);
}
static inline alky_u256 alky_rt_get256(const uint8_t *p) {
    alky_u256 v;
    uint8_t i;
    for (i = 0; i < 32; i++) v.b[i] = p[i];
    return v;
}
static inline void alky_rt_put16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void alky_rt_put32(uint8_t *p, uint32_t v) {
    alky_rt_put16(p, (uint16_t)v);
    alky_rt_put16(p + 2, (uint16_t)(v >> 16));
}
static inline void alky_rt_put64(uint8_t *p, uint64_t v) {
    alky_rt_put32(p, (uint32_t)v);
    alky_rt_put32(p + 4, (uint32_t)(v >> 32));
}
static inline void alky_rt_put256(uint8_t *p, alky_u256 v) {
    uint8_t i;
    for (i = 0; i < 32; i++) p[i] = v.b[i];
}

/* ---- Widths 8, 16, 32 on uint32_t (`nb` bytes matter): the signed and rare
 * operations are arith_small.h's, shared with the interpreter. ---- */
/* LT on two's complement: flipping the sign bits maps it onto unsigned order. */
static inline uint8_t alky_rt_slt(uint32_t a, uint32_t b, uint8_t nb) {
    return (uint8_t)((a ^ alky_small_sign_bit(nb)) < (b ^ alky_small_sign_bit(nb)));
}
#if ALKY_WITH_BIG
static inline uint32_t alky_rt_addmod(uint32_t a, uint32_t b, uint32_t n) {
    return n ? (uint32_t)(((uint64_t)a + b) % n) : 0;
}
static inline uint32_t alky_rt_mulmod(uint32_t a, uint32_t b, uint32_t n) {
    return n ? (uint32_t)(((uint64_t)a * b) % n) : 0;
}
#else
/* Without 64-bit support (the MSP430 build) a 64-bit product or remainder
 * would pull in large helper routines: the interpreter's own arith.c does
 * these without a 64-bit type. */
static inline uint32_t alky_rt_addmod(uint32_t a, uint32_t b, uint32_t n) {
    return alky_small_modop(ALKY_OP_ADDMOD, a, b, n);
}
static inline uint32_t alky_rt_mulmod(uint32_t a, uint32_t b, uint32_t n) {
    return alky_small_modop(ALKY_OP_MULMOD, a, b, n);
}
#endif

#if ALKY_WITH_BIG
/* The 64- and 256-bit helpers need arith256.c, which a firmware without those
 * widths (ALKY_WITH_BIG 0, the MSP430 build) lacks; an app that uses them is
 * not built into such a firmware (aot-build.ts). */

/* ---- Width 64: native where C has the operator, else arith256.c. ---- */
static inline uint8_t alky_rt_slt64(uint64_t a, uint64_t b) {
    const uint64_t s = (uint64_t)1 << 63;
    return (uint8_t)((a ^ s) < (b ^ s));
}
/* Binary op `op` (a = top) on the byte-array routines. */
static inline uint64_t alky_rt_big64(uint8_t op, uint64_t a, uint64_t b) {
    uint8_t x[8], y[8];
    alky_rt_put64(x, a);
    alky_rt_put64(y, b);
    alky_big_binop(op, y, x, 8);
    return alky_rt_get64(y);
}
static inline uint64_t alky_rt_modop64(uint8_t op, uint64_t a, uint64_t b, uint64_t n) {
    uint8_t x[8], y[8], m[8];
    alky_rt_put64(x, a);
    alky_rt_put64(y, b);
    alky_rt_put64(m, n);
    alky_big_modop(op, m, y, x, 8);
    return alky_rt_get64(m);
}

/* ---- Width 256: arith256.c on the values' bytes (b = op(a, b)). ---- */
static inline void alky_rt_binop256(uint8_t op, alky_u256 *b, alky_u256 *a) {
    alky_big_binop(op, b->b, a->b, 32);
}
static inline uint8_t alky_rt_compare256(uint8_t op, alky_u256 *a, alky_u256 *b) {
    return alky_big_compare(op, b->b, a->b, 32);
}
static inline void alky_rt_modop256(uint8_t op, alky_u256 *n, alky_u256 *b, alky_u256 *a) {
    alky_big_modop(op, n->b, b->b, a->b, 32);
}
static inline uint8_t alky_rt_iszero256(const alky_u256 *a) {
    uint8_t i, any = 0;
    for (i = 0; i < 32; i++) any |= a->b[i];
    return (uint8_t)(any == 0);
}
static inline alky_u256 alky_rt_not256(alky_u256 a) {
    uint8_t i;
    for (i = 0; i < 32; i++) a.b[i] = (uint8_t)~a.b[i];
    return a;
}
/* A 64-bit value widened to 256 bits with `fill` (0 or 0xFF) above it. */
static inline alky_u256 alky_rt_u256(uint64_t v, uint8_t fill) {
    alky_u256 r;
    uint8_t i;
    alky_rt_put64(r.b, v);
    for (i = 8; i < 32; i++) r.b[i] = fill;
    return r;
}
/* A value already sign-extended to 64 bits, sign-extended to 256. */
static inline alky_u256 alky_rt_sext256(uint64_t v) {
    return alky_rt_u256(v, (uint8_t)((v >> 63) ? 0xFF : 0));
}
/* PUSHn at 256 bits: n big-endian immediate bytes. */
static inline alky_u256 alky_rt_push256(const char *be, uint8_t n) {
    alky_u256 r;
    uint8_t i;
    for (i = 0; i < 32; i++) r.b[i] = i < n ? (uint8_t)be[n - 1 - i] : 0;
    return r;
}

#endif /* ALKY_WITH_BIG */

#endif /* ALKY_AOT_H */
