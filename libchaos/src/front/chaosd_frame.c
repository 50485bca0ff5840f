// SPDX-License-Identifier: MIT
/*
 * chaosd protocol: frames on a stream socket, and the file descriptors a
 * frame may carry (SCM_RIGHTS): a client opens files and transports with
 * its own credentials and hands chaosd the descriptors, never a path.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <chaos/chaosd.h>

#include "front/front.h"


/*
 * A frame's time limit. The deadline is taken from the clock only when the
 * frame first has to wait: most frames never do, and where the clock is a
 * system call (a PV dom0) each read counts.
 */
struct frame_clock {
	int timeout_ms;         /* < 0: none */
	bool started;           /* deadline is set */
	long long deadline;
};

/* Wait for fd to be ready for events; -1 with ETIMEDOUT past the frame's
 * deadline. */
static int wait_fd(int fd, short events, struct frame_clock *c)
{
	struct pollfd p = { .fd = fd, .events = events };
	int left = -1, n;

	if (c->timeout_ms >= 0) {
		long long now = chaos_now_ms(), l;

		if (!c->started) {
			c->deadline = now + c->timeout_ms;
			c->started = true;
		}
		l = c->deadline - now;
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
		return c->timeout_ms >= 0 && chaos_now_ms() >= c->deadline ?
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

/* Close fds[0..n) (descriptors a peer sent that nobody will use). */
void chaosd_fds_close(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* One sendmsg of iov with (fds) attached: the bytes sent, or -1. */
static ssize_t send_fds(int fd, struct iovec *iov, int iovcnt, const int *fds,
			size_t nfds)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * CHAOSD_FRAME_FDS_MAX)];
	} ctl;
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t)iovcnt };
	struct cmsghdr *c;

	memset(&ctl, 0, sizeof(ctl));
	m.msg_control = ctl.buf;
	m.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	return sendmsg(fd, &m, 0);
}

/*
 * Write all of iov (header and body together: one system call, and one
 * wake-up of the reader, for a frame that fits the socket's buffer); the
 * fds go with the first byte that leaves.
 */
static int write_all(int fd, struct iovec *iov, int iovcnt, const int *fds,
		     size_t nfds, struct frame_clock *clock, chaos_err *err)
{
	while (iovcnt) {
		ssize_t n = nfds ? send_fds(fd, iov, iovcnt, fds, nfds) :
				   writev(fd, iov, iovcnt);

		if (n > 0) {
			nfds = 0;
			while (iovcnt && (size_t)n >= iov->iov_len) {
				n -= (ssize_t)iov->iov_len;
				iov++;
				iovcnt--;
			}
			if (iovcnt) {
				iov->iov_base = (uint8_t *)iov->iov_base + n;
				iov->iov_len -= (size_t)n;
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_fd(fd, POLLOUT, clock))
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

int chaosd_frame_write_fds(int fd, const void *buf, size_t len,
			   const int *fds, size_t nfds, int timeout_ms,
			   chaos_err *err)
{
	struct frame_clock clock = { .timeout_ms = timeout_ms };
	uint8_t hdr[4];
	struct iovec iov[2] = {
		{ .iov_base = hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)buf, .iov_len = len },
	};

	if (len == 0 || len > CHAOSD_FRAME_MAX)
		return chaos_err_set(err, EMSGSIZE,
				     "frame: %zu bytes is not from 1 to %u", len,
				     CHAOSD_FRAME_MAX);
	if (nfds > CHAOSD_FRAME_FDS_MAX)
		return chaos_err_set(err, EINVAL,
				     "frame: %zu file descriptors, more than the %u allowed",
				     nfds, CHAOSD_FRAME_FDS_MAX);
	for (size_t i = 0; i < nfds; i++)
		if (fds[i] < 0)
			return chaos_err_set(err, EBADF,
					     "frame: file descriptor %d", fds[i]);
	chaosd_frame_header((uint32_t)len, hdr);
	return write_all(fd, iov, 2, fds, nfds, &clock, err);
}

int chaosd_frame_write(int fd, const void *buf, size_t len, int timeout_ms,
		       chaos_err *err)
{
	return chaosd_frame_write_fds(fd, buf, len, NULL, 0, timeout_ms, err);
}

/*
 * Take the descriptors of one received message into fds[*nfds..]. Any
 * past CHAOSD_FRAME_FDS_MAX, and all of them when fds is NULL (the caller
 * takes none), are closed: a hostile peer cannot fill our table. -1 with
 * errno EPROTO when some were refused.
 */
static int take_fds(struct msghdr *m, int *fds, size_t *nfds)
{
	bool refused = (m->msg_flags & MSG_CTRUNC) != 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int got;

			memcpy(&got, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (fds && *nfds < CHAOSD_FRAME_FDS_MAX) {
				fds[(*nfds)++] = got;
			} else {
				close(got);
				refused = true;
			}
		}
	}
	if (refused) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

ssize_t chaosd_frame_recv(int fd, void *buf, size_t len, int *fds,
			  size_t *nfds, chaos_err *err)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * CHAOSD_FRAME_FDS_MAX)];
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf) };
	size_t none = 0;
	ssize_t n;

	if (!nfds)
		nfds = &none;
	n = recvmsg(fd, &m, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return chaos_err_set(err, errno, "frame: read: %s",
				     strerror(errno));
	if (take_fds(&m, fds, nfds)) {
		if (fds)
			chaosd_fds_close(fds, *nfds);
		*nfds = 0;
		return chaos_err_set(err, EPROTO,
				     "frame: more than %u file descriptors",
				     CHAOSD_FRAME_FDS_MAX);
	}
	return n;
}

/* Read exactly len bytes. Returns the bytes read before EOF if short. */
static int read_all(int fd, uint8_t *p, size_t len, int *fds, size_t *nfds,
		    struct frame_clock *clock, size_t *got, chaos_err *err)
{
	*got = 0;
	while (*got < len) {
		chaos_err rerr;
		ssize_t n = chaosd_frame_recv(fd, p + *got, len - *got, fds,
					      nfds, &rerr);

		if (n > 0) {
			*got += (size_t)n;
			continue;
		}
		if (n == 0)
			return 0;
		if (rerr.code == EINTR)
			continue;
		if (rerr.code == EAGAIN || rerr.code == EWOULDBLOCK) {
			if (wait_fd(fd, POLLIN, clock))
				return chaos_err_set(err, errno,
						     "frame: read: %s",
						     strerror(errno));
			continue;
		}
		if (err)
			*err = rerr;
		return -1;
	}
	return 0;
}

int chaosd_frame_read_fds(int fd, char **out, size_t *len, int *fds,
			  size_t *nfds, int timeout_ms, chaos_err *err)
{
	struct frame_clock clock = { .timeout_ms = timeout_ms };
	size_t got, none = 0;
	uint8_t hdr[4];
	char *buf = NULL;
	uint32_t n;

	*out = NULL;
	*len = 0;
	if (!nfds)
		nfds = &none;
	*nfds = 0;
	if (read_all(fd, hdr, sizeof(hdr), fds, nfds, &clock, &got, err))
		goto fail;
	if (got == 0) {
		chaos_err_set(err, EPIPE, "frame: connection closed");
		goto fail;
	}
	if (got < sizeof(hdr)) {
		chaos_err_set(err, EPROTO, "frame: header cut short");
		goto fail;
	}
	if (chaosd_frame_length(hdr, &n, err))
		goto fail;
	buf = malloc((size_t)n + 1);
	if (!buf) {
		chaos_err_set(err, ENOMEM, "frame: out of memory");
		goto fail;
	}
	if (read_all(fd, (uint8_t *)buf, n, fds, nfds, &clock, &got, err))
		goto fail;
	if (got < n) {
		chaos_err_set(err, EPROTO, "frame: cut short at %zu of %u bytes",
			      got, n);
		goto fail;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
fail:
	free(buf);
	if (fds)
		chaosd_fds_close(fds, *nfds);
	*nfds = 0;
	return -1;
}

int chaosd_frame_read(int fd, char **out, size_t *len, int timeout_ms,
		      chaos_err *err)
{
	return chaosd_frame_read_fds(fd, out, len, NULL, NULL, timeout_ms, err);
}
