// SPDX-License-Identifier: MIT
/*
 * xendevd's completion socket (xendevd/ctl.c): what a client sends,
 * through the server's own accept, buffering and request parsing
 * (xd_ctl_event, xd_ctl_parse_request), over a real Unix socket. The
 * first byte sets how many bytes go per send (1 to 64), the rest is the
 * client's bytes. Then a waiting client is notified or timed out. Known
 * vifs: vif1.0 attached to br0, vif2.0 failed; vif3.0 gets attached
 * while a client may wait for it.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "fuzz.h"

static char dir[64], path[96];
static int epfd;
static struct xd_ctl ctl;
static struct xd_vifs vifs;

static void cleanup(void)
{
	xd_ctl_close(&ctl, path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct xd_vif *v;

	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof(dir), "/tmp/xendevd-fuzz-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0 || xd_ctl_open(&ctl, path, epfd, true, getgid()) < 0)
		abort();
	atexit(cleanup);
	v = xd_vifs_get(&vifs, "vif1.0");
	v->state = XD_VIF_ATTACHED;
	strcpy(v->bridge, "br0");
	v = xd_vifs_get(&vifs, "vif2.0");
	v->state = XD_VIF_FAILED;
	strcpy(v->reason, "bridge br9 does not exist");
	return 0;
}

static int client_fd(void)
{
	return ctl.n ? ctl.c[ctl.n - 1].fd : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const uint64_t now = 1000;
	char answer[256];
	size_t chunk;
	ssize_t n;
	int fd;

	if (size < 1)
		return 0;
	chunk = data[0] % 64 + 1;
	data++;
	size--;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		abort();
	xd_ctl_event(&ctl, ctl.lfd, &vifs, now);
	if (ctl.n != 1)
		abort();
	for (size_t at = 0; at < size && ctl.n; at += chunk) {
		size_t len = size - at < chunk ? size - at : chunk;

		if (send(fd, data + at, len, MSG_NOSIGNAL) != (ssize_t)len)
			break;
		xd_ctl_event(&ctl, client_fd(), &vifs, now);
	}
	if (ctl.n) {
		struct xd_vif *v = xd_vifs_get(&vifs, "vif3.0");

		v->state = XD_VIF_ATTACHED;
		strcpy(v->bridge, "xenbr0");
		xd_ctl_notify(&ctl, v);
		xd_vifs_remove(&vifs, "vif3.0");
	}
	if (ctl.n) {
		if (xd_ctl_next_timeout(&ctl, now) < 0)
			abort();
		xd_ctl_expire(&ctl, now + XD_CTL_MAX_TIMEOUT_MS + 1);
	}
	if (ctl.n)
		abort();  /* a client outlived every deadline */
	n = recv(fd, answer, sizeof(answer) - 1, MSG_DONTWAIT);
	if (n > 0) {
		answer[n] = '\0';
		FZ_SAY("answer: %s", answer);
		if (answer[n - 1] != '\n' || memchr(answer, '\n', (size_t)n - 1))
			abort();  /* one line, ended */
	}
	close(fd);
	return 0;
}
