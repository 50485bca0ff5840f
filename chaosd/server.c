// SPDX-License-Identifier: MIT
/*
 * The socket loop: accepts clients (root or the configured group only),
 * reassembles frames from whatever the reads deliver, answers each request
 * in turn, and drops clients that are slow, idle too long or send a frame
 * that cannot be resynchronised (bad length).
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "consoles.h"
#include "daemon.h"
#include "reply.h"

#define MAX_CLIENTS      64
#define FRAME_TIMEOUT_MS 5000    /* a started frame must complete in this */
#define IDLE_TIMEOUT_MS  300000  /* an idle connection is closed after this */
#define REPLY_TIMEOUT_MS 2000    /* a client must take its reply in this */
#define MAX_GROUPS       256

struct client {
	int fd;
	uid_t uid;
	uint8_t hdr[4];
	size_t have;             /* bytes of the current frame so far */
	uint32_t len;            /* body length once the header is in */
	char *body;
	long long deadline;      /* ms: frame or idle timeout */
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void client_reset(struct client *c)
{
	free(c->body);
	c->body = NULL;
	c->have = 0;
	c->len = 0;
	c->deadline = now_ms() + IDLE_TIMEOUT_MS;
}

static void client_drop(struct client *c)
{
	free(c->body);
	c->body = NULL;
	close(c->fd);
	c->fd = -1;
}

/*
 * Root, or a process in the configured group: its primary group or one of
 * its supplementary groups as the kernel saw them at connect time
 * (SO_PEERGROUPS), the same credentials the socket's mode was checked
 * against. Kernels without SO_PEERGROUPS (before 4.13): the user's groups
 * from the group database.
 */
static bool peer_allowed(struct daemon *d, int fd, const struct ucred *cr)
{
	gid_t groups[MAX_GROUPS];
	socklen_t len = sizeof(groups);
	int n = MAX_GROUPS;
	struct passwd pw, *pwp = NULL;
	char buf[4096];

	if (cr->uid == 0)
		return true;
	if (!d->group_set)
		return false;
	if (cr->gid == d->group)
		return true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0) {
		n = (int)(len / sizeof(gid_t));
	} else if (errno == ENOPROTOOPT) {
		if (getpwuid_r(cr->uid, &pw, buf, sizeof(buf), &pwp) || !pwp ||
		    getgrouplist(pwp->pw_name, pwp->pw_gid, groups, &n) < 0)
			return false;
	} else {
		/* ERANGE: more groups than we look at; refuse, never guess. */
		return false;
	}
	for (int i = 0; i < n; i++)
		if (groups[i] == d->group)
			return true;
	return false;
}

static void accept_one(struct daemon *d, struct client *clients)
{
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	struct client *c = NULL;
	int fd = accept4(d->listen_fd, NULL, NULL,
			 SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) ||
	    !peer_allowed(d, fd, &cr)) {
		dlog("refused a client (uid %d, gid %d)", (int)cr.uid,
		     (int)cr.gid);
		reply_error_send(fd, "permission denied: chaosd serves root and its group only",
				 REPLY_TIMEOUT_MS);
		close(fd);
		return;
	}
	for (int i = 0; i < MAX_CLIENTS && !c; i++)
		if (clients[i].fd < 0)
			c = &clients[i];
	if (!c) {
		reply_error_send(fd, "busy: too many clients", REPLY_TIMEOUT_MS);
		close(fd);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->uid = cr.uid;
	client_reset(c);
}

static void answer(struct daemon *d, struct client *c)
{
	char *resp = NULL;
	size_t len = 0;
	uint32_t stream_domid;
	chaos_err err;

	if (ops_handle(d, c->body, c->len, &resp, &len, &stream_domid)) {
		client_drop(c);
		return;
	}
	if (!resp) {
		/* A console stream: the connection is the console thread's
		 * now, which answers the request itself. */
		consoles_stream(d->consoles, c->fd, stream_domid);
		free(c->body);
		c->body = NULL;
		c->fd = -1;
		return;
	}
	if (chaosd_frame_write(c->fd, resp, len, REPLY_TIMEOUT_MS, &err)) {
		dlog("client dropped: %s", err.msg);
		client_drop(c);
	} else {
		client_reset(c);
	}
	free(resp);
}

/* Read what is there; answer a frame once complete. */
static void client_read(struct daemon *d, struct client *c)
{
	chaos_err err;
	ssize_t n;

	if (c->have < sizeof(c->hdr)) {
		n = read(c->fd, c->hdr + c->have, sizeof(c->hdr) - c->have);
		if (n <= 0) {
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return;
			client_drop(c);
			return;
		}
		if (c->have == 0)
			c->deadline = now_ms() + FRAME_TIMEOUT_MS;
		c->have += (size_t)n;
		if (c->have < sizeof(c->hdr))
			return;
		if (chaosd_frame_length(c->hdr, &c->len, &err)) {
			/* The stream cannot be resynchronised: answer, close. */
			reply_error_send(c->fd, err.msg, REPLY_TIMEOUT_MS);
			client_drop(c);
			return;
		}
		c->body = malloc((size_t)c->len + 1);
		if (!c->body) {
			reply_error_send(c->fd, "out of memory",
					 REPLY_TIMEOUT_MS);
			client_drop(c);
			return;
		}
	}
	n = read(c->fd, c->body + (c->have - sizeof(c->hdr)),
		 c->len - (c->have - sizeof(c->hdr)));
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		client_drop(c);  /* closed mid-frame: nobody to answer */
		return;
	}
	c->have += (size_t)n;
	if (c->have == sizeof(c->hdr) + c->len) {
		c->body[c->len] = '\0';
		answer(d, c);
	}
}

static void drain_wake(struct daemon *d)
{
	char buf[64];

	while (read(d->wake_rd, buf, sizeof(buf)) > 0)
		;
}

int server_run(struct daemon *d)
{
	struct client clients[MAX_CLIENTS];
	struct pollfd pfd[MAX_CLIENTS + 2];
	struct client *owner[MAX_CLIENTS + 2];

	for (int i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;
	while (!d->stop) {
		long long now = now_ms(), next = now + 1000;
		int n = 0, rc;

		pfd[n].fd = d->listen_fd;
		pfd[n].events = POLLIN;
		owner[n++] = NULL;
		pfd[n].fd = d->wake_rd;
		pfd[n].events = POLLIN;
		owner[n++] = NULL;
		for (int i = 0; i < MAX_CLIENTS; i++) {
			struct client *c = &clients[i];

			if (c->fd < 0)
				continue;
			if (now >= c->deadline) {
				if (c->have)
					reply_error_send(c->fd,
							 "timeout: frame not completed in time",
							 REPLY_TIMEOUT_MS);
				client_drop(c);
				continue;
			}
			if (c->deadline < next)
				next = c->deadline;
			pfd[n].fd = c->fd;
			pfd[n].events = POLLIN;
			owner[n++] = c;
		}
		rc = poll(pfd, (nfds_t)n, (int)(next - now));
		if (rc < 0 && errno != EINTR) {
			dlog("poll: %s", strerror(errno));
			return -1;
		}
		if (rc <= 0)
			continue;
		if (pfd[1].revents & POLLIN) {
			drain_wake(d);
			if (!d->stop)
				reap_all(d);
		}
		for (int i = 2; i < n; i++)
			if (pfd[i].revents && owner[i]->fd >= 0)
				client_read(d, owner[i]);
		if (pfd[0].revents & POLLIN)
			accept_one(d, clients);
	}
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (clients[i].fd >= 0)
			client_drop(&clients[i]);
	return 0;
}
