/* SPDX-License-Identifier: MIT */
#ifndef XENDEVD_UEVENT_H
#define XENDEVD_UEVENT_H

#include <net/if.h>
#include <stddef.h>

/* The uevent property a backend sets to name the vif's bridge. */
#define XD_BRIDGE_PROP "XENDEVD_BRIDGE"
/*
 * The same from a synthetic uevent, which root triggers with
 *   echo "add <uuid> XENDEVDBRIDGE=br1" > /sys/class/net/vif1.0/uevent
 * (synthetic argument keys are alphanumeric only; the kernel prefixes
 * them with SYNTH_ARG_).
 */
#define XD_SYNTH_BRIDGE_PROP "SYNTH_ARG_XENDEVDBRIDGE"

enum xd_uevent_action {
	XD_UEVENT_OTHER = 0,
	XD_UEVENT_ADD,
	XD_UEVENT_REMOVE,
	XD_UEVENT_MOVE,
};

/* A network-interface uevent; fields are "" when absent. */
struct xd_uevent {
	enum xd_uevent_action action;
	char ifname[IFNAMSIZ];
	char old_ifname[IFNAMSIZ];      /* move: last part of DEVPATH_OLD */
	char bridge[IFNAMSIZ];          /* XENDEVD_BRIDGE, "" if absent/bad */
	int ifindex;                    /* 0 if absent */
};

/*
 * Parse one kernel uevent datagram ("action@devpath\0KEY=VAL\0...").
 * Returns 1 for a net-subsystem interface event, 0 for anything else we
 * ignore, -1 for a malformed message (reason in err).
 */
int xd_uevent_parse(const char *buf, size_t len, struct xd_uevent *ev,
		    char *err, size_t errlen);

/* Open a NETLINK_KOBJECT_UEVENT socket on the kernel group, non-blocking. */
int xd_uevent_open(int rcvbuf);

/*
 * Receive one datagram sent by the kernel (others are dropped: returns 0).
 * Returns its length, 0 to skip, or -1 with errno (EAGAIN, ENOBUFS...).
 */
int xd_uevent_recv(int fd, char *buf, size_t len);

#endif
