/* SPDX-License-Identifier: MIT */
/* Xen system time (ns since the hypervisor booted) from shared info. */
#ifndef MINIOS_TIME_H
#define MINIOS_TIME_H

#include <stdint.h>

#define NSEC_PER_USEC ((uint64_t)1000)
#define NSEC_PER_MSEC ((uint64_t)1000000)
#define NSEC_PER_SEC ((uint64_t)1000000000)

/* Current Xen system time in nanoseconds. */
uint64_t monotonic_ns(void);
/* Xen system time at a given TSC value (e.g. one read before setup). */
uint64_t tsc_to_system_ns(uint64_t tsc);
/* System time of the guest's first instruction. */
uint64_t boot_time_ns(void);

void time_init(void);

/*
 * Deadlines given to Xen (set_timer_op, SCHEDOP_poll) are in its system
 * time, which differs from guest time after a resume on another host.
 */
uint64_t time_to_xen_ns(uint64_t guest_ns);
/* Around a suspend: guest time resumes from the moment of the suspend. */
void time_suspend(void);
/* After a resume in a new domain (not after a cancelled suspend). */
void time_resume(void);

#endif
