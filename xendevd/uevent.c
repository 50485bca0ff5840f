// SPDX-License-Identifier: MIT
/* Kernel uevents: receiving them, parsing the net and xen-backend ones. */
#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "uevent.h"
#include "vifname.h"

static void copy_ifname(char *dst, const char *src)
{
	if (xd_valid_ifname(src))
		snprintf(dst, IFNAMSIZ, "%s", src);
	else
		dst[0] = '\0';
}

static enum xd_uevent_action parse_action(const char *s)
{
	if (!strcmp(s, "add"))
		return XD_UEVENT_ADD;
	if (!strcmp(s, "remove"))
		return XD_UEVENT_REMOVE;
	if (!strcmp(s, "move"))
		return XD_UEVENT_MOVE;
	if (!strcmp(s, "online"))
		return XD_UEVENT_ONLINE;
	if (!strcmp(s, "offline"))
		return XD_UEVENT_OFFLINE;
	return XD_UEVENT_OTHER;
}

enum xd_xenbus_type xd_xenbus_path_parse(const char *path, unsigned *domid,
					 unsigned *devid, char *err,
					 size_t errlen)
{
	enum xd_xenbus_type type;
	const char *p = path;
	unsigned max, d, n;

	if (strnlen(path, XD_XENBUS_PATH_MAX) >= XD_XENBUS_PATH_MAX) {
		snprintf(err, errlen, "XENBUS_PATH is longer than %d bytes",
			 XD_XENBUS_PATH_MAX - 1);
		return XD_XENBUS_NONE;
	}
	if (!strncmp(p, "backend/vif/", 12)) {
		type = XD_XENBUS_VIF;
		max = XD_VIF_DEVID_MAX;
	} else if (!strncmp(p, "backend/vbd/", 12)) {
		type = XD_XENBUS_VBD;
		max = XD_VBD_DEVID_MAX;
	} else {
		snprintf(err, errlen, "XENBUS_PATH '%s' is not "
			 "backend/vif/... or backend/vbd/...", path);
		return XD_XENBUS_NONE;
	}
	p += 12;
	if (!xd_parse_dec(&p, XD_DOMID_MAX, &d) || *p != '/') {
		snprintf(err, errlen, "XENBUS_PATH '%s': the domid is not a "
			 "decimal below %u", path, XD_DOMID_MAX + 1);
		return XD_XENBUS_NONE;
	}
	p++;
	if (!xd_parse_dec(&p, max, &n) || *p != '\0') {
		snprintf(err, errlen, "XENBUS_PATH '%s': the devid is not a "
			 "decimal up to %u (and nothing after it)", path, max);
		return XD_XENBUS_NONE;
	}
	*domid = d;
	*devid = n;
	return type;
}

/* A netdev under its netback device: DEVPATH /devices/vif-<D>-<N>/net/<if>. */
static void net_xenbus_parent(const char *devpath, struct xd_uevent *ev)
{
	const char *p = devpath;
	unsigned d, n;

	if (!p || strncmp(p, "/devices/vif-", 13))
		return;
	p += 13;
	if (!xd_parse_dec(&p, XD_DOMID_MAX, &d) || *p++ != '-' ||
	    !xd_parse_dec(&p, XD_VIF_DEVID_MAX, &n) || strncmp(p, "/net/", 5))
		return;
	ev->xb_type = XD_XENBUS_VIF;
	ev->domid = d;
	ev->devid = n;
	snprintf(ev->xb_path, sizeof(ev->xb_path), "backend/vif/%u/%u", d, n);
}

struct props {
	const char *xb_type, *xb_path, *xb_base, *vif;
};

/* The xen-backend part: 1, 0 (not ours), -1 (refused, reason in err). */
static int parse_xenbus(const struct props *pr, const char *action,
			struct xd_uevent *ev, char *err, size_t errlen)
{
	enum xd_xenbus_type type;

	ev->kind = XD_UEVENT_XENBUS;
	if (!pr->xb_type || (strcmp(pr->xb_type, "vif") &&
			     strcmp(pr->xb_type, "vbd")))
		return 0;       /* another backend: not ours */
	ev->action = parse_action(action);
	if (ev->action == XD_UEVENT_OTHER || ev->action == XD_UEVENT_MOVE)
		return 0;
	if (!pr->xb_path) {
		snprintf(err, errlen, "xen-backend %s uevent without "
			 "XENBUS_PATH", pr->xb_type);
		return -1;
	}
	if (pr->xb_base && strcmp(pr->xb_base, "backend")) {
		snprintf(err, errlen, "xen-backend uevent: XENBUS_BASE_PATH "
			 "is not 'backend'");
		return -1;
	}
	type = xd_xenbus_path_parse(pr->xb_path, &ev->domid, &ev->devid,
				    err, errlen);
	if (type == XD_XENBUS_NONE)
		return -1;
	if ((type == XD_XENBUS_VIF) != !strcmp(pr->xb_type, "vif")) {
		snprintf(err, errlen, "xen-backend uevent: XENBUS_TYPE %s "
			 "does not match XENBUS_PATH %s", pr->xb_type,
			 pr->xb_path);
		return -1;
	}
	ev->xb_type = type;
	snprintf(ev->xb_path, sizeof(ev->xb_path), "%s", pr->xb_path);
	if (type == XD_XENBUS_VIF && pr->vif) {
		copy_ifname(ev->ifname, pr->vif);
		if (!ev->ifname[0]) {
			snprintf(err, errlen, "xen-backend uevent for %s: "
				 "vif is not a valid interface name",
				 ev->xb_path);
			return -1;
		}
	}
	return 1;
}

int xd_uevent_parse(const char *buf, size_t len, struct xd_uevent *ev,
		    char *err, size_t errlen)
{
	const char *subsystem = NULL, *action = NULL, *devpath_old = NULL;
	const char *ifname = NULL, *devpath = NULL;
	struct props pr = { 0 };
	size_t pos;
	const char *nul;

	memset(ev, 0, sizeof(*ev));
	nul = memchr(buf, '\0', len);
	if (!nul || !memchr(buf, '@', (size_t)(nul - buf))) {
		snprintf(err, errlen, "uevent header is not action@devpath");
		return -1;
	}
	pos = (size_t)(nul - buf) + 1;
	while (pos < len) {
		const char *kv = buf + pos;
		const char *end = memchr(kv, '\0', len - pos);
		size_t n;

		if (!end) {
			snprintf(err, errlen, "uevent property not terminated");
			return -1;
		}
		n = (size_t)(end - kv);
		pos += n + 1;
		if (!strncmp(kv, "ACTION=", 7))
			action = kv + 7;
		else if (!strncmp(kv, "SUBSYSTEM=", 10))
			subsystem = kv + 10;
		else if (!strncmp(kv, "INTERFACE=", 10))
			ifname = kv + 10;
		else if (!strncmp(kv, "DEVPATH_OLD=", 12))
			devpath_old = kv + 12;
		else if (!strncmp(kv, "DEVPATH=", 8))
			devpath = kv + 8;
		else if (!strncmp(kv, "XENBUS_TYPE=", 12))
			pr.xb_type = kv + 12;
		else if (!strncmp(kv, "XENBUS_PATH=", 12))
			pr.xb_path = kv + 12;
		else if (!strncmp(kv, "XENBUS_BASE_PATH=", 17))
			pr.xb_base = kv + 17;
		else if (!strncmp(kv, "vif=", 4))
			pr.vif = kv + 4;
		else if (!strncmp(kv, "IFINDEX=", 8))
			ev->ifindex = atoi(kv + 8) > 0 ? atoi(kv + 8) : 0;
		else if (!strncmp(kv, XD_BRIDGE_PROP "=",
				  sizeof(XD_BRIDGE_PROP)))
			copy_ifname(ev->bridge, kv + sizeof(XD_BRIDGE_PROP));
		else if (!strncmp(kv, XD_SYNTH_BRIDGE_PROP "=",
				  sizeof(XD_SYNTH_BRIDGE_PROP)))
			copy_ifname(ev->bridge,
				    kv + sizeof(XD_SYNTH_BRIDGE_PROP));
	}
	if (action && subsystem && !strcmp(subsystem, "xen-backend"))
		return parse_xenbus(&pr, action, ev, err, errlen);
	if (!action || !subsystem || strcmp(subsystem, "net") || !ifname)
		return 0;
	ev->kind = XD_UEVENT_NET;
	ev->action = parse_action(action);
	if (ev->action != XD_UEVENT_ADD && ev->action != XD_UEVENT_REMOVE &&
	    ev->action != XD_UEVENT_MOVE)
		return 0;
	copy_ifname(ev->ifname, ifname);
	if (!ev->ifname[0]) {
		snprintf(err, errlen, "uevent INTERFACE is not a valid name");
		return -1;
	}
	if (ev->action == XD_UEVENT_MOVE && devpath_old) {
		const char *slash = strrchr(devpath_old, '/');

		copy_ifname(ev->old_ifname, slash ? slash + 1 : devpath_old);
	}
	net_xenbus_parent(devpath, ev);
	return 1;
}

int xd_uevent_open(int rcvbuf)
{
	struct sockaddr_nl addr = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1,         /* the kernel's group, not udev's */
	};
	int fd;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -1;
	/* Bursts of hundreds of vifs: a big buffer, forced past rmem_max. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int xd_uevent_recv(int fd, char *buf, size_t len)
{
	struct sockaddr_nl from;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	ssize_t n;

	n = recvmsg(fd, &msg, 0);
	if (n < 0)
		return -1;
	/* Only the kernel (port 0) may tell us about devices. */
	if (msg.msg_namelen != sizeof(from) || from.nl_pid != 0)
		return 0;
	if (msg.msg_flags & MSG_TRUNC)
		return 0;
	return (int)n;
}
