// SPDX-License-Identifier: MIT
/* Attaching vifs to bridges and detaching them: the daemon's policy. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "log.h"
#include "uevent.h"

/*
 * ifindex: the netdev this state is about (0 if not looked up yet);
 * master: the Linux bridge it was put on (0 for OVS or none).
 */
static void set_state(struct xd_daemon *d, const char *ifname, int ifindex,
		      int master, enum xd_vif_state state, bool ovs,
		      const char *bridge, const char *reason)
{
	struct xd_vif *v = xd_vifs_get(&d->vifs, ifname);

	if (!v) {
		xd_log(LOG_ERR, "%s: out of memory recording its state",
		       ifname);
		return;
	}
	v->state = state;
	v->ifindex = ifindex;
	v->master = master;
	v->ovs = ovs;
	snprintf(v->bridge, sizeof(v->bridge), "%s", bridge ? bridge : "");
	snprintf(v->reason, sizeof(v->reason), "%s", reason ? reason : "");
	if (d->ctl_open)
		xd_ctl_notify(&d->ctl, v);
}

static void fail(struct xd_daemon *d, const char *ifname, int ifindex,
		 const char *bridge, const char *reason)
{
	xd_log(LOG_ERR, "%s: %s; vif left down", ifname, reason);
	set_state(d, ifname, ifindex, 0, XD_VIF_FAILED, false, bridge, reason);
}

void xd_vif_failed(struct xd_daemon *d, const char *ifname,
		   const char *reason)
{
	fail(d, ifname, 0, NULL, reason);
}

static void vanished(struct xd_daemon *d, const char *ifname)
{
	xd_log(LOG_INFO, "%s: vanished while being attached", ifname);
	xd_vifs_remove(&d->vifs, ifname);
}

static void attached(struct xd_daemon *d, const struct xd_link *vif,
		     const char *bridge, int master, bool ovs)
{
	xd_log(LOG_INFO, "%s: attached to %s bridge %s and up", vif->name,
	       ovs ? "Open vSwitch" : "Linux", bridge);
	set_state(d, vif->name, vif->ifindex, master, XD_VIF_ATTACHED, ovs,
		  bridge, NULL);
}

/* kind: the link kind of a netdev named like the bridge, NULL if none. */
static void attach_ovs(struct xd_daemon *d, const struct xd_link *vif,
		       const char *bridge, const char *kind)
{
	char err[256], reason[XD_REASON_MAX];
	int ret;

	/*
	 * Up before the port exists: ovs-vswitchd, adding a port to a
	 * userspace datapath, writes the link's flags back from what it
	 * read earlier (to make it promiscuous), which would take back an
	 * "up" that came in between.
	 */
	ret = xd_rtnl_set_link(&d->rt, vif->ifindex, -1, 1);
	if (ret == -ENODEV) {
		vanished(d, vif->name);
		return;
	}
	if (ret < 0) {
		snprintf(reason, sizeof(reason), "cannot bring it up: %s",
			 strerror(-ret));
		fail(d, vif->name, vif->ifindex, bridge, reason);
		return;
	}
	ret = xd_ovsdb_add_port(&d->ovs, bridge, vif->name, err, sizeof(err));
	if (ret == 0) {
		attached(d, vif, bridge, 0, true);
		return;
	}
	/* Not attached: down again, as any vif left without its bridge. */
	xd_rtnl_set_link(&d->rt, vif->ifindex, -1, -1);
	if (ret == XD_OVS_NO_BRIDGE && kind) {
		snprintf(reason, sizeof(reason), "%s is not a bridge (%s)",
			 bridge, kind[0] ? kind : "no link kind");
	} else if (ret == XD_OVS_NO_BRIDGE) {
		snprintf(reason, sizeof(reason), "bridge %s does not exist",
			 bridge);
	} else {
		xd_log(LOG_ERR, "%s: %s", vif->name, err);
		snprintf(reason, sizeof(reason), "Open vSwitch: %.80s", err);
	}
	fail(d, vif->name, vif->ifindex, bridge, reason);
}

void xd_vif_added(struct xd_daemon *d, const char *ifname,
		  const char *uevent_bridge)
{
	const char *bridge;
	struct xd_link vif, br;
	char reason[XD_REASON_MAX];
	int ret;

	bridge = xd_config_bridge_for(&d->cfg, ifname, uevent_bridge);
	if (!bridge) {
		fail(d, ifname, 0, NULL, "no bridge: no " XD_BRIDGE_PROP
		     " in the uevent, no matching rule, no default-bridge");
		return;
	}
	ret = xd_rtnl_get_link(&d->rt, ifname, &vif);
	if (ret == -ENODEV) {
		vanished(d, ifname);
		return;
	}
	if (ret < 0) {
		snprintf(reason, sizeof(reason), "cannot look it up: %s",
			 strerror(-ret));
		fail(d, ifname, 0, bridge, reason);
		return;
	}
	ret = xd_rtnl_get_link(&d->rt, bridge, &br);
	if (ret == 0 && !strcmp(br.kind, "bridge")) {
		if (vif.master == br.ifindex && (vif.flags & IFF_UP)) {
			attached(d, &vif, bridge, br.ifindex, false);
			return;
		}
		ret = xd_rtnl_set_link(&d->rt, vif.ifindex, br.ifindex, 1);
		if (ret == 0) {
			attached(d, &vif, bridge, br.ifindex, false);
			return;
		}
		/* ENODEV: the vif, or the bridge, went away meanwhile. */
		if (ret == -ENODEV &&
		    xd_rtnl_get_link(&d->rt, ifname, &vif) == -ENODEV) {
			vanished(d, ifname);
			return;
		}
		snprintf(reason, sizeof(reason), "cannot attach to %s: %s",
			 bridge, strerror(-ret));
		fail(d, ifname, vif.ifindex, bridge, reason);
		return;
	}
	/*
	 * Not a Linux bridge: OVSDB decides. An OVS bridge's own netdev is
	 * "openvswitch" (kernel datapath) or "tun" (userspace datapath),
	 * and OVSDB may know a bridge before ovs-vswitchd made its netdev.
	 */
	if (d->ovs_enabled) {
		attach_ovs(d, &vif, bridge, ret == 0 ? br.kind : NULL);
		return;
	}
	if (ret == 0)
		snprintf(reason, sizeof(reason), "%s is not a bridge (%s)",
			 bridge, br.kind[0] ? br.kind : "no link kind");
	else
		snprintf(reason, sizeof(reason), "bridge %s does not exist",
			 bridge);
	fail(d, ifname, vif.ifindex, bridge, reason);
}

void xd_vif_removed(struct xd_daemon *d, const char *ifname)
{
	struct xd_vif *v = xd_vifs_find(&d->vifs, ifname);
	char err[256];

	if (!v) {
		xd_log(LOG_DEBUG, "%s: removed (was not attached)", ifname);
		return;
	}
	/*
	 * The kernel takes a vanished port off a Linux bridge itself; an OVS
	 * port stays in OVSDB until we delete it.
	 */
	if (v->state == XD_VIF_ATTACHED && v->ovs &&
	    xd_ovsdb_del_port(&d->ovs, ifname, err, sizeof(err)) < 0)
		xd_log(LOG_ERR, "%s: removing its Open vSwitch port: %s",
		       ifname, err);
	else if (v->state == XD_VIF_ATTACHED)
		xd_log(LOG_INFO, "%s: removed, detached from %s", ifname,
		       v->bridge);
	xd_vifs_remove(&d->vifs, ifname);
}
