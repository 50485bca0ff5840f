// SPDX-License-Identifier: MIT
/* Whole-buffer I/O, opening files that must be regular, writing files safely. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/util.h"

int chaos_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Opened read-only without blocking and checked regular; the fd stays
 * non-blocking. */
static int open_regular_nonblocking(const char *path, const char *what,
				    struct stat *st, chaos_err *err)
{
	int fd;

	/* O_NONBLOCK: opening a FIFO would wait for a writer, for ever. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return chaos_err_set(err, errno, "%s%s%s: %s", what,
				     *what ? " " : "", path, strerror(errno));
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return chaos_err_set(err, EINVAL, "%s%s%s: not a regular file",
				     what, *what ? " " : "", path);
	}
	return fd;
}

int chaos_open_regular(const char *path, const char *what, struct stat *st,
		       chaos_err *err)
{
	int fd, flags;

	fd = open_regular_nonblocking(path, what, st, err);
	if (fd < 0)
		return -1;
	/* A regular file never blocks; readers expect blocking semantics. */
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		int e = errno;

		close(fd);
		return chaos_err_set(err, e, "%s%s%s: %s", what,
				     *what ? " " : "", path, strerror(e));
	}
	return fd;
}

int chaos_check_regular(const char *path, const char *what, struct stat *st,
			chaos_err *err)
{
	int fd = open_regular_nonblocking(path, what, st, err);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int chaos_check_readable_regular(const char *path, const struct stat *st,
				 const char *what, chaos_err *err)
{
	struct stat again;

	if (!S_ISREG(st->st_mode))
		return chaos_err_set(err, EINVAL, "%s%s%s: not a regular file",
				     what, *what ? " " : "", path);
	/* AT_EACCESS: with the file rights in force (a daemon's client's),
	 * not the real uid's. Raw, since the C library's fallback for old
	 * kernels would check the effective uid instead. */
	if (syscall(SYS_faccessat2, AT_FDCWD, path, R_OK, AT_EACCESS) == 0)
		return 0;
	if (errno != ENOSYS)
		return chaos_err_set(err, errno, "%s%s%s: %s", what,
				     *what ? " " : "", path, strerror(errno));
	return chaos_check_regular(path, what, &again, err);
}

/* path's directory into dir ("." for a bare name). */
static void dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/* "<path>.XXXXXX" with the X's random, into tmp. */
static int random_name(const char *path, char *tmp, size_t tmp_len)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[6];
	size_t n;

	if ((size_t)snprintf(tmp, tmp_len, "%s.XXXXXX", path) >= tmp_len)
		return -1;
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return -1;
	n = strlen(tmp);
	for (size_t i = 0; i < sizeof(r); i++)
		tmp[n - sizeof(r) + i] = set[r[i] % (sizeof(set) - 1)];
	return 0;
}

int chaos_file_create_temp(const char *path, char *tmp, size_t tmp_len,
			   chaos_err *err)
{
	int fd;

	if ((size_t)snprintf(tmp, tmp_len, "%s.XXXXXX", path) >= tmp_len)
		return chaos_err_set(err, ENAMETOOLONG, "%s: path too long",
				     path);
	/* A fresh name, created exclusively: nothing someone else put in
	 * the directory (a symlink to a file of theirs or ours) is followed
	 * or truncated. */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		/* Named by path: the temporary name is random. */
		return chaos_err_set(err, errno,
				     "%s: cannot create a file beside it: %s",
				     path, strerror(errno));
	return fd;
}

int chaos_file_create_unnamed(const char *path, char *tmp, size_t tmp_len,
			      chaos_err *err)
{
	char dir[4096];
	int fd;

	if ((size_t)snprintf(tmp, tmp_len, "%s.XXXXXX", path) >= tmp_len)
		return chaos_err_set(err, ENAMETOOLONG, "%s: path too long",
				     path);
	/* No name until commit: a process killed before it (a save killed
	 * half-way) leaves nothing in the directory; the kernel frees the
	 * file with its last descriptor. */
	dir_of(path, dir, sizeof(dir));
	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0) {
		tmp[0] = '\0';
		return fd;
	}
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return chaos_err_set(err, errno,
				     "%s: cannot create a file beside it: %s",
				     path, strerror(errno));
	/* A file system without unnamed files: a named one, as above. */
	return chaos_file_create_temp(path, tmp, tmp_len, err);
}

/* An unnamed file (O_TMPFILE) gets a fresh name beside path, into name. */
static int link_unnamed(int fd, const char *path, char *name, size_t len)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	for (int tries = 0; tries < 16; tries++) {
		if (random_name(path, name, len))
			return -1;
		if (linkat(AT_FDCWD, proc, AT_FDCWD, name,
			   AT_SYMLINK_FOLLOW) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

int chaos_file_commit(int fd, const char *tmp, const char *path, bool keep,
		      chaos_err *err)
{
	char dir[4096], named[4096 + 8];
	int dfd, e;

	if (fsync(fd)) {
		e = errno;
		close(fd);
		if (!keep && tmp[0])
			unlink(tmp);
		return chaos_err_set(err, e, "%s: write failed: %s",
				     tmp[0] ? tmp : path, strerror(e));
	}
	if (!tmp[0]) {
		/* Named beside path, then renamed over it: path is the old
		 * file or the new one, never a part of either. */
		if (link_unnamed(fd, path, named, sizeof(named))) {
			e = errno;
			close(fd);
			return chaos_err_set(err, e, "%s: cannot name the file "
					     "written for it: %s", path,
					     strerror(e));
		}
		tmp = named;
	}
	if (close(fd) || rename(tmp, path)) {
		e = errno;
		if (!keep)
			unlink(tmp);
		else
			return chaos_err_set(err, e, "%s: %s (the image is in %s)",
					     path, strerror(e), tmp);
		return chaos_err_set(err, e, "%s: %s", path, strerror(e));
	}
	/* The rename itself is durable only once the directory is. */
	dir_of(path, dir, sizeof(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd)) {
		e = errno;
		if (dfd >= 0)
			close(dfd);
		return chaos_err_set(err, e, "%s: cannot sync its directory: %s",
				     path, strerror(e));
	}
	close(dfd);
	return 0;
}

ssize_t chaos_read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}
