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
	XD_UEVENT_ONLINE,               /* xen-backend only (netback) */
	XD_UEVENT_OFFLINE,              /* xen-backend only */
};

/* What the event is about. */
enum xd_uevent_kind {
	XD_UEVENT_NET = 1,              /* SUBSYSTEM=net: a network interface */
	XD_UEVENT_XENBUS,               /* SUBSYSTEM=xen-backend: a backend */
};

/* The XenStore backend types handled. */
enum xd_xenbus_type {
	XD_XENBUS_NONE = 0,
	XD_XENBUS_VIF,
	XD_XENBUS_VBD,
};

/* "backend/vbd/32751/2147483647" and its NUL. */
#define XD_XENBUS_PATH_MAX 32
/* Largest devid accepted: vif names hold 16 bits, vbd numbers 31. */
#define XD_VIF_DEVID_MAX 0xFFFFu
#define XD_VBD_DEVID_MAX 0x7FFFFFFFu
#define XD_DOMID_MAX 0x7FEFu           /* 0x7FF0 upwards are reserved */

/*
 * A network-interface or xen-backend uevent; strings are "" when absent.
 *
 * net: ifname, old_ifname, bridge, ifindex; a netdev made by Xen's netback
 * sits under its xen-backend device (DEVPATH /devices/vif-<D>-<N>/net/...):
 * then xb_type is XD_XENBUS_VIF and domid, devid, xb_path name its backend.
 *
 * xen-backend: xb_type, domid, devid, xb_path (XENBUS_PATH, checked to be
 * exactly backend/<vif|vbd>/<domid>/<devid>), and for vifs the netdev name
 * from the "vif" property (online events) in ifname.
 */
struct xd_uevent {
	enum xd_uevent_kind kind;
	enum xd_uevent_action action;
	enum xd_xenbus_type xb_type;
	unsigned domid, devid;
	char xb_path[XD_XENBUS_PATH_MAX];
	char ifname[IFNAMSIZ];
	char old_ifname[IFNAMSIZ];      /* move: last part of DEVPATH_OLD */
	char bridge[IFNAMSIZ];          /* XENDEVD_BRIDGE, "" if absent/bad */
	int ifindex;                    /* 0 if absent */
};

/*
 * Parse one kernel uevent datagram ("action@devpath\0KEY=VAL\0...").
 * Returns 1 for a net-subsystem interface event or a xen-backend event of a
 * vif or vbd (ev->kind says which), 0 for anything else we ignore, -1 for a
 * malformed message or one that is refused (reason in err).
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

/*
 * Check a XenStore backend path: exactly backend/<vif|vbd>/<domid>/<devid>,
 * decimal, no leading zeros, domid <= XD_DOMID_MAX, devid within its
 * type's bound. Returns the type and fills domid and devid, or
 * XD_XENBUS_NONE with the reason in err.
 */
enum xd_xenbus_type xd_xenbus_path_parse(const char *path, unsigned *domid,
					 unsigned *devid, char *err,
					 size_t errlen);

#endif
