/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_CLOCK_H
#define CHAOS_CLOCK_H

/*
 * The one clock: the monotonic clock (CLOCK_MONOTONIC) libchaos measures
 * every timing and timeout with, for front ends that time their own work
 * beside the library's (--timing, deadlines, rate limits), so no program
 * keeps a clock of its own.
 */

#include <stdint.h>
#include <chaos/api.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Microseconds, and milliseconds, since an arbitrary fixed point (not
 * the wall clock: it never jumps). Reentrant; need no host. */
CHAOS_API uint64_t chaos_clock_us(void);
CHAOS_API long long chaos_clock_ms(void);

#ifdef __cplusplus
}
#endif

#endif
