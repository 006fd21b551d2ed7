/* Smart-lock drivers, board-independent part; see smartlock.h. */
#include "smartlock.h"

#include "generated/alky_profiles.h"
#include "smartlock_pins.h"

/* How long IncorrectBeep sounds the buzzer. */
#define BEEP_MS 200u

alky_event_queue alky_smartlock_keys;

/* Scans a key state must hold to count: contacts bounce for a few milliseconds. */
#define DEBOUNCE_SCANS 20u

static const char keypad_keys[] = ALKY_KEYPAD_KEYS;
static uint16_t raw_last;
static uint16_t stable;
static uint8_t raw_scans;

void alky_smartlock_keypad_scanned(uint16_t down) {
    uint16_t pressed;
    uint8_t k;
    if (down != raw_last) {
        raw_last = down;
        raw_scans = 0;
        return;
    }
    if (raw_scans < DEBOUNCE_SCANS) raw_scans++;
    if (raw_scans != DEBOUNCE_SCANS || down == stable) return;
    pressed = (uint16_t)(down & (uint16_t)~stable);
    stable = down;
    for (k = 0; pressed; k++, pressed >>= 1)
        if (pressed & 1u) alky_event_queue_push(&alky_smartlock_keys, (uint8_t)keypad_keys[k]);
}

static uint8_t beeping;
static uint32_t beep_started;
/* The clock value last handed to device.c; a different value there means
 * the node sent SET_TIME since. */
static uint32_t clock_written;
static uint32_t clock_base_seconds;
static uint32_t clock_base_millis;

static uint8_t is_smartlock_app(const alky_vm *vm) {
    return (uint8_t)(vm->loaded && vm->profile_id == ALKY_PROFILE_SMARTLOCK_ID);
}

void alky_smartlock_syscall(alky_vm *vm, uint8_t imp) {
    if (!is_smartlock_app(vm)) return;
    switch (alky_import_id(vm, imp)) {
    case ALKY_SYSCALL_SMARTLOCK_UNLOCK: alky_board_lock_output(1); break;
    case ALKY_SYSCALL_SMARTLOCK_LOCK: alky_board_lock_output(0); break;
    case ALKY_SYSCALL_SMARTLOCK_INCORRECTBEEP:
        alky_board_buzzer_output(1);
        beeping = 1;
        beep_started = alky_board_millis();
        break;
    default: break;
    }
}

static void raise_key(alky_device *d, uint8_t key) {
    alky_vm *vm = &d->vm;
    uint8_t fn = alky_event_handler(vm, ALKY_EVENT_SMARTLOCK_KEYPRESSED);
    alky_status s = ALKY_OK;
    d->seq = ALKY_LINK_UNSOLICITED_SEQ; /* the handler's SYSCALL reports carry it */
    /* The handler overwrites the last request's result: a repeat of that
     * request gets no answer now (the host fails it), not a wrong one. */
    if (d->reply == ALKY_MSG_RESULT) d->reply = 0;
    d->syscalls = 0;
    alky_link_begin(&d->link, ALKY_LINK_UNSOLICITED_SEQ, ALKY_MSG_EVENT_RAISED);
    alky_link_put_u8(&d->link, ALKY_EVENT_SMARTLOCK_KEYPRESSED);
    alky_link_put_u8(&d->link, key);
    alky_link_end(&d->link);
    vm->result_len = 0;
    if (fn != 0xFF) {
        (void)alky_call_begin(vm, fn);
        vm->fuel_budget = ALKY_FUEL_DEFAULT;
        /* The handler's one parameter is the key's byte (the profile's
         * KeyPressed(key: u8), as the verifier checked the app). */
        s = alky_call_stream(vm, &key, 1);
        if (s == ALKY_OK) s = alky_call_run(vm);
        else s = ALKY_E_ARG;
    }
    d->seq = ALKY_LINK_UNSOLICITED_SEQ; /* also after a node call was answered */
    alky_device_report_end(d, s);
}

uint8_t alky_smartlock_poll(alky_device *d) {
    uint32_t now = alky_board_millis();
    uint8_t key;
    if (d->clock != clock_written) {
        clock_base_seconds = d->clock;
        clock_base_millis = now;
    }
    d->clock = clock_written = clock_base_seconds + (now - clock_base_millis) / 1000u;
    if (beeping && now - beep_started >= BEEP_MS) {
        alky_board_buzzer_output(0);
        beeping = 0;
    }
    /* A node's CALL/EVENT whose argument stream is still arriving owns the
     * VM's frame: the key waits in the queue until the stream has ended. */
    if (d->arg_active || !alky_event_queue_pop(&alky_smartlock_keys, &key)) return 0;
    if (is_smartlock_app(&d->vm)) raise_key(d, key);
    return 1;
}
