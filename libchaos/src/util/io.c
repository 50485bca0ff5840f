// SPDX-License-Identifier: MIT
/* Whole-buffer I/O on blocking descriptors. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
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

int chaos_open_regular(const char *path, const char *what, struct stat *st,
		       chaos_err *err)
{
	int fd, flags;

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
