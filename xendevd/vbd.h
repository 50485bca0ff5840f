/* SPDX-License-Identifier: MIT */
#ifndef XENDEVD_VBD_H
#define XENDEVD_VBD_H

#include <stddef.h>

#include "loop.h"
#include "uevent.h"
#include "xs.h"

/*
 * XenStore disks served by blkback: what Xen's "block" hotplug script does.
 * On a vbd backend's add event, read <path>/params (a block device or a
 * regular file) and <path>/mode ("r" or "w"), refuse a device another vbd
 * uses when either side writes, attach a file to a loop device, and write
 * physical-device ("%x:%x"), physical-device-path and hotplug-status
 * "connected" (or hotplug-error and hotplug-status "error").
 */

/* A loop device we made, by the backend it serves. */
struct xd_vbd_loop {
	char path[XD_XENBUS_PATH_MAX];  /* backend/vbd/<domid>/<devid> */
	struct xd_loop loop;
	int seen;                       /* reconcile: backend still there */
};

struct xd_vbds {
	const struct xd_xs_ops *xs;
	void *xs_arg;
	const struct xd_loop_ops *lo;
	struct xd_vbd_loop *e;
	size_t n, cap;
};

void xd_vbds_init(struct xd_vbds *t, const struct xd_xs_ops *xs,
		  void *xs_arg, const struct xd_loop_ops *lo);
/* Forget the table (loops stay attached: they serve running guests). */
void xd_vbds_free(struct xd_vbds *t);

/* The loop recorded for a backend, or NULL. */
const struct xd_vbd_loop *xd_vbds_find(const struct xd_vbds *t,
				       const char *path);

/*
 * A vbd backend appeared (path already checked by xd_xenbus_path_parse):
 * complete it. 0 if it is connected, -1 if not (logged; the reason is
 * written to hotplug-error when XenStore can be reached).
 */
int xd_vbd_add(struct xd_vbds *t, const char *path);

/* A vbd backend went away: detach the loop we made for it, if any. */
void xd_vbd_remove(struct xd_vbds *t, const char *path);

/*
 * After lost uevents or at start-up: complete every
 * backend/vbd/<domid>/<devid> that has no hotplug-status, take back the loops a previous xendevd recorded
 * in xendevd-loop, and detach our loops whose backend is gone.
 */
void xd_vbd_reconcile(struct xd_vbds *t);

#endif
