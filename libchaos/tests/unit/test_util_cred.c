// SPDX-License-Identifier: MIT
/*
 * util/cred.c: files opened with a client's rights (audit finding 3): a
 * root-only file cannot be opened while the thread has a member's
 * credentials, a world-readable one can, and root's rights come back
 * whole afterwards. Needs root to switch (skipped otherwise is not an
 * option: the unit tests run as root, as the rig does).
 */
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

#include "util/util.h"

static char dir[] = "/tmp/chaos-test-cred-XXXXXX";
static char secret[64], open_file[64];

static int setup(void **state)
{
	int fd;

	(void)state;
	if (geteuid() != 0) {
		fprintf(stderr, "test_util_cred needs root\n");
		return -1;
	}
	if (!mkdtemp(dir) || chmod(dir, 0755))
		return -1;
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	snprintf(open_file, sizeof(open_file), "%s/open", dir);
	fd = open(secret, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, "TOPSECRET\n", 10) != 10 || close(fd))
		return -1;
	fd = open(open_file, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0 || write(fd, "hello\n", 6) != 6 || close(fd))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(secret);
	unlink(open_file);
	rmdir(dir);
	return 0;
}

static int try_open(const char *path)
{
	struct stat st;
	chaos_err err;
	int fd = chaos_open_regular(path, "ramdisk", &st, &err);

	if (fd < 0)
		return err.code;
	close(fd);
	return 0;
}

static void test_member_cannot_read_root_files(void **state)
{
	struct chaos_fscred who = { .uid = 2001, .gid = 2000, .ngroups = 1,
				    .groups = { 2000 } };
	struct chaos_fscred_saved saved;
	gid_t before[64], after[64];
	int nb = getgroups(64, before), na;

	(void)state;
	assert_int_equal(try_open(secret), 0);
	assert_int_equal(chaos_fscred_enter(&who, &saved, NULL), 0);
	/* Root's rights are gone for this thread's opens... */
	assert_int_equal(try_open(secret), EACCES);
	/* ... what the member may read still opens. */
	assert_int_equal(try_open(open_file), 0);
	chaos_fscred_leave(&saved);
	/* And everything is root's again. */
	assert_int_equal(try_open(secret), 0);
	na = getgroups(64, after);
	assert_int_equal(na, nb);
	assert_memory_equal(before, after, (size_t)na * sizeof(gid_t));
}

static void test_group_rights_count(void **state)
{
	struct chaos_fscred member = { .uid = 2001, .gid = 2001, .ngroups = 1,
				       .groups = { 2000 } };
	struct chaos_fscred other = { .uid = 2003, .gid = 2003 };
	struct chaos_fscred_saved saved;

	(void)state;
	/* A file of group 2000, mode 0640: members read it through their
	 * supplementary group, others do not. */
	assert_int_equal(chown(secret, 0, 2000), 0);
	assert_int_equal(chmod(secret, 0640), 0);
	assert_int_equal(chaos_fscred_enter(&member, &saved, NULL), 0);
	assert_int_equal(try_open(secret), 0);
	chaos_fscred_leave(&saved);
	assert_int_equal(chaos_fscred_enter(&other, &saved, NULL), 0);
	assert_int_equal(try_open(secret), EACCES);
	chaos_fscred_leave(&saved);
	assert_int_equal(chmod(secret, 0600), 0);
	assert_int_equal(chown(secret, 0, 0), 0);
}

static void test_root_and_null_switch_nothing(void **state)
{
	struct chaos_fscred root = { 0 };
	struct chaos_fscred_saved saved;

	(void)state;
	assert_int_equal(chaos_fscred_enter(NULL, &saved, NULL), 0);
	assert_false(saved.active);
	chaos_fscred_leave(&saved);
	assert_int_equal(chaos_fscred_enter(&root, &saved, NULL), 0);
	assert_false(saved.active);
	assert_int_equal(try_open(secret), 0);
	chaos_fscred_leave(&saved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_member_cannot_read_root_files),
		cmocka_unit_test(test_group_rights_count),
		cmocka_unit_test(test_root_and_null_switch_nothing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
