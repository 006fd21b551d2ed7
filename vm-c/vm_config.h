/* Every feature switch and size of the Alkyl VM, with its default.
 *
 * Settings layer like MicroPython's: a board build passes
 * -DALKY_CONFIG_HEADER='"board_config.h"' (generated per board) and that file
 * overrides any of the values below; anything it leaves out keeps the default.
 * The core never names a board: board differences live in hal.h and in the
 * board's config header. */
#ifndef ALKY_VM_CONFIG_H
#define ALKY_VM_CONFIG_H

#ifdef ALKY_CONFIG_HEADER
#include ALKY_CONFIG_HEADER
#endif

/* ---- Features (announced to the node; an image needing more is refused). ---- */

/* 64-bit mode (MODE64, 64-bit locals and conversions). Runs on the same
 * byte-array routines as 256-bit, so adds about 0.3 KB when W256 is on. */
#ifndef ALKY_WITH_W64
#define ALKY_WITH_W64 1
#endif

/* 256-bit mode (MODE256): EVM-exact arithmetic on 32-byte values. The biggest
 * switch: arith256.c is 2-3 KB of code and needs 64 bytes of C stack for EXP. */
#ifndef ALKY_WITH_W256
#define ALKY_WITH_W256 1
#endif

/* SLOAD/SSTORE on the persistent storage the HAL provides. */
#ifndef ALKY_WITH_STORAGE
#define ALKY_WITH_STORAGE 1
#endif

/* NCALL: calls to the Aryl node, answered through alky_hal_ncall. */
#ifndef ALKY_WITH_NCALL
#define ALKY_WITH_NCALL 1
#endif

/* The load-time verifier (docs/ir.md §5) and the per-entry container checks
 * (§6). About 4.5 KB of AVR code. Turning it off keeps the integrity checks
 * (magic, version, section sizes, CRC) and trusts the rest: only for a device
 * whose images come verified by the node (compiler/ir/verify.ts, the same
 * rules) over the authenticated link. */
#ifndef ALKY_WITH_VERIFY
#define ALKY_WITH_VERIFY 1
#endif

/* ---- Sizes. ---- */

/* Bytes of the VM stack arena: each active frame takes 8 + frameSize +
 * maxStack bytes (docs/ir.md §3). The reference VM uses 1024. Also the scratch
 * space of the verifier's width list (one width code per byte: a function
 * deeper than ALKY_STACK_SIZE values is refused, ALKY_E_VERIFY_LIMIT). At
 * most 65535. */
#ifndef ALKY_STACK_SIZE
#define ALKY_STACK_SIZE 1024
#endif

/* Bytes of app memory (globals, string buffers) the device reserves; an image
 * declaring more is refused. At most 65535. */
#ifndef ALKY_MEMORY_SIZE
#define ALKY_MEMORY_SIZE 1024
#endif

/* The header parse (alky_image_parse) kept out of alky_attach: its 24-byte
 * copy of the header is then off the C stack while the verifier runs (the
 * deepest path of a LOAD_COMMIT), for a few bytes of flash more (22 on the
 * Uno, which has the RAM). For boards short of RAM (config/lpmsp430g2553.h). */
#ifndef ALKY_PARSE_OUT_OF_LINE
#define ALKY_PARSE_OUT_OF_LINE 0
#endif

/* Instruction budget of one invocation (docs/ir.md §3). */
#ifndef ALKY_FUEL_DEFAULT
#define ALKY_FUEL_DEFAULT 1000000UL
#endif

/* Called before every instruction: a board with a hardware watchdog resets
 * it here (config/uno.h), so no invocation trips it however much fuel it
 * has, while a hang outside the VM still does. An expression; nothing by default. */
#ifndef ALKY_PORT_TICK
#define ALKY_PORT_TICK() ((void)0)
#endif

/* The profile this build carries: its id, or 0 for every profile (hosts). */
#ifndef ALKY_PROFILE_ID
#define ALKY_PROFILE_ID 0
#endif

/* With ALKY_PROFILE_ID 0, also the profiles only the Aryl node runs apps of
 * (compiler/profiles/profiles.ts nodeOnly: "aryl"). A board leaves them out
 * and refuses such an image ("profile"): their blob bytes are flash it needs. */
#ifndef ALKY_WITH_NODE_PROFILES
#define ALKY_WITH_NODE_PROFILES 1
#endif

/* ---- Where the image lives. ----
 * Every read of image bytes goes through alky_rom_u8(rom, offset), so the
 * same interpreter runs an image in RAM, in AVR flash or in EEPROM. A board
 * that keeps the image elsewhere defines ALKY_ROM_TYPE and ALKY_ROM_U8 (see
 * hal.h for the AVR flash and EEPROM definitions). */
#ifndef ALKY_ROM_TYPE
#define ALKY_ROM_TYPE const uint8_t *
#endif
#ifndef ALKY_ROM_U8
#define ALKY_ROM_U8(rom, off) ((rom)[off])
#endif

/* Constant tables of the core (verifier kinds, profiles): flash on AVR,
 * where plain const data would be copied to RAM. */
#ifndef ALKY_PROGMEM
#define ALKY_PROGMEM
#endif
#ifndef ALKY_PROGMEM_U8
#define ALKY_PROGMEM_U8(p) (*(const uint8_t *)(p))
#endif

/* ---- Dispatch. ----
 * 1: computed goto (GCC/Clang "labels as values"), one indirect jump per
 * instruction instead of a bounds check and a table jump: a few percent on
 * big cores, nothing on AVR/MSP430, and 512 bytes of table. 0: a switch. */
#ifndef ALKY_USE_COMPUTED_GOTO
#define ALKY_USE_COMPUTED_GOTO 0
#endif

/* Options of the dispatch loop alone (vm.c alky_execute), for avr-gcc: with
 * these the Uno's loop is 80 bytes smaller and 5 % faster (it keeps more of
 * its registers out of the stack frame; docs/vm-c.md). A function with
 * GCC's optimize attribute no longer gets the command line's
 * -fno-tree-dominator-opts and -fno-move-loop-invariants (measured: the
 * loop grows without them), so they are restated. Empty elsewhere. */
#ifndef ALKY_LOOP_OPTIONS
#if defined(__AVR__) && defined(__GNUC__) && !defined(__clang__)
#define ALKY_LOOP_OPTIONS \
    __attribute__((optimize("no-tree-dominator-opts", "no-move-loop-invariants", "no-tree-forwprop", "no-ssa-phiopt", "no-tree-scev-cprop")))
#else
#define ALKY_LOOP_OPTIONS
#endif
#endif

/* The largest value width the build supports, in bytes (sizes temporaries). */
#if ALKY_WITH_W256
#define ALKY_MAX_VALUE_BYTES 32
#elif ALKY_WITH_W64
#define ALKY_MAX_VALUE_BYTES 8
#else
#define ALKY_MAX_VALUE_BYTES 4
#endif

#define ALKY_WITH_BIG (ALKY_WITH_W64 || ALKY_WITH_W256)

#if ALKY_STACK_SIZE > 65535 || ALKY_MEMORY_SIZE > 65535
#error "ALKY_STACK_SIZE and ALKY_MEMORY_SIZE must fit 16 bits"
#endif

#endif /* ALKY_VM_CONFIG_H */
