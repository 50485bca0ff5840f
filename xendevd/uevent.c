// SPDX-License-Identifier: MIT
/* Kernel uevents: receiving them and parsing the net ones. */
#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "uevent.h"

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
	return XD_UEVENT_OTHER;
}

int xd_uevent_parse(const char *buf, size_t len, struct xd_uevent *ev,
		    char *err, size_t errlen)
{
	const char *subsystem = NULL, *action = NULL, *devpath_old = NULL;
	const char *ifname = NULL;
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
	if (!action || !subsystem || strcmp(subsystem, "net") || !ifname)
		return 0;
	ev->action = parse_action(action);
	if (ev->action == XD_UEVENT_OTHER)
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
