// SPDX-License-Identifier: MIT
/*
 * One noxs device, whatever its type: map the backend's control page,
 * check what the backend put there, bind the event channel and run the
 * frontend's side of the handshake (docs/noxs-abi.md):
 *
 *   probe:   fe Initialised (after the driver's fields), then Connected at
 *            once or when the backend says Connected (driver's choice);
 *   events:  backend Closing/Closed, or a backend field that changed under
 *            us, closes the device: fe Closed, port closed, page unmapped;
 *            otherwise, once both ends are Connected, the driver's event().
 *
 * The control page is shared with dom0, so every read of a backend field
 * is a fresh, checked read.
 */
#include <minios/events.h>
#include <minios/hypercall.h>
#include <minios/lib.h>
#include <minios/noxs.h>
#include <minios/os.h>

#include "core.h"
#include "devpage.h"
#include "map.h"

static struct noxs_device devices[NOXS_MAX_DEVICES];

/* Devices connected when we suspended: their drivers get resume(). */
static struct carried {
	uint16_t type, devid;
} carried[NOXS_MAX_DEVICES];
static unsigned int nr_carried;

static const char *type_name(uint16_t type)
{
	switch (type) {
	NOXS_DEV_TYPES(NOXS_NAME_CASE)
	}
	return NOXS_DEV_TYPE_NAME_OTHER;
}

void noxs_dev_notify(const struct noxs_device *dev)
{
	evtchn_notify(dev->port);
}

void noxs_dev_set_state(struct noxs_device *dev, uint32_t state)
{
	/* Our fields first, then the state that announces them. */
	wmb();
	dev->ctrl->hdr.fe_state = state;
	dev->fe_state = state;
	wmb();
	noxs_dev_notify(dev);
}

/* Port, mapping, address, slot: everything the device held. */
static void release(struct noxs_device *dev)
{
	struct evtchn_close close = { .port = dev->port };
	int rc;

	evtchn_mask(dev->port);
	evtchn_set_handler(dev->port, NULL, NULL);
	hyp_event_channel_op(EVTCHNOP_close, &close);
	rc = noxs_grant_unmap((void *)dev->ctrl, dev->handle);
	if (rc)
		/* The address keeps the foreign page: never hand it out. */
		printk("noxs: %s: unmapping the control page failed: %d\n",
		       dev->name, rc);
	else
		noxs_va_free((void *)dev->ctrl);
	memset(dev, 0, sizeof(*dev));
}

static void close_device(struct noxs_device *dev, const char *why)
{
	if (dev->drv->teardown)
		dev->drv->teardown(dev);
	noxs_dev_set_state(dev, NOXS_STATE_CLOSED);
	printk("noxs: %s closed (%s)\n", dev->name, why);
	release(dev);
}

/* The backend's header, read once; NULL if sane, else the bad field. */
static const char *check_backend(const struct noxs_device *dev,
				 uint32_t *be_state)
{
	const volatile struct noxs_ctrl_hdr *h = &dev->ctrl->hdr;
	uint32_t state = h->be_state;

	rmb();
	if (h->magic != NOXS_CTRL_MAGIC)
		return "magic";
	if (h->version != NOXS_CTRL_VERSION)
		return "version";
	if (h->type != dev->entry.type)
		return "type";
	if (state > NOXS_STATE_CLOSED)
		return "be_state";
	*be_state = state;
	return NULL;
}

static void device_event(evtchn_port_t port, void *arg)
{
	struct noxs_device *dev = arg;
	const char *bad;
	uint32_t be;

	(void)port;
	if (!dev->in_use || dev->detached)
		return;
	bad = check_backend(dev, &be);
	if (bad) {
		printk("noxs: %s: backend wrote a bad %s\n", dev->name, bad);
		close_device(dev, "bad backend field");
		return;
	}
	if (be == NOXS_STATE_CLOSING || be == NOXS_STATE_CLOSED) {
		close_device(dev, "by the backend");
		return;
	}
	if (dev->fe_state == NOXS_STATE_INITIALISED &&
	    be == NOXS_STATE_CONNECTED)
		noxs_dev_set_state(dev, NOXS_STATE_CONNECTED);
	/* Last: the driver may close every device (a shutdown). */
	if (dev->fe_state == NOXS_STATE_CONNECTED &&
	    be == NOXS_STATE_CONNECTED && dev->drv->event)
		dev->drv->event(dev);
}

static struct noxs_device *free_slot(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(devices); i++)
		if (!devices[i].in_use)
			return &devices[i];
	return NULL;
}

static int bind_port(struct noxs_device *dev)
{
	struct evtchn_bind_interdomain op = {
		.remote_dom = dev->entry.be_domid,
		.remote_port = dev->entry.evtchn,
	};
	long rc = hyp_event_channel_op(EVTCHNOP_bind_interdomain, &op);

	if (rc) {
		printk("noxs: %s: binding port %u of domain %u failed: %ld\n",
		       dev->name, dev->entry.evtchn, dev->entry.be_domid, rc);
		return -1;
	}
	dev->port = op.local_port;
	if (evtchn_set_handler(dev->port, device_event, dev)) {
		struct evtchn_close close = { .port = dev->port };

		printk("noxs: %s: local port %u too high\n", dev->name,
		       dev->port);
		hyp_event_channel_op(EVTCHNOP_close, &close);
		return -1;
	}
	return 0;
}

/* Map the control page and check that the backend set it up for us. */
static int map_control(struct noxs_device *dev)
{
	void *va = noxs_va_alloc();
	const char *bad;
	uint32_t be;
	int rc;

	if (!va) {
		printk("noxs: %s: out of memory\n", dev->name);
		return -1;
	}
	rc = noxs_grant_map(va, dev->entry.be_domid, dev->entry.grant,
			    &dev->handle);
	if (rc) {
		printk("noxs: %s: mapping grant %u of domain %u failed: %d\n",
		       dev->name, dev->entry.grant, dev->entry.be_domid, rc);
		noxs_va_free(va);
		return -1;
	}
	dev->ctrl = va;
	bad = check_backend(dev, &be);
	if (!bad && be != NOXS_STATE_INITWAIT)
		bad = "be_state (not InitWait)";
	if (bad) {
		printk("noxs: %s: control page has a bad %s\n", dev->name, bad);
		if (!noxs_grant_unmap(va, dev->handle))
			noxs_va_free(va);
		return -1;
	}
	return 0;
}

/* Was this device connected before a suspend (and is it now taken)? */
static bool take_carried(const struct noxs_entry *entry)
{
	for (unsigned int i = 0; i < nr_carried; i++) {
		if (carried[i].type == entry->type &&
		    carried[i].devid == entry->devid) {
			carried[i] = carried[--nr_carried];
			return true;
		}
	}
	return false;
}

int noxs_dev_probe(const struct noxs_entry *entry,
		   const struct noxs_driver *drv)
{
	struct noxs_device *dev = free_slot();
	int (*init)(struct noxs_device *dev) = drv->setup;
	unsigned long flags;
	int rc;

	if (!dev) {
		printk("noxs: more than %d devices, %s/%u ignored\n",
		       NOXS_MAX_DEVICES, type_name(entry->type), entry->devid);
		return -1;
	}
	memset(dev, 0, sizeof(*dev));
	dev->entry = *entry;
	dev->drv = drv;
	snprintf(dev->name, sizeof(dev->name), "%s/%u", type_name(entry->type),
		 entry->devid);
	if (map_control(dev))
		return -1;
	if (bind_port(dev)) {
		if (!noxs_grant_unmap((void *)dev->ctrl, dev->handle))
			noxs_va_free((void *)dev->ctrl);
		return -1;
	}
	if (take_carried(entry) && drv->resume)
		init = drv->resume;
	/* Nothing of this device may run before it is fully set up. */
	flags = events_save_disable();
	dev->in_use = true;
	rc = init ? init(dev) : 0;
	if (rc) {
		events_restore(flags);
		printk("noxs: %s: %s frontend setup failed: %d\n", dev->name,
		       drv->name, rc);
		noxs_dev_set_state(dev, NOXS_STATE_CLOSED);
		release(dev);
		return -1;
	}
	/* One kick for both steps when the backend waits for us anyway. */
	dev->ctrl->hdr.fe_state = NOXS_STATE_INITIALISED;
	dev->fe_state = NOXS_STATE_INITIALISED;
	noxs_dev_set_state(dev, drv->wait_for_backend ?
				NOXS_STATE_INITIALISED : NOXS_STATE_CONNECTED);
	events_restore(flags);
	evtchn_unmask(dev->port);
	return 0;
}

void noxs_close_all(void)
{
	unsigned long flags = events_save_disable();

	for (size_t i = 0; i < ARRAY_SIZE(devices); i++)
		if (devices[i].in_use && !devices[i].detached)
			close_device(&devices[i], "shutting down");
	events_restore(flags);
}

void noxs_suspend(void)
{
	unsigned long flags = events_save_disable();

	nr_carried = 0;
	for (size_t i = 0; i < ARRAY_SIZE(devices); i++) {
		struct noxs_device *dev = &devices[i];

		if (!dev->in_use || dev->detached)
			continue;
		carried[nr_carried].type = dev->entry.type;
		carried[nr_carried].devid = dev->entry.devid;
		nr_carried++;
		if (dev->drv->suspend)
			dev->drv->suspend(dev);
		else if (dev->drv->teardown)
			dev->drv->teardown(dev);
		noxs_dev_set_state(dev, NOXS_STATE_CLOSED);
		printk("noxs: %s closed (suspending)\n", dev->name);
		release(dev);
	}
	noxs_devpage_unmap();
	events_restore(flags);
}

struct noxs_device *noxs_device_find(uint16_t type, uint16_t devid)
{
	for (size_t i = 0; i < ARRAY_SIZE(devices); i++)
		if (devices[i].in_use && devices[i].entry.type == type &&
		    devices[i].entry.devid == devid)
			return &devices[i];
	return NULL;
}

void noxs_device_detach(struct noxs_device *dev)
{
	unsigned long flags = events_save_disable();

	if (dev->drv->teardown)
		dev->drv->teardown(dev);
	dev->detached = true;
	events_restore(flags);
}
