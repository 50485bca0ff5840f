/* SPDX-License-Identifier: MIT */
#ifndef XENDEVD_XS_H
#define XENDEVD_XS_H

#include <stdbool.h>

/*
 * XenStore access, behind a function table so the vbd and vif logic can be
 * tested against an in-memory store. Paths are relative (backend/vbd/...),
 * which xenstored takes relative to dom0's home, as the kernel's
 * XENBUS_PATH is.
 */
struct xd_xs_ops {
	/* Make sure there is a connection: 0, or -1 with errno. */
	int (*connect)(void *arg);
	/*
	 * Read a node: a malloc'd string (NUL-terminated; a value holding a
	 * NUL is refused with EINVAL), or NULL with errno (ENOENT if absent).
	 */
	char *(*read)(void *arg, const char *path);
	/* Write a node: 0, or -1 with errno. */
	int (*write)(void *arg, const char *path, const char *value);
	/*
	 * List a node's children: a malloc'd array of *num names in one
	 * allocation (free() it once), or NULL with errno.
	 */
	char **(*directory)(void *arg, const char *path, unsigned *num);
};

/* The lazy connection to the real xenstored (libxenstore). */
struct xd_xs {
	struct xs_handle *h;            /* NULL until first needed */
};

/* The table over struct xd_xs; its arg is a struct xd_xs *. */
extern const struct xd_xs_ops xd_xs_real_ops;

/* Drop the connection (at exit; harmless if none). */
void xd_xs_close(struct xd_xs *x);

#endif
