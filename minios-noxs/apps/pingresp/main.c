// SPDX-License-Identifier: MIT
/*
 * pingresp: answers ARP and ICMP echo requests on its vif, like ClickOS's
 * ping responder. The address comes from the vif's control page; the
 * command line may pick the vif ("vif=<devid>", default 0).
 */
#include <minios/app.h>
#include <minios/lib.h>
#include <minios/netapp.h>
#include <minios/sched.h>
#include <minios/suspend.h>
#include <xen/xen.h>

static struct netapp app;

void app_shutdown_hook(void)
{
	netapp_print_stats(&app);
}

/* The stack and its counters live on; netfront connects again by itself. */
void app_resume_hook(bool new_domain)
{
	printk("pingresp: resumed%s\n", new_domain ? " in a new domain" : "");
}

int app_main(const char *cmdline)
{
	uint64_t vif = 0;

	cmdline_get_u64(cmdline, MAX_GUEST_CMDLINE, "vif", &vif);
	if (vif >= NETFRONT_MAX || netapp_open(&app, "pingresp", (uint16_t)vif))
		return 1;
	netapp_run(&app);
}
