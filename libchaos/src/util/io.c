// SPDX-License-Identifier: MIT
/* Whole-buffer I/O on blocking descriptors. */
#include <errno.h>
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
