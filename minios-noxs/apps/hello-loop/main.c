// SPDX-License-Identifier: MIT
/*
 * hello-loop: print "hello <n>" once a second, sleeping on the one-shot
 * timer in between, so the counter visibly stops while the domain is
 * paused. Ticks missed while paused are skipped, not replayed. After a
 * save and restore (or a migration) the count goes on where it was.
 */
#include <minios/app.h>
#include <minios/lib.h>
#include <minios/sched.h>
#include <minios/suspend.h>
#include <minios/time.h>

/* The counter lives in our memory, so it simply carries on after a
 * restore; the hooks only say where a suspend happened. */
void app_suspend_hook(void)
{
	printk("hello-loop: suspending\n");
}

void app_resume_hook(bool new_domain)
{
	printk("hello-loop: resumed%s\n", new_domain ? " in a new domain" : "");
}

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
