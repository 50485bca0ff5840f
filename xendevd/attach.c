// SPDX-License-Identifier: MIT
/* Attaching vifs to bridges and detaching them: the daemon's policy. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "ovsdb_json.h"
#include "uevent.h"
#include "vifname.h"

static void set_state(struct xd_daemon *d, const char *ifname,
		      enum xd_vif_state state, bool ovs, const char *bridge,
		      const char *reason)
{
	struct xd_vif *v = xd_vifs_get(&d->vifs, ifname);

	if (!v) {
		xd_log(LOG_ERR, "%s: out of memory recording its state",
		       ifname);
		return;
	}
	v->state = state;
	v->ovs = ovs;
	snprintf(v->bridge, sizeof(v->bridge), "%s", bridge ? bridge : "");
	snprintf(v->reason, sizeof(v->reason), "%s", reason ? reason : "");
	if (d->ctl_open)
		xd_ctl_notify(&d->ctl, v);
}

static void fail(struct xd_daemon *d, const char *ifname, const char *bridge,
		 const char *reason)
{
	xd_log(LOG_ERR, "%s: %s; vif left down", ifname, reason);
	set_state(d, ifname, XD_VIF_FAILED, false, bridge, reason);
}

static void vanished(struct xd_daemon *d, const char *ifname)
{
	xd_log(LOG_INFO, "%s: vanished while being attached", ifname);
	xd_vifs_remove(&d->vifs, ifname);
}

static void attached(struct xd_daemon *d, const char *ifname,
		     const char *bridge, bool ovs)
{
	xd_log(LOG_INFO, "%s: attached to %s bridge %s and up", ifname,
	       ovs ? "Open vSwitch" : "Linux", bridge);
	set_state(d, ifname, XD_VIF_ATTACHED, ovs, bridge, NULL);
}

/* kind: the link kind of a netdev named like the bridge, NULL if none. */
static void attach_ovs(struct xd_daemon *d, const struct xd_link *vif,
		       const char *bridge, const char *kind)
{
	char err[256], reason[XD_REASON_MAX];
	int ret;

	ret = xd_ovsdb_add_port(&d->ovs, bridge, vif->name, err, sizeof(err));
	if (ret == XD_OVS_NO_BRIDGE && kind) {
		snprintf(reason, sizeof(reason), "%s is not a bridge (%s)",
			 bridge, kind[0] ? kind : "no link kind");
		fail(d, vif->name, bridge, reason);
		return;
	}
	if (ret == XD_OVS_NO_BRIDGE) {
		snprintf(reason, sizeof(reason), "bridge %s does not exist",
			 bridge);
		fail(d, vif->name, bridge, reason);
		return;
	}
	if (ret < 0) {
		xd_log(LOG_ERR, "%s: %s", vif->name, err);
		snprintf(reason, sizeof(reason), "Open vSwitch: %.80s", err);
		fail(d, vif->name, bridge, reason);
		return;
	}
	ret = xd_rtnl_set_link(&d->rt, vif->ifindex, -1, 1);
	if (ret == -ENODEV) {
		/* Gone meanwhile: take the port back out of OVSDB. */
		xd_ovsdb_del_port(&d->ovs, vif->name, err, sizeof(err));
		vanished(d, vif->name);
		return;
	}
	if (ret < 0) {
		snprintf(reason, sizeof(reason), "cannot bring it up: %s",
			 strerror(-ret));
		fail(d, vif->name, bridge, reason);
		return;
	}
	attached(d, vif->name, bridge, true);
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
		fail(d, ifname, NULL, "no bridge: no " XD_BRIDGE_PROP
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
		fail(d, ifname, bridge, reason);
		return;
	}
	ret = xd_rtnl_get_link(&d->rt, bridge, &br);
	if (ret == 0 && !strcmp(br.kind, "bridge")) {
		if (vif.master == br.ifindex && (vif.flags & IFF_UP)) {
			attached(d, ifname, bridge, false);
			return;
		}
		ret = xd_rtnl_set_link(&d->rt, vif.ifindex, br.ifindex, 1);
		if (ret == 0) {
			attached(d, ifname, bridge, false);
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
		fail(d, ifname, bridge, reason);
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
	fail(d, ifname, bridge, reason);
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

struct name_list {
	char (*names)[IFNAMSIZ];
	size_t n, cap;
};

static int collect_vif(const struct xd_link *link, void *arg)
{
	struct name_list *l = arg;

	if (!xd_is_vif_name(link->name, NULL, NULL))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char (*nn)[IFNAMSIZ] = realloc(l->names, cap * IFNAMSIZ);

		if (!nn)
			return 1;
		l->names = nn;
		l->cap = cap;
	}
	memcpy(l->names[l->n++], link->name, IFNAMSIZ);
	return 0;
}

/* XENDEVD_BRIDGE as the backend exports it in sysfs, if it does. */
static void sysfs_bridge(const char *ifname, char *out, size_t outlen)
{
	char path[64], buf[2048];
	const char *key = XD_BRIDGE_PROP "=";
	ssize_t n;
	int fd;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/sys/class/net/%s/uevent", ifname);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (!strncmp(line, key, strlen(key)) &&
		    xd_valid_ifname(line + strlen(key)))
			snprintf(out, outlen, "%s", line + strlen(key));
}

struct stale_ctx {
	const struct name_list *present;
	char (*uuids)[XD_UUID_MAX];
	char (*names)[IFNAMSIZ];
	size_t n, cap;
};

static void note_stale(const char *name, const char *uuid, void *arg)
{
	struct stale_ctx *c = arg;

	if (!xd_is_vif_name(name, NULL, NULL))
		return;
	for (size_t i = 0; i < c->present->n; i++)
		if (!strcmp(c->present->names[i], name))
			return;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		char (*nu)[XD_UUID_MAX] = realloc(c->uuids,
						  cap * XD_UUID_MAX);
		char (*nn)[IFNAMSIZ];

		if (!nu)
			return;
		c->uuids = nu;
		nn = realloc(c->names, cap * IFNAMSIZ);
		if (!nn)
			return;
		c->names = nn;
		c->cap = cap;
	}
	snprintf(c->uuids[c->n], XD_UUID_MAX, "%s", uuid);
	snprintf(c->names[c->n], IFNAMSIZ, "%s", name);
	c->n++;
}

/*
 * OVS ports of vifs that vanished while we were not running stay in OVSDB
 * (a Linux bridge forgets them by itself): delete them.
 */
static void remove_stale_ports(struct xd_daemon *d,
			       const struct name_list *present)
{
	struct stale_ctx c = { .present = present };
	char err[256];

	if (xd_ovsdb_list_ports(&d->ovs, note_stale, &c, err,
				sizeof(err)) < 0) {
		xd_log(LOG_DEBUG, "reconcile: Open vSwitch ports not "
		       "checked: %s", err);
		goto out;
	}
	for (size_t i = 0; i < c.n; i++) {
		if (xd_ovsdb_del_port_uuid(&d->ovs, c.uuids[i], err,
					   sizeof(err)) < 0)
			xd_log(LOG_ERR, "%s: removing its stale Open vSwitch "
			       "port: %s", c.names[i], err);
		else
			xd_log(LOG_INFO, "%s: gone; stale Open vSwitch port "
			       "removed", c.names[i]);
	}
out:
	free(c.uuids);
	free(c.names);
}

void xd_reconcile(struct xd_daemon *d, bool retry_failed)
{
	struct name_list l = { 0 };
	unsigned handled = 0;
	int ret;

	ret = xd_rtnl_dump_links(&d->rt, collect_vif, &l);
	if (ret < 0) {
		xd_log(LOG_ERR, "reconcile: listing links: %s",
		       strerror(-ret));
		free(l.names);
		return;
	}
	for (size_t i = 0; i < l.n; i++) {
		struct xd_vif *v = xd_vifs_find(&d->vifs, l.names[i]);
		char bridge[IFNAMSIZ];

		if (v && v->state == XD_VIF_ATTACHED)
			continue;
		if (v && v->state == XD_VIF_FAILED && !retry_failed)
			continue;
		sysfs_bridge(l.names[i], bridge, sizeof(bridge));
		xd_vif_added(d, l.names[i], bridge);
		handled++;
	}
	/* Forget vifs that vanished while we were not listening. */
	for (size_t i = 0; i < d->vifs.n;) {
		bool present = false;

		for (size_t j = 0; j < l.n && !present; j++)
			present = !strcmp(d->vifs.v[i].name, l.names[j]);
		if (present) {
			i++;
			continue;
		}
		{
			char gone[IFNAMSIZ];

			memcpy(gone, d->vifs.v[i].name, IFNAMSIZ);
			xd_vif_removed(d, gone);
		}
	}
	if (d->ovs_enabled)
		remove_stale_ports(d, &l);
	xd_log(LOG_INFO, "reconciled: %zu vifs present, %u handled", l.n,
	       handled);
	free(l.names);
}
