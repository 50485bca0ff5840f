// SPDX-License-Identifier: MIT
/* util/io.c: files opened only if regular, files written safely. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/util.h"

static char dir[] = "/tmp/chaos-test-io-XXXXXX";

static void path_in(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

static void read_back(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void test_open_regular(void **state)
{
	char fifo[128], file[128];
	struct stat st;
	chaos_err err;
	int fd;

	(void)state;
	path_in(fifo, sizeof(fifo), "fifo");
	path_in(file, sizeof(file), "file");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	alarm(5);  /* a hang is a failure */
	assert_int_equal(chaos_open_regular(fifo, "ramdisk", &st, &err), -1);
	alarm(0);
	assert_string_equal(strstr(err.msg, "ramdisk "), err.msg);
	assert_non_null(strstr(err.msg, "fifo: not a regular file"));
	assert_int_equal(chaos_open_regular(dir, "", &st, &err), -1);
	assert_non_null(strstr(err.msg, ": not a regular file"));
	assert_int_equal(chaos_open_regular(file, "kernel", &st, &err), -1);
	assert_non_null(strstr(err.msg, "No such file"));
	{
		FILE *f = fopen(file, "w");

		assert_non_null(f);
		fputs("data", f);
		fclose(f);
	}
	fd = chaos_open_regular(file, "kernel", &st, &err);
	assert_true(fd >= 0);
	assert_int_equal(st.st_size, 4);
	close(fd);
	unlink(file);
	unlink(fifo);
}

/* The look-only checks refuse what the open does; the access check is
 * made with the file rights in force (a client's, in a daemon). */
static void test_check_regular(void **state)
{
	char fifo[128], file[128];
	struct stat st;
	chaos_err err;

	(void)state;
	path_in(fifo, sizeof(fifo), "fifo2");
	path_in(file, sizeof(file), "file2");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	alarm(5);  /* a hang is a failure */
	assert_int_equal(chaos_check_regular(fifo, "kernel", &st, &err), -1);
	assert_non_null(strstr(err.msg, "fifo2: not a regular file"));
	assert_int_equal(stat(fifo, &st), 0);
	assert_int_equal(chaos_check_readable_regular(fifo, &st, "config_path",
						      &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "config_path "));
	assert_non_null(strstr(err.msg, "fifo2: not a regular file"));
	alarm(0);
	assert_int_equal(chaos_check_regular(dir, "", &st, &err), -1);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(chaos_check_readable_regular(dir, &st, "", &err), -1);
	assert_int_equal(chaos_check_regular(file, "kernel", &st, &err), -1);
	assert_non_null(strstr(err.msg, "No such file"));
	{
		FILE *f = fopen(file, "w");

		assert_non_null(f);
		fputs("data", f);
		fclose(f);
	}
	assert_int_equal(chaos_check_regular(file, "kernel", &st, &err), 0);
	assert_int_equal(st.st_size, 4);
	assert_int_equal(chaos_check_readable_regular(file, &st, "config_path",
						      &err), 0);
	/* Not for someone else: as root, with another user's file rights
	 * (the test directory is root's alone); otherwise a file nobody
	 * may read. */
	assert_int_equal(chmod(file, 0), 0);
	if (geteuid() == 0) {
		struct chaos_fscred nobody = { .uid = 65534, .gid = 65534 };
		struct chaos_fscred_saved saved;

		assert_int_equal(chaos_fscred_enter(&nobody, &saved, &err), 0);
		assert_int_equal(chaos_check_readable_regular(file, &st,
							      "config_path",
							      &err), -1);
		chaos_fscred_leave(&saved);
	} else {
		assert_int_equal(chaos_check_readable_regular(file, &st,
							      "config_path",
							      &err), -1);
	}
	assert_int_equal(err.code, EACCES);
	assert_non_null(strstr(err.msg, "file2: Permission denied"));
	unlink(file);
	unlink(fifo);
}

/*
 * Audit finding 11, "chaos save follows symlinks and truncates
 * <file>.tmp": someone else's symlink next to the target is neither
 * followed nor truncated, and the data lands in the target.
 */
static void test_write_safely(void **state)
{
	char target[128], victim[128], trap[128], tmp[160], buf[64];
	chaos_err err;
	int fd;

	(void)state;
	path_in(target, sizeof(target), "guest.img");
	path_in(victim, sizeof(victim), "victim");
	path_in(trap, sizeof(trap), "guest.img.tmp");
	{
		FILE *f = fopen(victim, "w");

		assert_non_null(f);
		fputs("precious", f);
		fclose(f);
	}
	assert_int_equal(symlink(victim, trap), 0);
	fd = chaos_file_create_temp(target, tmp, sizeof(tmp), &err);
	assert_true(fd >= 0);
	assert_int_equal(chaos_write_all(fd, "CHAOSIMG", 8), 0);
	assert_int_equal(chaos_file_commit(fd, tmp, target, false, &err), 0);
	read_back(victim, buf, sizeof(buf));
	assert_string_equal(buf, "precious");
	read_back(target, buf, sizeof(buf));
	assert_string_equal(buf, "CHAOSIMG");
	assert_int_equal(access(tmp, F_OK), -1);
	/* A name too long for the buffer is refused, nothing created. */
	assert_int_equal(chaos_file_create_temp(target, tmp, 8, &err), -1);
	unlink(trap);
	unlink(victim);
	unlink(target);
}

/* Entries in the test's directory, "." and ".." aside. */
static int entries(void)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/*
 * Issue 12's known gap, "a killed save leaves its temporary file beside
 * the target": a writer killed before commit leaves nothing in the
 * directory; one that commits leaves the target alone.
 */
static void test_killed_writer_leaves_nothing(void **state)
{
	char target[128], tmp[160], buf[64];
	chaos_err err;
	int status, fd;
	pid_t pid;

	(void)state;
	path_in(target, sizeof(target), "killed.img");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = chaos_file_create_unnamed(target, tmp, sizeof(tmp), &err);
		if (fd < 0 || chaos_write_all(fd, "CHAOSIMG", 8))
			_exit(1);
		_exit(0);  /* killed half-way: never committed */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(entries(), 0);
	fd = chaos_file_create_unnamed(target, tmp, sizeof(tmp), &err);
	assert_string_equal(tmp, "");  /* /tmp has unnamed files */
	assert_true(fd >= 0);
	assert_int_equal(chaos_write_all(fd, "CHAOSIMG", 8), 0);
	assert_int_equal(chaos_file_commit(fd, tmp, target, true, &err), 0);
	read_back(target, buf, sizeof(buf));
	assert_string_equal(buf, "CHAOSIMG");
	assert_int_equal(entries(), 1);
	unlink(target);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_regular),
		cmocka_unit_test(test_check_regular),
		cmocka_unit_test(test_write_safely),
		cmocka_unit_test(test_killed_writer_leaves_nothing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
