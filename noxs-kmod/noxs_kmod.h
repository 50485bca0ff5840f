/* SPDX-License-Identifier: GPL-2.0 */
/*
 * noxs backend module: the state shared between its files.
 */
#ifndef NOXS_KMOD_H
#define NOXS_KMOD_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <xen/grant_table.h>
#include <xen/interface/event_channel.h>

#include "noxs.h"
#include "noxs_ioctl.h"

/* One backend device: a control page shared with one guest. */
struct noxs_dev {
	struct hlist_node node;		/* in the registry, under noxs_lock */
	struct list_head reap;		/* on a teardown list */
	struct kref ref;

	u16 domid;
	u16 type;
	u16 devid;
	char name[32];			/* irq name, lives as long as the irq */

	struct page *page;
	struct noxs_ctrl_page *ctrl;	/* shared with the guest: hostile */
	grant_ref_t gref;
	evtchn_port_t port;
	int irq;

	struct work_struct work;	/* reads the page after each event */
	wait_queue_head_t wq;		/* woken on every state change */

	/*
	 * lock protects the fields below and every backend write into the
	 * page, so a backend field read back from the page can be compared
	 * with what was written.
	 */
	spinlock_t lock;
	bool dead;			/* teardown started */
	bool stopping;			/* no more work may be queued */
	bool fe_waited;			/* frontend got past Initialising */
	u32 be_state;
	u32 fe_state;			/* last valid frontend state */
	u32 error;			/* NOXS_ERR_* once closed for garbage */
	u64 events;

	bool eoi_pending;		/* the work owes the channel an EOI */

	/* Power control. */
	bool power_busy;
	u32 request;
	u32 req_seq;
	u32 ack_seq;
	s32 reply;

	/* vif: settings from the create request, the frontend's rings. */
	struct noxs_vif_params vif_params;
	struct noxs_ctrl_net net_fe;	/* frontend's fields, fixed at use */
	bool net_taken;			/* net_fe recorded: connect wanted */
	bool vif_configured;		/* vif_params are the guest's */
	atomic_t net_fatal;		/* NOXS_ERR_* from the data path */
	/* The net device; only the work, create and finish touch it. */
	struct noxs_vif *vif;
};

/*
 * A private copy of the part of a control page the backend looks at: the
 * guest may change the page at any moment, so it is read once, then only
 * the copy is validated and used.
 */
struct noxs_ctrl_snap {
	struct noxs_ctrl_hdr hdr;
	union {
		struct noxs_ctrl_power power;
		struct noxs_ctrl_net net;
	} u;
};

/* Counters for NOXS_IOC_STATS. */
struct noxs_counters {
	atomic_t devices;
	atomic_t grants;
	atomic_t ports;
	atomic_t irqs;
	atomic64_t created;
	atomic64_t destroyed;
	atomic64_t closed_by_error;
	atomic64_t grants_deferred;
};

extern struct noxs_counters noxs_counters;
extern unsigned int noxs_max_devices;

/* noxs_dev.c: the registry and the life of a device. */
int noxs_dev_init(void);
void noxs_dev_exit(void);
int noxs_dev_create(struct noxs_ioc_create *req);
int noxs_dev_destroy(struct noxs_ioc_destroy *req);
int noxs_dev_query(struct noxs_ioc_info *info);
int noxs_dev_list(u16 domid, struct noxs_ioc_info __user *entries,
		  u32 capacity, u32 *count);
struct noxs_dev *noxs_dev_get(u16 domid, u16 type, u16 devid);
void noxs_dev_put(struct noxs_dev *d);
void noxs_dev_write_be_state(struct noxs_dev *d, u32 state);
bool noxs_dev_connected(const struct noxs_dev *d);
bool noxs_dev_gone(const struct noxs_dev *d);
void noxs_dev_fail(struct noxs_dev *d, u32 err, u32 fe_state);
void noxs_dev_kick(struct noxs_dev *d);
void noxs_evtchn_close_if_ours(evtchn_port_t port, u32 state,
			       domid_t remote_dom, evtchn_port_t remote_port);

/* noxs_power.c: the power control backend. */
void noxs_power_snapshot(const struct noxs_dev *d, struct noxs_ctrl_snap *s);
u32 noxs_power_check(const struct noxs_dev *d,
		     const struct noxs_ctrl_snap *s);
bool noxs_power_apply(struct noxs_dev *d, const struct noxs_ctrl_snap *s);
int noxs_power_request(struct noxs_dev *d, u32 request, u32 timeout_ms,
		       s32 *reply);

/* noxs_net.c: the network backend (vif). */
struct noxs_vif;
bool noxs_net_valid_params(const struct noxs_vif_params *p);
bool noxs_net_valid_ahead_params(const struct noxs_vif_params *p, bool ahead);
int noxs_net_create(struct noxs_dev *d);
int noxs_dev_vif_config(u16 domid, u16 devid,
			const struct noxs_vif_params *params);
void noxs_net_init_page(struct noxs_dev *d);
void noxs_net_snapshot(const struct noxs_dev *d, struct noxs_ctrl_snap *s);
u32 noxs_net_check(const struct noxs_dev *d, const struct noxs_ctrl_snap *s);
bool noxs_net_apply(struct noxs_dev *d, const struct noxs_ctrl_snap *s);
bool noxs_net_sync(struct noxs_dev *d);
void noxs_net_destroy(struct noxs_dev *d);

#endif /* NOXS_KMOD_H */
