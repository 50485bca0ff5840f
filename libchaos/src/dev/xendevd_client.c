// SPDX-License-Identifier: MIT
/* Client of xendevd's completion socket. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chaos/xendevd.h>

#include "dev/dev.h"

#define ANSWER_MAX 256
/* How long past its own timeout xendevd may take to say "timeout". */
#define GRACE_MS 2000

static int send_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read one line (without "\n") before the deadline. 0, or -1 with errno. */
static int read_line(int fd, char *buf, size_t len, long long deadline)
{
	size_t got = 0;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - chaos_now_ms();
		ssize_t n;
		char *nl;

		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		n = poll(&pfd, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			errno = n < 0 ? errno : ETIMEDOUT;
			return -1;
		}
		n = recv(fd, buf + got, len - 1 - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			errno = n < 0 ? errno : EPROTO;
			return -1;
		}
		got += (size_t)n;
		buf[got] = '\0';
		nl = memchr(buf, '\n', got);
		if (nl) {
			*nl = '\0';
			return 0;
		}
		if (got == len - 1) {
			errno = EPROTO;
			return -1;
		}
	}
}

/* Keep only printable ASCII from an untrusted answer for messages. */
static void sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || (unsigned char)*s > '~')
			*s = '?';
}

static int parse_answer(char *line, const char *ifname, char *bridge,
			size_t bridge_len, chaos_err *err)
{
	sanitize(line);
	if (!strncmp(line, "attached ", 9)) {
		const char *br = line + 9;
		size_t n = strlen(br);

		if (n == 0 || n >= 16 || strchr(br, ' '))
			return chaos_err_set(err, EPROTO, "xendevd: bad "
					     "bridge name in '%.64s'", line);
		if (bridge && bridge_len) {
			if (n >= bridge_len)
				return chaos_err_set(err, ENOSPC, "xendevd: "
					"bridge name '%s' too long for buffer",
					br);
			memcpy(bridge, br, n + 1);
		}
		return 0;
	}
	if (!strcmp(line, "timeout"))
		return chaos_err_set(err, ETIMEDOUT, "%s: not attached to a "
				     "bridge in time", ifname);
	if (!strcmp(line, "error permission denied"))
		return chaos_err_set(err, EACCES, "xendevd: permission denied "
				     "(need root or its control-group)");
	if (!strncmp(line, "error ", 6))
		return chaos_err_set(err, EIO, "%s: xendevd: %.200s", ifname,
				     line + 6);
	return chaos_err_set(err, EPROTO, "xendevd: unexpected answer "
			     "'%.64s'", line);
}

int chaos_xendevd_wait_ifname(const char *socket_path, const char *ifname,
			      unsigned timeout_ms, char *bridge,
			      size_t bridge_len, chaos_err *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char req[64], line[ANSWER_MAX];
	long long deadline;
	int fd, n, ret;

	if (!socket_path)
		socket_path = CHAOS_XENDEVD_SOCKET;
	if (strlen(socket_path) >= sizeof(addr.sun_path))
		return chaos_err_set(err, ENAMETOOLONG, "xendevd socket path "
				     "too long: %.64s", socket_path);
	if (!ifname || !ifname[0] || strlen(ifname) >= 16 ||
	    strpbrk(ifname, " \n"))
		return chaos_err_set(err, EINVAL, "bad vif name");
	if (timeout_ms > CHAOS_XENDEVD_MAX_TIMEOUT_MS)
		return chaos_err_set(err, EINVAL, "timeout %u ms above %u ms",
				     timeout_ms, CHAOS_XENDEVD_MAX_TIMEOUT_MS);
	n = snprintf(req, sizeof(req), "wait %s %u\n", ifname, timeout_ms);
	memcpy(addr.sun_path, socket_path, strlen(socket_path) + 1);
	deadline = chaos_now_ms() + timeout_ms + GRACE_MS;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return chaos_err_set(err, errno, "socket: %s",
				     strerror(errno));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		ret = errno;
		close(fd);
		return chaos_err_set(err, ret, "xendevd at %s: %s "
				     "(is xendevd running?)", socket_path,
				     strerror(ret));
	}
	/* A refused peer may find the socket closed before it sent: read. */
	if ((send_all(fd, req, (size_t)n) < 0 && errno != EPIPE) ||
	    read_line(fd, line, sizeof(line), deadline) < 0) {
		ret = errno;
		close(fd);
		if (ret == ETIMEDOUT)
			return chaos_err_set(err, ETIMEDOUT, "%s: xendevd did "
					     "not answer in time", ifname);
		return chaos_err_set(err, ret, "xendevd at %s: %s",
				     socket_path, strerror(ret));
	}
	close(fd);
	return parse_answer(line, ifname, bridge, bridge_len, err);
}

int chaos_xendevd_wait(const char *socket_path, unsigned domid,
		       unsigned devid, unsigned timeout_ms,
		       char *bridge, size_t bridge_len, chaos_err *err)
{
	char ifname[32];

	if (domid >= 0x7FF0 || devid > 0xFFFF)
		return chaos_err_set(err, EINVAL, "bad vif %u.%u", domid,
				     devid);
	snprintf(ifname, sizeof(ifname), "vif%u.%u", domid, devid);
	return chaos_xendevd_wait_ifname(socket_path, ifname, timeout_ms,
					 bridge, bridge_len, err);
}

int chaos_vifs_wait_attached(uint32_t domid, size_t nr_vifs,
			     unsigned int timeout_ms, chaos_err *err)
{
	for (size_t i = 0; i < nr_vifs; i++) {
		chaos_err werr;

		if (chaos_xendevd_wait(NULL, domid, (unsigned int)i,
				       timeout_ms, NULL, 0, &werr) == 0)
			continue;
		/* No xendevd: the user attaches vifs by hand. */
		if (werr.code == ENOENT || werr.code == ECONNREFUSED)
			return 0;
		return chaos_err_set(err, werr.code, "vif%u.%zu: %s", domid, i,
				     werr.msg);
	}
	return 1;
}
