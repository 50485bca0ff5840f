// SPDX-License-Identifier: MIT
/*
 * hello-loop: print "hello <n>" once a second, sleeping on the one-shot
 * timer in between, so the counter visibly stops while the domain is
 * paused. Ticks missed while paused are skipped, not replayed.
 */
#include <minios/app.h>
#include <minios/lib.h>
#include <minios/sched.h>
#include <minios/time.h>

int app_main(const char *cmdline)
{
	uint64_t next = monotonic_ns();

	(void)cmdline;
	for (unsigned long n = 1;; n++) {
		uint64_t now;

		printk("hello %lu\n", n);
		next += NSEC_PER_SEC;
		sched_sleep_until(next);
		now = monotonic_ns();
		if (now >= next + NSEC_PER_SEC)
			next = now;
	}
	return 0;
}
