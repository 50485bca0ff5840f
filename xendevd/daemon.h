/* SPDX-License-Identifier: MIT */
#ifndef XENDEVD_DAEMON_H
#define XENDEVD_DAEMON_H

#include <stdbool.h>

#include "config.h"
#include "ctl.h"
#include "ovsdb.h"
#include "rtnl.h"
#include "vifs.h"

/* Everything the daemon holds; owned by main. */
struct xd_daemon {
	struct xd_config cfg;
	struct xd_rtnl rt;
	struct xd_ovsdb ovs;
	bool ovs_enabled;
	struct xd_vifs vifs;
	struct xd_ctl ctl;
	bool ctl_open;
};

/* A vif appeared: put it on its bridge and bring it up. */
void xd_vif_added(struct xd_daemon *d, const char *ifname,
		  const char *uevent_bridge);

/* A vif disappeared: take it off its bridge, forget it. */
void xd_vif_removed(struct xd_daemon *d, const char *ifname);

/*
 * Attach every existing vif that is not on its bridge (start-up, lost
 * uevents, SIGHUP): a vif recorded as attached is checked against the
 * kernel (reconcile.c). retry_failed also retries vifs that failed before.
 */
void xd_reconcile(struct xd_daemon *d, bool retry_failed);

#endif
