// SPDX-License-Identifier: MIT
/*
 * udp-echo: sends every UDP datagram back to where it came from, on every
 * port, or only on "port=<n>" from the command line. "vif=<devid>" picks
 * the vif (default 0).
 */
#include <minios/app.h>
#include <minios/lib.h>
#include <minios/netapp.h>
#include <minios/sched.h>
#include <xen/xen.h>

static struct netapp app;
static uint64_t echoed, refused;

void app_shutdown_hook(void)
{
	printk("udp-echo: %lu datagrams echoed, %lu could not be sent\n",
	       echoed, refused);
	netapp_print_stats(&app);
}

static void echo(void *ctx, struct net_stack *s,
		 const struct net_udp_dgram *d)
{
	(void)ctx;
	if (net_udp_reply(s, d, d->data, d->len) == 0)
		echoed++;
	else
		refused++;
}

int app_main(const char *cmdline)
{
	uint64_t vif = 0, port = 0;

	cmdline_get_u64(cmdline, MAX_GUEST_CMDLINE, "vif", &vif);
	if (!cmdline_get_u64(cmdline, MAX_GUEST_CMDLINE, "port", &port) &&
	    (port == 0 || port > 65535)) {
		printk("udp-echo: port=%lu is not a port\n", port);
		return 1;
	}
	if (vif >= NETFRONT_MAX || netapp_open(&app, "udp-echo", (uint16_t)vif))
		return 1;
	net_udp_bind(&app.stack, (uint16_t)port, echo, NULL);
	if (port)
		printk("udp-echo: port %lu\n", port);
	else
		printk("udp-echo: every port\n");
	netapp_run(&app);
}
