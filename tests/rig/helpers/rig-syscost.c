// SPDX-License-Identifier: MIT
/*
 * rig-syscost DIR ROUNDS: what the system calls of a pooled create's
 * bookkeeping cost in this dom0, each timed as a batch (the clock may be
 * coarser than one call, and reading it is a system call too).
 *
 * In DIR (made if missing, emptied after) it times, BATCH at a time,
 * ROUNDS times, and prints the median per call of each, one line each
 * (op=NAME us=MICROSECONDS):
 *   null        getppid, the cheapest system call;
 *   clock       clock_gettime (no vDSO clock in a PV dom0);
 *   stat        stat of a file by a path as deep as a record's;
 *   access      faccessat2 with AT_EACCESS on it (the access check);
 *   symlink     symlinkat of a new name, as a name claim (the unlinkat
 *               after each batch is not timed);
 *   stage       open (O_CREAT) of a new file, a record's write, close;
 *   rename      rename of such a file to its final name;
 *   record      stage and rename together, as a create writes a record;
 *   record_at   the same through a directory descriptor kept open
 *               (openat, renameat: one path component walked, not all);
 *   claim_staged  renameat2 (RENAME_NOREPLACE) of a link made ahead to
 *               a new name, as a pooled shell's name claim (the links
 *               are made before the batch, untimed);
 *   record_staged a record's pwrite into a file opened ahead, then its
 *               rename into place, as a pooled shell's record (the
 *               opens before the batch and the closes after, untimed);
 *   pwrite      that pwrite alone (a new page for the file's data);
 *   pwrite_allocated  the same into a file whose page was allocated
 *               ahead (fallocate, FALLOC_FL_KEEP_SIZE: the size stays 0).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BATCH 50
#define ROUNDS_MAX 1000
/* About what chaos_record_format writes. */
#define RECORD_BYTES 320

static char dir[256];
static int dir_fd = -1;
/* A record's bytes: what they say does not matter, their number does. */
static const char record_text[RECORD_BYTES] = "domid 1\n";

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void path_of(char *out, size_t len, const char *prefix, int i)
{
	snprintf(out, len, "%s/%s%d", dir, prefix, i);
}

static void die(const char *what)
{
	fprintf(stderr, "rig-syscost: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Remove what a batch made (untimed). */
static void clean(const char *prefix)
{
	char p[320];

	for (int i = 0; i < BATCH; i++) {
		path_of(p, sizeof(p), prefix, i);
		unlink(p);
	}
}

/* The i-th file of prefix, named from the directory (at: dir_fd) or by
 * its whole path (at: AT_FDCWD). */
static void name_of(char *out, size_t len, int at, const char *prefix, int i)
{
	if (at == AT_FDCWD)
		path_of(out, len, prefix, i);
	else
		snprintf(out, len, "%s%d", prefix, i);
}

/* A record written aside, as chaos_record_stage does. */
static void stage(int at, int i)
{
	char p[320];
	int fd;

	name_of(p, sizeof(p), at, ".new", i);
	fd = openat(at, p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
			   O_NOFOLLOW, 0600);
	if (fd < 0 || write(fd, record_text, RECORD_BYTES) != RECORD_BYTES ||
	    close(fd))
		die(p);
}

/* ... and put in place, as chaos_record_commit does. */
static void put_in_place(int at, int i)
{
	char from[320], to[320];

	name_of(from, sizeof(from), at, ".new", i);
	name_of(to, sizeof(to), at, "rec", i);
	if (renameat(at, from, at, to))
		die(from);
}

/* What a pooled shell makes ahead, for a batch (untimed): links to
 * rename, or files open to write. */
static void ahead(const char *op, int fds[BATCH])
{
	char p[320];

	for (int i = 0; i < BATCH; i++) {
		if (!strcmp(op, "claim_staged")) {
			path_of(p, sizeof(p), ".staged", i);
			if (symlinkat("1:0123456789abcdef", AT_FDCWD, p))
				die(p);
		} else {
			path_of(p, sizeof(p), ".new", i);
			fds[i] = open(p, O_WRONLY | O_CREAT | O_TRUNC |
					 O_CLOEXEC | O_NOFOLLOW, 0600);
			if (fds[i] < 0)
				die(p);
			if (!strcmp(op, "pwrite_allocated") &&
			    fallocate(fds[i], FALLOC_FL_KEEP_SIZE, 0, 4096))
				die("fallocate");
		}
	}
}

/* One batch of op: its time per call, µs. */
static double batch(const char *op)
{
	bool opened = !strcmp(op, "record_staged") ||
		      !strncmp(op, "pwrite", 6);
	char p[320], file[320], to[320];
	double t0, t1;
	struct stat st;
	struct timespec ts;
	int fds[BATCH];

	path_of(file, sizeof(file), "file", 0);
	if (!strcmp(op, "rename") || !strncmp(op, "record", 6))
		clean("rec");
	if (!strcmp(op, "rename"))
		for (int i = 0; i < BATCH; i++)
			stage(AT_FDCWD, i);
	if (!strcmp(op, "claim_staged"))
		ahead(op, fds);
	if (opened) {
		clean("rec");
		ahead(op, fds);
	}
	t0 = now_us();
	for (int i = 0; i < BATCH; i++) {
		if (!strcmp(op, "null")) {
			syscall(SYS_getppid);
		} else if (!strcmp(op, "clock")) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
		} else if (!strcmp(op, "stat")) {
			if (stat(file, &st))
				die(file);
		} else if (!strcmp(op, "access")) {
			if (syscall(SYS_faccessat2, AT_FDCWD, file, R_OK,
				    AT_EACCESS))
				die(file);
		} else if (!strcmp(op, "symlink")) {
			path_of(p, sizeof(p), "name", i);
			if (symlinkat("1:0123456789abcdef", AT_FDCWD, p))
				die(p);
		} else if (!strcmp(op, "stage")) {
			stage(AT_FDCWD, i);
		} else if (!strcmp(op, "rename")) {
			put_in_place(AT_FDCWD, i);
		} else if (!strcmp(op, "claim_staged")) {
			path_of(p, sizeof(p), ".staged", i);
			path_of(to, sizeof(to), "name", i);
			if (renameat2(AT_FDCWD, p, AT_FDCWD, to,
				      RENAME_NOREPLACE))
				die(p);
		} else if (opened) {
			if (pwrite(fds[i], record_text, RECORD_BYTES, 0) !=
			    RECORD_BYTES)
				die("pwrite");
			if (!strcmp(op, "record_staged"))
				put_in_place(AT_FDCWD, i);
		} else {
			/* record, or record_at through the kept directory. */
			int at = strcmp(op, "record_at") ? AT_FDCWD : dir_fd;

			stage(at, i);
			put_in_place(at, i);
		}
	}
	t1 = now_us();
	if (opened)
		for (int i = 0; i < BATCH; i++)
			close(fds[i]);
	clean("name");
	clean(".new");
	return (t1 - t0) / BATCH;
}

int main(int argc, char **argv)
{
	static const char *const ops[] = { "null", "clock", "stat", "access",
					   "symlink", "stage", "rename",
					   "record", "record_at",
					   "claim_staged", "record_staged",
					   "pwrite", "pwrite_allocated" };
	double *per;
	char file[320];
	long rounds;
	int fd;

	if (argc != 3 || strlen(argv[1]) >= sizeof(dir) - 16 ||
	    (rounds = atol(argv[2])) < 1 || rounds > ROUNDS_MAX) {
		fprintf(stderr, "usage: rig-syscost DIR ROUNDS (1..%d)\n",
			ROUNDS_MAX);
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s", argv[1]);
	if (mkdir(dir, 0700) && errno != EEXIST)
		die(dir);
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		die(dir);
	path_of(file, sizeof(file), "file", 0);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || close(fd))
		die(file);
	per = calloc((size_t)rounds, sizeof(*per));
	if (!per)
		die("calloc");
	for (size_t o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
		for (long r = 0; r < rounds; r++)
			per[r] = batch(ops[o]);
		qsort(per, (size_t)rounds, sizeof(*per), cmp_double);
		printf("op=%s us=%.1f\n", ops[o], per[rounds / 2]);
	}
	clean("rec");
	unlink(file);
	close(dir_fd);
	rmdir(dir);
	free(per);
	return 0;
}
