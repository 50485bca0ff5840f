// SPDX-License-Identifier: MIT
/*
 * A XenStore guest's disks before anything is made (dev.h): each target
 * is what its kind says and opens in its mode, and no other vbd on the
 * host uses it where one side writes (the sharing rule of Xen's block
 * script).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xenstore.h>

#include "dev/dev.h"

#define XS_PATH_MAX 256

int chaos_disks_open_check(const chaos_config *cfg,
			   struct chaos_disk_target *out, chaos_err *err)
{
	for (size_t i = 0; i < cfg->nr_disks; i++) {
		const chaos_config_disk *d = &cfg->disks[i];
		struct chaos_disk_target *t = &out[i];
		struct stat st;
		bool block;
		int fd;

		if (!realpath(d->target, t->path))
			return chaos_err_set(err, errno, "disks[%zu].target: %s: %s",
					     i, d->target, strerror(errno));
		fd = open(t->path, (d->readonly ? O_RDONLY : O_RDWR) |
			  O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0)
			return chaos_err_set(err, errno,
					     "disks[%zu].target: %s: cannot open it %s: %s",
					     i, t->path,
					     d->readonly ? "to read" :
					     "to read and write (mode \"w\"; \"r\" for a read-only disk)",
					     strerror(errno));
		if (fstat(fd, &st)) {
			int e = errno;

			close(fd);
			return chaos_err_set(err, e, "disks[%zu].target: %s: %s",
					     i, t->path, strerror(e));
		}
		close(fd);
		block = S_ISBLK(st.st_mode);
		if (!block && !S_ISREG(st.st_mode))
			return chaos_err_set(err, EINVAL,
					     "disks[%zu].target: %s is neither a regular file nor a block device",
					     i, t->path);
		if ((d->kind == CHAOS_DISK_FILE && block) ||
		    (d->kind == CHAOS_DISK_BLOCK && !block))
			return chaos_err_set(err, EINVAL,
					     "disks[%zu].target: %s is a %s, not a %s as its kind says",
					     i, t->path,
					     block ? "block device" : "regular file",
					     block ? "regular file" : "block device");
		if (!block && st.st_size < 512)
			return chaos_err_set(err, EINVAL,
					     "disks[%zu].target: %s is smaller than one sector",
					     i, t->path);
		t->block = block;
		t->dev = block ? (uint64_t)st.st_rdev : (uint64_t)st.st_dev;
		t->ino = block ? 0 : (uint64_t)st.st_ino;
		t->writable = !d->readonly;
		for (size_t j = 0; j < i; j++)
			if (out[j].block == t->block && out[j].dev == t->dev &&
			    out[j].ino == t->ino && (out[j].writable || t->writable))
				return chaos_err_set(err, EBUSY,
						     "disks[%zu].target: %s is disks[%zu]'s too, and one of them is writable",
						     i, t->path, j);
	}
	return 0;
}

static char *read_key(struct xs_handle *h, const char *dir, const char *key)
{
	char path[XS_PATH_MAX * 3];
	unsigned int len;

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return xs_read(h, XBT_NULL, path, &len);
}

/* Does the vbd backend at dir serve t? */
static bool same_target(struct xs_handle *h, const char *dir,
			const struct chaos_disk_target *t, bool *writable)
{
	char *params = read_key(h, dir, "params");
	char *mode = read_key(h, dir, "mode");
	char *lent = read_key(h, dir, CHAOS_XS_LENT_NODE);
	struct stat st;
	bool same = false;

	/* Its guest is suspended and hands the disk to its next domain. */
	if (params && !lent && stat(params, &st) == 0) {
		if (t->block)
			same = S_ISBLK(st.st_mode) &&
			       (uint64_t)st.st_rdev == t->dev;
		else
			same = S_ISREG(st.st_mode) &&
			       (uint64_t)st.st_dev == t->dev &&
			       (uint64_t)st.st_ino == t->ino;
	}
	/* A mode we cannot read counts as writing: the safe side. */
	*writable = !mode || strcmp(mode, "r") != 0;
	free(params);
	free(mode);
	free(lent);
	return same;
}

int chaos_xs_disks_in_use(chaos_host *host, const chaos_config *cfg,
			  const struct chaos_disk_target *targets,
			  chaos_err *err)
{
	const char *base = "/local/domain/0/backend/vbd";
	struct xs_handle *h;
	unsigned int ndoms;
	char **doms;
	int rc = 0;

	if (!cfg->nr_disks)
		return 0;
	h = chaos_host_xs(host, err);
	if (!h)
		return -1;
	doms = xs_directory(h, XBT_NULL, base, &ndoms);
	if (!doms)
		return 0; /* no vbd on this host */
	for (unsigned int d = 0; d < ndoms && !rc; d++) {
		char dir[XS_PATH_MAX];
		unsigned int ndevs;
		char **devs;

		snprintf(dir, sizeof(dir), "%s/%s", base, doms[d]);
		devs = xs_directory(h, XBT_NULL, dir, &ndevs);
		for (unsigned int v = 0; devs && v < ndevs && !rc; v++) {
			char be[XS_PATH_MAX * 2];

			snprintf(be, sizeof(be), "%s/%s", dir, devs[v]);
			for (size_t i = 0; i < cfg->nr_disks && !rc; i++) {
				bool other_writes;

				if (!same_target(h, be, &targets[i],
						 &other_writes) ||
				    (!other_writes && !targets[i].writable))
					continue;
				rc = chaos_err_set(err, EBUSY,
						   "disks[%zu].target: %s is in use by domain %s (vbd %s)%s",
						   i, targets[i].path, doms[d],
						   devs[v],
						   other_writes ? "" :
						   ", read-only there; \"r\" here would share it");
			}
		}
		free(devs);
	}
	free(doms);
	return rc;
}
