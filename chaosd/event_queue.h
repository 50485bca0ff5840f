/* SPDX-License-Identifier: MIT */
#ifndef CHAOSD_EVENT_QUEUE_H
#define CHAOSD_EVENT_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <chaos/chaosd.h>

/*
 * One subscriber's bounded queue of events. It never drops silently:
 * when it is full, later events are counted (lost) instead of kept, and
 * the first free slot carries an OVERFLOW event saying how many, ahead of
 * anything newer; a subscriber that drains the queue meanwhile gets the
 * OVERFLOW as its next event. So the subscriber sees every event in
 * order, or learns exactly where the gap is and how wide.
 */
struct event_queue {
	chaosd_event *ring;
	size_t cap;            /* at least 2: room for an OVERFLOW and one more */
	size_t head;           /* oldest */
	size_t count;
	uint64_t lost;         /* events counted since the queue was full */
	uint64_t lost_seq;     /* the last one's seq */
	uint64_t lost_time_ms;
};

/* An empty queue of (cap) events (2 or more). 0, or -1: no memory. */
int event_queue_init(struct event_queue *q, size_t cap);
void event_queue_free(struct event_queue *q);
/* Append (ev), or count it lost when the queue is full. */
void event_queue_push(struct event_queue *q, const chaosd_event *ev);
/* The oldest event (or the pending OVERFLOW) into (*out): true; false
 * when there is nothing to send. */
bool event_queue_pop(struct event_queue *q, chaosd_event *out);
/* Whether pop would give something. */
bool event_queue_pending(const struct event_queue *q);

#endif
