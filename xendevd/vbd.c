// SPDX-License-Identifier: MIT
/*
 * XenStore disks: complete a blkback backend as Xen's "block" script does,
 * with no script: check params and mode, refuse sharing a device some
 * other vbd writes (or writing one some other vbd uses), put a file on a
 * loop device, and tell blkback which device to open.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "log.h"
#include "vbd.h"

#define REASON_MAX 512
/* A suspended guest's vbd that lends its disk to the guest's next domain. */
#define XD_VBD_LENT_NODE "chaos-checkpoint"
/* What chaos checked params to be, with its creator's rights (libchaos's
 * CHAOS_XS_TARGET_NODE): "file DEV INO" or "block RDEV". */
#define XD_VBD_TARGET_NODE "chaos-target"
#define KEY_MAX (XD_XENBUS_PATH_MAX + 32)

/* What a vbd's device is: a block device, or a file (dev + inode). */
struct ident {
	bool blk;
	dev_t rdev;
	dev_t dev;
	ino_t ino;
};

static bool same(const struct ident *a, const struct ident *b)
{
	if (a->blk != b->blk)
		return false;
	return a->blk ? a->rdev == b->rdev :
			a->dev == b->dev && a->ino == b->ino;
}

void xd_vbds_init(struct xd_vbds *t, const struct xd_xs_ops *xs,
		  void *xs_arg, const struct xd_loop_ops *lo)
{
	memset(t, 0, sizeof(*t));
	t->xs = xs;
	t->xs_arg = xs_arg;
	t->lo = lo;
}

void xd_vbds_free(struct xd_vbds *t)
{
	free(t->e);
	t->e = NULL;
	t->n = t->cap = 0;
}

static struct xd_vbd_loop *find(struct xd_vbds *t, const char *path)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->e[i].path, path))
			return &t->e[i];
	return NULL;
}

const struct xd_vbd_loop *xd_vbds_find(const struct xd_vbds *t,
				       const char *path)
{
	return find((struct xd_vbds *)t, path);
}

static int record(struct xd_vbds *t, const char *path,
		  const struct xd_loop *lo)
{
	struct xd_vbd_loop *e = find(t, path);

	if (!e) {
		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 16;
			struct xd_vbd_loop *ne = realloc(t->e,
							 cap * sizeof(*ne));

			if (!ne)
				return -1;
			t->e = ne;
			t->cap = cap;
		}
		e = &t->e[t->n++];
	}
	memset(e, 0, sizeof(*e));
	snprintf(e->path, sizeof(e->path), "%s", path);
	e->loop = *lo;
	e->seen = 1;
	return 0;
}

static void forget(struct xd_vbds *t, struct xd_vbd_loop *e)
{
	*e = t->e[--t->n];
}

static char *rd(struct xd_vbds *t, const char *path, const char *key)
{
	char k[KEY_MAX];

	snprintf(k, sizeof(k), "%s/%s", path, key);
	return t->xs->read(t->xs_arg, k);
}

static int wr(struct xd_vbds *t, const char *path, const char *key,
	      const char *value)
{
	char k[KEY_MAX];

	snprintf(k, sizeof(k), "%s/%s", path, key);
	if (t->xs->write(t->xs_arg, k, value) == 0)
		return 0;
	xd_log(LOG_ERR, "%s: cannot write %s: %s", path, key,
	       strerror(errno));
	return -1;
}

/* Tell the toolstack why: hotplug-error, then hotplug-status "error". */
static int failed(struct xd_vbds *t, const char *path, const char *reason)
{
	xd_log(LOG_ERR, "%s: %s", path, reason);
	if (wr(t, path, "hotplug-error", reason) == 0)
		wr(t, path, "hotplug-status", "error");
	return -1;
}

/* Detach a loop of ours and say so. */
static void detach(struct xd_vbds *t, const struct xd_vbd_loop *e,
		   const char *why)
{
	char err[256];
	int ret = t->lo->detach(&e->loop, err, sizeof(err));

	if (ret < 0)
		xd_log(LOG_ERR, "%s: detaching %s: %s", e->path, e->loop.dev,
		       err);
	else if (ret > 0)
		xd_log(LOG_INFO, "%s: %s already detached (or reused); left "
		       "alone", e->path, e->loop.dev);
	else
		xd_log(LOG_INFO, "%s: %s; %s detached", e->path, why,
		       e->loop.dev);
}

static bool connected(struct xd_vbds *t, const char *path, const char *what)
{
	if (t->xs->connect(t->xs_arg) == 0)
		return true;
	xd_log(LOG_ERR, "%s: cannot reach xenstored: %s; %s", path,
	       strerror(errno), what);
	return false;
}

/* "%x:%x" exactly, as blkback reads it. */
static bool parse_physdev(const char *s, unsigned *maj, unsigned *min)
{
	unsigned long v[2];
	char *end;

	for (int i = 0; i < 2; i++) {
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
		errno = 0;
		v[i] = strtoul(s, &end, 16);
		if (errno || end - s > 8 || v[i] > 0xFFFFFu)
			return false;
		s = end;
		if (*s != (i == 0 ? ':' : '\0'))
			return false;
		s++;
	}
	*maj = (unsigned)v[0];
	*min = (unsigned)v[1];
	return true;
}

/* One decimal number at *s (no sign, no leading space), then end or a
 * space; *s moves past it. */
static bool parse_u64(const char **s, unsigned long long *v)
{
	char *end;

	if (**s < '0' || **s > '9')
		return false;
	errno = 0;
	*v = strtoull(*s, &end, 10);
	if (errno || (*end != '\0' && *end != ' '))
		return false;
	*s = end;
	return true;
}

/* A chaos-target value: "file DEV INO" or "block RDEV", exactly. */
static bool parse_target(const char *s, struct ident *id)
{
	unsigned long long a, b;

	memset(id, 0, sizeof(*id));
	if (!strncmp(s, "block ", 6)) {
		s += 6;
		if (!parse_u64(&s, &a) || *s)
			return false;
		id->blk = true;
		id->rdev = (dev_t)a;
		return (unsigned long long)id->rdev == a;
	}
	if (strncmp(s, "file ", 5))
		return false;
	s += 5;
	if (!parse_u64(&s, &a) || *s != ' ')
		return false;
	s++;
	if (!parse_u64(&s, &b) || *s)
		return false;
	id->dev = (dev_t)a;
	id->ino = (ino_t)b;
	return (unsigned long long)id->dev == a &&
	       (unsigned long long)id->ino == b;
}

/* The device a params names, or -1 with the reason. */
static int params_ident(struct xd_vbds *t, const char *params,
			struct ident *id, char *reason, size_t rlen)
{
	struct stat st;

	if (t->lo->stat(params, &st) < 0) {
		snprintf(reason, rlen, "params: %.300s: %s", params,
			 strerror(errno));
		return -1;
	}
	memset(id, 0, sizeof(*id));
	if (S_ISBLK(st.st_mode)) {
		id->blk = true;
		id->rdev = st.st_rdev;
		return 0;
	}
	if (S_ISREG(st.st_mode)) {
		id->dev = st.st_dev;
		id->ino = st.st_ino;
		return 0;
	}
	snprintf(reason, rlen, "params: %.300s is neither a block device nor "
		 "a regular file", params);
	return -1;
}

/*
 * Does the vbd at path use the device id? Only a vbd set up counts (it has
 * a physical-device and is not in error: one refused or still waiting has
 * no device yet). Compared: that device, for a loop its file, and the file
 * or device its params names.
 */
static bool uses(struct xd_vbds *t, const char *path, const struct ident *id)
{
	struct ident other;
	char reason[REASON_MAX], *v;
	unsigned maj, min;
	bool hit = false, set_up;

	v = rd(t, path, "hotplug-status");
	set_up = !v || strcmp(v, "error");
	free(v);
	if (!set_up)
		return false;
	v = rd(t, path, "physical-device");
	set_up = v && parse_physdev(v, &maj, &min);
	free(v);
	if (!set_up)
		return false;
	memset(&other, 0, sizeof(other));
	other.blk = true;
	other.rdev = makedev(maj, min);
	if (same(id, &other))
		return true;
	if (!id->blk) {
		other.blk = false;
		if (t->lo->backing(maj, min, &other.dev, &other.ino) == 0 &&
		    same(id, &other))
			return true;
	}
	v = rd(t, path, "params");
	if (v && v[0] == '/' && params_ident(t, v, &other, reason,
					     sizeof(reason)) == 0)
		hit = same(id, &other);
	free(v);
	return hit;
}

/*
 * Sharing, as xl's block script allows it: many readers, or one writer,
 * among the vbds set up.
 * 0 if free, 1 if in use (reason set), -1 if it cannot be told (reason).
 */
static int check_sharing(struct xd_vbds *t, const char *path,
			 const char *params, bool writing,
			 const struct ident *id, char *reason, size_t rlen)
{
	char **doms, **devs, p[XD_XENBUS_PATH_MAX], err[160];
	unsigned nd = 0, nv, d, v;
	int ret = 0;

	doms = t->xs->directory(t->xs_arg, "backend/vbd", &nd);
	if (!doms) {
		snprintf(reason, rlen, "cannot check who else uses %.300s: "
			 "backend/vbd: %s", params, strerror(errno));
		return -1;
	}
	for (unsigned i = 0; i < nd && ret == 0; i++) {
		char dpath[XD_XENBUS_PATH_MAX];

		if (snprintf(dpath, sizeof(dpath), "backend/vbd/%s",
			     doms[i]) >= (int)sizeof(dpath))
			continue;
		nv = 0;
		devs = t->xs->directory(t->xs_arg, dpath, &nv);
		if (!devs) {
			if (errno == ENOENT)
				continue;       /* removed meanwhile */
			snprintf(reason, rlen, "cannot check who else uses "
				 "%.300s: %s: %s", params, dpath,
				 strerror(errno));
			ret = -1;
			break;
		}
		for (unsigned j = 0; j < nv && ret == 0; j++) {
			char *mode, *lent;
			bool other_writes;

			if (snprintf(p, sizeof(p), "%s/%s", dpath, devs[j]) >=
			    (int)sizeof(p) ||
			    xd_xenbus_path_parse(p, &d, &v, err, sizeof(err))
			    != XD_XENBUS_VBD || !strcmp(p, path))
				continue;
			/* Its guest is suspended for a checkpoint and lends
			 * the disk to its next domain (libchaos dev.h,
			 * CHAOS_XS_LENT_NODE; dom0's node, not the guest's). */
			lent = rd(t, p, XD_VBD_LENT_NODE);
			if (lent) {
				free(lent);
				continue;
			}
			mode = rd(t, p, "mode");
			/* Unknown mode: assume it writes. */
			other_writes = !mode || strcmp(mode, "r");
			free(mode);
			if ((writing || other_writes) && uses(t, p, id)) {
				snprintf(reason, rlen, "%.300s: in use by "
					 "domain %u (vbd %u)", params, d, v);
				ret = 1;
			}
		}
		free(devs);
	}
	free(doms);
	return ret;
}

/* Our loop for path, if recorded and still what XenStore says is done. */
static bool already_done(struct xd_vbds *t, const char *path)
{
	struct xd_vbd_loop *e = find(t, path);
	char *status, *dev;
	bool done;

	if (!e)
		return false;
	status = rd(t, path, "hotplug-status");
	dev = rd(t, path, "xendevd-loop");
	done = status && !strcmp(status, "connected") && dev &&
	       !strcmp(dev, e->loop.dev);
	free(status);
	free(dev);
	if (!done) {
		/* Lost events: the backend was removed and made again. */
		detach(t, e, "backend made again");
		forget(t, e);
	}
	return done;
}

/*
 * A backend whose toolstack runs a hotplug script itself (xl writes the
 * block script's path in "script") is that script's, not ours: both would
 * set up a loop. chaos writes no script, or an empty one.
 */
static bool scripted(struct xd_vbds *t, const char *path)
{
	char *script = rd(t, path, "script");
	bool yes = script && script[0];

	if (yes)
		xd_log(LOG_DEBUG, "%s: its toolstack runs %s; left to it",
		       path, script);
	free(script);
	return yes;
}

static int complete(struct xd_vbds *t, const char *path)
{
	char reason[REASON_MAX], physdev[24], *params = NULL, *mode = NULL;
	char *target = NULL;
	const char *devpath;
	struct xd_loop lo;
	struct ident id, want;
	bool writing, made = false;
	int ret = -1;

	if (already_done(t, path)) {
		xd_log(LOG_DEBUG, "%s: already connected", path);
		return 0;
	}
	if (scripted(t, path))
		return 0;
	params = rd(t, path, "params");
	if (!params) {
		snprintf(reason, sizeof(reason), "params: cannot read it: %s",
			 strerror(errno));
		goto fail;
	}
	if (params[0] != '/') {
		snprintf(reason, sizeof(reason), "params: '%.300s' is not an "
			 "absolute path", params);
		goto fail;
	}
	mode = rd(t, path, "mode");
	if (!mode) {
		snprintf(reason, sizeof(reason), "mode: cannot read it: %s",
			 strerror(errno));
		goto fail;
	}
	if (strcmp(mode, "r") && strcmp(mode, "w")) {
		snprintf(reason, sizeof(reason), "mode: '%.32s' is not r or w",
			 mode);
		goto fail;
	}
	writing = mode[0] == 'w';
	/* Written by chaos (absent for other toolstacks' vbds): params is
	 * served only while it is what chaos checked, as its creator. */
	target = rd(t, path, XD_VBD_TARGET_NODE);
	if (!target && errno != ENOENT) {
		snprintf(reason, sizeof(reason), "%s: cannot read it: %s",
			 XD_VBD_TARGET_NODE, strerror(errno));
		goto fail;
	}
	if (target && !parse_target(target, &want)) {
		snprintf(reason, sizeof(reason), "%s: '%.64s' is not \"file "
			 "DEV INO\" or \"block RDEV\"", XD_VBD_TARGET_NODE,
			 target);
		goto fail;
	}
	if (params_ident(t, params, &id, reason, sizeof(reason)) < 0)
		goto fail;
	if (target && !same(&id, &want)) {
		snprintf(reason, sizeof(reason), "params: %.300s is no longer "
			 "the %s chaos checked; not served", params,
			 want.blk ? "device" : "file");
		goto fail;
	}
	if (check_sharing(t, path, params, writing, &id, reason,
			  sizeof(reason)) != 0)
		goto fail;
	if (id.blk) {
		devpath = params;
		snprintf(physdev, sizeof(physdev), "%x:%x", major(id.rdev),
			 minor(id.rdev));
	} else {
		char err[REASON_MAX - 16];

		if (t->lo->attach(params, !writing, &lo, err,
				  sizeof(err)) < 0) {
			snprintf(reason, sizeof(reason), "loop: %s", err);
			goto fail;
		}
		made = true;
		/* What the loop holds is what was opened: changed since the
		 * look above, it is taken off before blkback sees it. */
		if (target && (lo.file_dev != want.dev ||
			       lo.file_ino != want.ino)) {
			snprintf(reason, sizeof(reason), "params: %.300s changed "
				 "while it was attached; not served", params);
			goto fail;
		}
		if (record(t, path, &lo) < 0) {
			snprintf(reason, sizeof(reason), "out of memory "
				 "recording %s", lo.dev);
			goto fail;
		}
		devpath = lo.dev;
		snprintf(physdev, sizeof(physdev), "%x:%x", lo.major,
			 lo.minor);
		/* First, so a restarted xendevd can find the loop. */
		if (wr(t, path, "xendevd-loop", lo.dev) < 0)
			goto fail_write;
	}
	if (wr(t, path, "physical-device-path", devpath) < 0 ||
	    wr(t, path, "physical-device", physdev) < 0 ||
	    wr(t, path, "hotplug-status", "connected") < 0)
		goto fail_write;
	xd_log(LOG_INFO, "%s: %s%s%s (%s, mode %s) connected", path, devpath,
	       made ? " over " : "", made ? params : "", physdev, mode);
	ret = 0;
	goto out;
fail_write:
	snprintf(reason, sizeof(reason), "XenStore write failed");
fail:
	failed(t, path, reason);
	if (made) {
		struct xd_vbd_loop *e = find(t, path);
		struct xd_vbd_loop tmp = { .loop = lo };

		snprintf(tmp.path, sizeof(tmp.path), "%s", path);
		detach(t, &tmp, "not connected");
		if (e)
			forget(t, e);
	}
out:
	free(params);
	free(mode);
	free(target);
	return ret;
}

int xd_vbd_add(struct xd_vbds *t, const char *path)
{
	if (!connected(t, path, "vbd not completed"))
		return -1;
	return complete(t, path);
}

void xd_vbd_remove(struct xd_vbds *t, const char *path)
{
	struct xd_vbd_loop *e = find(t, path);

	if (!e) {
		xd_log(LOG_DEBUG, "%s: removed (no loop of ours)", path);
		return;
	}
	detach(t, e, "backend removed");
	forget(t, e);
}

/* A loop a previous xendevd made, named in xendevd-loop: take it back. */
static void adopt(struct xd_vbds *t, const char *path)
{
	char *dev = rd(t, path, "xendevd-loop"), *params = NULL;
	char reason[REASON_MAX];
	struct xd_loop lo;
	struct ident id;
	struct stat st;

	if (!dev)
		return;
	memset(&lo, 0, sizeof(lo));
	params = rd(t, path, "params");
	if (strncmp(dev, "/dev/loop", 9) || strlen(dev) >= sizeof(lo.dev) ||
	    t->lo->stat(dev, &st) < 0 || !S_ISBLK(st.st_mode) || !params ||
	    params_ident(t, params, &id, reason, sizeof(reason)) < 0 ||
	    id.blk || t->lo->backing(major(st.st_rdev), minor(st.st_rdev),
				     &lo.file_dev, &lo.file_ino) < 0 ||
	    lo.file_dev != id.dev || lo.file_ino != id.ino) {
		xd_log(LOG_WARNING, "%s: xendevd-loop %.40s is not a loop over "
		       "its params (any more); not taken back", path, dev);
		goto out;
	}
	snprintf(lo.dev, sizeof(lo.dev), "%s", dev);
	lo.major = major(st.st_rdev);
	lo.minor = minor(st.st_rdev);
	if (record(t, path, &lo) < 0)
		xd_log(LOG_ERR, "%s: out of memory recording %s", path, dev);
	else
		xd_log(LOG_INFO, "%s: %s taken back (made by an earlier "
		       "xendevd)", path, dev);
out:
	free(dev);
	free(params);
}

void xd_vbd_reconcile(struct xd_vbds *t)
{
	char **doms, **devs, p[XD_XENBUS_PATH_MAX], err[160];
	unsigned nd = 0, nv, d, v, completed = 0, total = 0;
	bool complete_walk = true;

	if (!connected(t, "backend/vbd", "vbds not reconciled"))
		return;
	for (size_t i = 0; i < t->n; i++)
		t->e[i].seen = 0;
	doms = t->xs->directory(t->xs_arg, "backend/vbd", &nd);
	if (!doms && errno != ENOENT) {
		xd_log(LOG_ERR, "reconcile: backend/vbd: %s; vbds not "
		       "reconciled", strerror(errno));
		return;
	}
	for (unsigned i = 0; i < nd; i++) {
		char dpath[XD_XENBUS_PATH_MAX];

		if (snprintf(dpath, sizeof(dpath), "backend/vbd/%s",
			     doms[i]) >= (int)sizeof(dpath))
			continue;
		nv = 0;
		devs = t->xs->directory(t->xs_arg, dpath, &nv);
		if (!devs) {
			if (errno != ENOENT) {
				xd_log(LOG_ERR, "reconcile: %s: %s", dpath,
				       strerror(errno));
				complete_walk = false;
			}
			continue;
		}
		for (unsigned j = 0; j < nv; j++) {
			struct xd_vbd_loop *e;
			char *status;

			if (snprintf(p, sizeof(p), "%s/%s", dpath, devs[j]) >=
			    (int)sizeof(p) ||
			    xd_xenbus_path_parse(p, &d, &v, err, sizeof(err))
			    != XD_XENBUS_VBD) {
				xd_log(LOG_DEBUG, "reconcile: skipping %s/%s",
				       dpath, devs[j]);
				continue;
			}
			total++;
			e = find(t, p);
			if (e)
				e->seen = 1;
			status = rd(t, p, "hotplug-status");
			if (!status && errno == ENOENT) {
				completed += complete(t, p) == 0;
			} else if (!status) {
				xd_log(LOG_ERR, "reconcile: %s/hotplug-status: "
				       "%s", p, strerror(errno));
				complete_walk = false;
			} else if (!e) {
				adopt(t, p);
			}
			free(status);
		}
		free(devs);
	}
	free(doms);
	/* Our loops whose backend went while the events were lost. */
	for (size_t i = 0; complete_walk && i < t->n;) {
		if (t->e[i].seen) {
			i++;
			continue;
		}
		detach(t, &t->e[i], "backend gone");
		forget(t, &t->e[i]);
	}
	xd_log(LOG_INFO, "reconciled vbds: %u in XenStore, %u completed",
	       total, completed);
}
