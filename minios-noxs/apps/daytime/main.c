// SPDX-License-Identifier: MIT
/*
 * daytime: answers every UDP datagram to port 13 with the current date
 * and time as text (RFC 867), in UTC from Xen's wallclock. "vif=<devid>"
 * picks the vif (default 0).
 */
#include <minios/app.h>
#include <minios/lib.h>
#include <minios/netapp.h>
#include <minios/sched.h>
#include <net/daytime_text.h>
#include <xen/xen.h>

#include "wallclock.h"

#define DAYTIME_PORT 13

static struct netapp app;

void app_shutdown_hook(void)
{
	netapp_print_stats(&app);
}

static void answer(void *ctx, struct net_stack *s,
		   const struct net_udp_dgram *d)
{
	char text[DAYTIME_TEXT_MAX];
	size_t len = daytime_text(wallclock_seconds(), text, sizeof(text));

	(void)ctx;
	net_udp_reply(s, d, text, len);
}

int app_main(const char *cmdline)
{
	uint64_t vif = 0;

	cmdline_get_u64(cmdline, MAX_GUEST_CMDLINE, "vif", &vif);
	if (vif >= NETFRONT_MAX || netapp_open(&app, "daytime", (uint16_t)vif))
		return 1;
	net_udp_bind(&app.stack, DAYTIME_PORT, answer, NULL);
	netapp_run(&app);
}
