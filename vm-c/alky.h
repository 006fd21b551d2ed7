/* The Alkyl VM: public API (prefix alky_).
 *
 * A portable C99 interpreter for Alkyl IR (docs/ir.md, normative; this VM's
 * structure in docs/vm-c.md). No heap, no recursion, no hidden globals: all
 * state is in one alky_vm the caller allocates (statically, on a device).
 *
 *   alky_init(&vm, user);
 *   if (alky_load(&vm, image, length) != ALKY_OK) ... vm.rule, vm.rule_offset
 *   alky_call_begin(&vm, fn); alky_call_arg(&vm, bytes, n)...; alky_call_run(&vm);
 *
 * Syscalls, node calls and storage reach the board through hal.h. */
#ifndef ALKY_H
#define ALKY_H

#include <stddef.h>
#include <stdint.h>

#include "vm_config.h"

/* ---- Status codes: what an invocation or a call of the API ended with. ---- */
typedef uint8_t alky_status;

#define ALKY_OK 0            /* done: the invocation returned (RETF of the entry function) or hit STOP */
/* Faults (docs/ir.md §3): the invocation ends, memory writes made before stay. */
#define ALKY_FAULT_FUEL 1    /* instruction budget exhausted */
#define ALKY_FAULT_MEMORY 2  /* memory access out of bounds (alky_vm.fault_addr) */
#define ALKY_FAULT_STORAGE 3 /* storage access out of bounds (alky_vm.fault_addr) */
#define ALKY_FAULT_STACK 4   /* call stack overflow */
#define ALKY_FAULT_TRAP 5    /* INVALID, or a node call that got no answer */
/* Errors of the API: nothing ran. */
#define ALKY_E_VERIFY 16       /* the image was rejected: alky_vm.rule and alky_vm.rule_offset */
#define ALKY_E_FEATURES 17     /* the image needs features this build lacks (ALKY_FEATURES) */
#define ALKY_E_MEMORY_SIZE 18  /* the image declares more memory than ALKY_MEMORY_SIZE */
#define ALKY_E_TOO_LARGE 19    /* the image is longer than 65535 bytes */
#define ALKY_E_VERIFY_LIMIT 20 /* a function's operand stack has more values than the verifier can track (ALKY_STACK_SIZE) */
#define ALKY_E_NO_IMAGE 21     /* no image is loaded */
#define ALKY_E_FUNCTION 22     /* no function with that index */
#define ALKY_E_ARG 23          /* wrong argument size, a string too long for its buffer, or too many/few arguments */
#define ALKY_E_PROFILE 24      /* the image's profile is not one this build carries */
#define ALKY_E_MORE 25         /* alky_call_stream: the argument stream needs more bytes */

#define alky_is_fault(s) ((s) >= ALKY_FAULT_FUEL && (s) <= ALKY_FAULT_TRAP)

/* Feature bits this build supports (docs/ir.md §6), announced to the node. */
#define ALKY_FEATURES                                                                   \
    ((ALKY_WITH_W64 ? 0x01 : 0) | (ALKY_WITH_W256 ? 0x02 : 0) | (ALKY_WITH_STORAGE ? 0x04 : 0) | \
     (ALKY_WITH_NCALL ? 0x08 : 0))

/* ---- Verifier rules (docs/ir.md §5 and the container rules of §6). ---- */
#define ALKY_RULE_LIST(X)                                                                          \
    X(NONE, "none") X(HEADER, "header") X(MAGIC, "magic") X(VERSION, "version")                      \
    X(FEATURES, "features") X(RESERVED, "reserved") X(SIZE, "size") X(CRC, "crc") X(DATA, "data")    \
    X(NAME, "name") X(TYPES, "types") X(TYPE, "type") X(FUNCTION_KIND, "function-kind")              \
    X(FUNCTION_EVENT, "function-event") X(FUNCTION_PARAMS, "function-params")                       \
    X(FUNCTION_FRAME, "function-frame") X(FUNCTION_CODE, "function-code")                           \
    X(STRING_BUFFER, "string-buffer") X(CODE, "code") X(IMPORT_KIND, "import-kind")                 \
    X(IMPORT_ID, "import-id") X(OPCODE, "opcode") X(TRUNCATED, "truncated")                         \
    X(PUSH_WIDTH, "push-width") X(UNDERFLOW, "underflow") X(WIDTH, "width")                         \
    X(MAX_STACK, "max-stack") X(JUMP_TARGET, "jump-target") X(JUMP_STACK, "jump-stack")             \
    X(LOCAL, "local") X(CONVERT, "convert") X(CALL, "call") X(IMPORT, "import") X(RETURN, "return") \
    X(FALLTHROUGH, "fallthrough") X(UNREACHABLE, "unreachable") X(FEATURE, "feature")                \
    X(ENTRY, "entry") X(PROFILE, "profile")

#define ALKY_RULE_ENUM_(name, text) ALKY_RULE_##name,
enum alky_rule { ALKY_RULE_LIST(ALKY_RULE_ENUM_) ALKY_RULE_COUNT_ };
#undef ALKY_RULE_ENUM_

/* A host tool names rules with ALKY_RULE_LIST(X): X(ENUM_SUFFIX, "docs spelling").
 * The core keeps no strings (they would sit in an AVR's RAM). */

/* ---- The VM. ---- */
typedef ALKY_ROM_TYPE alky_rom;

typedef struct alky_vm {
    /* The loaded image: where it is, and its section offsets (image offsets). */
    alky_rom rom;
    uint16_t image_len;
    uint16_t fn_table;
    uint16_t import_table;
    uint16_t types;
    uint16_t data;
    uint16_t code;
    uint16_t names;
    uint16_t data_len;
    uint16_t mem_size;
    uint16_t storage_size;
    uint16_t profile_id;
    uint8_t features;
    uint8_t fn_count;
    uint8_t import_count;
    uint8_t loaded;

    /* The profile the device runs (ALKY_PROFILE_ID; 0 = the image's own). */
    uint16_t device_profile;

    /* Why alky_load rejected the image: an enum alky_rule and the byte offset. */
    uint8_t rule;
    uint16_t rule_offset;

    /* Invocation settings and outcome. */
    uint32_t fuel_budget;  /* per invocation, ALKY_FUEL_DEFAULT after alky_init */
    uint16_t stack_limit;  /* bytes of the arena frames may use, ALKY_STACK_SIZE after alky_init */
    uint16_t fault_addr;   /* first byte address of a memory or storage fault */
    uint16_t result_at;    /* arena offset of the entry function's result */
    uint8_t result_len;    /* its bytes; 0 for void or STOP */
    uint8_t stopped;       /* 1 when the invocation ended with STOP */

    /* Registers of the running (or prepared) invocation. */
    uint32_t fuel;     /* instructions left */
    uint16_t pc;       /* image offset of the next instruction */
    uint16_t sp;       /* arena offset of the operand stack top */
    uint16_t base;     /* arena offset of the current frame's header */
    uint16_t frame_end;/* arena offset where a callee's frame would start */
    uint8_t fn;        /* current function */
    uint8_t mode;      /* width code */
    uint8_t call_fn;   /* entry function of the prepared invocation */
    uint8_t call_args; /* parameters received so far */
    uint8_t call_strings; /* string parameters received so far */
    uint16_t call_off; /* frame offset of the next parameter */
    uint16_t call_have; /* argument stream: bytes of the current parameter taken */
    uint8_t call_len[2]; /* and a string parameter's length, little-endian */

    void *user; /* for the HAL */

    uint8_t memory[ALKY_MEMORY_SIZE];
    uint8_t stack[ALKY_STACK_SIZE];
} alky_vm;

/* Sets up an empty VM. `user` is kept for the HAL. */
void alky_init(alky_vm *vm, void *user);

/* Checks the image (container, then the verifier) and makes it current;
 * resets memory. Storage is the HAL's: clear it when installing a new app. */
alky_status alky_load(alky_vm *vm, alky_rom rom, uint32_t length);

/* Makes an image current with the checks of alky_load but keeps memory as it
 * is: after alky_load refused a candidate image, the device re-attaches the
 * app it was running without losing the app's globals. */
alky_status alky_attach(alky_vm *vm, alky_rom rom, uint32_t length);

/* Device reset: memory back to the data section followed by zeros. */
void alky_reset(alky_vm *vm);

/* An invocation in three steps: choose the function, pass each parameter's
 * raw little-endian bytes in order (a string parameter of a public function:
 * its bytes without NUL, copied into its buffer), then run it. */
alky_status alky_call_begin(alky_vm *vm, uint8_t fn);
alky_status alky_call_arg(alky_vm *vm, const uint8_t *bytes, uint16_t length);
alky_status alky_call_run(alky_vm *vm);

/* Instead of alky_call_arg: the parameters as an argument stream (docs/link.md
 * §3.3: a scalar's bytes, a string's u16 length and bytes), in pieces of any
 * size as they arrive. ALKY_OK: every parameter is complete and no byte is
 * left over; ALKY_E_MORE: give the next piece; ALKY_E_ARG: parameter
 * vm->call_args is refused (a string too long for its buffer, a string
 * parameter of an event handler, a width this build lacks), or bytes follow
 * the last parameter (vm->call_args is then the parameter count). */
alky_status alky_call_stream(alky_vm *vm, const uint8_t *p, uint16_t n);

/* The entry function's result after ALKY_OK (NULL for void or STOP). */
const uint8_t *alky_result(const alky_vm *vm, uint8_t *length);

/* ---- Reading the loaded image (for the HAL and the link layer). ---- */
/* The function handling profile event `event`, or 0xFF if the app has none
 * (a device drops events the app does not handle). */
uint8_t alky_event_handler(const alky_vm *vm, uint8_t event);
uint8_t alky_function_kind(const alky_vm *vm, uint8_t fn);
uint8_t alky_function_param_count(const alky_vm *vm, uint8_t fn);
uint8_t alky_function_param_type(const alky_vm *vm, uint8_t fn, uint8_t param);
uint8_t alky_function_result_type(const alky_vm *vm, uint8_t fn);
uint8_t alky_import_kind(const alky_vm *vm, uint8_t imp);
uint8_t alky_import_id(const alky_vm *vm, uint8_t imp);
uint8_t alky_import_param_count(const alky_vm *vm, uint8_t imp);
uint8_t alky_import_param_type(const alky_vm *vm, uint8_t imp, uint8_t param);
uint8_t alky_import_result_type(const alky_vm *vm, uint8_t imp);
/* Profile flags of a syscall import (ALKY_SYSCALL_FLAG_CLOCK), 0 if none. */
uint8_t alky_import_flags(const alky_vm *vm, uint8_t imp);

/* A string argument of a syscall: its bytes in memory (already checked to be
 * NUL-terminated inside memory) and its length without the NUL. */
const uint8_t *alky_string(const alky_vm *vm, uint16_t addr, uint16_t *length);

/* Bytes of a value of a type byte (1, 2, 4, 8, 32), 0 for void. */
uint8_t alky_type_bytes(uint8_t type);

#endif /* ALKY_H */
