// SPDX-License-Identifier: MIT
/*
 * The power-control frontend. The backend writes request, then bumps
 * req_seq and kicks; we act once per new req_seq and answer with reply,
 * then ack_seq = req_seq, and a kick. Poweroff and reboot run the app's
 * shutdown hook, acknowledge, close every device and shut the domain down
 * with the matching reason. Suspend (save, migration) is acknowledged
 * first, then the kernel suspends (kernel/suspend.c) and, once the guest
 * runs again, reconnects every device, this one included. Any request we
 * do not know is refused.
 */
#include <minios/lib.h>
#include <minios/noxs.h>
#include <minios/os.h>
#include <minios/sched.h>
#include <minios/suspend.h>

#include "core.h"

/* Xen's (x86) errno values for replies. */
#define XEN_EINVAL 22
/* The backend accepts 0 and -1..-4095 as replies. */
#define REPLY_MIN (-4095)

/* Only one power device makes sense; a second one is refused. */
static struct noxs_device *power_dev;
/* The last req_seq acted on (answered or deliberately left alone). */
static uint32_t seen_seq;

int __attribute__((weak)) app_power_request(uint32_t request)
{
	(void)request;
	return 0;
}

static void acknowledge(struct noxs_device *dev, uint32_t seq, int32_t reply)
{
	volatile struct noxs_ctrl_power *p = &dev->ctrl->u.power;

	p->reply = reply;
	/* The backend reads ack_seq, then reply: reply must land first. */
	wmb();
	p->ack_seq = seq;
	wmb();
	noxs_dev_notify(dev);
}

static const char *request_name(uint32_t request)
{
	switch (request) {
	case NOXS_POWER_POWEROFF:
		return "poweroff";
	case NOXS_POWER_REBOOT:
		return "reboot";
	case NOXS_POWER_SUSPEND:
		return "suspend";
	}
	return "unknown";
}

static void power_event(struct noxs_device *dev)
{
	volatile struct noxs_ctrl_power *p = &dev->ctrl->u.power;
	uint32_t seq = p->req_seq, request;
	unsigned int reason;
	int rc;

	/* The backend writes request before req_seq: read them the other way. */
	rmb();
	request = p->request;
	if (seq == seen_seq)
		return;
	seen_seq = seq;

	switch (request) {
	case NOXS_POWER_POWEROFF:
		reason = SHUTDOWN_poweroff;
		break;
	case NOXS_POWER_REBOOT:
		reason = SHUTDOWN_reboot;
		break;
	case NOXS_POWER_SUSPEND:
		reason = SHUTDOWN_suspend;
		break;
	default:
		printk("noxs: power: unknown request %u refused\n", request);
		acknowledge(dev, seq, -XEN_EINVAL);
		return;
	}

	rc = app_power_request(request);
	if (rc == NOXS_POWER_DEFER)
		return;
	if (rc < 0) {
		printk("noxs: power: the app refused %s: %d\n",
		       request_name(request), rc);
		acknowledge(dev, seq, rc < REPLY_MIN ? -XEN_EINVAL : rc);
		return;
	}
	if (reason == SHUTDOWN_suspend) {
		/*
		 * Answer first: dom0 then waits for the domain to stop. This
		 * device is closed and connected anew by the suspend, so dev
		 * must not be used after it.
		 */
		acknowledge(dev, seq, 0);
		minios_suspend();
		return;
	}
	app_shutdown_hook();
	acknowledge(dev, seq, 0);
	/* Tell every backend we are gone rather than let them time out. */
	noxs_close_all();
	sched_shutdown(reason);
}

static int power_setup(struct noxs_device *dev)
{
	volatile struct noxs_ctrl_power *p = &dev->ctrl->u.power;

	if (power_dev)
		return -1;
	power_dev = dev;
	/* Anything asked before we connected is answered by our first read. */
	seen_seq = 0;
	p->reply = 0;
	p->ack_seq = 0;
	return 0;
}

static void power_teardown(struct noxs_device *dev)
{
	if (power_dev == dev)
		power_dev = NULL;
}

const struct noxs_driver noxs_power_driver = {
	.name = "power",
	.type = NOXS_DEV_POWER,
	.wait_for_backend = false,
	.setup = power_setup,
	.event = power_event,
	.teardown = power_teardown,
};
