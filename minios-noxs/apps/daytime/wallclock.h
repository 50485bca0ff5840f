/* SPDX-License-Identifier: MIT */
/* Wall-clock time from Xen's shared info. */
#ifndef DAYTIME_WALLCLOCK_H
#define DAYTIME_WALLCLOCK_H

#include <stdint.h>

/* Seconds since the Unix epoch, UTC. */
uint64_t wallclock_seconds(void);

#endif
