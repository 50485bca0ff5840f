// SPDX-License-Identifier: MIT
/*
 * Busy marks (state/busy.c): how a process killed at any point is found
 * out by the next one that looks.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "state/state.h"

static char dir[] = "/tmp/chaos-test-busy-XXXXXX";

static void handle_of(uint8_t seed, uint8_t h[16])
{
	for (int i = 0; i < 16; i++)
		h[i] = (uint8_t)(seed + i * 17);
}

static int mark_exists(const uint8_t h[16], const char *suffix)
{
	char path[256];
	int n = snprintf(path, sizeof(path), "%s/busy/", dir);

	for (int i = 0; i < 16; i++, n += 2)
		snprintf(path + n, sizeof(path) - (size_t)n, "%02x", h[i]);
	snprintf(path + n, sizeof(path) - (size_t)n, "%s", suffix);
	return access(path, F_OK) == 0;
}

static void test_take_release(void **state)
{
	uint8_t h[16], found[4][16];
	chaos_err err;
	int fd;

	(void)state;
	handle_of(1, h);
	fd = chaos_busy_take(dir, h, &err);
	assert_true(fd >= 0);
	assert_true(chaos_busy_held(dir, h));
	/* A second taker, even in this process, is refused. */
	assert_int_equal(chaos_busy_take(dir, h, &err), -1);
	assert_int_equal(err.code, EBUSY);
	/* A live mark is no orphan. */
	assert_int_equal(chaos_busy_orphans(dir, found, 4), 0);
	chaos_busy_release(dir, h, fd);
	assert_false(chaos_busy_held(dir, h));
	assert_false(mark_exists(h, ""));
}

/*
 * Issue 12, "a killed create leaks the whole domain for good": a process
 * that dies holding a mark (kill -9: no cleanup of its own) leaves an
 * orphan the next process finds.
 */
static void test_dead_owner_is_an_orphan(void **state)
{
	uint8_t h[16], other[16], found[4][16];
	int status, fd;
	pid_t pid;

	(void)state;
	handle_of(2, h);
	handle_of(3, other);
	fd = chaos_busy_take(dir, other, NULL);
	assert_true(fd >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (chaos_busy_take(dir, h, NULL) < 0)
			_exit(1);
		_exit(0);  /* dies holding it */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_true(mark_exists(h, ""));
	assert_false(chaos_busy_held(dir, h));
	assert_int_equal(chaos_busy_orphans(dir, found, 4), 1);
	assert_memory_equal(found[0], h, 16);
	/* Taken over, then done with. */
	fd = chaos_busy_take(dir, h, NULL);
	assert_true(fd >= 0);
	chaos_busy_release(dir, h, fd);
	assert_int_equal(chaos_busy_orphans(dir, found, 4), 0);
	chaos_busy_release(dir, other, chaos_busy_take(dir, other, NULL));
}

/*
 * Audit finding 5's last window and finding 19's second: a migration's
 * receiver or source that dies says, through its mark's note, which copy
 * of the guest is the guest. The note survives its writer's death, a
 * shorter note replaces a longer one whole, and a mark let go of with
 * its work unfinished is an orphan for the next recovery.
 */
static void test_notes_outlive_their_writer(void **state)
{
	char note[CHAOS_BUSY_NOTE_MAX], longest[CHAOS_BUSY_NOTE_MAX + 1];
	uint8_t h[16], found[4][16];
	int status, fd;
	pid_t pid;

	(void)state;
	handle_of(7, h);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = chaos_busy_take(dir, h, NULL);
		if (fd < 0 || chaos_busy_note(fd, "running a-much-longer-name") ||
		    chaos_busy_note(fd, "running web1"))
			_exit(1);
		_exit(0);  /* killed after "go" */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(chaos_busy_orphans(dir, found, 4), 1);
	fd = chaos_busy_take(dir, h, NULL);
	assert_true(fd >= 0);
	chaos_busy_read_note(fd, note);
	assert_string_equal(note, "running web1");
	/* Its work cannot be finished yet: left for the next one. */
	chaos_busy_leave(fd);
	assert_int_equal(chaos_busy_orphans(dir, found, 4), 1);
	fd = chaos_busy_take(dir, h, NULL);
	assert_true(fd >= 0);
	memset(longest, 'x', CHAOS_BUSY_NOTE_MAX);
	longest[CHAOS_BUSY_NOTE_MAX] = '\0';
	assert_int_equal(chaos_busy_note(fd, longest), -1);
	assert_int_equal(errno, EINVAL);
	chaos_busy_release(dir, h, fd);
	/* A mark without a note reads as "" (builders never write one). */
	fd = chaos_busy_take(dir, h, NULL);
	chaos_busy_read_note(fd, note);
	assert_string_equal(note, "");
	chaos_busy_release(dir, h, fd);
	assert_int_equal(chaos_busy_orphans(dir, found, 4), 0);
}

/* A destroyed guest's marks go with it, unless a live process holds one. */
static void test_forget(void **state)
{
	uint8_t h[16], found[4][16];
	int fd;

	(void)state;
	handle_of(8, h);
	chaos_busy_forget(dir, h);  /* none: nothing to do */
	fd = chaos_busy_take(dir, h, NULL);
	assert_true(fd >= 0);
	chaos_busy_forget(dir, h);  /* held (here): kept */
	assert_true(mark_exists(h, ""));
	chaos_busy_leave(fd);       /* its holder is gone */
	chaos_busy_forget(dir, h);
	assert_false(mark_exists(h, ""));
	fd = chaos_busy_take(dir, h, NULL);
	chaos_busy_keep(dir, h, fd);
	chaos_busy_forget(dir, h);
	assert_false(mark_exists(h, ".kept"));
	assert_int_equal(chaos_busy_orphans(dir, found, 4), 0);
}

/* A kept mark (a migration's source after GO) is never an orphan. */
static void test_kept(void **state)
{
	uint8_t h[16], found[4][16];
	int fd;

	(void)state;
	handle_of(4, h);
	fd = chaos_busy_take(dir, h, NULL);
	assert_true(fd >= 0);
	chaos_busy_keep(dir, h, fd);
	assert_false(mark_exists(h, ""));
	assert_true(mark_exists(h, ".kept"));
	assert_int_equal(chaos_busy_orphans(dir, found, 4), 0);
	/* Listed apart, for recovery to drop once its guest is gone. */
	assert_int_equal(chaos_busy_kept(dir, found, 4), 1);
	assert_memory_equal(found[0], h, 16);
	chaos_busy_unkeep(dir, h);
	assert_false(mark_exists(h, ".kept"));
	assert_int_equal(chaos_busy_kept(dir, found, 4), 0);
}

/* Files that are not marks are ignored; max bounds the answer. */
static void test_junk_and_bounds(void **state)
{
	uint8_t h[3][16], found[2][16];
	char path[256];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/busy/not-a-handle", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	for (int i = 0; i < 3; i++) {
		handle_of((uint8_t)(10 + i), h[i]);
		/* Orphans: made and dropped without release. */
		close(chaos_busy_take(dir, h[i], NULL));
	}
	assert_int_equal(chaos_busy_orphans(dir, found, 2), 2);
	for (int i = 0; i < 3; i++)
		chaos_busy_release(dir, h[i], chaos_busy_take(dir, h[i], NULL));
	unlink(path);
	assert_int_equal(chaos_busy_orphans(dir, found, 2), 0);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_take_release),
		cmocka_unit_test(test_dead_owner_is_an_orphan),
		cmocka_unit_test(test_kept),
		cmocka_unit_test(test_notes_outlive_their_writer),
		cmocka_unit_test(test_forget),
		cmocka_unit_test(test_junk_and_bounds),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
