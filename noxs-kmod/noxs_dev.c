// SPDX-License-Identifier: GPL-2.0
/*
 * noxs backend devices: the registry, and each device's life from the
 * control page and event channel to the handshake and the teardown.
 *
 * The guest can write anything into its control page at any time. The
 * interrupt handler only queues work; the work copies the page once,
 * validates the copy, and closes the device on the first illegal value.
 * Event channels are bound "late EOI": the channel stays masked until the
 * work has run, and events that change nothing are reported as spurious so
 * the event core throttles a flooding guest.
 */
#define pr_fmt(fmt) "noxs: " fmt

#include <linux/hashtable.h>
#include <linux/interrupt.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <xen/events.h>
#include <xen/page.h>
#include <asm/xen/hypercall.h>

#include "noxs_kmod.h"

/* How long module unload waits, in all, for frontends to close. */
#define NOXS_UNLOAD_TIMEOUT_MS	1000u

struct noxs_counters noxs_counters;

/* The registry: key (domid, type, devid), under noxs_lock. */
static DEFINE_MUTEX(noxs_lock);
static DEFINE_HASHTABLE(noxs_devices, 10);
static struct workqueue_struct *noxs_wq;

static u32 noxs_key(u16 domid, u16 type, u16 devid)
{
	return (u32)domid << 16 ^ (u32)type << 8 ^ devid;
}

static const char *noxs_type_name(u16 type)
{
	switch (type) {
	NOXS_DEV_TYPES(NOXS_NAME_CASE)
	}
	return NOXS_DEV_TYPE_NAME_OTHER;
}

static const char *const noxs_err_text[] = {
	[NOXS_ERR_NONE] = "no error",
	[NOXS_ERR_FE_STATE] = "fe_state out of range",
	[NOXS_ERR_FE_TRANSITION] = "illegal fe_state transition",
	[NOXS_ERR_BE_FIELD] = "guest overwrote a backend field",
	[NOXS_ERR_RESERVED] = "reserved field not zero",
	[NOXS_ERR_ACK_SEQ] = "ack_seq out of sequence",
	[NOXS_ERR_REPLY] = "reply not an errno value",
	[NOXS_ERR_NET_FEATURES] = "fe_features not offered",
	[NOXS_ERR_NET_CHANGED] = "rings or port changed after use",
	[NOXS_ERR_NET_EVTCHN] = "cannot bind the event channel",
	[NOXS_ERR_NET_RING_MAP] = "cannot map a ring",
	[NOXS_ERR_NET_RING_INDEX] = "ring index out of bounds",
	[NOXS_ERR_NET_REQUEST] = "malformed ring request",
	[NOXS_ERR_NET_GRANT] = "grant copy failed",
	[NOXS_ERR_NET_SETUP] = "out of resources in dom0",
};

/* Caller holds noxs_lock. */
static struct noxs_dev *noxs_dev_find(u16 domid, u16 type, u16 devid)
{
	struct noxs_dev *d;

	hash_for_each_possible(noxs_devices, d, node,
			       noxs_key(domid, type, devid)) {
		if (d->domid == domid && d->type == type && d->devid == devid)
			return d;
	}
	return NULL;
}

static void noxs_dev_release(struct kref *ref)
{
	kfree(container_of(ref, struct noxs_dev, ref));
}

struct noxs_dev *noxs_dev_get(u16 domid, u16 type, u16 devid)
{
	struct noxs_dev *d;

	mutex_lock(&noxs_lock);
	d = noxs_dev_find(domid, type, devid);
	if (d)
		kref_get(&d->ref);
	mutex_unlock(&noxs_lock);
	return d;
}

void noxs_dev_put(struct noxs_dev *d)
{
	kref_put(&d->ref, noxs_dev_release);
}

/* Caller holds d->lock. */
void noxs_dev_write_be_state(struct noxs_dev *d, u32 state)
{
	d->be_state = state;
	WRITE_ONCE(d->ctrl->hdr.be_state, state);
	if (d->irq > 0)
		notify_remote_via_irq(d->irq);
}

bool noxs_dev_connected(const struct noxs_dev *d)
{
	return READ_ONCE(d->be_state) == NOXS_STATE_CONNECTED &&
	       READ_ONCE(d->fe_state) == NOXS_STATE_CONNECTED;
}

bool noxs_dev_gone(const struct noxs_dev *d)
{
	u32 be = READ_ONCE(d->be_state);

	return READ_ONCE(d->dead) || be == NOXS_STATE_CLOSING ||
	       be == NOXS_STATE_CLOSED;
}

/* Which frontend states may follow which (staying put is always fine). */
static const u8 noxs_fe_next[] = {
	[NOXS_STATE_UNKNOWN] = BIT(NOXS_STATE_INITIALISING) |
		BIT(NOXS_STATE_INITIALISED) | BIT(NOXS_STATE_CONNECTED) |
		BIT(NOXS_STATE_CLOSING) | BIT(NOXS_STATE_CLOSED),
	[NOXS_STATE_INITIALISING] = BIT(NOXS_STATE_INITIALISED) |
		BIT(NOXS_STATE_CONNECTED) | BIT(NOXS_STATE_CLOSING) |
		BIT(NOXS_STATE_CLOSED),
	[NOXS_STATE_INITWAIT] = 0,	/* a backend state only */
	[NOXS_STATE_INITIALISED] = BIT(NOXS_STATE_CONNECTED) |
		BIT(NOXS_STATE_CLOSING) | BIT(NOXS_STATE_CLOSED),
	[NOXS_STATE_CONNECTED] = BIT(NOXS_STATE_CLOSING) |
		BIT(NOXS_STATE_CLOSED),
	[NOXS_STATE_CLOSING] = BIT(NOXS_STATE_CLOSED),
	[NOXS_STATE_CLOSED] = 0,
};

static void noxs_dev_snapshot(const struct noxs_dev *d,
			      struct noxs_ctrl_snap *s)
{
	memcpy(s, d->ctrl, sizeof(*s));
	/* Only the copy may be used from here on. */
	barrier();
	if (d->type == NOXS_DEV_POWER)
		noxs_power_snapshot(d, s);
	else if (d->type == NOXS_DEV_VIF)
		noxs_net_snapshot(d, s);
}

/* The header as the backend wrote it, and the frontend's state. */
static u32 noxs_dev_check_hdr(const struct noxs_dev *d,
			      const struct noxs_ctrl_snap *s)
{
	const struct noxs_ctrl_hdr *h = &s->hdr;

	if (h->magic != NOXS_CTRL_MAGIC || h->version != NOXS_CTRL_VERSION ||
	    h->type != d->type || h->be_state != d->be_state)
		return NOXS_ERR_BE_FIELD;
	if (memchr_inv(h->reserved, 0, sizeof(h->reserved)))
		return NOXS_ERR_RESERVED;
	if (h->fe_state > NOXS_STATE_CLOSED ||
	    h->fe_state == NOXS_STATE_INITWAIT)
		return NOXS_ERR_FE_STATE;
	if (h->fe_state != d->fe_state &&
	    !(noxs_fe_next[d->fe_state] & BIT(h->fe_state)))
		return NOXS_ERR_FE_TRANSITION;
	return NOXS_ERR_NONE;
}

/* Close the device for the guest's fault. Caller holds d->lock. */
void noxs_dev_fail(struct noxs_dev *d, u32 err, u32 fe_state)
{
	if (d->be_state == NOXS_STATE_CLOSED)
		return;
	d->error = err;
	noxs_dev_write_be_state(d, NOXS_STATE_CLOSED);
	atomic64_inc(&noxs_counters.closed_by_error);
	pr_warn_ratelimited("dom%u %s/%u closed: %s (fe_state %u)\n",
			    d->domid, noxs_type_name(d->type), d->devid,
			    err <= NOXS_ERR_MAX ? noxs_err_text[err] : "?",
			    fe_state);
}

/* Have the work look at the device again, outside any event. */
void noxs_dev_kick(struct noxs_dev *d)
{
	unsigned long flags;

	spin_lock_irqsave(&d->lock, flags);
	if (!d->stopping)
		queue_work(noxs_wq, &d->work);
	spin_unlock_irqrestore(&d->lock, flags);
}

/* Follow the frontend's state. Caller holds d->lock. */
static bool noxs_dev_follow(struct noxs_dev *d, u32 fe)
{
	if (fe == d->fe_state)
		return false;
	d->fe_state = fe;
	if (fe != NOXS_STATE_UNKNOWN && fe != NOXS_STATE_INITIALISING)
		d->fe_waited = true;

	switch (fe) {
	case NOXS_STATE_CONNECTED:
		/* A vif connects once its rings are mapped (noxs_net_sync). */
		if (d->be_state == NOXS_STATE_INITWAIT &&
		    d->type != NOXS_DEV_VIF)
			noxs_dev_write_be_state(d, NOXS_STATE_CONNECTED);
		break;
	case NOXS_STATE_CLOSING:
		if (d->be_state != NOXS_STATE_CLOSED)
			noxs_dev_write_be_state(d, NOXS_STATE_CLOSING);
		break;
	case NOXS_STATE_CLOSED:
		noxs_dev_write_be_state(d, NOXS_STATE_CLOSED);
		break;
	}
	return true;
}

/* Read and act on the page once. Caller holds d->lock. */
static bool noxs_dev_process(struct noxs_dev *d)
{
	struct noxs_ctrl_snap s;
	bool changed;
	u32 err;

	/* A closed device has nothing left to say. */
	if (d->be_state == NOXS_STATE_CLOSED)
		return false;

	noxs_dev_snapshot(d, &s);
	err = noxs_dev_check_hdr(d, &s);
	if (!err && d->type == NOXS_DEV_POWER)
		err = noxs_power_check(d, &s);
	if (!err && d->type == NOXS_DEV_VIF)
		err = noxs_net_check(d, &s);
	/* The data path found garbage in the rings. */
	if (!err && d->type == NOXS_DEV_VIF)
		err = atomic_read(&d->net_fatal);
	if (err) {
		noxs_dev_fail(d, err, s.hdr.fe_state);
		return true;
	}
	if (d->type == NOXS_DEV_POWER)
		changed = noxs_power_apply(d, &s);
	else if (d->type == NOXS_DEV_VIF)
		changed = noxs_net_apply(d, &s);
	else
		changed = false;
	return noxs_dev_follow(d, s.hdr.fe_state) || changed;
}

static void noxs_dev_work(struct work_struct *work)
{
	struct noxs_dev *d = container_of(work, struct noxs_dev, work);
	unsigned long flags;
	bool changed, eoi;

	spin_lock_irqsave(&d->lock, flags);
	if (d->stopping) {
		spin_unlock_irqrestore(&d->lock, flags);
		return;
	}
	/* Work queued by noxs_dev_kick() owes no EOI. */
	eoi = d->eoi_pending;
	d->eoi_pending = false;
	changed = noxs_dev_process(d);
	spin_unlock_irqrestore(&d->lock, flags);

	/* Mapping rings and (un)registering a net device may sleep. */
	if (d->type == NOXS_DEV_VIF && noxs_net_sync(d))
		changed = true;

	if (changed)
		wake_up_all(&d->wq);
	/* Teardown waits for this work before unbinding: irq is valid. */
	if (eoi)
		xen_irq_lateeoi(d->irq, changed ? 0 : XEN_EOI_FLAG_SPURIOUS);
}

static irqreturn_t noxs_dev_interrupt(int irq, void *data)
{
	struct noxs_dev *d = data;
	unsigned long flags;
	bool queued = false;

	spin_lock_irqsave(&d->lock, flags);
	/* An event may beat the binder's own record of the irq. */
	d->irq = irq;
	d->events++;
	if (!d->stopping) {
		queued = queue_work(noxs_wq, &d->work);
		if (queued)
			d->eoi_pending = true;
	}
	spin_unlock_irqrestore(&d->lock, flags);
	/*
	 * The channel stays masked until the work's EOI. Once stopping, it
	 * stays masked for good: it is about to be closed.
	 */
	if (!queued && !READ_ONCE(d->stopping))
		xen_irq_lateeoi(irq, XEN_EOI_FLAG_SPURIOUS);
	return IRQ_HANDLED;
}

static int noxs_evtchn_alloc(u16 domid, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound op = {
		.dom = DOMID_SELF,
		.remote_dom = domid,
	};
	int ret;

	ret = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);
	if (ret)
		return ret;
	*port = op.port;
	return 0;
}

static void noxs_evtchn_close(evtchn_port_t port)
{
	struct evtchn_close op = { .port = port };

	if (HYPERVISOR_event_channel_op(EVTCHNOP_close, &op))
		pr_warn("cannot close event channel %u\n", port);
}

/*
 * After a failed bind_evtchn_to_irqhandler_lateeoi(): Linux has closed the
 * port itself on most of its failure paths, and a closed port may already
 * be another dom0 user's. Close it only if it is still exactly ours: in
 * state (ECS_UNBOUND or ECS_INTERDOMAIN) towards (remote_dom,
 * remote_port); remote_port is not compared for an unbound port.
 */
void noxs_evtchn_close_if_ours(evtchn_port_t port, u32 state,
			       domid_t remote_dom, evtchn_port_t remote_port)
{
	struct evtchn_status st = { .dom = DOMID_SELF, .port = port };
	bool ours;

	if (HYPERVISOR_event_channel_op(EVTCHNOP_status, &st))
		return;
	if (st.status != state)
		return;
	if (state == EVTCHNSTAT_unbound)
		ours = st.u.unbound.dom == remote_dom;
	else
		ours = st.u.interdomain.dom == remote_dom &&
		       st.u.interdomain.port == remote_port;
	if (ours)
		noxs_evtchn_close(port);
}

/* Revoke the grant; the page goes with it, now or once unmapped. */
static void noxs_dev_end_grant(struct noxs_dev *d)
{
	if (gnttab_try_end_foreign_access(d->gref)) {
		__free_page(d->page);
	} else {
		/* The guest still maps it: the kernel frees it later. */
		gnttab_end_foreign_access(d->gref, d->page);
		atomic64_inc(&noxs_counters.grants_deferred);
	}
	d->page = NULL;
	d->ctrl = NULL;
	atomic_dec(&noxs_counters.grants);
}

/* Page, grant, port and handler for d; undoes its own work on failure. */
static int noxs_dev_setup(struct noxs_dev *d)
{
	struct noxs_ctrl_hdr *h;
	unsigned long flags;
	int ret;

	d->page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!d->page)
		return -ENOMEM;
	d->ctrl = page_address(d->page);
	h = &d->ctrl->hdr;
	h->magic = NOXS_CTRL_MAGIC;
	h->version = NOXS_CTRL_VERSION;
	h->type = d->type;
	h->be_state = NOXS_STATE_INITIALISING;
	d->be_state = NOXS_STATE_INITIALISING;
	d->fe_state = NOXS_STATE_UNKNOWN;
	if (d->type == NOXS_DEV_VIF)
		noxs_net_init_page(d);

	ret = gnttab_grant_foreign_access(d->domid, xen_page_to_gfn(d->page),
					  0);
	if (ret < 0) {
		__free_page(d->page);
		return ret;
	}
	d->gref = ret;
	atomic_inc(&noxs_counters.grants);

	ret = noxs_evtchn_alloc(d->domid, &d->port);
	if (ret)
		goto fail_grant;
	atomic_inc(&noxs_counters.ports);

	ret = bind_evtchn_to_irqhandler_lateeoi(d->port, noxs_dev_interrupt,
						0, d->name, d);
	if (ret < 0) {
		noxs_evtchn_close_if_ours(d->port, EVTCHNSTAT_unbound, d->domid,
					  0);
		atomic_dec(&noxs_counters.ports);
		goto fail_grant;
	}
	spin_lock_irqsave(&d->lock, flags);
	d->irq = ret;
	spin_unlock_irqrestore(&d->lock, flags);
	atomic_inc(&noxs_counters.irqs);
	return 0;

fail_grant:
	/* Nobody was told the ref: it cannot be mapped yet. */
	noxs_dev_end_grant(d);
	return ret;
}

int noxs_dev_create(struct noxs_ioc_create *req)
{
	struct noxs_dev *d;
	unsigned long flags;
	int ret;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	kref_init(&d->ref);
	INIT_LIST_HEAD(&d->reap);
	INIT_WORK(&d->work, noxs_dev_work);
	init_waitqueue_head(&d->wq);
	spin_lock_init(&d->lock);
	d->domid = req->domid;
	d->type = req->type;
	d->devid = req->devid;
	atomic_set(&d->net_fatal, 0);
	if (d->type == NOXS_DEV_VIF) {
		memcpy(&d->vif_params, req->params, sizeof(d->vif_params));
		d->vif_configured =
			!(req->flags & NOXS_CREATE_F_UNCONFIGURED);
	}
	snprintf(d->name, sizeof(d->name), "noxs-%u-%s%u", d->domid,
		 noxs_type_name(d->type), d->devid);

	/* Creates are serialised: the duplicate check cannot race. */
	mutex_lock(&noxs_lock);
	ret = -EEXIST;
	if (noxs_dev_find(d->domid, d->type, d->devid))
		goto fail;
	ret = -ENOSPC;
	if (atomic_read(&noxs_counters.devices) >= noxs_max_devices)
		goto fail;
	/*
	 * An unconfigured vif gets its net device with its settings, or
	 * now if it is made ahead.
	 */
	if (d->type == NOXS_DEV_VIF &&
	    (!(req->flags & NOXS_CREATE_F_UNCONFIGURED) ||
	     (req->flags & NOXS_CREATE_F_NETDEV_AHEAD))) {
		ret = noxs_net_create(d);
		if (ret)
			goto fail;
	}
	ret = noxs_dev_setup(d);
	if (ret) {
		if (d->type == NOXS_DEV_VIF)
			noxs_net_destroy(d);
		goto fail;
	}

	spin_lock_irqsave(&d->lock, flags);
	noxs_dev_write_be_state(d, NOXS_STATE_INITWAIT);
	spin_unlock_irqrestore(&d->lock, flags);

	req->grant = d->gref;
	req->evtchn = d->port;
	hash_add(noxs_devices, &d->node, noxs_key(d->domid, d->type, d->devid));
	atomic_inc(&noxs_counters.devices);
	atomic64_inc(&noxs_counters.created);
	mutex_unlock(&noxs_lock);
	pr_debug("dom%u %s/%u: grant %u port %u\n", d->domid,
		 noxs_type_name(d->type), d->devid, d->gref, d->port);
	return 0;

fail:
	mutex_unlock(&noxs_lock);
	kfree(d);
	return ret;
}

/*
 * Teardown, first half: the device left the registry (so this runs once),
 * the guest is told Closing and power waiters are woken.
 */
static void noxs_dev_begin_close(struct noxs_dev *d)
{
	unsigned long flags;

	spin_lock_irqsave(&d->lock, flags);
	d->dead = true;
	if (d->be_state != NOXS_STATE_CLOSED)
		noxs_dev_write_be_state(d, NOXS_STATE_CLOSING);
	spin_unlock_irqrestore(&d->lock, flags);
	wake_up_all(&d->wq);
}

static bool noxs_dev_fe_done(const struct noxs_dev *d)
{
	return READ_ONCE(d->be_state) == NOXS_STATE_CLOSED ||
	       READ_ONCE(d->fe_state) == NOXS_STATE_CLOSED;
}

/*
 * Second half: wait until deadline for a frontend that got going to answer
 * Closed, then Closed, and release everything. Drops the registry's ref.
 */
static void noxs_dev_finish(struct noxs_dev *d, unsigned long deadline)
{
	unsigned long flags;
	long left;

	if (READ_ONCE(d->fe_waited)) {
		left = (long)(deadline - jiffies);
		if (left > 0)
			wait_event_killable_timeout(d->wq, noxs_dev_fe_done(d),
						    left);
	}

	spin_lock_irqsave(&d->lock, flags);
	if (d->be_state != NOXS_STATE_CLOSED)
		noxs_dev_write_be_state(d, NOXS_STATE_CLOSED);
	d->stopping = true;
	spin_unlock_irqrestore(&d->lock, flags);

	/* No work can be queued now; wait for one that may be running. */
	cancel_work_sync(&d->work);
	if (d->type == NOXS_DEV_VIF)
		noxs_net_destroy(d);
	/* This also closes the port. */
	unbind_from_irqhandler(d->irq, d);
	d->irq = 0;
	atomic_dec(&noxs_counters.irqs);
	atomic_dec(&noxs_counters.ports);
	noxs_dev_end_grant(d);

	atomic_dec(&noxs_counters.devices);
	atomic64_inc(&noxs_counters.destroyed);
	pr_debug("dom%u %s/%u destroyed\n", d->domid,
		 noxs_type_name(d->type), d->devid);
	noxs_dev_put(d);
}

/* Close every device on list, sharing one deadline. */
static void noxs_dev_reap(struct list_head *list, unsigned int timeout_ms)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);
	struct noxs_dev *d, *tmp;

	list_for_each_entry(d, list, reap)
		noxs_dev_begin_close(d);
	list_for_each_entry_safe(d, tmp, list, reap) {
		list_del_init(&d->reap);
		noxs_dev_finish(d, deadline);
	}
}

int noxs_dev_destroy(struct noxs_ioc_destroy *req)
{
	struct noxs_dev *d;
	struct hlist_node *tmp;
	unsigned int bkt;
	LIST_HEAD(list);
	u32 count = 0;

	mutex_lock(&noxs_lock);
	if (req->flags & NOXS_DESTROY_F_ALL) {
		hash_for_each_safe(noxs_devices, bkt, tmp, d, node) {
			if (d->domid != req->domid)
				continue;
			hash_del(&d->node);
			list_add_tail(&d->reap, &list);
			count++;
		}
	} else {
		d = noxs_dev_find(req->domid, req->type, req->devid);
		if (d) {
			hash_del(&d->node);
			list_add_tail(&d->reap, &list);
			count++;
		}
	}
	mutex_unlock(&noxs_lock);

	if (!count && !(req->flags & NOXS_DESTROY_F_ALL))
		return -ENOENT;
	noxs_dev_reap(&list, req->timeout_ms);
	req->count = count;
	return 0;
}

/* The vif's settings as the page shows them. Caller holds d->lock. */
static void noxs_dev_set_vif_params(struct noxs_dev *d,
				    const struct noxs_vif_params *params)
{
	d->vif_params = *params;
	noxs_net_init_page(d);
}

int noxs_dev_vif_config(u16 domid, u16 devid,
			const struct noxs_vif_params *params)
{
	struct noxs_vif_params unset = { };
	struct noxs_dev *d;
	unsigned long flags;
	bool ahead;
	int ret;

	/* Held throughout: create and destroy of this device wait. */
	mutex_lock(&noxs_lock);
	d = noxs_dev_find(domid, NOXS_DEV_VIF, devid);
	ret = -ENOENT;
	if (!d)
		goto out;
	ret = -EALREADY;
	if (READ_ONCE(d->vif_configured))
		goto out;
	/* Its net device, made ahead, is on its bridge: keep that one. */
	ahead = !!READ_ONCE(d->vif);
	ret = -EXDEV;
	if (ahead && strncmp(d->vif_params.bridge, params->bridge,
			     sizeof(params->bridge)))
		goto out;
	memcpy(unset.bridge, d->vif_params.bridge, sizeof(unset.bridge));

	spin_lock_irqsave(&d->lock, flags);
	/* A frontend that started has read the old settings. */
	if (d->fe_state != NOXS_STATE_UNKNOWN ||
	    d->be_state != NOXS_STATE_INITWAIT) {
		spin_unlock_irqrestore(&d->lock, flags);
		ret = -EBUSY;
		goto out;
	}
	noxs_dev_set_vif_params(d, params);
	d->vif_configured = true;
	spin_unlock_irqrestore(&d->lock, flags);

	ret = ahead ? 0 : noxs_net_create(d);
	if (ret) {
		spin_lock_irqsave(&d->lock, flags);
		noxs_dev_set_vif_params(d, &unset);
		d->vif_configured = false;
		spin_unlock_irqrestore(&d->lock, flags);
		goto out;
	}
	/* The frontend may have moved meanwhile: look at the page again. */
	noxs_dev_kick(d);
out:
	mutex_unlock(&noxs_lock);
	return ret;
}

static void noxs_dev_fill_info(struct noxs_dev *d, struct noxs_ioc_info *info)
{
	unsigned long flags;

	memset(info, 0, sizeof(*info));
	spin_lock_irqsave(&d->lock, flags);
	info->domid = d->domid;
	info->type = d->type;
	info->devid = d->devid;
	info->flags = (d->power_busy ? NOXS_INFO_F_POWER_BUSY : 0) |
		      (d->dead ? NOXS_INFO_F_DEAD : 0);
	info->grant = d->gref;
	info->evtchn = d->port;
	info->be_state = d->be_state;
	info->fe_state = d->fe_state;
	info->error = d->error;
	info->req_seq = d->req_seq;
	info->ack_seq = d->ack_seq;
	info->reply = d->reply;
	info->events = d->events;
	spin_unlock_irqrestore(&d->lock, flags);
}

int noxs_dev_query(struct noxs_ioc_info *info)
{
	struct noxs_dev *d;
	int ret = -ENOENT;

	mutex_lock(&noxs_lock);
	d = noxs_dev_find(info->domid, info->type, info->devid);
	if (d) {
		noxs_dev_fill_info(d, info);
		ret = 0;
	}
	mutex_unlock(&noxs_lock);
	return ret;
}

int noxs_dev_list(u16 domid, struct noxs_ioc_info __user *entries,
		  u32 capacity, u32 *count)
{
	struct noxs_ioc_info *buf = NULL;
	struct noxs_dev *d;
	unsigned int bkt;
	u32 n = 0, max;
	int ret = 0;

	/* Copy out after unlocking: a fault must not stall the registry. */
	max = min_t(u32, capacity, noxs_max_devices);
	if (max) {
		buf = kvmalloc_array(max, sizeof(*buf), GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
	}

	mutex_lock(&noxs_lock);
	hash_for_each(noxs_devices, bkt, d, node) {
		if (domid != NOXS_LIST_ALL_DOMAINS && d->domid != domid)
			continue;
		if (n < max)
			noxs_dev_fill_info(d, &buf[n]);
		n++;
	}
	mutex_unlock(&noxs_lock);

	if (min(n, max) &&
	    copy_to_user(entries, buf, (size_t)min(n, max) * sizeof(*buf)))
		ret = -EFAULT;
	kvfree(buf);
	*count = n;
	return ret;
}

int noxs_dev_init(void)
{
	/* Unbound: one guest's slow work must not hold up the others. */
	noxs_wq = alloc_workqueue("noxs", WQ_UNBOUND, 0);
	return noxs_wq ? 0 : -ENOMEM;
}

/* Module unload: the guests see Closed and every grant is revoked. */
void noxs_dev_exit(void)
{
	struct noxs_dev *d;
	struct hlist_node *tmp;
	unsigned int bkt;
	LIST_HEAD(list);

	mutex_lock(&noxs_lock);
	hash_for_each_safe(noxs_devices, bkt, tmp, d, node) {
		hash_del(&d->node);
		list_add_tail(&d->reap, &list);
	}
	mutex_unlock(&noxs_lock);
	if (!list_empty(&list))
		pr_info("unload: releasing %u devices\n",
			atomic_read(&noxs_counters.devices));
	noxs_dev_reap(&list, NOXS_UNLOAD_TIMEOUT_MS);
	destroy_workqueue(noxs_wq);
}
