/* SPDX-License-Identifier: MIT */
/* xendevd's one clock (monotonic milliseconds). */
#ifndef XENDEVD_CLOCK_H
#define XENDEVD_CLOCK_H

#include <stdint.h>

/* Milliseconds since an arbitrary start; never goes back. */
uint64_t xd_now_ms(void);

#endif
