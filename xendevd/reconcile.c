// SPDX-License-Identifier: MIT
/*
 * Reconcile: bring the vif table back in line with the kernel when uevents
 * may have been lost (start-up, a uevent queue overflow, SIGHUP). A vif the
 * table calls attached is believed only if it is still the same netdev on
 * the same bridge: after lost events a vif may have been removed and made
 * again under its name (domid reuse), and "wait" answers from the table.
 */
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

/* The vifs the kernel has, from one link dump. */
struct link_list {
	struct xd_link *l;
	size_t n, cap;
	bool oom;                       /* incomplete: act on none of it */
};

/* The ports OVSDB has under vif names, from one listing. */
struct port_list {
	char (*names)[IFNAMSIZ];
	char (*uuids)[XD_UUID_MAX];
	size_t n, cap;
	bool ok;                        /* the listing succeeded */
};

static int collect_vif(const struct xd_link *link, void *arg)
{
	struct link_list *ll = arg;

	if (!xd_is_vif_name(link->name, NULL, NULL))
		return 0;
	if (ll->n == ll->cap) {
		size_t cap = ll->cap ? ll->cap * 2 : 64;
		struct xd_link *nl = realloc(ll->l, cap * sizeof(*nl));

		if (!nl) {
			ll->oom = true;
			return 1;
		}
		ll->l = nl;
		ll->cap = cap;
	}
	ll->l[ll->n++] = *link;
	return 0;
}

static bool link_present(const struct link_list *ll, const char *name)
{
	for (size_t i = 0; i < ll->n; i++)
		if (!strcmp(ll->l[i].name, name))
			return true;
	return false;
}

static void note_port(const char *name, const char *uuid, void *arg)
{
	struct port_list *p = arg;

	if (!xd_is_vif_name(name, NULL, NULL))
		return;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		char (*nu)[XD_UUID_MAX] = realloc(p->uuids, cap * XD_UUID_MAX);
		char (*nn)[IFNAMSIZ];

		if (!nu)
			return;
		p->uuids = nu;
		nn = realloc(p->names, cap * IFNAMSIZ);
		if (!nn)
			return;
		p->names = nn;
		p->cap = cap;
	}
	snprintf(p->uuids[p->n], XD_UUID_MAX, "%s", uuid);
	snprintf(p->names[p->n], IFNAMSIZ, "%s", name);
	p->n++;
}

static bool has_port(const struct port_list *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->names[i], name))
			return true;
	return false;
}

/*
 * Why an ATTACHED entry no longer holds, or NULL if it does: the netdev
 * must be the one attached (a vif made again has another ifindex), on the
 * Linux bridge it was put on, or for Open vSwitch still a port in OVSDB.
 */
static const char *not_attached(const struct xd_vif *v,
				const struct xd_link *l,
				const struct port_list *ports)
{
	if (v->ifindex != l->ifindex)
		return "it was made again (another ifindex)";
	if (!v->ovs)
		return l->master == v->master ? NULL :
		       "it is no longer on that bridge";
	/* OVSDB not answering: the netdev check is all we can do. */
	if (ports->ok && !has_port(ports, v->name))
		return "its Open vSwitch port is gone";
	return NULL;
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

/*
 * Is there a xenstored to reconcile vbds with? Xen's backend bus exists
 * (dom0 with backend drivers), or XENSTORED_PATH names its socket. Nowhere
 * else is xenstored contacted without an event asking for it.
 */
static bool xenstore_here(void)
{
	const char *p = getenv("XENSTORED_PATH");

	return access("/sys/bus/xen-backend", F_OK) == 0 || (p && p[0]);
}

/* Handle one present vif; true if it was (re)attached or retried. */
static bool reconcile_one(struct xd_daemon *d, const struct xd_link *l,
			  const struct port_list *ports, bool retry_failed)
{
	struct xd_vif *v = xd_vifs_find(&d->vifs, l->name);
	char bridge[IFNAMSIZ] = "", xb_path[XD_XENBUS_PATH_MAX];
	const char *why;

	if (v && v->state == XD_VIF_ATTACHED) {
		why = not_attached(v, l, ports);
		if (!why)
			return false;
		xd_log(LOG_WARNING, "%s: recorded as attached to %s, but %s; "
		       "attaching it again", l->name, v->bridge, why);
		/* The same netdev goes back on the bridge it was put on. */
		if (v->ifindex == l->ifindex)
			snprintf(bridge, sizeof(bridge), "%s", v->bridge);
		/* No answer from the stale entry while we work. */
		xd_vifs_remove(&d->vifs, l->name);
	} else if (v && v->state == XD_VIF_FAILED && !retry_failed &&
		   v->ifindex == l->ifindex) {
		return false;   /* the same netdev failed: SIGHUP retries it */
	}
	if (xd_xsvif_backend(l->name, xb_path, sizeof(xb_path))) {
		xd_xsvif_online(d, xb_path, l->name);
		return true;
	}
	if (!bridge[0])
		sysfs_bridge(l->name, bridge, sizeof(bridge));
	xd_vif_added(d, l->name, bridge);
	return true;
}

/*
 * OVS ports of vifs that vanished while nobody was listening stay in OVSDB
 * (a Linux bridge forgets them by itself): delete them. A vif the table
 * has as attached through OVS is left to xd_vif_removed.
 */
static void remove_stale_ports(struct xd_daemon *d,
			       const struct link_list *present,
			       const struct port_list *ports)
{
	char err[256];

	for (size_t i = 0; i < ports->n; i++) {
		const struct xd_vif *v = xd_vifs_find(&d->vifs,
						      ports->names[i]);

		if (link_present(present, ports->names[i]) ||
		    (v && v->state == XD_VIF_ATTACHED && v->ovs))
			continue;
		if (xd_ovsdb_del_port_uuid(&d->ovs, ports->uuids[i], err,
					   sizeof(err)) < 0)
			xd_log(LOG_ERR, "%s: removing its stale Open vSwitch "
			       "port: %s", ports->names[i], err);
		else
			xd_log(LOG_INFO, "%s: gone; stale Open vSwitch port "
			       "removed", ports->names[i]);
	}
}

void xd_reconcile(struct xd_daemon *d, bool retry_failed)
{
	struct link_list ll = { 0 };
	struct port_list ports = { 0 };
	unsigned handled = 0;
	char err[256];
	int ret;

	ret = xd_rtnl_dump_links(&d->rt, collect_vif, &ll);
	if (ret == 0 && ll.oom)
		ret = -ENOMEM;
	if (ret < 0) {
		xd_log(LOG_ERR, "reconcile: listing links: %s",
		       strerror(-ret));
		free(ll.l);
		return;
	}
	if (d->ovs_enabled) {
		ports.ok = xd_ovsdb_list_ports(&d->ovs, note_port, &ports, err,
					       sizeof(err)) == 0;
		if (!ports.ok)
			xd_log(LOG_DEBUG, "reconcile: Open vSwitch ports not "
			       "checked: %s", err);
	}
	for (size_t i = 0; i < ll.n; i++)
		handled += reconcile_one(d, &ll.l[i], &ports, retry_failed);
	if (ports.ok)
		remove_stale_ports(d, &ll, &ports);
	/* Forget vifs that vanished while we were not listening. */
	for (size_t i = 0; i < d->vifs.n;) {
		char gone[IFNAMSIZ];

		if (link_present(&ll, d->vifs.v[i].name)) {
			i++;
			continue;
		}
		memcpy(gone, d->vifs.v[i].name, IFNAMSIZ);
		xd_vif_removed(d, gone);
	}
	xd_log(LOG_INFO, "reconciled: %zu vifs present, %u handled", ll.n,
	       handled);
	if (xenstore_here())
		xd_vbd_reconcile(&d->vbds);
	free(ll.l);
	free(ports.names);
	free(ports.uuids);
}
