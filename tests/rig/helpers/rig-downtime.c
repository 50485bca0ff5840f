// SPDX-License-Identifier: MIT
/*
 * rig-downtime SRC_DOMID [TIMEOUT_S]: a migration's downtime seen from the
 * hypervisor, the same way for every toolstack. It polls the domain list
 * about every millisecond and prints the microseconds from the first look
 * that finds SRC_DOMID stopped (shut down for a suspend, or paused) to the
 * first look that finds
 * a domain created since it started running (not paused, not shut down).
 * Exits 1 without a figure on a timeout (default 300 s). It runs as a
 * real-time thread (SCHED_FIFO): the two ends of the migration keep both
 * vCPUs busy, and a poller that waits for a time slice would see the new
 * domain late and report a downtime longer than it was.
 */
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xenctrl.h>

#define MAX_DOMAINS 64 /* a small hypercall buffer: cheap to poll every ms */

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Stopped for the move: shut down for a suspend, or paused. */
static bool stopped(const xc_domaininfo_t *d)
{
	unsigned int reason = (d->flags >> XEN_DOMINF_shutdownshift) &
			      XEN_DOMINF_shutdownmask;

	return ((d->flags & XEN_DOMINF_shutdown) && reason == SHUTDOWN_suspend) ||
	       (d->flags & XEN_DOMINF_paused);
}

static bool running(const xc_domaininfo_t *d)
{
	return !(d->flags & (XEN_DOMINF_paused | XEN_DOMINF_shutdown |
			     XEN_DOMINF_dying));
}

int main(int argc, char **argv)
{
	static xc_domaininfo_t info[MAX_DOMAINS];
	static bool known[65536];
	uint32_t src;
	uint64_t deadline, t_stop = 0;
	uint32_t last_src_flags = 0, new_domid = 0, new_flags = 0;
	bool src_seen = false;
	xc_interface *xch;
	int n;

	if (argc < 2) {
		fprintf(stderr, "usage: rig-downtime SRC_DOMID [TIMEOUT_S]\n");
		return 2;
	}
	{
		struct sched_param sp = { .sched_priority = 10 };

		if (sched_setscheduler(0, SCHED_FIFO, &sp))
			perror("rig-downtime: SCHED_FIFO (the figure may be late)");
	}
	src = (uint32_t)strtoul(argv[1], NULL, 10);
	deadline = now_us() + (argc > 2 ? strtoull(argv[2], NULL, 10) : 300) * 1000000u;
	xch = xc_interface_open(NULL, NULL, 0);
	if (!xch) {
		perror("rig-downtime: xc_interface_open");
		return 1;
	}
	n = xc_domain_getinfolist(xch, 0, MAX_DOMAINS, info);
	if (n >= MAX_DOMAINS) {
		fprintf(stderr, "rig-downtime: more than %d domains\n", MAX_DOMAINS - 1);
		return 1;
	}
	for (int i = 0; i < n; i++)
		known[info[i].domain] = true;
	while (now_us() < deadline) {
		uint64_t t = now_us();

		n = xc_domain_getinfolist(xch, 0, MAX_DOMAINS, info);
		for (int i = 0; i < n; i++) {
			const xc_domaininfo_t *d = &info[i];

			if (d->domain == src)
				last_src_flags = d->flags, src_seen = true;
			if (!t_stop && d->domain == src && stopped(d))
				t_stop = t;
			if (!known[d->domain] && !new_domid)
				new_domid = d->domain, new_flags = d->flags;
			if (new_domid == d->domain)
				new_flags = d->flags;
			if (t_stop && !known[d->domain] && running(d)) {
				printf("%llu\n", (unsigned long long)(t - t_stop));
				xc_interface_close(xch);
				return 0;
			}
		}
		usleep(1000);
	}
	fprintf(stderr,
		"rig-downtime: no %s in time (source %u %s, flags %#x; new domain %u, flags %#x)\n",
		t_stop ? "new domain running" : "stop of the source", src,
		src_seen ? "seen" : "never seen", last_src_flags, new_domid,
		new_flags);
	xc_interface_close(xch);
	return 1;
}
