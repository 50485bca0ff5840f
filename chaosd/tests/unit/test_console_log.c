// SPDX-License-Identifier: MIT
/* Console log files: append, bounded by one rotation, replayable tail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../console_log.h"

struct fixture {
	char dir[64];
	int dir_fd;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/chaos-console-log-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->dir_fd = open(f->dir, O_RDONLY | O_DIRECTORY);
	*state = f;
	return f->dir_fd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	const char *names[] = { "g.log", "g.log.1", "link.log", "target" };
	char path[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", f->dir, names[i]);
		unlink(path);
	}
	close(f->dir_fd);
	rmdir(f->dir);
	free(f);
	return 0;
}

static long long file_size(struct fixture *f, const char *name)
{
	struct stat st;

	return fstatat(f->dir_fd, name, &st, 0) ? -1 : (long long)st.st_size;
}

static void test_bad_names_refused(void **state)
{
	struct fixture *f = *state;
	struct console_log l;
	chaos_err err;

	assert_int_equal(console_log_open(&l, f->dir_fd, "../x", CONSOLE_LOG_MAX_MIN, &err), -1);
	assert_int_equal(console_log_open(&l, f->dir_fd, ".hidden", CONSOLE_LOG_MAX_MIN, &err), -1);
	assert_int_equal(console_log_open(&l, f->dir_fd, "", CONSOLE_LOG_MAX_MIN, &err), -1);
	assert_int_equal(console_log_open(&l, f->dir_fd, "g", 100, &err), -1);
	assert_non_null(strstr(err.msg, "max"));
}

static void test_symlink_not_followed(void **state)
{
	struct fixture *f = *state;
	struct console_log l;
	chaos_err err;

	assert_int_equal(symlinkat("target", f->dir_fd, "link.log"), 0);
	assert_int_equal(console_log_open(&l, f->dir_fd, "link", CONSOLE_LOG_MAX_MIN, &err), -1);
	assert_int_equal(file_size(f, "target"), -1);
}

static void test_rotation_bounds_disk(void **state)
{
	struct fixture *f = *state;
	struct console_log l;
	chaos_err err;
	char chunk[CONSOLE_LOG_CHUNK_MAX];
	uint64_t max = CONSOLE_LOG_MAX_MIN;

	assert_int_equal(console_log_open(&l, f->dir_fd, "g", max, &err), 0);
	assert_int_equal(file_size(f, "g.log"), 0);
	/* A flood of the worst bytes: each escapes to four. */
	memset(chunk, 0x07, sizeof(chunk));
	for (int i = 0; i < 40; i++) {
		assert_int_equal(console_log_write(&l, chunk, sizeof(chunk), &err), 0);
		assert_true(file_size(f, "g.log") <= (long long)max);
	}
	assert_true(l.rotations >= 2);
	assert_true(file_size(f, "g.log.1") <= (long long)max);
	assert_true(file_size(f, "g.log.1") > 0);
	/* Too large a chunk is refused, not written past the bound. */
	assert_int_equal(console_log_write(&l, chunk, sizeof(chunk) + 1, &err), -1);
	console_log_close(&l);
}

static void test_reopen_appends_and_tail_replays(void **state)
{
	struct fixture *f = *state;
	struct console_log l;
	chaos_err err;
	char tail[64];
	size_t n;

	assert_int_equal(console_log_open(&l, f->dir_fd, "g", CONSOLE_LOG_MAX_MIN, &err), 0);
	assert_int_equal(console_log_write(&l, "hello 1\r\n\x1b", 10, &err), 0);
	assert_int_equal(console_log_note(&l, "console of domain 3 attached", &err), 0);
	console_log_close(&l);
	/* After a restart: appended to, and the tail reads as the guest
	 * wrote it (CRLF folded, escapes undone). */
	assert_int_equal(console_log_open(&l, f->dir_fd, "g", CONSOLE_LOG_MAX_MIN, &err), 0);
	assert_int_equal(console_log_write(&l, "hello 2\n", 8, &err), 0);
	n = console_log_tail(&l, tail, sizeof(tail));
	assert_int_equal(n, strlen("hello 1\n\x1b\n[chaosd: console of domain 3 attached]\nhello 2\n"));
	assert_memory_equal(tail, "hello 1\n\x1b\n[chaosd: console of domain 3 attached]\nhello 2\n", n);
	/* A small buffer gets the end. */
	n = console_log_tail(&l, tail, 8);
	assert_int_equal(n, 8);
	assert_memory_equal(tail, "hello 2\n", 8);
	console_log_close(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_names_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotation_bounds_disk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_appends_and_tail_replays, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
