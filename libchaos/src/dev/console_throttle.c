// SPDX-License-Identifier: MIT
/*
 * The console event rate limit (audit finding 10). A guest can notify its
 * console channel as fast as it likes, and each notification costs dom0 an
 * interrupt, a wake-up and two system calls even when the ring is empty.
 * So, as xenconsoled does, a console that used its allowance of events in
 * the current period is not unmasked again until the period is over: its
 * notifications then pile up as one pending bit in the hypervisor and cost
 * dom0 nothing. Pure (time is the caller's), so it is unit tested alone.
 */
#include "dev/dev.h"

bool console_throttle_event(struct console_throttle *t, long long now_ms)
{
	if (t->masked)
		return false;   /* held already: the release unmasks it */
	if (now_ms >= t->period_end_ms) {
		t->period_end_ms = now_ms + CHAOS_CONSOLE_PERIOD_MS;
		t->events = 0;
	}
	if (t->events < CHAOS_CONSOLE_EVENTS_MAX) {
		t->events++;
		return true;
	}
	t->masked = true;
	return false;
}

bool console_throttle_release(struct console_throttle *t, long long now_ms)
{
	if (!t->masked || now_ms < t->period_end_ms)
		return false;
	/* The event that was left masked counts in the new period. */
	t->masked = false;
	t->period_end_ms = now_ms + CHAOS_CONSOLE_PERIOD_MS;
	t->events = 1;
	return true;
}
