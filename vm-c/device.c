/* The request handler of a link device; see device.h and docs/link.md §4.
 *
 * Every request is answered before the next byte is read (stop-and-wait), so
 * the link's one buffer holds the request until its payload is used up and
 * then the reports. The payload is consumed in place: image chunks go to the
 * store, arguments into the VM's entry frame and string buffers. */
#include "device.h"
#include "seal.h"

#include "generated/alky_opcodes.h"
#include "generated/alky_profiles.h"

/* What the argument stream's next bytes are. */
#define PHASE_VALUE 0  /* a scalar parameter: its width in bytes */
#define PHASE_LENGTH 1 /* a string parameter's u16 length */
#define PHASE_BYTES 2  /* its bytes, straight into the string buffer */

/* ---- Reports. ---- */

/* Keeps what the terminal report of the last request said, to send it again
 * if the request is repeated (§4.6). */
static void remember(alky_device *d, uint8_t type, uint8_t code, uint8_t detail, uint16_t offset) {
    d->reply = type;
    d->reply_code = code;
    d->reply_detail = detail;
    d->reply_offset = offset;
}

static void report_empty(alky_device *d, uint8_t type) {
    remember(d, type, 0, 0, 0);
    alky_link_begin(&d->link, d->seq, type);
    alky_link_end(&d->link);
}

/* ERROR, not remembered (a refused old request number). */
static void send_error(alky_device *d, uint8_t code, uint8_t detail, uint16_t offset) {
    uint8_t *p = alky_link_payload(&d->link);
    alky_link_begin(&d->link, d->seq, ALKY_MSG_ERROR);
    p[ALKY_MSG_ERROR_CODE] = code;
    p[ALKY_MSG_ERROR_DETAIL] = detail;
    alky_put_le16(p + ALKY_MSG_ERROR_OFFSET, offset);
    alky_link_set_len(&d->link, ALKY_MSG_ERROR_SIZE);
    alky_link_end(&d->link);
}

static void report_error(alky_device *d, uint8_t code, uint8_t detail, uint16_t offset) {
    remember(d, ALKY_MSG_ERROR, code, detail, offset);
    send_error(d, code, detail, offset);
}

static void report_hello(alky_device *d) {
    uint8_t *p = alky_link_payload(&d->link);
    uint8_t installed = (uint8_t)(d->vm.loaded && d->store.active != ALKY_STORE_NONE);
    remember(d, ALKY_MSG_HELLO_REPLY, 0, 0, 0);
    alky_link_begin(&d->link, d->seq, ALKY_MSG_HELLO_REPLY);
    p[ALKY_MSG_HELLO_REPLY_LINK_VERSION] = ALKY_LINK_VERSION;
    p[ALKY_MSG_HELLO_REPLY_IMAGE_VERSION] = ALKY_IMAGE_VERSION;
    alky_put_le16(p + ALKY_MSG_HELLO_REPLY_VM_VERSION, ALKY_DEVICE_VM_VERSION);
    p[ALKY_MSG_HELLO_REPLY_BOARD] = ALKY_DEVICE_BOARD;
    p[ALKY_MSG_HELLO_REPLY_LINK_FEATURES] = ALKY_LINK_FEATURES;
    p[ALKY_MSG_HELLO_REPLY_VM_FEATURES] = ALKY_FEATURES;
    p[ALKY_MSG_HELLO_REPLY_MAX_PAYLOAD] = ALKY_LINK_MAX_PAYLOAD;
    alky_put_le16(p + ALKY_MSG_HELLO_REPLY_PROFILE, d->vm.device_profile);
    alky_put_le16(p + ALKY_MSG_HELLO_REPLY_MEMORY_SIZE, ALKY_MEMORY_SIZE);
    alky_put_le16(p + ALKY_MSG_HELLO_REPLY_STACK_SIZE, d->vm.stack_limit);
    alky_put_le16(p + ALKY_MSG_HELLO_REPLY_MAX_IMAGE, alky_store_max_image(&d->store));
    alky_put_le16(p + ALKY_MSG_HELLO_REPLY_APP_LENGTH, installed ? d->store.app_length : 0);
    alky_put_le32(p + ALKY_MSG_HELLO_REPLY_APP_CRC, installed ? d->store.app_crc : 0);
    alky_put_le16(p + ALKY_MSG_HELLO_REPLY_DROPPED_FRAMES, d->link.dropped);
    alky_put_le32(p + ALKY_MSG_HELLO_REPLY_RX_FLOOR, ALKY_LINK_RX_FLOOR(&d->link));
    alky_link_set_len(&d->link, ALKY_MSG_HELLO_REPLY_SIZE);
    alky_link_end(&d->link);
}

/* RESULT, DONE or FAULT: how the invocation ended. */
static void report_end(alky_device *d, alky_status s) {
    alky_link *l = &d->link;
    remember(d, ALKY_MSG_RESULT, s, 0, 0); /* RESULT, DONE or FAULT again from s */
    if (s == ALKY_OK) {
        uint8_t len;
        const uint8_t *value = alky_result(&d->vm, &len);
        alky_link_begin(l, d->seq, value ? ALKY_MSG_RESULT : ALKY_MSG_DONE);
        alky_link_put_u16(l, d->syscalls);
        if (value) alky_link_put(l, value, len);
    } else {
        alky_link_begin(l, d->seq, ALKY_MSG_FAULT);
        alky_link_put_u16(l, d->syscalls);
        alky_link_put_u8(l, s);
        alky_link_put_u16(l, (s == ALKY_FAULT_MEMORY || s == ALKY_FAULT_STORAGE) ? d->vm.fault_addr : 0);
    }
    alky_link_end(l);
}

/* ---- Start-up and the installed app. ---- */

static uint8_t storage_fits(const alky_device *d) {
    return (uint8_t)(d->vm.storage_size <= ALKY_MEDIUM_STORAGE_BYTES(d->store.medium));
}

/* Makes the installed app current again without touching its memory (after
 * the VM looked at a candidate image that was refused). */
static void reattach_installed(alky_device *d) {
    uint8_t slot = d->store.active;
    if (slot == ALKY_STORE_NONE || alky_attach(&d->vm, alky_store_app_image(&d->store), d->store.app_length) != ALKY_OK)
        d->vm.loaded = 0;
}

void alky_device_init(alky_device *d, const alky_store_medium *medium, alky_link_send_fn send, void *ctx) {
    uint8_t i;
    alky_init(&d->vm, d);
    alky_link_init(&d->link, send, ctx);
#if ALKY_LINK_SEALED
    alky_seal_init(&d->link, medium);
#endif
    alky_store_init(&d->store, medium);
    d->clock = 0;
    d->syscalls = 0;
    d->seq = 0;
    d->last_seq = 0;
    d->arg_active = 0;
    /* The newest slot first; the older one if the newest no longer passes
     * the checks (a medium that lost bits). */
    for (i = 0; alky_store_candidate(&d->store, i); i++)
        if (alky_load(&d->vm, alky_store_app_image(&d->store), d->store.app_length) == ALKY_OK && storage_fits(d)) {
            alky_store_select(&d->store);
            return;
        }
    d->vm.loaded = 0;
}

/* ---- Loading. ---- */

static void load_chunk(alky_device *d, const uint8_t *p, uint16_t n) {
    uint8_t code = alky_store_chunk(&d->store, alky_le16(p + ALKY_MSG_LOAD_CHUNK_OFFSET), p + ALKY_MSG_LOAD_CHUNK_DATA,
                                    (uint16_t)(n - ALKY_MSG_LOAD_CHUNK_DATA));
    if (code) report_error(d, code, 0, code == ALKY_ERR_SEQUENCE ? d->store.load_received : 0);
    else report_empty(d, ALKY_MSG_ACK);
}

static uint8_t refusal_reason(alky_status s) {
    switch (s) {
    case ALKY_E_FEATURES: return ALKY_REFUSE_FEATURES;
    case ALKY_E_MEMORY_SIZE: return ALKY_REFUSE_MEMORY_SIZE;
    case ALKY_E_PROFILE: return ALKY_REFUSE_PROFILE;
    case ALKY_E_VERIFY_LIMIT: return ALKY_REFUSE_VERIFY_LIMIT;
    default: return ALKY_REFUSE_TOO_LARGE;
    }
}

static void load_commit(alky_device *d) {
    alky_store *st = &d->store;
    uint8_t code = alky_store_check(st);
    alky_status s;
    if (code) {
        /* Missing bytes can still come; a CRC mismatch ends the load. */
        if (code != ALKY_ERR_SEQUENCE) alky_store_abort(st);
        report_error(d, code, 0, (code == ALKY_ERR_SEQUENCE && st->loading) ? st->load_received : 0);
        return;
    }
    /* Attach, not load: memory must survive a refusal. */
    s = alky_attach(&d->vm, alky_store_loaded_image(st), st->load_length);
    if (s != ALKY_OK || !storage_fits(d)) {
        uint8_t rule = d->vm.rule;
        uint16_t at = d->vm.rule_offset;
        alky_store_abort(st);
        reattach_installed(d);
        if (s == ALKY_E_VERIFY) report_error(d, ALKY_ERR_VERIFY, rule, at);
        else report_error(d, ALKY_ERR_REFUSED, s == ALKY_OK ? ALKY_REFUSE_STORAGE_SIZE : refusal_reason(s), 0);
        return;
    }
    code = alky_store_commit(st);
    if (code) {
        reattach_installed(d);
        report_error(d, code, 0, 0);
        return;
    }
    alky_reset(&d->vm);
    report_empty(d, ALKY_MSG_ACK);
}

/* ---- Invocations. ---- */

/* Sets up the phase of parameter arg_param. */
static void next_param(alky_device *d) {
    uint8_t type;
    d->arg_have = 0;
    if (d->arg_param >= d->arg_count) return;
    type = alky_function_param_type(&d->vm, d->vm.call_fn, d->arg_param);
    if ((type >> 4) == ALKY_VALUE_STRING) {
        d->arg_phase = PHASE_LENGTH;
        d->arg_need = 2;
    } else {
        d->arg_phase = PHASE_VALUE;
        d->arg_need = alky_type_bytes(type);
    }
}

static uint8_t argument_error(alky_device *d) {
    d->arg_active = 0;
    report_error(d, ALKY_ERR_ARGUMENT, 0, d->arg_param);
    return 0;
}

/* The current phase has all its bytes: pass the parameter to the VM or move
 * on to the string's bytes. Returns 0 after reporting an error. */
static uint8_t phase_done(alky_device *d) {
    alky_vm *vm = &d->vm;
    if (d->arg_phase == PHASE_LENGTH) {
        uint16_t length = alky_le16(d->arg_buf), address;
        uint8_t capacity;
        if (alky_function_kind(vm, vm->call_fn) != ALKY_FN_PUBLIC) return argument_error(d);
        capacity = alky_function_string_buffer(vm, vm->call_fn, d->arg_strings, &address);
        /* The capacity counts the NUL. The bound check guards a build
         * without the verifier, which would otherwise trust the record. */
        if (length >= capacity || address > vm->mem_size || capacity > (uint16_t)(vm->mem_size - address)) return argument_error(d);
        d->arg_phase = PHASE_BYTES;
        d->arg_addr = address;
        d->arg_need = length;
        d->arg_have = 0;
        return 1;
    }
    if (d->arg_phase == PHASE_BYTES) {
        /* The bytes are in the buffer already; alky_call_arg copies them
         * onto themselves, adds the NUL and passes the address. */
        if (alky_call_arg(vm, vm->memory + d->arg_addr, d->arg_need) != ALKY_OK) return argument_error(d);
        d->arg_strings++;
    } else if (alky_call_arg(vm, d->arg_buf, d->arg_need) != ALKY_OK) {
        return argument_error(d);
    }
    d->arg_param++;
    next_param(d);
    return 1;
}

/* Consumes argument-stream bytes. Returns 1 once the stream is complete
 * (the caller runs the invocation); else it has answered ACK for more, or
 * an ERROR. */
static uint8_t take_args(alky_device *d, const uint8_t *p, uint16_t n) {
    while (d->arg_param < d->arg_count) {
        uint16_t take = (uint16_t)(d->arg_need - d->arg_have), k;
        uint8_t *dst;
        if (d->arg_phase == PHASE_BYTES) dst = d->vm.memory + d->arg_addr;
        else if (d->arg_need <= sizeof d->arg_buf) dst = d->arg_buf;
        else return argument_error(d); /* a width this build cannot hold */
        if (take > n) take = n;
        for (k = 0; k < take; k++) dst[d->arg_have + k] = p[k];
        p += take;
        n = (uint16_t)(n - take);
        d->arg_have = (uint16_t)(d->arg_have + take);
        if (d->arg_have < d->arg_need) {
            report_empty(d, ALKY_MSG_ACK);
            return 0;
        }
        if (!phase_done(d)) return 0;
    }
    d->arg_active = 0;
    if (!n) return 1;
    report_error(d, ALKY_ERR_ARGUMENT, 0, d->arg_count);
    return 0;
}

/* CALL and EVENT: function or event byte, fuel u32, argument stream (the
 * field offsets of both messages are the same). Returns 1 when the
 * invocation is ready to run. */
static uint8_t invoke(alky_device *d, const uint8_t *p, uint16_t n, uint8_t is_event) {
    alky_vm *vm = &d->vm;
    uint8_t fn = p[ALKY_MSG_CALL_FUNCTION];
    if (!vm->loaded) {
        report_error(d, ALKY_ERR_NO_APP, 0, 0);
        return 0;
    }
    if (is_event) {
        fn = alky_event_handler(vm, p[ALKY_MSG_EVENT_EVENT]);
        if (fn == 0xFF) {
            d->syscalls = 0;
            vm->result_len = 0;
            report_end(d, ALKY_OK); /* no handler: the event is dropped, DONE(0) */
            return 0;
        }
    } else if (fn >= vm->fn_count || alky_function_kind(vm, fn) != ALKY_FN_PUBLIC) {
        report_error(d, ALKY_ERR_FUNCTION, 0, 0);
        return 0;
    }
    (void)alky_call_begin(vm, fn);
    vm->fuel_budget = alky_le32(p + ALKY_MSG_CALL_FUEL);
    d->arg_active = 1;
    d->arg_param = 0;
    d->arg_strings = 0;
    d->arg_count = alky_function_param_count(vm, fn);
    next_param(d);
    return take_args(d, p + ALKY_MSG_CALL_ARGS, (uint16_t)(n - ALKY_MSG_CALL_ARGS));
}

typedef char alky_device_call_event_layout[(ALKY_MSG_CALL_FUEL == ALKY_MSG_EVENT_FUEL && ALKY_MSG_CALL_ARGS == ALKY_MSG_EVENT_ARGS &&
                                            ALKY_MSG_CALL_FUNCTION == ALKY_MSG_EVENT_EVENT)
                                               ? 1
                                               : -1];

/* ---- Requests. ---- */

/* Whether a payload of n bytes fits a request with `fixed` bytes of fixed
 * fields and (rest) a variable field after them; reports malformed if not. */
static uint8_t fits(alky_device *d, uint16_t n, uint16_t fixed, uint8_t rest) {
    if (rest ? n >= fixed : n == fixed) return 1;
    report_error(d, ALKY_ERR_MALFORMED, 0, 0);
    return 0;
}

/* Sends the terminal report of the last request again: ERROR and ACK as
 * they were, HELLO_REPLY anew, RESULT/DONE/FAULT from the status (the
 * result is still on the VM stack, the syscall count and fault address in
 * place: no other request has run since). Nothing if the last request's
 * answer ended with number 0 (a raised invocation's node call). */
static void repeat(alky_device *d) {
    switch (d->reply) {
    case ALKY_MSG_ACK: report_empty(d, ALKY_MSG_ACK); break;
    case ALKY_MSG_ERROR: send_error(d, d->reply_code, d->reply_detail, d->reply_offset); break;
    case ALKY_MSG_HELLO_REPLY: report_hello(d); break;
    case ALKY_MSG_RESULT: report_end(d, d->reply_code); break;
    default: break;
    }
}

/* Whether the request just received is new (§4.6): ahead of the last one
 * taken (or the first since power-on). The last one again (same number and
 * type) is answered as it was, an older number is refused with ERROR
 * sequence (detail 1, offset: the last number); neither runs anything. */
static uint8_t fresh(alky_device *d, uint8_t type) {
    if (d->last_seq) {
        if (d->seq == d->last_seq && type == d->last_type) {
            repeat(d);
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

/* Answers the request in the link's buffer; returns 1 when it leaves an
 * invocation to run (its reports follow from alky_device_receive, so the
 * request's stack frames are gone while the VM runs: the MSP430 has 512 B
 * of RAM). */
static uint8_t handle(alky_device *d) {
    alky_link *l = &d->link;
    uint8_t header = alky_link_header(l), type = alky_link_type(l);
    const uint8_t *p = alky_link_payload(l);
    uint16_t n = alky_link_payload_len(l);
    d->seq = alky_link_seq(l);
    if ((header >> 4) != ALKY_LINK_VERSION || (header & ALKY_LINK_FLAG_SEALED)) {
        d->arg_active = 0;
        report_error(d, ALKY_ERR_UNSUPPORTED, 0, 0);
        return 0;
    }
    if (header & ALKY_LINK_FLAG_MASK) { /* MORE or FROM_DEVICE: never on a request */
        d->arg_active = 0;
        report_error(d, ALKY_ERR_MALFORMED, 0, 0);
        return 0;
    }
    if (!fresh(d, type)) return 0;
    /* Only ARGS continues an argument stream; any other request ends it. */
    if (type != ALKY_MSG_ARGS) d->arg_active = 0;
    switch (type) {
    case ALKY_MSG_HELLO:
        if (fits(d, n, ALKY_MSG_HELLO_SIZE, 0)) report_hello(d);
        break;
    case ALKY_MSG_RESET:
        if (!fits(d, n, ALKY_MSG_RESET_SIZE, 0)) break;
        if (d->vm.loaded) alky_reset(&d->vm);
        report_empty(d, ALKY_MSG_ACK);
        break;
    case ALKY_MSG_SET_TIME:
        if (!fits(d, n, ALKY_MSG_SET_TIME_SIZE, 0)) break;
        d->clock = alky_le32(p + ALKY_MSG_SET_TIME_SECONDS);
        report_empty(d, ALKY_MSG_ACK);
        break;
    case ALKY_MSG_LOAD_BEGIN: {
        uint8_t code;
        if (!fits(d, n, ALKY_MSG_LOAD_BEGIN_SIZE, 0)) break;
        code = alky_store_begin(&d->store, alky_le16(p + ALKY_MSG_LOAD_BEGIN_LENGTH), alky_le32(p + ALKY_MSG_LOAD_BEGIN_CRC));
        /* An image too big to sit beside the installed app displaced it. */
        if (d->store.active == ALKY_STORE_NONE) d->vm.loaded = 0;
        if (code) report_error(d, code, 0, 0);
        else report_empty(d, ALKY_MSG_ACK);
        break;
    }
    case ALKY_MSG_LOAD_CHUNK:
        if (fits(d, n, ALKY_MSG_LOAD_CHUNK_SIZE, 1)) load_chunk(d, p, n);
        break;
    case ALKY_MSG_LOAD_COMMIT:
        if (fits(d, n, ALKY_MSG_LOAD_COMMIT_SIZE, 0)) load_commit(d);
        break;
    case ALKY_MSG_CALL:
    case ALKY_MSG_EVENT:
        return (uint8_t)(fits(d, n, ALKY_MSG_CALL_SIZE, 1) && invoke(d, p, n, (uint8_t)(type == ALKY_MSG_EVENT)));
#if ALKY_WITH_NCALL
    case ALKY_MSG_NODE_ANSWER: /* to a node call that has timed out: as ARGS, nothing in progress */
#endif
    case ALKY_MSG_ARGS:
        if (d->arg_active) return take_args(d, p + ALKY_MSG_ARGS_ARGS, (uint16_t)(n - ALKY_MSG_ARGS_ARGS));
        report_error(d, ALKY_ERR_SEQUENCE, 0, 0);
        break;
    default:
        report_error(d, ALKY_ERR_UNKNOWN_MESSAGE, 0, 0);
        break;
    }
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
    d->syscalls = 0;
    report_end(d, ALKY_DEVICE_CALL_RUN(&d->vm));
}

/* ---- The HAL of a link device. ---- */

/* SYSCALL or NODE_CALL: the import and its argument stream (a string read
 * from VM memory). */
static void report_import(alky_device *d, uint8_t message, uint8_t imp, const uint8_t *args) {
    alky_vm *vm = &d->vm;
    alky_link *l = &d->link;
    uint8_t i, count = alky_import_param_count(vm, imp);
    uint16_t off = 0;
    alky_link_begin(l, d->seq, message);
    alky_link_put_u8(l, imp);
    for (i = 0; i < count; i++) {
        uint8_t type = alky_import_param_type(vm, imp, i), nb = alky_type_bytes(type);
        if ((type >> 4) == ALKY_VALUE_STRING) {
            uint16_t length;
            const uint8_t *s = alky_string(vm, alky_le16(args + off), &length);
            alky_link_put_u16(l, length);
            if (s) alky_link_put(l, s, length);
        } else {
            alky_link_put(l, args + off, nb);
        }
        off = (uint16_t)(off + nb);
    }
    alky_link_end(l);
}

alky_status alky_device_syscall(alky_device *d, uint8_t imp, const uint8_t *args, uint8_t *result) {
    alky_vm *vm = &d->vm;
    uint8_t i;
    report_import(d, ALKY_MSG_SYSCALL, imp, args);
    d->syscalls++;
    if (alky_import_flags(vm, imp) & ALKY_SYSCALL_FLAG_CLOCK) {
        uint8_t rb = alky_type_bytes(alky_import_result_type(vm, imp));
        uint32_t clock = d->clock;
        for (i = 0; i < rb && i < 4; i++, clock >>= 8) result[i] = (uint8_t)clock;
    }
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
    uint16_t n;
    uint8_t i, code = ALKY_ERR_BUSY, seq, type;
    if (!alky_link_receive(l, byte)) return ALKY_DEVICE_NCALL_WAITING;
    seq = alky_link_seq(l);
    type = alky_link_type(l);
    /* Only a plain version-1 request header: no flags while waiting. */
    if (alky_link_header(l) != (ALKY_LINK_VERSION << 4)) {
        d->seq = seq;
        code = ALKY_ERR_UNSUPPORTED;
    } else if (seq == d->ncall_seq) {
        /* The request this call answers, repeated (§4.6): the call again. */
        report_import(d, ALKY_MSG_NODE_CALL, d->ncall_imp, d->ncall_args);
        return ALKY_DEVICE_NCALL_WAITING;
    } else if (d->last_seq && seq != d->last_seq && (uint8_t)(d->last_seq - seq) < 128u) {
        d->seq = seq;
        send_error(d, ALKY_ERR_SEQUENCE, 1, d->last_seq);
        d->seq = d->ncall_seq;
        return ALKY_DEVICE_NCALL_WAITING;
    } else {
        n = alky_link_payload_len(l);
        if (type == ALKY_MSG_NODE_ANSWER) {
            code = ALKY_ERR_MALFORMED;
            if (n >= ALKY_MSG_NODE_ANSWER_SIZE && answer[ALKY_MSG_NODE_ANSWER_CALL] != d->ncall_seq) {
                code = ALKY_ERR_SEQUENCE;
            } else if (n >= ALKY_MSG_NODE_ANSWER_SIZE &&
                       (!answer[ALKY_MSG_NODE_ANSWER_OK] || n == (uint16_t)(ALKY_MSG_NODE_ANSWER_VALUE + d->ncall_bytes))) {
                /* Taken: the invocation's reports go on with this request's
                 * number, and its terminal report is this request's answer. */
                d->seq = d->last_seq = seq;
                d->last_type = type;
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
    send_error(d, code, 0, code == ALKY_ERR_SEQUENCE ? d->ncall_seq : 0);
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
