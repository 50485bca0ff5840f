// SPDX-License-Identifier: MIT
/* chaosd protocol: frames on a stream socket. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <chaos/chaosd.h>

#include "front/front.h"


/* Wait for fd to be ready for events; -1 with ETIMEDOUT past deadline. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int left = -1, n;

	if (deadline >= 0) {
		long long l = deadline - chaos_now_ms();

		if (l <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		left = l > 60000 ? 60000 : (int)l;
	}
	n = poll(&p, 1, left);
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	if (n == 0)
		return deadline >= 0 && chaos_now_ms() >= deadline ?
		       (errno = ETIMEDOUT, -1) : 0;
	return 0;
}

void chaosd_frame_header(uint32_t len, uint8_t hdr[4])
{
	hdr[0] = (uint8_t)(len >> 24);
	hdr[1] = (uint8_t)(len >> 16);
	hdr[2] = (uint8_t)(len >> 8);
	hdr[3] = (uint8_t)len;
}

int chaosd_frame_length(const uint8_t hdr[4], uint32_t *len, chaos_err *err)
{
	uint32_t n = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
		     (uint32_t)hdr[2] << 8 | hdr[3];

	if (n == 0)
		return chaos_err_set(err, EPROTO, "frame: empty frame");
	if (n > CHAOSD_FRAME_MAX)
		return chaos_err_set(err, EPROTO,
				     "frame: %u bytes, more than the %u allowed",
				     n, CHAOSD_FRAME_MAX);
	*len = n;
	return 0;
}

static int write_all(int fd, const uint8_t *p, size_t len, long long deadline,
		     chaos_err *err)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_fd(fd, POLLOUT, deadline))
				return chaos_err_set(err, errno,
						     "frame: write: %s",
						     strerror(errno));
			continue;
		}
		return chaos_err_set(err, n < 0 ? errno : EIO,
				     "frame: write: %s",
				     n < 0 ? strerror(errno) : "nothing written");
	}
	return 0;
}

int chaosd_frame_write(int fd, const void *buf, size_t len, int timeout_ms,
		       chaos_err *err)
{
	long long deadline = timeout_ms < 0 ? -1 : chaos_now_ms() + timeout_ms;
	uint8_t hdr[4];

	if (len == 0 || len > CHAOSD_FRAME_MAX)
		return chaos_err_set(err, EMSGSIZE,
				     "frame: %zu bytes is not from 1 to %u", len,
				     CHAOSD_FRAME_MAX);
	chaosd_frame_header((uint32_t)len, hdr);
	if (write_all(fd, hdr, sizeof(hdr), deadline, err))
		return -1;
	return write_all(fd, buf, len, deadline, err);
}

/* Read exactly len bytes. Returns the bytes read before EOF if short. */
static int read_all(int fd, uint8_t *p, size_t len, long long deadline,
		    size_t *got, chaos_err *err)
{
	*got = 0;
	while (*got < len) {
		ssize_t n = read(fd, p + *got, len - *got);

		if (n > 0) {
			*got += (size_t)n;
			continue;
		}
		if (n == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if (wait_fd(fd, POLLIN, deadline))
				return chaos_err_set(err, errno,
						     "frame: read: %s",
						     strerror(errno));
			continue;
		}
		return chaos_err_set(err, errno, "frame: read: %s",
				     strerror(errno));
	}
	return 0;
}

int chaosd_frame_read(int fd, char **out, size_t *len, int timeout_ms,
		      chaos_err *err)
{
	long long deadline = timeout_ms < 0 ? -1 : chaos_now_ms() + timeout_ms;
	uint8_t hdr[4];
	uint32_t n;
	size_t got;
	char *buf;

	*out = NULL;
	*len = 0;
	if (read_all(fd, hdr, sizeof(hdr), deadline, &got, err))
		return -1;
	if (got == 0)
		return chaos_err_set(err, EPIPE, "frame: connection closed");
	if (got < sizeof(hdr))
		return chaos_err_set(err, EPROTO, "frame: header cut short");
	if (chaosd_frame_length(hdr, &n, err))
		return -1;
	buf = malloc((size_t)n + 1);
	if (!buf)
		return chaos_err_set(err, ENOMEM, "frame: out of memory");
	if (read_all(fd, (uint8_t *)buf, n, deadline, &got, err)) {
		free(buf);
		return -1;
	}
	if (got < n) {
		free(buf);
		return chaos_err_set(err, EPROTO,
				     "frame: cut short at %zu of %u bytes", got, n);
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}
