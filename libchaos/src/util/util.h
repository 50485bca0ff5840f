/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_UTIL_LAYER_H
#define CHAOS_UTIL_LAYER_H

/*
 * Layer util: Shared helpers that know nothing of Xen: errors, clocks, I/O loops, JSON writing.
 * Internal to libchaos: declarations grouped by the file that defines them.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <sys/types.h>
#include <yajl/yajl_gen.h>
#include <chaos/error.h>

/* Guest memory is given in MiB and built in 4 KiB pages. */
#define PAGES_PER_MIB 256u

/* ---- error.c ---- */

/* Fill err: code plus printf-style message. Always returns -1. */
int chaos_err_set(chaos_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same with a va_list (for wrappers that add to the message). */
void chaos_err_vset(chaos_err *err, int code, const char *fmt, va_list ap);

/* ---- clock.c ---- */

/* CLOCK_MONOTONIC, for timeouts and --timing: the public clock
 * (chaos/clock.h) under the library's short names. */
#include <chaos/clock.h>
#define chaos_now_us chaos_clock_us
#define chaos_now_ms chaos_clock_ms

/*
 * The time since t0 added to *acc; returns the time now (the next t0).
 * One clock read per phase boundary: where the clock is a system call
 * (a PV dom0 without a vDSO clock), each read costs tens of
 * microseconds in a create.
 */
static inline uint64_t chaos_lap(uint64_t *acc, uint64_t t0)
{
	uint64_t now = chaos_now_us();

	*acc += now - t0;
	return now;
}

/* ---- io.c ---- */

/* Write all of buf to a blocking fd, retrying short writes and EINTR;
 * -1 with errno set on error. */
int chaos_write_all(int fd, const void *buf, size_t len);

/*
 * Write a file safely: create_temp makes "<path>.XXXXXX" exclusively (the
 * fd, or -1); commit syncs it, renames it over path and syncs the
 * directory. On commit's failure the temporary file is gone, unless keep
 * (it may hold the only copy of something: the message names it); fd is
 * closed either way.
 *
 * create_unnamed is the same for a writer that commits before the data
 * is its only copy (a save commits before it destroys the guest): the
 * file has no name until commit (O_TMPFILE; tmp is then ""), so a writer
 * killed before commit leaves nothing behind. It falls back to
 * create_temp where the file system has no unnamed files.
 */
int chaos_file_create_temp(const char *path, char *tmp, size_t tmp_len,
			   chaos_err *err);
int chaos_file_create_unnamed(const char *path, char *tmp, size_t tmp_len,
			      chaos_err *err);
int chaos_file_commit(int fd, const char *tmp, const char *path, bool keep,
		      chaos_err *err);

/* Read up to len bytes, retrying short reads and EINTR until len or the
 * end of the file: the count, or -1 with errno. */
ssize_t chaos_read_full(int fd, void *buf, size_t len);

struct stat;
/*
 * Open path read-only, refusing anything but a regular file without ever
 * blocking (a FIFO or a device named as a kernel, ramdisk or image); *st
 * gets its fstat. The fd, or -1 with err: "<what> <path>: <reason>".
 */
int chaos_open_regular(const char *path, const char *what, struct stat *st,
		       chaos_err *err);
/* The same check, only to look: opened, fstat'ed into *st, closed
 * (three system calls, where a create counts each). 0, or -1 with err. */
int chaos_check_regular(const char *path, const char *what, struct stat *st,
			chaos_err *err);
/* Whether path, whose stat the caller has (*st), is a regular file that
 * the file rights in force may read, without opening it: one access check
 * (the open, fstat and close of chaos_check_regular on kernels without
 * faccessat2). 0, or -1 with err: "<what> <path>: <reason>". */
int chaos_check_readable_regular(const char *path, const struct stat *st,
				 const char *what, chaos_err *err);

/* ---- cred.c ---- */

/* A user's file-system credentials, for opening files with its rights. */
#define CHAOS_FSCRED_GROUPS_MAX 256
struct chaos_fscred {
	uint32_t uid;
	uint32_t gid;
	size_t ngroups;                           /* supplementary groups */
	gid_t groups[CHAOS_FSCRED_GROUPS_MAX];
};
struct chaos_fscred_saved {
	bool active;
	uint32_t fsuid, fsgid;
	size_t ngroups;
	gid_t *groups;
};

/*
 * Switch the calling thread's (only) fsuid, fsgid and groups to who's,
 * until chaos_fscred_leave: every open in between is checked as who. No
 * switch (and leave does nothing) when who is NULL, root, or the process's
 * own uid. -1 with err when the process may not switch (not root).
 */
int chaos_fscred_enter(const struct chaos_fscred *who,
		       struct chaos_fscred_saved *saved, chaos_err *err);
/* Back to the saved credentials; aborts if that fails. */
void chaos_fscred_leave(struct chaos_fscred_saved *saved);

/* ---- hex.c ---- */

/* (in, n) as 2n lower-case hex digits and a NUL into out. */
void chaos_hex_encode(const uint8_t *in, size_t n, char *out);
/* Exactly 2n lower-case hex digits at hex into n bytes at out: 0, or -1
 * at the first that is not one (out then partly written). */
int chaos_hex_decode(const char *hex, size_t n, uint8_t *out);

/* ---- json.c ---- */

/* Small wrappers so JSON writers read as a list of fields. */
yajl_gen chaos_json_begin(chaos_err *err);
/* pretty false: one line without spaces (for wire protocols). */
yajl_gen chaos_json_begin_as(bool pretty, chaos_err *err);
void chaos_json_key(yajl_gen g, const char *key);
void chaos_json_str(yajl_gen g, const char *key, const char *value);
void chaos_json_uint(yajl_gen g, const char *key, unsigned long long value);
void chaos_json_double(yajl_gen g, const char *key, double value);
void chaos_json_bool(yajl_gen g, const char *key, bool value);
/* Copies the buffer into *json (caller frees) and frees the generator. */
int chaos_json_finish(yajl_gen g, char **json, chaos_err *err);

#endif
