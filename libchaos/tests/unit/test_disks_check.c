// SPDX-License-Identifier: MIT
/* dev/xs_disks.c: a XenStore guest's disk targets, checked before create. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "dev/dev.h"

static char dir[] = "/tmp/chaos-test-disks-XXXXXX";
static char img[256], small[256], sub[256], link_to_img[256];
static struct chaos_disk_target targets[CHAOS_CONFIG_DISKS_MAX];

static void make_file(const char *path, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	close(fd);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(img, sizeof(img), "%s/disk.img", dir);
	snprintf(small, sizeof(small), "%s/small.img", dir);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(link_to_img, sizeof(link_to_img), "%s/link.img", dir);
	make_file(img, 1 << 20);
	make_file(small, 100);
	if (mkdir(sub, 0700) || symlink(img, link_to_img))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(img);
	unlink(small);
	unlink(link_to_img);
	rmdir(sub);
	rmdir(dir);
	return 0;
}

static void add_disk(chaos_config *cfg, const char *target, const char *vdev,
		     bool ro, chaos_config_disk_kind kind)
{
	chaos_config_disk *d = &cfg->disks[cfg->nr_disks++];

	d->target = strdup(target);
	snprintf(d->vdev, sizeof(d->vdev), "%s", vdev);
	d->readonly = ro;
	d->kind = kind;
	assert_int_equal(chaos_config_parse_vdev(vdev, &d->devid, NULL), 0);
}

/* The check on cfg fails, saying want. */
static void expect_fail(chaos_config *cfg, int code, const char *want)
{
	chaos_err err = { 0 };

	assert_int_equal(chaos_disks_open_check(cfg, targets, &err), -1);
	assert_int_equal(err.code, code);
	if (!strstr(err.msg, want))
		fail_msg("got '%s', want '%s'", err.msg, want);
	chaos_config_free(cfg);
}

static void test_good(void **state)
{
	chaos_config cfg;
	struct stat st;

	(void)state;
	chaos_config_init(&cfg);
	add_disk(&cfg, link_to_img, "xvda", false, CHAOS_DISK_AUTO);
	add_disk(&cfg, small, "xvdb", true, CHAOS_DISK_AUTO);
	/* Too small: one sector at least. */
	expect_fail(&cfg, EINVAL, "is smaller than one sector");

	chaos_config_init(&cfg);
	add_disk(&cfg, link_to_img, "xvda", false, CHAOS_DISK_FILE);
	assert_int_equal(chaos_disks_open_check(&cfg, targets, NULL), 0);
	/* The absolute, resolved path: what the hotplug opens as root. */
	assert_string_equal(targets[0].path, img);
	assert_false(targets[0].block);
	assert_true(targets[0].writable);
	assert_int_equal(stat(img, &st), 0);
	assert_int_equal(targets[0].ino, (uint64_t)st.st_ino);
	chaos_config_free(&cfg);
}

static void test_refused(void **state)
{
	chaos_config cfg;
	char missing[300];

	(void)state;
	snprintf(missing, sizeof(missing), "%s/none.img", dir);
	chaos_config_init(&cfg);
	add_disk(&cfg, missing, "xvda", false, CHAOS_DISK_AUTO);
	expect_fail(&cfg, ENOENT, "disks[0].target: ");

	chaos_config_init(&cfg);
	add_disk(&cfg, sub, "xvda", true, CHAOS_DISK_AUTO);
	expect_fail(&cfg, EINVAL, "is neither a regular file nor a block device");

	chaos_config_init(&cfg);
	add_disk(&cfg, img, "xvda", true, CHAOS_DISK_BLOCK);
	expect_fail(&cfg, EINVAL, "is a regular file, not a block device as its kind says");

	/* One file twice: both readers is fine, a writer is not. */
	chaos_config_init(&cfg);
	add_disk(&cfg, img, "xvda", true, CHAOS_DISK_AUTO);
	add_disk(&cfg, link_to_img, "xvdb", true, CHAOS_DISK_AUTO);
	assert_int_equal(chaos_disks_open_check(&cfg, targets, NULL), 0);
	chaos_config_free(&cfg);
	chaos_config_init(&cfg);
	add_disk(&cfg, img, "xvda", true, CHAOS_DISK_AUTO);
	add_disk(&cfg, link_to_img, "xvdb", false, CHAOS_DISK_AUTO);
	expect_fail(&cfg, EBUSY, "disks[1].target: ");

	/* Not writable by this user: "w" is refused, "r" is fine. Root
	 * opens anything, so only where the test does not run as root. */
	if (geteuid() != 0) {
		assert_int_equal(chmod(img, 0400), 0);
		chaos_config_init(&cfg);
		add_disk(&cfg, img, "xvda", false, CHAOS_DISK_AUTO);
		expect_fail(&cfg, EACCES, "cannot open it to read and write");
		chaos_config_init(&cfg);
		add_disk(&cfg, img, "xvda", true, CHAOS_DISK_AUTO);
		assert_int_equal(chaos_disks_open_check(&cfg, targets, NULL), 0);
		chaos_config_free(&cfg);
		assert_int_equal(chmod(img, 0600), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
