/* SPDX-License-Identifier: MIT */
/* Giving up the CPU, sleeping on the one-shot timer, shutting down. */
#ifndef MINIOS_SCHED_H
#define MINIOS_SCHED_H

#include <stdint.h>

void sched_init(void);
/* After a resume in a new domain: timer set up again. */
void sched_resume(void);
void sched_yield(void);
/* Block until any event arrives (timer, console, device...). */
void sched_block(void);
/* Block until Xen system time reaches deadline_ns (other events may wake us
 * on the way; this returns only once the deadline has passed). */
void sched_sleep_until(uint64_t deadline_ns);
/* Shut the domain down with a SHUTDOWN_* reason; never returns. */
void sched_shutdown(unsigned int reason) __attribute__((noreturn));

/*
 * Called by the noxs power frontend before it acknowledges a poweroff or
 * reboot request (from the event upcall); the weak default does nothing.
 */
void app_shutdown_hook(void);

#endif
