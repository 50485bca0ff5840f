/* SPDX-License-Identifier: MIT */
#ifndef XENDEVD_LOOP_H
#define XENDEVD_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#define XD_LOOP_DEV_MAX 32              /* "/dev/loop1048575" and more */

/* A loop device made over a file. */
struct xd_loop {
	char dev[XD_LOOP_DEV_MAX];      /* /dev/loopN */
	unsigned major, minor;
	dev_t file_dev;                 /* the backing file's st_dev ... */
	ino_t file_ino;                 /* ... and st_ino */
};

/*
 * The host operations the vbd logic needs, behind a table so that it can be
 * tested without loop devices. Errors: -1 with one line in err.
 */
struct xd_loop_ops {
	/* stat(2). */
	int (*stat)(const char *path, struct stat *st);
	/* Attach file to a free loop device, read-only if ro. */
	int (*attach)(const char *file, bool ro, struct xd_loop *out,
		      char *err, size_t errlen);
	/*
	 * Detach a loop we made, if it still has that backing file: 0
	 * detached (or deferred by the kernel until its last user closes
	 * it), 1 already gone or holding another file (left alone), -1.
	 */
	int (*detach)(const struct xd_loop *lo, char *err, size_t errlen);
	/*
	 * The backing file of the block device major:minor if it is a loop
	 * with one: 0 and its st_dev/st_ino, or -1 (not a loop, unbound).
	 */
	int (*backing)(unsigned major, unsigned minor, dev_t *dev, ino_t *ino);
};

/* Loop devices through /dev/loop-control and the loop ioctls. */
extern const struct xd_loop_ops xd_loop_real_ops;

#endif
