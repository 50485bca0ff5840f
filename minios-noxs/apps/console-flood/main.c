// SPDX-License-Identifier: MIT
/*
 * console-flood: a hostile guest for audit finding 10. It notifies its
 * console event channel in a tight loop, with nothing new in the ring,
 * and prints one line a second ("flood <s> <events>") so its console is
 * seen to work. Its backend must not spend a dom0 CPU on it: dom0
 * throttles the channel (libchaos's console event rate limit).
 */
#include <minios/app.h>
#include <minios/events.h>
#include <minios/lib.h>
#include <minios/os.h>
#include <minios/time.h>
#include <xen/xen.h>

int app_main(const char *cmdline)
{
	evtchn_port_t port = start_info->console.domU.evtchn;
	uint64_t next = monotonic_ns() + NSEC_PER_SEC;
	unsigned long sent = 0;

	(void)cmdline;
	printk("console-flood: flooding console port %u\n", port);
	for (unsigned long s = 1;;) {
		for (int i = 0; i < 1024; i++, sent++)
			evtchn_notify(port);
		if (monotonic_ns() >= next) {
			printk("flood %lu %lu\n", s++, sent);
			next += NSEC_PER_SEC;
		}
	}
	return 0;
}
