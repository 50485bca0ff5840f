// SPDX-License-Identifier: MIT
/* A subscriber's bounded event queue with explicit overflow (event_queue.h). */
#include <stdlib.h>
#include <string.h>

#include "event_queue.h"

int event_queue_init(struct event_queue *q, size_t cap)
{
	memset(q, 0, sizeof(*q));
	if (cap < 2)
		cap = 2;
	q->ring = calloc(cap, sizeof(*q->ring));
	if (!q->ring)
		return -1;
	q->cap = cap;
	return 0;
}

void event_queue_free(struct event_queue *q)
{
	free(q->ring);
	memset(q, 0, sizeof(*q));
}

static void overflow_event(const struct event_queue *q, chaosd_event *out)
{
	memset(out, 0, sizeof(*out));
	out->type = CHAOSD_EVENT_OVERFLOW;
	out->seq = q->lost_seq;
	out->time_ms = q->lost_time_ms;
	out->lost = q->lost;
}

static void append(struct event_queue *q, const chaosd_event *ev)
{
	q->ring[(q->head + q->count) % q->cap] = *ev;
	q->count++;
}

void event_queue_push(struct event_queue *q, const chaosd_event *ev)
{
	/* Say how many were lost before anything newer, once there is room. */
	if (q->lost && q->count < q->cap) {
		chaosd_event of;

		overflow_event(q, &of);
		append(q, &of);
		q->lost = 0;
	}
	if (q->count == q->cap) {
		q->lost++;
		q->lost_seq = ev->seq;
		q->lost_time_ms = ev->time_ms;
		return;
	}
	append(q, ev);
}

bool event_queue_pop(struct event_queue *q, chaosd_event *out)
{
	if (q->count == 0) {
		if (!q->lost)
			return false;
		overflow_event(q, out);
		q->lost = 0;
		return true;
	}
	*out = q->ring[q->head];
	q->head = (q->head + 1) % q->cap;
	q->count--;
	return true;
}

bool event_queue_pending(const struct event_queue *q)
{
	return q->count > 0 || q->lost > 0;
}
