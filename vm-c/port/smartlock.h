/* The smart-lock profile's drivers on a real board, board-independent part:
 * the keypad's key presses become KeyPressed events run on the device itself,
 * Unlock/Lock/IncorrectBeep drive the lock output and the buzzer, and the
 * clock the app reads (Now) keeps running from the node's SET_TIME.
 *
 * A port builds it with -DALKY_SMARTLOCK_DRIVERS=1 (only builds for the
 * smartlock profile: the default link-device firmware has none of it) and
 * provides the board part below (vm-c/port/avr/smartlock_board.c, ...).
 *
 * A raised event is reported to the node with sequence number 0 (docs/link.md
 * §1): EVENT_RAISED (event, argument stream), the handler's SYSCALL reports,
 * then DONE, RESULT or FAULT, as for an EVENT request. */
#ifndef ALKY_SMARTLOCK_H
#define ALKY_SMARTLOCK_H

#include "device.h"
#include "event_queue.h"

/* Key presses from the keypad scan (the characters of the keypad). */
extern alky_event_queue alky_smartlock_keys;

/* ---- The board part. ---- */

/* Sets up the keypad scan (a timer interrupt that debounces and pushes into
 * alky_smartlock_keys), the lock and buzzer outputs (off) and the clock. */
void alky_board_smartlock_init(void);
void alky_board_lock_output(uint8_t open);
void alky_board_buzzer_output(uint8_t on);
/* Milliseconds since start-up (wraps). */
uint32_t alky_board_millis(void);
/* Boards without a timer interrupt (Linux): one keypad scan, called by the
 * main loop about every millisecond. */
void alky_board_smartlock_tick(void);

/* ---- Called by the board part. ---- */

/* One scan of the keypad: bit r * columns + c set while the key at row r,
 * column c is down. Debounces (a state must hold for 20 scans; scan about
 * every millisecond) and queues each newly pressed key's character. Safe in
 * an interrupt handler: it touches only its own state and the queue. */
void alky_smartlock_keypad_scanned(uint16_t down);

/* ---- Called by the port. ---- */

/* After the link device reported a syscall (vm-c/port/device_hal.c): drives
 * the outputs for an app built for the smartlock profile. */
void alky_smartlock_syscall(alky_vm *vm, uint8_t imp);

/* From the main loop between frames (no request half-received): keeps the
 * clock, ends a beep, and runs one queued key press. Returns 1 if it did work
 * that may have queued more (call again before sleeping). */
uint8_t alky_smartlock_poll(alky_device *d);

#endif
