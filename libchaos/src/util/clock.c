// SPDX-License-Identifier: MIT
/* The one monotonic clock, for timeouts, deadlines and --timing, inside
 * the library and out (chaos/clock.h). */
#include <time.h>

#include "util/util.h"

uint64_t chaos_clock_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

long long chaos_clock_ms(void)
{
	return (long long)(chaos_clock_us() / 1000u);
}
