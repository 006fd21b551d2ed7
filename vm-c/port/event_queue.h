/* A queue of one-byte driver events from an interrupt handler to the main
 * loop: one producer (the ISR) and one consumer (the main loop), each the only
 * writer of its index, and one-byte indexes, so neither side needs to turn
 * interrupts off on an 8- or 16-bit MCU. A full queue drops the new event and
 * counts it. Header-only: each port's driver keeps its own queue. */
#ifndef ALKY_EVENT_QUEUE_H
#define ALKY_EVENT_QUEUE_H

#include <stdint.h>

/* A power of two, at most 128. */
#define ALKY_EVENT_QUEUE_SIZE 8

typedef struct alky_event_queue {
    volatile uint8_t head; /* written by the producer */
    volatile uint8_t tail; /* written by the consumer */
    volatile uint8_t dropped;
    volatile uint8_t items[ALKY_EVENT_QUEUE_SIZE];
} alky_event_queue;

#define ALKY_EVENT_QUEUE_MASK ((uint8_t)(ALKY_EVENT_QUEUE_SIZE - 1))

/* From the ISR. */
static inline void alky_event_queue_push(alky_event_queue *q, uint8_t item) {
    uint8_t head = q->head, next = (uint8_t)((head + 1u) & ALKY_EVENT_QUEUE_MASK);
    if (next == q->tail) {
        if (q->dropped != 0xFF) q->dropped++;
        return;
    }
    q->items[head] = item;
    q->head = next;
}

/* From the main loop: 1 and the oldest item, or 0 when empty. */
static inline uint8_t alky_event_queue_pop(alky_event_queue *q, uint8_t *item) {
    uint8_t tail = q->tail;
    if (tail == q->head) return 0;
    *item = q->items[tail];
    q->tail = (uint8_t)((tail + 1u) & ALKY_EVENT_QUEUE_MASK);
    return 1;
}

static inline uint8_t alky_event_queue_empty(const alky_event_queue *q) {
    return (uint8_t)(q->tail == q->head);
}

#endif
