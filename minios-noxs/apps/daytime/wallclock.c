// SPDX-License-Identifier: MIT
/*
 * Xen keeps the wall-clock time of its system time zero in shared info
 * (wc_sec, wc_sec_hi, wc_nsec), under a version counter that is odd while
 * it changes; adding the current system time gives the time of day.
 */
#include <minios/os.h>
#include <minios/time.h>

#include "wallclock.h"

/* An update takes a few instructions in Xen; this is plenty. */
#define WC_READ_TRIES 1000

uint64_t wallclock_seconds(void)
{
	volatile shared_info_t *s = shared_info;
	uint64_t sec = 0, nsec = 0;

	for (int i = 0; i < WC_READ_TRIES; i++) {
		uint32_t v = s->wc_version;

		rmb();
		sec = (uint64_t)s->xen_wc_sec_hi << 32 | s->wc_sec;
		nsec = s->wc_nsec;
		rmb();
		if (!(v & 1) && v == s->wc_version)
			break;
	}
	return sec + (nsec + monotonic_ns()) / NSEC_PER_SEC;
}
