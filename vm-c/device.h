/* The device side of the link protocol (docs/link.md §4): one request at a
 * time, answered with zero or more SYSCALL reports and exactly one terminal
 * report, over the frame codec of link.c and the app store of store.c.
 * Board-independent; no heap, no recursion. A port gives it bytes:
 *
 *   static alky_device device;
 *   alky_device_init(&device, &medium, send, ctx);   attaches the installed app
 *   for (;;) alky_device_receive(&device, next_byte());
 *
 * and links vm-c/port/device_hal.c, which routes the VM's HAL (syscalls,
 * node calls, storage) to the alky_device_* functions below. */
#ifndef ALKY_DEVICE_H
#define ALKY_DEVICE_H

#include "alky.h"
#include "link.h"
#include "store.h"

/* HELLO_REPLY.board (ALKY_BOARD_*, from compiler/link/messages.ts BOARDS). */
#ifndef ALKY_DEVICE_BOARD
#define ALKY_DEVICE_BOARD ALKY_BOARD_NATIVE
#endif

/* HELLO_REPLY.vmVersion: major.minor as 0xMMmm. */
#define ALKY_DEVICE_VM_VERSION 0x0001u

typedef struct alky_device {
    alky_store store;
    uint32_t clock;    /* SET_TIME's value, what clock syscalls return */
    uint16_t syscalls; /* SYSCALL reports of the running invocation */
    /* Repeated requests (docs/link.md §4.6): the last request taken (its
     * number, 0: none since power-on, and type) and its terminal report:
     * the type (0: none yet), ERROR's fields or the invocation's status. */
    uint16_t reply_offset;
#if ALKY_WITH_NCALL
    const uint8_t *ncall_args; /* the waiting NODE_CALL's arguments (VM stack) and import, to send it again */
#endif
    uint8_t last_seq;
    uint8_t last_type;
    uint8_t reply;
    uint8_t reply_code;
    uint8_t reply_detail;
    uint8_t seq; /* of the request being answered */
#if ALKY_WITH_NCALL
    uint8_t ncall_seq;   /* the NODE_CALL waiting for its answer: its sequence number */
    uint8_t ncall_bytes; /* and the bytes of its result */
    uint8_t ncall_imp;
#endif
    /* A CALL/EVENT's argument stream waits for ARGS frames (its state is
     * the VM's: alky_call_stream). */
    uint8_t arg_active;
    /* Last: fields after the VM's and the link's arrays would sit beyond
     * the AVR's 63-byte load/store displacement. */
    alky_link link;
    alky_vm vm;
} alky_device;

/* Sets up the VM, the link and the store, and attaches the installed app
 * (the newest slot the VM accepts; none if neither does). Sends nothing. */
void alky_device_init(alky_device *d, const alky_store_medium *medium, alky_link_send_fn send, void *ctx);

/* Feeds one received byte; a completed frame is handled at once and every
 * report of the answer goes out through the send function before this
 * returns. */
void alky_device_receive(alky_device *d, uint8_t byte);

#if ALKY_SMARTLOCK_DRIVERS
/* RESULT, DONE or FAULT of an invocation the device started itself (a
 * smart-lock key press, smartlock.h), with d->seq; unlike a request's
 * answer it is not kept to be sent again. */
void alky_device_report_end(alky_device *d, alky_status s);
#endif

/* The HAL of a link device (vm-c/port/device_hal.c calls these): a syscall
 * is reported as SYSCALL and returns 0, or the clock for clock syscalls. */
alky_status alky_device_syscall(alky_device *d, uint8_t imp, const uint8_t *args, uint8_t *result);
void alky_device_storage_read(alky_device *d, uint16_t addr, uint8_t *dst, uint8_t length);
void alky_device_storage_write(alky_device *d, uint16_t addr, const uint8_t *src, uint8_t length);

#if ALKY_WITH_NCALL
/* Node calls (docs/link.md §4.4). alky_hal_ncall (port/device_hal.c) sends
 * NODE_CALL with alky_device_ncall_begin, then feeds the bytes it receives to
 * alky_device_ncall_receive until that returns ALKY_OK (answered: `result`
 * holds the value) or ALKY_FAULT_TRAP (the node answered "failed"), or until
 * ALKY_NCALL_TIMEOUT_TICKS ticks passed without a byte (then it traps).
 * Meanwhile every other request is refused with ERROR busy. */
#define ALKY_DEVICE_NCALL_WAITING 0xFF
void alky_device_ncall_begin(alky_device *d, uint8_t imp, const uint8_t *args);
uint8_t alky_device_ncall_receive(alky_device *d, uint8_t byte, uint8_t *result);

/* How long a node call waits for its answer, in ticks of
 * alky_device_port_read: 1 ms where the port can measure time (host, Uno).
 * Under mspdebug's simulator a tick is one poll of the mailbox. */
#ifndef ALKY_NCALL_TIMEOUT_TICKS
#define ALKY_NCALL_TIMEOUT_TICKS 2000u
#endif

/* Implemented by the port: the next received byte, if one is waiting or
 * arrives within one tick; else -1 after one tick. */
int16_t alky_device_port_read(void);
#endif

#endif /* ALKY_DEVICE_H */
