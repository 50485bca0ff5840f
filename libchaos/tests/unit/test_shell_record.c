// SPDX-License-Identifier: MIT
/* A pooled shell's record file made ahead (build/shell_record.c): made,
 * dropped, and gone without when descriptors are short. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <cmocka.h>

#include "build/build.h"
#include "hyp/hyp.h"

static struct chaos_host host;
static char dir[] = "/tmp/chaos-shell-record-XXXXXX";
static char staged[300];

static int setup(void **state)
{
	(void)state;
	memset(&host, 0, sizeof(host));
	if (!mkdtemp(dir))
		return -1;
	snprintf(host.state_dir, sizeof(host.state_dir), "%s", dir);
	snprintf(staged, sizeof(staged), "%s/domains/7.tmp", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[64 + sizeof(dir)];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct chaos_shell shell_of(uint32_t domid)
{
	struct chaos_shell s;

	memset(&s, 0, sizeof(s));
	s.domid = domid;
	s.record_fd = -1;
	return s;
}

/* The lowest descriptor free now: the next one opened. */
static int next_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(close(fd), 0);
	return fd;
}

/* Stage s's record with the soft descriptor limit at soft, and the
 * limit put back before any check can end the test. Only the soft
 * limit: the hard one stays what it was (under valgrind, it must). */
static int stage_under_limit(rlim_t soft, struct chaos_shell *s)
{
	struct rlimit was, rl;
	chaos_err err;
	int rc;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &was), 0);
	rl = was;
	rl.rlim_cur = soft;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	rc = chaos_shell_stage_record(&host, s, &err);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &was), 0);
	return rc;
}

static void test_made_and_dropped(void **state)
{
	struct chaos_shell s = shell_of(7);
	chaos_err err;

	(void)state;
	assert_int_equal(chaos_shell_stage_record(&host, &s, &err), 0);
	assert_true(s.record_staged);
	assert_true(s.record_fd >= 0);
	assert_int_equal(access(staged, F_OK), 0);
	chaos_shell_unstage_record(&host, &s);
	assert_false(s.record_staged);
	assert_int_equal(s.record_fd, -1);
	assert_int_equal(access(staged, F_OK), -1);
	/* Twice is harmless. */
	chaos_shell_unstage_record(&host, &s);
}

static void test_upper_half(void **state)
{
	struct chaos_shell s = shell_of(7);
	int n = next_fd();

	(void)state;
	/* The file would be descriptor n of n + 1: in the upper half. */
	assert_int_equal(stage_under_limit((rlim_t)n + 1, &s), 0);
	assert_false(s.record_staged);
	assert_int_equal(s.record_fd, -1);
	assert_int_equal(access(staged, F_OK), -1);
	assert_int_equal(next_fd(), n);
}

static void test_none_left(void **state)
{
	struct chaos_shell s = shell_of(7);
	int n = next_fd(), fd;

	(void)state;
	/* A file an earlier owner of the id left under its name. */
	fd = open(staged, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(close(fd), 0);
	/* No descriptor left at all. */
	assert_int_equal(stage_under_limit((rlim_t)n, &s), 0);
	assert_false(s.record_staged);
	assert_int_equal(s.record_fd, -1);
	/* Gone too: the id is the shell's now. */
	assert_int_equal(access(staged, F_OK), -1);
}

static void test_state_dir_unusable(void **state)
{
	struct chaos_host bad;
	struct chaos_shell s = shell_of(7);
	chaos_err err;

	(void)state;
	memset(&bad, 0, sizeof(bad));
	snprintf(bad.state_dir, sizeof(bad.state_dir), "/proc/chaos-none");
	assert_int_equal(chaos_shell_stage_record(&bad, &s, &err), -1);
	assert_non_null(strstr(err.msg, "/proc/chaos-none"));
	assert_false(s.record_staged);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_made_and_dropped),
		cmocka_unit_test(test_upper_half),
		cmocka_unit_test(test_none_left),
		cmocka_unit_test(test_state_dir_unusable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
