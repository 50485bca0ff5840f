// SPDX-License-Identifier: MIT
/*
 * Unit tests: XenStore disks (vbd.c) against an in-memory XenStore and fake
 * loop devices: what is read and written, the sharing rule, the loop table,
 * removal and reconcile.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "../../loop.h"
#include "../../vbd.h"
#include "../../xs.h"

/* --- An in-memory XenStore. */

#define NODES 128

struct fake_xs {
	char *path[NODES];
	char *val[NODES];
	int connect_errno;              /* connect fails with it if set */
	const char *fail_write;         /* a write to a path ending so fails */
	unsigned writes;
};

static struct fake_xs xs;

static int node(const char *path)
{
	for (int i = 0; i < NODES; i++)
		if (xs.path[i] && !strcmp(xs.path[i], path))
			return i;
	return -1;
}

static void put(const char *path, const char *val)
{
	int i = node(path);

	if (i < 0) {
		for (i = 0; i < NODES && xs.path[i]; i++)
			;
		assert_true(i < NODES);
		xs.path[i] = strdup(path);
	}
	free(xs.val[i]);
	xs.val[i] = strdup(val);
}

static const char *get(const char *path)
{
	int i = node(path);

	return i < 0 ? NULL : xs.val[i];
}

static void rm_tree(const char *path)
{
	size_t n = strlen(path);

	for (int i = 0; i < NODES; i++)
		if (xs.path[i] && !strncmp(xs.path[i], path, n) &&
		    (xs.path[i][n] == '\0' || xs.path[i][n] == '/')) {
			free(xs.path[i]);
			free(xs.val[i]);
			xs.path[i] = xs.val[i] = NULL;
		}
}

static void xs_reset(void)
{
	rm_tree("");
	for (int i = 0; i < NODES; i++) {
		free(xs.path[i]);
		free(xs.val[i]);
	}
	memset(&xs, 0, sizeof(xs));
}

static int f_connect(void *arg)
{
	(void)arg;
	if (xs.connect_errno) {
		errno = xs.connect_errno;
		return -1;
	}
	return 0;
}

static char *f_read(void *arg, const char *path)
{
	const char *v = get(path);

	(void)arg;
	if (!v) {
		errno = ENOENT;
		return NULL;
	}
	return strdup(v);
}

static int f_write(void *arg, const char *path, const char *value)
{
	size_t n = strlen(path), m;

	(void)arg;
	if (xs.fail_write) {
		m = strlen(xs.fail_write);
		if (n >= m && !strcmp(path + n - m, xs.fail_write)) {
			errno = EIO;
			return -1;
		}
	}
	xs.writes++;
	put(path, value);
	return 0;
}

static char **f_directory(void *arg, const char *path, unsigned *num)
{
	char names[NODES][64];
	unsigned n = 0;
	size_t plen = strlen(path), total = 0;
	bool exists = false;
	char **out, *p;

	(void)arg;
	for (int i = 0; i < NODES; i++) {
		const char *k = xs.path[i], *slash;
		size_t len;
		bool dup = false;

		if (!k || strncmp(k, path, plen))
			continue;
		if (k[plen] == '\0') {
			exists = true;
			continue;
		}
		if (k[plen] != '/')
			continue;
		exists = true;
		k += plen + 1;
		slash = strchr(k, '/');
		len = slash ? (size_t)(slash - k) : strlen(k);
		for (unsigned j = 0; j < n; j++)
			if (strlen(names[j]) == len && !strncmp(names[j], k, len))
				dup = true;
		if (dup)
			continue;
		snprintf(names[n], sizeof(names[n]), "%.*s", (int)len, k);
		total += len + 1;
		n++;
	}
	if (!exists) {
		errno = ENOENT;
		return NULL;
	}
	out = malloc(n * sizeof(char *) + total + 1);
	assert_non_null(out);
	p = (char *)(out + n);
	for (unsigned j = 0; j < n; j++) {
		out[j] = p;
		strcpy(p, names[j]);
		p += strlen(names[j]) + 1;
	}
	*num = n;
	return out;
}

static const struct xd_xs_ops fake_xs_ops = {
	.connect = f_connect,
	.read = f_read,
	.write = f_write,
	.directory = f_directory,
};

/* --- Fake files, block devices and loop devices. */

struct fake_file {
	const char *path;
	mode_t mode;
	dev_t rdev;
	ino_t ino;
};

static const struct fake_file files[] = {
	{ "/img/a", S_IFREG, 0, 11 },
	{ "/img/b", S_IFREG, 0, 12 },
	{ "/img/a-link", S_IFREG, 0, 11 },      /* another name, same file */
	{ "/dev/sdb", S_IFBLK, 0x810, 0 },
	{ "/dev/null", S_IFCHR, 0x103, 0 },
	{ "/dev/loop3", S_IFBLK, 0x703, 0 },
};

#define LOOPS 16

static struct {
	bool used[LOOPS];
	bool ro[LOOPS];
	ino_t ino[LOOPS];
	unsigned attaches, detaches;
	char last_detached[XD_LOOP_DEV_MAX];
	bool fail_attach;
	/* Not 0: the file is another one (this inode) by the time the
	 * attach opens it. */
	ino_t swapped_ino;
} lo;

static int f_stat(const char *path, struct stat *st)
{
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (!strcmp(files[i].path, path)) {
			memset(st, 0, sizeof(*st));
			st->st_mode = files[i].mode | 0600;
			st->st_rdev = files[i].rdev;
			st->st_dev = 0x801;
			st->st_ino = files[i].ino;
			if (S_ISBLK(files[i].mode)) {
				st->st_dev = 5;
				st->st_ino = 100 + files[i].rdev;
			}
			return 0;
		}
	/* /dev/loopN that the fake made. */
	unsigned n;
	if (sscanf(path, "/dev/loop%u", &n) == 1 && n < LOOPS) {
		memset(st, 0, sizeof(*st));
		st->st_mode = S_IFBLK | 0600;
		st->st_rdev = makedev(7, n);
		return 0;
	}
	errno = ENOENT;
	return -1;
}

static int f_attach(const char *file, bool ro, struct xd_loop *out,
		    char *err, size_t errlen)
{
	struct stat st;

	if (lo.fail_attach) {
		snprintf(err, errlen, "/dev/loop-control: no free loop device");
		return -1;
	}
	assert_int_equal(f_stat(file, &st), 0);
	if (lo.swapped_ino)
		st.st_ino = lo.swapped_ino;
	for (unsigned n = 0; n < LOOPS; n++) {
		if (lo.used[n] || n == 3)       /* loop3 is someone else's */
			continue;
		lo.used[n] = true;
		lo.ro[n] = ro;
		lo.ino[n] = st.st_ino;
		lo.attaches++;
		snprintf(out->dev, sizeof(out->dev), "/dev/loop%u", n);
		out->major = 7;
		out->minor = n;
		out->file_dev = st.st_dev;
		out->file_ino = st.st_ino;
		return 0;
	}
	snprintf(err, errlen, "no free loop device");
	return -1;
}

static int f_detach(const struct xd_loop *l, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	assert_int_equal(l->major, 7);
	assert_true(l->minor < LOOPS);
	snprintf(lo.last_detached, sizeof(lo.last_detached), "%s", l->dev);
	lo.detaches++;
	if (!lo.used[l->minor] || lo.ino[l->minor] != l->file_ino)
		return 1;
	lo.used[l->minor] = false;
	return 0;
}

static int f_backing(unsigned maj, unsigned min, dev_t *dev, ino_t *ino)
{
	if (maj != 7 || min >= LOOPS || !lo.used[min])
		return -1;
	*dev = 0x801;
	*ino = lo.ino[min];
	return 0;
}

static const struct xd_loop_ops fake_loop_ops = {
	.stat = f_stat,
	.attach = f_attach,
	.detach = f_detach,
	.backing = f_backing,
};

/* --- Helpers. */

static struct xd_vbds t;

static int setup(void **state)
{
	(void)state;
	xs_reset();
	memset(&lo, 0, sizeof(lo));
	/* loop3: someone else's, over /img/b. */
	lo.used[3] = true;
	lo.ino[3] = 12;
	xd_vbds_init(&t, &fake_xs_ops, NULL, &fake_loop_ops);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	xd_vbds_free(&t);
	xs_reset();
	return 0;
}

static void vbd(const char *path, const char *params, const char *mode)
{
	char k[96];

	snprintf(k, sizeof(k), "%s/params", path);
	put(k, params);
	snprintf(k, sizeof(k), "%s/mode", path);
	put(k, mode);
	snprintf(k, sizeof(k), "%s/frontend-id", path);
	put(k, "5");
}

static const char *key(const char *path, const char *k)
{
	static char buf[96];

	snprintf(buf, sizeof(buf), "%s/%s", path, k);
	return get(buf);
}

#define P1 "backend/vbd/5/51712"
#define P2 "backend/vbd/6/51728"

static void assert_error(const char *path, const char *reason)
{
	assert_string_equal(key(path, "hotplug-status"), "error");
	assert_non_null(key(path, "hotplug-error"));
	if (!strstr(key(path, "hotplug-error"), reason))
		fail_msg("hotplug-error '%s' does not say '%s'",
			 key(path, "hotplug-error"), reason);
	assert_null(key(path, "physical-device"));
}

/* --- Tests. */

static void test_file_rw(void **state)
{
	const struct xd_vbd_loop *e;

	(void)state;
	vbd(P1, "/img/a", "w");
	assert_int_equal(xd_vbd_add(&t, P1), 0);
	assert_string_equal(key(P1, "physical-device"), "7:0");
	assert_string_equal(key(P1, "physical-device-path"), "/dev/loop0");
	assert_string_equal(key(P1, "xendevd-loop"), "/dev/loop0");
	assert_string_equal(key(P1, "hotplug-status"), "connected");
	assert_null(key(P1, "hotplug-error"));
	assert_false(lo.ro[0]);
	e = xd_vbds_find(&t, P1);
	assert_non_null(e);
	assert_string_equal(e->loop.dev, "/dev/loop0");
	/* The same add again (reconcile and event): nothing new. */
	assert_int_equal(xd_vbd_add(&t, P1), 0);
	assert_int_equal(lo.attaches, 1);
	assert_int_equal(lo.detaches, 0);
	/* Removal detaches our loop and forgets it. */
	rm_tree(P1);
	xd_vbd_remove(&t, P1);
	assert_int_equal(lo.detaches, 1);
	assert_string_equal(lo.last_detached, "/dev/loop0");
	assert_false(lo.used[0]);
	assert_null(xd_vbds_find(&t, P1));
	/* A remove for what we never made touches nothing. */
	xd_vbd_remove(&t, P2);
	assert_int_equal(lo.detaches, 1);
}

/* A backend with a hotplug script (xl's) is the script's: untouched. */
static void test_scripted_left_alone(void **state)
{
	char k[96];

	(void)state;
	vbd(P1, "/img/a", "w");
	snprintf(k, sizeof(k), "%s/script", P1);
	put(k, "/etc/xen/scripts/block");
	assert_int_equal(xd_vbd_add(&t, P1), 0);
	assert_null(key(P1, "physical-device"));
	assert_null(key(P1, "hotplug-status"));
	assert_int_equal(lo.attaches, 0);
	/* chaos writes an empty script: that one is ours. */
	put(k, "");
	assert_int_equal(xd_vbd_add(&t, P1), 0);
	assert_string_equal(key(P1, "hotplug-status"), "connected");
	assert_int_equal(lo.attaches, 1);
}

static void test_file_ro_and_blockdev(void **state)
{
	(void)state;
	vbd(P1, "/img/a", "r");
	assert_int_equal(xd_vbd_add(&t, P1), 0);
	assert_true(lo.ro[0]);
	vbd(P2, "/dev/sdb", "w");
	assert_int_equal(xd_vbd_add(&t, P2), 0);
	assert_string_equal(key(P2, "physical-device"), "8:10");
	assert_string_equal(key(P2, "physical-device-path"), "/dev/sdb");
	assert_string_equal(key(P2, "hotplug-status"), "connected");
	assert_null(key(P2, "xendevd-loop"));
	assert_int_equal(lo.attaches, 1);
	assert_null(xd_vbds_find(&t, P2));
	/* A block device: nothing of ours to detach. */
	xd_vbd_remove(&t, P2);
	assert_int_equal(lo.detaches, 0);
}

/* A vbd with this params and mode is refused, saying reason. */
static void refused(const char *path, const char *params, const char *mode,
		    const char *reason)
{
	vbd(path, params, mode);
	assert_int_equal(xd_vbd_add(&t, path), -1);
	assert_error(path, reason);
}

static void test_bad_entries(void **state)
{
	(void)state;
	refused(P1, "/img/a", "x", "mode: 'x' is not r or w");
	refused(P1, "/img/a", "w!", "mode:");
	refused(P1, "img/a", "w", "params: 'img/a' is not an absolute path");
	refused(P1, "/img/missing", "w", "params: /img/missing: No such file");
	refused(P1, "/dev/null", "r", "neither a block device nor a regular file");
	put(P2 "/mode", "w");
	assert_int_equal(xd_vbd_add(&t, P2), -1);
	assert_error(P2, "params: cannot read it");
	rm_tree(P2);
	put(P2 "/params", "/img/b");
	assert_int_equal(xd_vbd_add(&t, P2), -1);
	assert_error(P2, "mode: cannot read it");
	lo.fail_attach = true;
	vbd(P2, "/img/b", "w");
	assert_int_equal(xd_vbd_add(&t, P2), -1);
	assert_error(P2, "loop: /dev/loop-control: no free loop device");
	assert_int_equal(lo.attaches, 0);
	assert_int_equal(t.n, 0);
}

static void target(const char *path, const char *value)
{
	char k[96];

	snprintf(k, sizeof(k), "%s/chaos-target", path);
	put(k, value);
}

/* chaos's vbds name what it checked params to be: served only if it
 * still is. */
static void test_target_checked(void **state)
{
	static const char *const bad[] = {
		"", "file", "file 2049", "file 2049 11 1", "file  2049 11",
		"file 2049  11", "file -1 11", "file 2049 +11", "file 0x801 11",
		"file 2049 11 ", "block", "block 2064 1", "block -2064",
		"block 99999999999999999999999", "dir 2049 11", "File 2049 11",
	};

	(void)state;
	vbd(P1, "/img/a", "w");
	target(P1, "file 2049 11");
	assert_int_equal(xd_vbd_add(&t, P1), 0);
	assert_string_equal(key(P1, "hotplug-status"), "connected");
	vbd(P2, "/dev/sdb", "r");
	target(P2, "block 2064");
	assert_int_equal(xd_vbd_add(&t, P2), 0);
	assert_string_equal(key(P2, "physical-device"), "8:10");
	rm_tree(P1);
	xd_vbd_remove(&t, P1);
	rm_tree(P2);
	xd_vbd_remove(&t, P2);
	assert_int_equal(lo.attaches, 1);

	/* The path now names another file, or another device. */
	target(P1, "file 2049 11");
	refused(P1, "/img/b", "w",
		"params: /img/b is no longer the file chaos checked");
	refused(P1, "/dev/sdb", "w", "no longer the file chaos checked");
	target(P1, "block 2064");
	refused(P1, "/img/a", "w",
		"params: /img/a is no longer the device chaos checked");
	assert_int_equal(lo.attaches, 1);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		target(P1, bad[i]);
		refused(P1, "/img/a", "w", "chaos-target: '");
	}
	assert_int_equal(lo.attaches, 1);
	assert_int_equal(t.n, 0);
}

/* Checked, then changed before the loop opened it: the loop is taken
 * off again and blkback never hears of it. */
static void test_target_changed_while_attached(void **state)
{
	(void)state;
	lo.swapped_ino = 12;
	target(P1, "file 2049 11");
	refused(P1, "/img/a", "w", "params: /img/a changed while it was attached");
	assert_null(key(P1, "xendevd-loop"));
	assert_int_equal(lo.attaches, 1);
	assert_int_equal(lo.detaches, 1);
	assert_false(lo.used[0]);
	assert_int_equal(t.n, 0);
	/* Without chaos-target (another toolstack's vbd): served as
	 * before, whatever the file is. */
	rm_tree(P1);
	vbd(P1, "/img/a", "w");
	assert_int_equal(xd_vbd_add(&t, P1), 0);
	assert_string_equal(key(P1, "hotplug-status"), "connected");
}

static void test_sharing(void **state)
{
	(void)state;
	/* A writer: nobody else. */
	vbd(P1, "/img/a", "w");
	assert_int_equal(xd_vbd_add(&t, P1), 0);
	vbd(P2, "/img/a", "r");
	assert_int_equal(xd_vbd_add(&t, P2), -1);
	assert_error(P2, "/img/a: in use by domain 5 (vbd 51712)");
	assert_int_equal(lo.attaches, 1);
	/* The same file under another name is the same file. */
	vbd(P2, "/img/a-link", "r");
	assert_int_equal(xd_vbd_add(&t, P2), -1);
	assert_error(P2, "/img/a-link: in use by domain 5 (vbd 51712)");
	/* The loop itself given as params is found through physical-device. */
	vbd(P2, "/dev/loop0", "r");
	assert_int_equal(xd_vbd_add(&t, P2), -1);
	assert_error(P2, "in use by domain 5");
	/* Found through the loop's backing file when params went astray. */
	put(P1 "/params", "/img/gone");
	vbd(P2, "/img/a", "r");
	assert_int_equal(xd_vbd_add(&t, P2), -1);
	assert_error(P2, "in use by domain 5");
	put(P1 "/params", "/img/a");
	/* Readers share. */
	put(P1 "/mode", "r");
	vbd(P2, "/img/a", "r");
	assert_int_equal(xd_vbd_add(&t, P2), 0);
	assert_int_equal(lo.attaches, 2);
	/* But a third that writes is refused. */
	vbd("backend/vbd/7/1", "/img/a", "w");
	assert_int_equal(xd_vbd_add(&t, "backend/vbd/7/1"), -1);
	assert_error("backend/vbd/7/1", "in use by domain");
	/* Block devices: by device number. */
	vbd("backend/vbd/8/1", "/dev/sdb", "w");
	assert_int_equal(xd_vbd_add(&t, "backend/vbd/8/1"), 0);
	vbd("backend/vbd/9/2", "/dev/sdb", "r");
	assert_int_equal(xd_vbd_add(&t, "backend/vbd/9/2"), -1);
	assert_error("backend/vbd/9/2", "/dev/sdb: in use by domain 8 (vbd 1)");
	/* Someone else's loop over /img/b, named by a vbd as params. */
	vbd("backend/vbd/10/1", "/dev/loop3", "w");
	assert_int_equal(xd_vbd_add(&t, "backend/vbd/10/1"), 0);
	vbd("backend/vbd/11/1", "/img/b", "r");
	assert_int_equal(xd_vbd_add(&t, "backend/vbd/11/1"), -1);
	assert_error("backend/vbd/11/1", "in use by domain 10 (vbd 1)");
	/* A vbd whose mode cannot be read counts as a writer. */
	vbd("backend/vbd/12/1", "/img/b", "r");
	rm_tree("backend/vbd/10/1/mode");
	assert_int_equal(xd_vbd_add(&t, "backend/vbd/12/1"), -1);
	assert_error("backend/vbd/12/1", "in use by domain 10");
}

/* A suspended guest's vbd, marked by chaos, lends its disk to the
 * guest's next domain; unmarked (the suspend cancelled), it is its own. */
static void test_sharing_lent(void **state)
{
	(void)state;
	vbd(P1, "/img/a", "w");
	assert_int_equal(xd_vbd_add(&t, P1), 0);
	put(P1 "/chaos-checkpoint", "1");
	vbd(P2, "/img/a", "w");
	assert_int_equal(xd_vbd_add(&t, P2), 0);
	assert_int_equal(lo.attaches, 2);
	rm_tree(P1 "/chaos-checkpoint");
	vbd("backend/vbd/7/1", "/img/a", "r");
	assert_int_equal(xd_vbd_add(&t, "backend/vbd/7/1"), -1);
	assert_error("backend/vbd/7/1", "in use by domain");
}

/* Only vbds set up count: not one refused, not one still waiting. */
static void test_sharing_set_up_only(void **state)
{
	(void)state;
	/* Waiting (no physical-device yet) and refused ones, writers both. */
	vbd(P2, "/img/a", "w");
	vbd("backend/vbd/7/1", "/img/a", "w");
	put("backend/vbd/7/1/physical-device", "7:0");
	put("backend/vbd/7/1/hotplug-status", "error");
	vbd(P1, "/img/a", "w");
	assert_int_equal(xd_vbd_add(&t, P1), 0);
	/* Now the waiting one is refused: P1 is set up. */
	assert_int_equal(xd_vbd_add(&t, P2), -1);
	assert_error(P2, "in use by domain 5 (vbd 51712)");
}

static void test_xenstore_failures(void **state)
{
	(void)state;
	vbd(P1, "/img/a", "w");
	xs.connect_errno = ECONNREFUSED;
	assert_int_equal(xd_vbd_add(&t, P1), -1);
	assert_int_equal(xs.writes, 0);
	assert_int_equal(lo.attaches, 0);
	xd_vbd_reconcile(&t);
	assert_int_equal(xs.writes, 0);
	xs.connect_errno = 0;
	/* A write that fails after the loop was made: the loop goes. */
	xs.fail_write = "/physical-device";
	assert_int_equal(xd_vbd_add(&t, P1), -1);
	assert_int_equal(lo.attaches, 1);
	assert_int_equal(lo.detaches, 1);
	assert_false(lo.used[0]);
	assert_int_equal(t.n, 0);
	assert_error(P1, "XenStore write failed");
	/* If even hotplug-error cannot be written, status stays unset. */
	xs.fail_write = "/hotplug-error";
	rm_tree(P1 "/hotplug-status");
	vbd(P1, "/img/a", "x");
	assert_int_equal(xd_vbd_add(&t, P1), -1);
	assert_null(key(P1, "hotplug-status"));
}

static void test_made_again(void **state)
{
	(void)state;
	vbd(P1, "/img/a", "w");
	assert_int_equal(xd_vbd_add(&t, P1), 0);
	/* Its remove event was lost; a new guest has the same vbd path. */
	rm_tree(P1);
	vbd(P1, "/img/b", "w");
	assert_int_equal(xd_vbd_add(&t, P1), 0);
	assert_int_equal(lo.detaches, 1);
	assert_string_equal(lo.last_detached, "/dev/loop0");
	assert_string_equal(key(P1, "xendevd-loop"), "/dev/loop0");
	assert_int_equal(lo.ino[0], 12);
	assert_int_equal(t.n, 1);
}

static void test_reconcile(void **state)
{
	(void)state;
	/* Nothing in XenStore at all. */
	xd_vbd_reconcile(&t);
	assert_int_equal(xs.writes, 0);
	/* Ours, gone while events were lost. */
	vbd(P1, "/img/a", "w");
	assert_int_equal(xd_vbd_add(&t, P1), 0);
	rm_tree(P1);
	/* New, never completed. */
	vbd(P2, "/img/b", "r");
	/* Completed by an earlier xendevd: taken back. */
	vbd("backend/vbd/7/1", "/img/a", "r");
	lo.used[5] = true;
	lo.ino[5] = 11;
	put("backend/vbd/7/1/xendevd-loop", "/dev/loop5");
	put("backend/vbd/7/1/physical-device", "7:5");
	put("backend/vbd/7/1/hotplug-status", "connected");
	/* Completed by someone else: left alone. */
	vbd("backend/vbd/8/1", "/dev/sdb", "w");
	put("backend/vbd/8/1/hotplug-status", "connected");
	/* A stale xendevd-loop naming a loop over another file: not ours. */
	vbd("backend/vbd/9/1", "/img/a", "r");
	put("backend/vbd/9/1/xendevd-loop", "/dev/loop3");
	put("backend/vbd/9/1/hotplug-status", "connected");
	/* Junk under backend/vbd is skipped. */
	put("backend/vbd/x/1/params", "/img/a");
	put("backend/vbd/9/07/params", "/img/a");
	xd_vbd_reconcile(&t);
	assert_int_equal(lo.detaches, 1);
	assert_string_equal(lo.last_detached, "/dev/loop0");
	assert_string_equal(key(P2, "hotplug-status"), "connected");
	assert_non_null(xd_vbds_find(&t, P2));
	assert_non_null(xd_vbds_find(&t, "backend/vbd/7/1"));
	assert_string_equal(xd_vbds_find(&t, "backend/vbd/7/1")->loop.dev,
			    "/dev/loop5");
	assert_null(xd_vbds_find(&t, "backend/vbd/8/1"));
	assert_null(xd_vbds_find(&t, "backend/vbd/9/1"));
	assert_null(xd_vbds_find(&t, P1));
	assert_null(key("backend/vbd/x/1", "hotplug-status"));
	assert_int_equal(t.n, 2);
	/* The taken-back loop is detached on its remove event. */
	rm_tree("backend/vbd/7/1");
	xd_vbd_remove(&t, "backend/vbd/7/1");
	assert_string_equal(lo.last_detached, "/dev/loop5");
	assert_false(lo.used[5]);
	/* Someone else's loop3 was never touched. */
	assert_true(lo.used[3]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_file_rw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_ro_and_blockdev,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_entries, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_target_checked, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_target_changed_while_attached,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_sharing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sharing_lent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sharing_set_up_only,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_xenstore_failures, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_scripted_left_alone, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_made_again, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reconcile, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
