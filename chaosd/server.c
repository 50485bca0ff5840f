// SPDX-License-Identifier: MIT
/*
 * The socket loop: accepts clients (root or the configured group only),
 * reassembles frames from whatever the reads deliver, answers each request
 * in turn, and drops clients that are slow, idle too long or send a frame
 * that cannot be resynchronised (bad length). A frame may carry file
 * descriptors (at most CHAOSD_FRAME_FDS_MAX; the op takes them or they
 * are closed). A client whose request started a long operation (jobs.h)
 * is not read from until its reply is sent.
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
#include "events.h"
#include "jobs.h"
#include "reply.h"

#define FRAME_TIMEOUT_MS 5000    /* a started frame must complete in this */
#define IDLE_TIMEOUT_MS  300000  /* an idle connection is closed after this */
#define MAX_GROUPS       256
#define EVENTS_SYNC_MS   1000    /* guests made or gone behind our back */
/* At most one reap per gap: each reads every domain, and thousands of
 * guests going one after the other would each ask for one. The gap grows
 * to REAP_GAP_TIMES what the last reap took, so that with any number of
 * guests reaping takes at most a fifth of the serving thread. */
#define REAP_GAP_MS      100
#define REAP_GAP_TIMES   4

struct client {
	int fd;
	uid_t uid;
	chaos_cred cred;         /* who it is: owner.h */
	uint8_t hdr[4];
	size_t have;             /* bytes of the current frame so far */
	uint32_t len;            /* body length once the header is in */
	char *body;
	long long deadline;      /* ms: frame or idle timeout */
	int fds[CHAOSD_FRAME_FDS_MAX];  /* sent with the current frame */
	size_t nfds;
	struct job *job;         /* a long operation it waits for, or NULL */
};

/* Descriptors that came with a frame nobody took. */
static void client_fds_close(struct client *c)
{
	chaosd_fds_close(c->fds, c->nfds);
	c->nfds = 0;
}

static void client_reset(struct client *c)
{
	client_fds_close(c);
	c->job = NULL;
	free(c->body);
	c->body = NULL;
	c->have = 0;
	c->len = 0;
	c->deadline = chaos_clock_ms() + IDLE_TIMEOUT_MS;
}

static void client_drop(struct client *c)
{
	client_fds_close(c);
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
	unsigned int used = 0, nonroot = 0;
	chaos_err err;
	int fd = accept4(d->listen_fd, NULL, NULL,
			 SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) ||
	    !peer_allowed(d, fd, &cr)) {
		dlog("refused a client (uid %d, gid %d)", (int)cr.uid,
		     (int)cr.gid);
		reply_error_send(fd, "permission denied: chaosd serves root and its group only",
				 CHAOSD_REPLY_TIMEOUT_MS);
		close(fd);
		return;
	}
	/* Slots beyond the ordinary ones are root's (owner.h). */
	for (int i = 0; i < CLIENTS_MAX; i++) {
		used += clients[i].fd >= 0;
		nonroot += clients[i].fd >= 0 && clients[i].uid != 0;
		if (clients[i].fd < 0 && !c)
			c = &clients[i];
	}
	if (!owner_slot_ok(cr.uid, used, nonroot)) {
		reply_error_send(fd, "busy: too many clients",
				 CHAOSD_REPLY_TIMEOUT_MS);
		close(fd);
		return;
	}
	memset(c, 0, sizeof(*c));
	if (owner_peer_cred(fd, &cr, &c->cred, &err)) {
		reply_error_send(fd, err.msg, CHAOSD_REPLY_TIMEOUT_MS);
		close(fd);
		return;
	}
	c->fd = fd;
	c->uid = cr.uid;
	client_reset(c);
}

/* Send a response on c, then wait for its next request (or drop it). */
static void send_reply(struct client *c, char *resp, size_t len)
{
	chaos_err err;

	if (chaosd_frame_write(c->fd, resp, len, CHAOSD_REPLY_TIMEOUT_MS,
			       &err)) {
		dlog("client dropped: %s", err.msg);
		client_drop(c);
	} else {
		client_reset(c);
	}
	free(resp);
}

/*
 * A subscriber: its "ok" reply, then the connection is the hub's (every
 * later frame on it is an event). The hub's room is checked first, so a
 * client is never told ok and then dropped.
 */
static void subscribe(struct daemon *d, struct client *c, char *resp,
		      size_t len)
{
	chaos_err err;

	if (!events_room(d->events)) {
		free(resp);
		if (chaosd_reply_error("busy: too many event subscribers", &resp,
				       &len)) {
			client_drop(c);
			return;
		}
		send_reply(c, resp, len);
		return;
	}
	if (chaosd_frame_write(c->fd, resp, len, CHAOSD_REPLY_TIMEOUT_MS,
			       &err)) {
		free(resp);
		dlog("client dropped: %s", err.msg);
		client_drop(c);
		return;
	}
	free(resp);
	if (events_subscribe(d->events, c->fd, c->uid, &err)) {
		client_drop(c);
		return;
	}
	dlog("events: subscriber added (uid %u)", (unsigned int)c->uid);
	free(c->body);
	c->body = NULL;
	c->fd = -1;  /* the hub's now */
}

static void answer(struct daemon *d, struct client *c)
{
	struct ops_call call = { .nfds = c->nfds, .client_fd = c->fd };
	int rc;

	memcpy(call.fds, c->fds, sizeof(call.fds));
	c->nfds = 0;  /* ops_handle's now */
	d->caller = &c->cred;
	rc = ops_handle(d, c->body, c->len, &call);
	d->caller = NULL;
	if (rc) {
		client_drop(c);
		return;
	}
	if (call.job) {
		/* Its reply comes when the job is done (collect_jobs). */
		c->job = call.job;
		return;
	}
	if (call.subscribe) {
		subscribe(d, c, call.resp, call.resp_len);
		return;
	}
	if (!call.resp) {
		/* A console stream: the connection is the console thread's
		 * now, which answers the request itself. */
		consoles_stream(d->consoles, c->fd, call.stream_domid, c->uid);
		free(c->body);
		c->body = NULL;
		c->fd = -1;
		return;
	}
	send_reply(c, call.resp, call.resp_len);
	/* What a create left for later, once its client has the answer. */
	chaos_host_tidy(d->host);
}

/* Long operations that are done: their replies went out from their
 * threads; their clients are read from again (or dropped, if the reply
 * could not be sent). */
static void collect_jobs(struct daemon *d, struct client *clients)
{
	for (int i = 0; i < CLIENTS_MAX; i++) {
		struct client *c = &clients[i];
		bool replied;

		if (c->fd >= 0 && c->job && jobs_collect(d, c->job, &replied)) {
			c->job = NULL;
			if (replied)
				client_reset(c);
			else
				client_drop(c);
		}
	}
	/* A guest that stopped before its create was announced: now. */
	if (d->reap_after_jobs) {
		d->reap_after_jobs = false;
		reap_all(d);
	}
}

/* Read what is there; answer a frame once complete. */
static void client_read(struct daemon *d, struct client *c)
{
	chaos_err err;
	ssize_t n;

	if (c->have < sizeof(c->hdr)) {
		n = chaosd_frame_recv(c->fd, c->hdr + c->have,
				      sizeof(c->hdr) - c->have, c->fds, &c->nfds,
				      &err);
		if (n <= 0) {
			if (n < 0 && (err.code == EAGAIN || err.code == EINTR))
				return;
			if (n < 0 && err.code == EPROTO)
				reply_error_send(c->fd, err.msg,
						 CHAOSD_REPLY_TIMEOUT_MS);
			client_drop(c);
			return;
		}
		if (c->have == 0)
			c->deadline = chaos_clock_ms() + FRAME_TIMEOUT_MS;
		c->have += (size_t)n;
		if (c->have < sizeof(c->hdr))
			return;
		if (chaosd_frame_length(c->hdr, &c->len, &err)) {
			/* The stream cannot be resynchronised: answer, close. */
			reply_error_send(c->fd, err.msg, CHAOSD_REPLY_TIMEOUT_MS);
			client_drop(c);
			return;
		}
		c->body = malloc((size_t)c->len + 1);
		if (!c->body) {
			reply_error_send(c->fd, "out of memory",
					 CHAOSD_REPLY_TIMEOUT_MS);
			client_drop(c);
			return;
		}
	}
	n = chaosd_frame_recv(c->fd, c->body + (c->have - sizeof(c->hdr)),
			      c->len - (c->have - sizeof(c->hdr)), c->fds,
			      &c->nfds, &err);
	if (n <= 0) {
		if (n < 0 && (err.code == EAGAIN || err.code == EINTR))
			return;
		if (n < 0 && err.code == EPROTO)
			reply_error_send(c->fd, err.msg, CHAOSD_REPLY_TIMEOUT_MS);
		client_drop(c);  /* closed mid-frame: nobody to answer */
		return;
	}
	c->have += (size_t)n;
	if (c->have == sizeof(c->hdr) + c->len) {
		c->body[c->len] = '\0';
		answer(d, c);
	}
}

/* Empty the wake-up pipe. true if a byte asked for a reaping pass: all
 * but a finished create's (a pass lists every domain; a create's worker
 * wakes the loop only to have its reply sent). */
/* reap_all now, or at the end of the gap since the last one. */
static void reap_soon(struct daemon *d)
{
	long long now = chaos_clock_ms(), took;

	if (now < d->last_reap_ms + d->reap_gap_ms) {
		d->reap_pending = true;
		return;
	}
	d->reap_pending = false;
	d->last_reap_ms = now;
	reap_all(d);
	took = chaos_clock_ms() - now;
	d->reap_gap_ms = took * REAP_GAP_TIMES > REAP_GAP_MS ?
			 took * REAP_GAP_TIMES : REAP_GAP_MS;
}

static bool drain_wake(struct daemon *d)
{
	char buf[64];
	bool reap = false;
	ssize_t n;

	while ((n = read(d->wake_rd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			reap |= buf[i] != JOBS_WAKE_CREATE;
	return reap;
}

int server_run(struct daemon *d)
{
	struct client clients[CLIENTS_MAX];
	struct pollfd pfd[CLIENTS_MAX + 2 + EVENTS_SUBSCRIBERS_MAX];
	struct client *owner[CLIENTS_MAX + 2];

	for (int i = 0; i < CLIENTS_MAX; i++)
		clients[i].fd = -1;
	while (!d->stop) {
		long long now = chaos_clock_ms(), next = now + 1000;
		size_t nsub;
		int n = 0, rc;

		pfd[n].fd = d->listen_fd;
		pfd[n].events = POLLIN;
		owner[n++] = NULL;
		pfd[n].fd = d->wake_rd;
		pfd[n].events = POLLIN;
		owner[n++] = NULL;
		for (int i = 0; i < CLIENTS_MAX; i++) {
			struct client *c = &clients[i];

			if (c->fd < 0 || c->job)
				continue;  /* a job's client waits for its reply */
			if (now >= c->deadline) {
				if (c->have)
					reply_error_send(c->fd,
							 "timeout: frame not completed in time",
							 CHAOSD_REPLY_TIMEOUT_MS);
				client_drop(c);
				continue;
			}
			if (c->deadline < next)
				next = c->deadline;
			pfd[n].fd = c->fd;
			pfd[n].events = POLLIN;
			owner[n++] = c;
		}
		if (next > d->last_sync_ms + EVENTS_SYNC_MS)
			next = d->last_sync_ms + EVENTS_SYNC_MS;
		if (d->reap_pending && next > d->last_reap_ms + d->reap_gap_ms)
			next = d->last_reap_ms + d->reap_gap_ms;
		if (next < now)
			next = now;
		nsub = events_pollfds(d->events, pfd + n,
				      EVENTS_SUBSCRIBERS_MAX);
		rc = poll(pfd, (nfds_t)(n + (int)nsub), (int)(next - now));
		if (rc < 0 && errno != EINTR) {
			dlog("poll: %s", strerror(errno));
			return -1;
		}
		if (chaos_clock_ms() >= d->last_sync_ms + EVENTS_SYNC_MS)
			events_resync(d);
		if (d->reap_pending && !d->stop &&
		    chaos_clock_ms() >= d->last_reap_ms + d->reap_gap_ms)
			reap_soon(d);
		if (rc <= 0)
			continue;
		events_service(d->events, pfd + n, nsub);
		if (pfd[1].revents & POLLIN) {
			bool reap = drain_wake(d);

			collect_jobs(d, clients);
			if (reap && !d->stop)
				reap_soon(d);
		}
		for (int i = 2; i < n; i++)
			if (pfd[i].revents && owner[i]->fd >= 0)
				client_read(d, owner[i]);
		if (pfd[0].revents & POLLIN)
			accept_one(d, clients);
		/* Creates answered above: their consoles now, and the
		 * refill may make their shells' successors. */
		consoles_flush(d->consoles);
		pool_flush(&d->pool);
	}
	for (int i = 0; i < CLIENTS_MAX; i++) {
		struct client *c = &clients[i];

		if (c->fd < 0)
			continue;
		/* A job's client keeps its connection until chaosd exits:
		 * the job still sends its reply (jobs_stop waits for it),
		 * and a descriptor closed under it could be another's by
		 * then. */
		if (c->job) {
			client_fds_close(c);
			free(c->body);
			c->body = NULL;
			continue;
		}
		client_drop(c);
	}
	return 0;
}
