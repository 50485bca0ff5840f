/* SPDX-License-Identifier: MIT */
#ifndef XENDEVD_DAEMON_H
#define XENDEVD_DAEMON_H

#include <stdbool.h>

#include "config.h"
#include "ctl.h"
#include "ovsdb.h"
#include "rtnl.h"
#include "vbd.h"
#include "vifs.h"
#include "xs.h"

/* Everything the daemon holds; owned by main. */
struct xd_daemon {
	struct xd_config cfg;
	struct xd_rtnl rt;
	struct xd_ovsdb ovs;
	bool ovs_enabled;
	struct xd_vifs vifs;
	struct xd_ctl ctl;
	bool ctl_open;
	struct xd_xs xs;                /* xenstored, opened when needed */
	const struct xd_xs_ops *xsops;  /* over xs */
	struct xd_vbds vbds;            /* loops made for XenStore disks */
};

/* A vif appeared: put it on its bridge and bring it up. */
void xd_vif_added(struct xd_daemon *d, const char *ifname,
		  const char *uevent_bridge);

/* A vif cannot be attached: record the reason, answer its waiters. */
void xd_vif_failed(struct xd_daemon *d, const char *ifname,
		   const char *reason);

/*
 * A netback vif (XenStore): attach it to <xb_path>/bridge if set (else as
 * any vif), then write <xb_path>/hotplug-status "connected", or
 * hotplug-error and "error" (xsvif.c). For the netback "online" event and
 * the vif's net "add", whichever comes first.
 */
void xd_xsvif_online(struct xd_daemon *d, const char *xb_path,
		     const char *ifname);

/*
 * The XenStore backend of a netback vif, from its sysfs parent device:
 * true and backend/vif/<domid>/<devid> in xb_path, or false (a noxs vif).
 */
bool xd_xsvif_backend(const char *ifname, char *xb_path, size_t len);

/* A vif disappeared: take it off its bridge, forget it. */
void xd_vif_removed(struct xd_daemon *d, const char *ifname);

/*
 * Attach every existing vif that is not on its bridge (start-up, lost
 * uevents, SIGHUP): a vif recorded as attached is checked against the
 * kernel (reconcile.c). retry_failed also retries vifs that failed before.
 */
void xd_reconcile(struct xd_daemon *d, bool retry_failed);

#endif
