// SPDX-License-Identifier: MIT
/*
 * noop: report how long boot took, say "ready", then block until the
 * domain is shut down. With "t0=<Xen system time in ns>" on the command
 * line (the toolstack's start time) it also reports the time since then.
 * Asked to power off or reboot (noxs power device), it says so first.
 */
#include <minios/app.h>
#include <minios/lib.h>
#include <minios/sched.h>
#include <minios/time.h>
#include <xen/xen.h>

void app_shutdown_hook(void)
{
	printk("noop: shutdown hook ran\n");
}

int app_main(const char *cmdline)
{
	uint64_t now = monotonic_ns();
	uint64_t booted_us = (now - boot_time_ns()) / NSEC_PER_USEC;
	uint64_t t0;

	if (!cmdline_get_u64(cmdline, MAX_GUEST_CMDLINE, "t0", &t0) &&
	    t0 <= now)
		printk("noop: booted in %lu us, since-create %lu us\n",
		       booted_us, (now - t0) / NSEC_PER_USEC);
	else
		printk("noop: booted in %lu us\n", booted_us);
	printk("ready\n");
	for (;;)
		sched_block();
	return 0;
}
