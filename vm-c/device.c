/* The request handler of a link device; see device.h and docs/link.md §4.
 *
 * Every request is answered before the next byte is read (stop-and-wait), so
 * the link's one buffer holds the request until its payload is used up and
 * then the reports. The payload is consumed in place: image chunks go to the
 * store, arguments into the VM's entry frame and string buffers. */
#include "device.h"
#include "alky_internal.h"
#include "seal.h"

#include "generated/alky_opcodes.h"
#include "generated/alky_profiles.h"

/* ---- Reports. ---- */

/* The fields are put in the order of their offsets (messages.ts). */
typedef char alky_device_report_layout[(ALKY_MSG_ERROR_CODE == 0 && ALKY_MSG_ERROR_DETAIL == 1 && ALKY_MSG_ERROR_OFFSET == 2 &&
                                        ALKY_MSG_ERROR_SIZE == 4 && ALKY_MSG_HELLO_REPLY_LINK_VERSION == 0 &&
                                        ALKY_MSG_HELLO_REPLY_IMAGE_VERSION == 1 && ALKY_MSG_HELLO_REPLY_VM_VERSION == 2 &&
                                        ALKY_MSG_HELLO_REPLY_BOARD == 4 && ALKY_MSG_HELLO_REPLY_LINK_FEATURES == 5 &&
                                        ALKY_MSG_HELLO_REPLY_VM_FEATURES == 6 && ALKY_MSG_HELLO_REPLY_MAX_PAYLOAD == 7 &&
                                        ALKY_MSG_HELLO_REPLY_PROFILE == 8 && ALKY_MSG_HELLO_REPLY_MEMORY_SIZE == 10 &&
                                        ALKY_MSG_HELLO_REPLY_STACK_SIZE == 12 && ALKY_MSG_HELLO_REPLY_MAX_IMAGE == 14 &&
                                        ALKY_MSG_HELLO_REPLY_APP_LENGTH == 16 && ALKY_MSG_HELLO_REPLY_APP_CRC == 18 &&
                                        ALKY_MSG_HELLO_REPLY_DROPPED_FRAMES == 22 && ALKY_MSG_HELLO_REPLY_RX_FLOOR == 24 &&
                                        ALKY_MSG_HELLO_REPLY_SIZE == 28)
                                           ? 1
                                           : -1];

/* HELLO_REPLY's fields up to stackSize: the build's constants (a device's VM
 * keeps the profile and the stack size alky_init gives it). */
#define ALKY_DEVICE_LE16(v) (uint8_t)(v), (uint8_t)((v) >> 8)
static const uint8_t ALKY_PROGMEM hello_head[ALKY_MSG_HELLO_REPLY_MAX_IMAGE] = {
    ALKY_LINK_VERSION, ALKY_IMAGE_VERSION, ALKY_DEVICE_LE16(ALKY_DEVICE_VM_VERSION), ALKY_DEVICE_BOARD, ALKY_LINK_FEATURES,
    ALKY_FEATURES,     ALKY_LINK_MAX_PAYLOAD, ALKY_DEVICE_LE16(ALKY_PROFILE_ID),   ALKY_DEVICE_LE16(ALKY_MEMORY_SIZE),
    ALKY_DEVICE_LE16(ALKY_STACK_SIZE)};

static void put_u32(alky_link *l, uint32_t v) {
    alky_link_put_u16(l, (uint16_t)v);
    alky_link_put_u16(l, (uint16_t)(v >> 16));
}

/* A terminal report: ACK; ERROR (code, detail, offset); HELLO_REPLY; or, for
 * RESULT, how the invocation ended from its status `code`: RESULT, DONE or
 * FAULT (the result still on the VM stack, the syscall count and fault
 * address in place). */
static void send_report(alky_device *d, uint8_t type, uint8_t code, uint8_t detail, uint16_t offset) {
    alky_link *l = &d->link;
    uint8_t len = 0;
    const uint8_t *value = NULL;
    if (type == ALKY_MSG_RESULT) {
        if (code) type = ALKY_MSG_FAULT;
        else if (!(value = alky_result(&d->vm, &len))) type = ALKY_MSG_DONE;
    }
    alky_link_begin(l, d->seq, type);
    if (type == ALKY_MSG_ERROR) {
        alky_link_put_u16(l, (uint16_t)(code | ((uint16_t)detail << 8)));
        alky_link_put_u16(l, offset);
    } else if (type == ALKY_MSG_HELLO_REPLY) {
        uint16_t length = 0; /* no app: length 0, CRC 0 */
        uint32_t crc = 0;
        if (d->vm.loaded && d->store.active != ALKY_STORE_NONE) {
            length = d->store.app_length;
            crc = d->store.app_crc;
        }
        uint8_t i;
        for (i = 0; i < sizeof hello_head; i++) alky_link_put_u8(l, ALKY_PROGMEM_U8(hello_head + i));
        alky_link_put_u16(l, alky_store_max_image(&d->store));
        alky_link_put_u16(l, length);
        put_u32(l, crc);
        alky_link_put_u16(l, l->dropped);
        put_u32(l, ALKY_LINK_RX_FLOOR(l));
    } else if (type != ALKY_MSG_ACK) {
        alky_link_put_u16(l, d->syscalls);
        if (value) alky_link_put(l, value, len);
        if (code) {
            alky_link_put_u8(l, code);
            alky_link_put_u16(l, (code == ALKY_FAULT_MEMORY || code == ALKY_FAULT_STORAGE) ? d->vm.fault_addr : 0);
        }
    }
    alky_link_end(l);
}

/* Sends the kept terminal report (§4.6): the last request's answer, or its
 * repeat (ERROR and ACK as they were, HELLO_REPLY anew, RESULT/DONE/FAULT
 * from the status: no other request has run since). Nothing if the last
 * request's answer ended with number 0 (a raised invocation's node call). */
ALKY_BY_POINTER static void send_kept(alky_device *d) {
    if (d->reply) send_report(d, d->reply, d->reply_code, d->reply_detail, d->reply_offset);
}

/* A terminal report, kept to send it again if the request is repeated; an
 * ERROR's detail and offset are already in reply_detail and reply_offset.
 * This and send_kept by pointer (ALKY_BY_POINTER): 14 bytes less on the Uno. */
ALKY_BY_POINTER static void answer(alky_device *d, uint8_t type, uint8_t code) {
    d->reply = type;
    d->reply_code = code;
    send_kept(d);
}

/* ERROR, not kept (a refused old request number, a request refused during a node call). */
static void send_error(alky_device *d, uint8_t code, uint8_t detail, uint16_t offset) {
    send_report(d, ALKY_MSG_ERROR, code, detail, offset);
}

/* RESULT, DONE or FAULT: how the invocation ended. */
static void report_end(alky_device *d, alky_status s) {
    answer(d, ALKY_MSG_RESULT, s);
}

#if ALKY_SMARTLOCK_DRIVERS
/* A raised event's RESULT, DONE or FAULT (smartlock.c): not kept, as it
 * answers no request. */
void alky_device_report_end(alky_device *d, alky_status s) {
    send_report(d, ALKY_MSG_RESULT, s, 0, 0);
}
#endif

/* ---- Start-up and the installed app. ---- */

static uint8_t storage_fits(const alky_device *d) {
    return (uint8_t)(d->vm.storage_size <= ALKY_MEDIUM_STORAGE_BYTES(d->store.medium));
}

/* Whether the VM accepts the active slot's image (attached: memory untouched). */
ALKY_NOINLINE static uint8_t attach_installed(alky_device *d) {
    return (uint8_t)(alky_attach(&d->vm, alky_store_app_image(&d->store), d->store.app_length) == ALKY_OK);
}

/* Makes the installed app current again without touching its memory (after
 * the VM looked at a candidate image that was refused). */
static void reattach_installed(alky_device *d) {
    if (d->store.active == ALKY_STORE_NONE || !attach_installed(d)) d->vm.loaded = 0;
}

void alky_device_init(alky_device *d, const alky_store_medium *medium, alky_link_send_fn send, void *ctx) {
    uint8_t i, *z = (uint8_t *)d;
    size_t k;
    for (k = 0; k < sizeof *d; k++) z[k] = 0; /* no request taken, no stream, clock 0; the link's, store's and VM's bytes */
    alky_init_zeroed(&d->vm, d);
    alky_link_init(&d->link, send, ctx);
#if ALKY_LINK_SEALED
    alky_seal_init(&d->link, medium);
#endif
    alky_store_init(&d->store, medium);
    /* The newest slot first; the older one if the newest no longer passes
     * the checks (a medium that lost bits). */
    for (i = 0; alky_store_candidate(&d->store, i); i++)
        if (attach_installed(d) && storage_fits(d)) {
            alky_reset(&d->vm);
            alky_store_select(&d->store);
            return;
        }
    d->vm.loaded = 0;
}

/* ---- Requests. ---- */

/* An if chain, not a switch: avr-gcc turns the switch into a table in RAM
 * (.data), whose start-up copy costs more flash than the compares. */
static uint8_t refusal_reason(alky_status s) {
    if (s == ALKY_E_FEATURES) return ALKY_REFUSE_FEATURES;
    if (s == ALKY_E_MEMORY_SIZE) return ALKY_REFUSE_MEMORY_SIZE;
    if (s == ALKY_E_PROFILE) return ALKY_REFUSE_PROFILE;
    if (s == ALKY_E_VERIFY_LIMIT) return ALKY_REFUSE_VERIFY_LIMIT;
    return ALKY_REFUSE_TOO_LARGE;
}

/* Whether the request just received is new (§4.6): ahead of the last one
 * taken (or the first since power-on). The last one again (same number and
 * type) is answered as it was, an older number is refused with ERROR
 * sequence (detail 1, offset: the last number); neither runs anything. */
static uint8_t fresh(alky_device *d, uint8_t type) {
    if (d->last_seq) {
        if (d->seq == d->last_seq && type == d->last_type) {
            send_kept(d);
            return 0;
        }
        if ((uint8_t)(d->last_seq - d->seq) < 128u) {
            send_error(d, ALKY_ERR_SEQUENCE, 1, d->last_seq);
            return 0;
        }
    }
    d->last_seq = d->seq;
    d->last_type = type;
    d->reply = 0;
    return 1;
}

typedef char alky_device_call_event_layout[(ALKY_MSG_CALL_FUEL == ALKY_MSG_EVENT_FUEL && ALKY_MSG_CALL_ARGS == ALKY_MSG_EVENT_ARGS &&
                                            ALKY_MSG_CALL_FUNCTION == ALKY_MSG_EVENT_EVENT && ALKY_MSG_CALL_SIZE == ALKY_MSG_EVENT_SIZE &&
                                            ALKY_MSG_ARGS_ARGS == 0)
                                               ? 1
                                               : -1];

/* Answers the request in the link's buffer (checks in the order of §4);
 * returns 1 when it leaves an invocation to run (its reports follow from
 * alky_device_receive, so the request's stack frames are gone while the VM
 * runs: the MSP430 has 512 B of RAM). Most requests end in ACK, or in ERROR
 * `code` with the detail and offset set in reply_detail and reply_offset. */
static uint8_t handle(alky_device *d) {
    alky_link *l = &d->link;
    alky_vm *vm = &d->vm;
    alky_store *st = &d->store;
    uint8_t header = alky_link_header(l), type = alky_link_type(l), code = 0;
    const uint8_t *p = alky_link_payload(l);
    uint8_t n = alky_link_payload_len(l); /* a frame's payload: under 256 bytes */
    alky_status s;
    d->seq = alky_link_seq(l);
    if ((header >> 4) != ALKY_LINK_VERSION || (header & ALKY_LINK_FLAG_SEALED)) code = ALKY_ERR_UNSUPPORTED;
    else if (header & ALKY_LINK_FLAG_MASK) code = ALKY_ERR_MALFORMED; /* MORE or FROM_DEVICE: never on a request */
    else if (!fresh(d, type)) return 0;
    d->reply_detail = 0;
    d->reply_offset = 0;
    d->syscalls = 0; /* of the invocation this request may start */
    /* Only ARGS continues an argument stream; any other request ends it. */
    if (code || type != ALKY_MSG_ARGS) d->arg_active = 0;
    if (code) goto answer;
    switch (type) {
    case ALKY_MSG_HELLO:
        if (n != ALKY_MSG_HELLO_SIZE) goto malformed;
        answer(d, ALKY_MSG_HELLO_REPLY, 0);
        return 0;
    case ALKY_MSG_RESET:
        if (n != ALKY_MSG_RESET_SIZE) goto malformed;
        if (vm->loaded) alky_reset(vm);
        break;
    case ALKY_MSG_SET_TIME:
        if (n != ALKY_MSG_SET_TIME_SIZE) goto malformed;
        d->clock = alky_le32(p + ALKY_MSG_SET_TIME_SECONDS);
        break;
    case ALKY_MSG_LOAD_BEGIN:
        if (n != ALKY_MSG_LOAD_BEGIN_SIZE) goto malformed;
        code = alky_store_begin(st, alky_le16(p + ALKY_MSG_LOAD_BEGIN_LENGTH), alky_le32(p + ALKY_MSG_LOAD_BEGIN_CRC));
        /* An image too big to sit beside the installed app displaced it. */
        if (st->active == ALKY_STORE_NONE) vm->loaded = 0;
        break;
    case ALKY_MSG_LOAD_CHUNK:
        if (n < ALKY_MSG_LOAD_CHUNK_SIZE) goto malformed;
        code = alky_store_chunk(st, alky_le16(p + ALKY_MSG_LOAD_CHUNK_OFFSET), p + ALKY_MSG_LOAD_CHUNK_DATA,
                                (uint16_t)(n - ALKY_MSG_LOAD_CHUNK_DATA));
        if (code == ALKY_ERR_SEQUENCE) d->reply_offset = st->load_received;
        break;
    case ALKY_MSG_LOAD_COMMIT:
        if (n != ALKY_MSG_LOAD_COMMIT_SIZE) goto malformed;
        code = alky_store_check(st);
        if (code) {
            /* Missing bytes can still come; a CRC mismatch ends the load. */
            if (code != ALKY_ERR_SEQUENCE) alky_store_abort(st);
            else if (st->loading) d->reply_offset = st->load_received;
            break;
        }
        /* Attach, not load: memory must survive a refusal. */
        s = alky_attach(vm, alky_store_loaded_image(st), st->load_length);
        if (s == ALKY_OK && storage_fits(d)) {
            code = alky_store_commit(st);
            if (!code) {
                alky_reset(vm);
                break;
            }
        } else {
            code = ALKY_ERR_REFUSED;
            d->reply_detail = s == ALKY_OK ? ALKY_REFUSE_STORAGE_SIZE : refusal_reason(s);
            if (s == ALKY_E_VERIFY) {
                code = ALKY_ERR_VERIFY;
                d->reply_detail = vm->rule;
                d->reply_offset = vm->rule_offset;
            }
            alky_store_abort(st);
        }
        reattach_installed(d); /* refused, or the commit failed */
        break;
    case ALKY_MSG_CALL:
    case ALKY_MSG_EVENT: {
        /* Function or event byte, fuel u32, argument stream (the field
         * offsets of both messages are the same). */
        uint8_t fn;
        if (n < ALKY_MSG_CALL_SIZE) goto malformed;
        fn = p[ALKY_MSG_CALL_FUNCTION];
        if (!vm->loaded) {
            code = ALKY_ERR_NO_APP;
            break;
        }
        if (type == ALKY_MSG_EVENT) {
            fn = alky_event_handler(vm, fn);
            if (fn == 0xFF) {
                vm->result_len = 0;
                report_end(d, ALKY_OK); /* no handler: the event is dropped, DONE(0) */
                return 0;
            }
        } else if (fn >= vm->fn_count || alky_function_kind(vm, fn) != ALKY_FN_PUBLIC) {
            code = ALKY_ERR_FUNCTION;
            break;
        }
        (void)alky_call_begin(vm, fn);
        vm->fuel_budget = alky_le32(p + ALKY_MSG_CALL_FUEL);
        d->arg_active = 1;
        p += ALKY_MSG_CALL_ARGS;
        n = (uint8_t)(n - ALKY_MSG_CALL_ARGS);
        /* the stream's first bytes, as ARGS */
    }
    /* fall through */
    case ALKY_MSG_ARGS:
#if ALKY_WITH_NCALL
    case ALKY_MSG_NODE_ANSWER: /* to a node call that has timed out: as ARGS, nothing in progress */
#endif
        if (!d->arg_active) {
            code = ALKY_ERR_SEQUENCE;
            break;
        }
        /* The VM takes the bytes (alky_call_stream): ACK for more, ERROR
         * argument for a parameter refused (offset: its index) or bytes
         * after the last one (offset: the parameter count). */
        s = alky_call_stream(vm, p, n);
        if (s == ALKY_E_MORE) break;
        d->arg_active = 0;
        if (s == ALKY_OK) return 1;
        code = ALKY_ERR_ARGUMENT;
        d->reply_offset = vm->call_args;
        break;
    default:
        code = ALKY_ERR_UNKNOWN_MESSAGE;
        break;
    }
    goto answer;
malformed:
    code = ALKY_ERR_MALFORMED;
answer:
    answer(d, code ? ALKY_MSG_ERROR : ALKY_MSG_ACK, code);
    return 0;
}

/* A firmware with an ahead-of-time compiled app runs invocations through
 * its dispatcher (-DALKY_DEVICE_CALL_RUN=alky_aot_call_run, vm-c/aot/). */
#ifdef ALKY_DEVICE_CALL_RUN
alky_status ALKY_DEVICE_CALL_RUN(alky_vm *vm);
#else
#define ALKY_DEVICE_CALL_RUN alky_call_run
#endif

void alky_device_receive(alky_device *d, uint8_t byte) {
    if (!alky_link_receive(&d->link, byte) || !handle(d)) return;
    report_end(d, ALKY_DEVICE_CALL_RUN(&d->vm));
}

/* ---- The HAL of a link device. ---- */

/* SYSCALL or NODE_CALL: the import and its argument stream (a string read
 * from VM memory). */
static void report_import(alky_device *d, uint8_t message, uint8_t imp, const uint8_t *args) {
    alky_vm *vm = &d->vm;
    alky_link *l = &d->link;
    uint8_t i, count = alky_import_param_count(vm, imp);
    alky_link_begin(l, d->seq, message);
    alky_link_put_u8(l, imp);
    for (i = 0; i < count; i++) {
        uint8_t type = alky_import_param_type(vm, imp, i), nb = alky_type_bytes(type);
        const uint8_t *bytes = args;
        uint16_t length = nb;
        if ((type >> 4) == ALKY_VALUE_STRING) {
            bytes = alky_string(vm, alky_le16(args), &length); /* checked by alky_call_import: never NULL */
            alky_link_put_u16(l, length);
        }
        alky_link_put(l, bytes, length);
        args += nb;
    }
    alky_link_end(l);
}

alky_status alky_device_syscall(alky_device *d, uint8_t imp, const uint8_t *args, uint8_t *result) {
    report_import(d, ALKY_MSG_SYSCALL, imp, args);
    d->syscalls++;
    /* A clock syscall's result: the clock's low bytes at its width (the
     * result has room for 4, hal.h). */
    if (alky_import_flags(&d->vm, imp) & ALKY_SYSCALL_FLAG_CLOCK) alky_put_le32(result, d->clock);
    return ALKY_OK;
}

#if ALKY_WITH_NCALL
void alky_device_ncall_begin(alky_device *d, uint8_t imp, const uint8_t *args) {
    report_import(d, ALKY_MSG_NODE_CALL, imp, args);
    d->ncall_imp = imp;
    d->ncall_args = args;
    d->ncall_seq = d->seq;
    d->ncall_bytes = alky_type_bytes(alky_import_result_type(&d->vm, imp));
}

uint8_t alky_device_ncall_receive(alky_device *d, uint8_t byte, uint8_t *result) {
    alky_link *l = &d->link;
    const uint8_t *answer = alky_link_payload(l);
    uint16_t offset = 0;
    uint8_t i, n, code = ALKY_ERR_BUSY, detail = 0, seq;
    if (!alky_link_receive(l, byte)) return ALKY_DEVICE_NCALL_WAITING;
    seq = alky_link_seq(l);
    /* Only a plain version-1 request header: no flags while waiting. */
    if (alky_link_header(l) != (ALKY_LINK_VERSION << 4)) {
        code = ALKY_ERR_UNSUPPORTED;
    } else if (seq == d->ncall_seq) {
        /* The request this call answers, repeated (§4.6): the call again. */
        report_import(d, ALKY_MSG_NODE_CALL, d->ncall_imp, d->ncall_args);
        return ALKY_DEVICE_NCALL_WAITING;
    } else if (d->last_seq && (uint8_t)(d->last_seq - seq - 1u) < 127u) {
        code = ALKY_ERR_SEQUENCE; /* an older number */
        detail = 1;
        offset = d->last_seq;
    } else if (alky_link_type(l) == ALKY_MSG_NODE_ANSWER) {
        n = alky_link_payload_len(l);
        code = ALKY_ERR_MALFORMED;
        if (n >= ALKY_MSG_NODE_ANSWER_SIZE) {
            if (answer[ALKY_MSG_NODE_ANSWER_CALL] != d->ncall_seq) {
                code = ALKY_ERR_SEQUENCE;
                offset = d->ncall_seq;
            } else if (!answer[ALKY_MSG_NODE_ANSWER_OK] || n == (uint8_t)(ALKY_MSG_NODE_ANSWER_VALUE + d->ncall_bytes)) {
                /* Taken: the invocation's reports go on with this request's
                 * number, and its terminal report is this request's answer. */
                d->seq = d->last_seq = seq;
                d->last_type = ALKY_MSG_NODE_ANSWER;
                d->reply = 0;
                if (!answer[ALKY_MSG_NODE_ANSWER_OK]) return ALKY_FAULT_TRAP; /* FAULT follows */
                for (i = 0; i < d->ncall_bytes; i++) result[i] = answer[ALKY_MSG_NODE_ANSWER_VALUE + i];
                return ALKY_OK;
            }
        }
    }
    /* Refused and not taken (§4.6): the number stays free, and the terminal
     * report the invocation will send stays the answer to its own request. */
    d->seq = seq;
    send_error(d, code, detail, offset);
    d->seq = d->ncall_seq; /* still waiting: the call's reports keep its number */
    return ALKY_DEVICE_NCALL_WAITING;
}
#endif

void alky_device_storage_read(alky_device *d, uint16_t addr, uint8_t *dst, uint8_t length) {
    alky_store_storage_read(&d->store, addr, dst, length);
}

void alky_device_storage_write(alky_device *d, uint16_t addr, const uint8_t *src, uint8_t length) {
    alky_store_storage_write(&d->store, addr, src, length);
}
