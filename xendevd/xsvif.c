// SPDX-License-Identifier: MIT
/*
 * XenStore vifs: what Xen's vif-bridge script does for a netback vif, with
 * no script. The bridge comes from the backend's "bridge" node when the
 * toolstack wrote one; the vif is attached as any other (Linux bridge or
 * Open vSwitch); then hotplug-status tells netback, which waits for it
 * before it connects, and the toolstack how it went.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "uevent.h"
#include "vifname.h"

#define KEY_MAX (XD_XENBUS_PATH_MAX + 32)

static int xwrite(struct xd_daemon *d, const char *xb_path, const char *key,
		  const char *value)
{
	char k[KEY_MAX];

	snprintf(k, sizeof(k), "%s/%s", xb_path, key);
	if (d->xsops->write(&d->xs, k, value) == 0)
		return 0;
	xd_log(LOG_ERR, "%s: cannot write %s: %s", xb_path, key,
	       strerror(errno));
	return -1;
}

static void report_error(struct xd_daemon *d, const char *xb_path,
			 const char *reason)
{
	if (xwrite(d, xb_path, "hotplug-error", reason) == 0)
		xwrite(d, xb_path, "hotplug-status", "error");
}

void xd_xsvif_online(struct xd_daemon *d, const char *xb_path,
		     const char *ifname)
{
	char k[KEY_MAX], reason[XD_REASON_MAX], *bridge;
	const struct xd_vif *v;

	if (d->xsops->connect(&d->xs) < 0) {
		xd_log(LOG_ERR, "%s: cannot reach xenstored: %s; %s attached "
		       "by the rules, hotplug-status not written", xb_path,
		       strerror(errno), ifname);
		xd_vif_added(d, ifname, NULL);
		return;
	}
	/* xl runs its vif script itself: its vifs are the script's. */
	snprintf(k, sizeof(k), "%s/script", xb_path);
	bridge = d->xsops->read(&d->xs, k);
	if (bridge && bridge[0]) {
		xd_log(LOG_DEBUG, "%s: its toolstack runs %s; left to it",
		       xb_path, bridge);
		free(bridge);
		return;
	}
	free(bridge);
	snprintf(k, sizeof(k), "%s/bridge", xb_path);
	bridge = d->xsops->read(&d->xs, k);
	if (!bridge && errno != ENOENT) {
		snprintf(reason, sizeof(reason), "bridge: cannot read it: %s",
			 strerror(errno));
		xd_vif_failed(d, ifname, reason);
		report_error(d, xb_path, reason);
		return;
	}
	if (bridge && !xd_valid_ifname(bridge)) {
		snprintf(reason, sizeof(reason), "bridge: '%.20s' is not a "
			 "valid interface name", bridge);
		free(bridge);
		xd_vif_failed(d, ifname, reason);
		report_error(d, xb_path, reason);
		return;
	}
	/* No bridge node: the rules and the default bridge decide. */
	xd_vif_added(d, ifname, bridge);
	free(bridge);
	v = xd_vifs_find(&d->vifs, ifname);
	if (!v)
		return;         /* vanished meanwhile (logged) */
	if (v->state == XD_VIF_ATTACHED) {
		if (xwrite(d, xb_path, "hotplug-status", "connected") == 0)
			xd_log(LOG_DEBUG, "%s: hotplug-status connected",
			       xb_path);
	} else {
		report_error(d, xb_path, v->reason);
	}
}

bool xd_xsvif_backend(const char *ifname, char *xb_path, size_t len)
{
	char link[64], target[PATH_MAX];
	const char *base, *p;
	unsigned domid, devid;
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/class/net/%s/device", ifname);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	base = strrchr(target, '/');
	p = base ? base + 1 : target;
	if (strncmp(p, "vif-", 4))
		return false;
	p += 4;
	if (!xd_parse_dec(&p, XD_DOMID_MAX, &domid) || *p++ != '-' ||
	    !xd_parse_dec(&p, XD_VIF_DEVID_MAX, &devid) || *p)
		return false;
	snprintf(xb_path, len, "backend/vif/%u/%u", domid, devid);
	return true;
}
