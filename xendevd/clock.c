// SPDX-License-Identifier: MIT
/* xendevd's one clock (clock.h). */
#include <time.h>

#include "clock.h"

uint64_t xd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
