// SPDX-License-Identifier: MIT
/* The completion socket: the toolstack waits here for a vif's attach. */
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "log.h"
#include "vifname.h"

int xd_ctl_parse_request(const char *line, char ifname[IFNAMSIZ],
			 unsigned *timeout_ms, char *err, size_t errlen)
{
	const char *p = line, *name;
	unsigned long t = 0;
	size_t n;

	if (strncmp(p, "wait ", 5) != 0) {
		snprintf(err, errlen, "unknown request");
		return -1;
	}
	p += 5;
	name = p;
	while (*p && *p != ' ')
		p++;
	n = (size_t)(p - name);
	if (n == 0 || n >= IFNAMSIZ) {
		snprintf(err, errlen, "bad vif name");
		return -1;
	}
	memcpy(ifname, name, n);
	ifname[n] = '\0';
	if (!xd_is_vif_name(ifname, NULL, NULL)) {
		snprintf(err, errlen, "bad vif name");
		return -1;
	}
	if (*p != ' ' || p[1] < '0' || p[1] > '9') {
		snprintf(err, errlen, "bad timeout");
		return -1;
	}
	for (p++; *p >= '0' && *p <= '9'; p++) {
		t = t * 10 + (unsigned long)(*p - '0');
		if (t > XD_CTL_MAX_TIMEOUT_MS) {
			snprintf(err, errlen, "timeout above %u ms",
				 XD_CTL_MAX_TIMEOUT_MS);
			return -1;
		}
	}
	if (*p != '\0') {
		snprintf(err, errlen, "bad timeout");
		return -1;
	}
	*timeout_ms = (unsigned)t;
	return 0;
}

/* Is uid's user a member of group (primary or supplementary)? */
static bool user_in_group(uid_t uid, gid_t group)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	gid_t groups[256];
	int ngroups = 256;

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return false;
	if (pw.pw_gid == group)
		return true;
	if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &ngroups) < 0)
		return false;
	for (int i = 0; i < ngroups; i++)
		if (groups[i] == group)
			return true;
	return false;
}

bool xd_ctl_peer_allowed(uid_t uid, gid_t gid, bool have_gid, gid_t group)
{
	if (uid == 0)
		return true;
	if (!have_gid)
		return false;
	return gid == group || user_in_group(uid, group);
}

int xd_ctl_admit(const struct xd_ctl *ctl, uid_t uid, char *why,
		 size_t whylen)
{
	size_t mine = 0;

	if (ctl->n >= XD_CTL_MAX_CLIENTS) {
		snprintf(why, whylen, "busy: all %u connections in use",
			 XD_CTL_MAX_CLIENTS);
		return -1;
	}
	if (uid == 0)
		return 0;
	/* Fewer others than the cap: no need to count this user's. */
	for (size_t i = 0; ctl->n_others >= XD_CTL_MAX_PER_UID &&
	     i < ctl->n; i++)
		mine += ctl->c[i].uid == uid;
	if (mine >= XD_CTL_MAX_PER_UID) {
		snprintf(why, whylen, "busy: uid %u already holds %u "
			 "connections, the most one user may hold",
			 (unsigned)uid, XD_CTL_MAX_PER_UID);
		return -1;
	}
	if (ctl->n_others >= XD_CTL_MAX_CLIENTS - XD_CTL_ROOT_RESERVE) {
		snprintf(why, whylen, "busy: the last %u of %u connections "
			 "are kept for root", XD_CTL_ROOT_RESERVE,
			 XD_CTL_MAX_CLIENTS);
		return -1;
	}
	return 0;
}

int xd_ctl_open(struct xd_ctl *ctl, const char *path, int epfd,
		bool have_gid, gid_t gid)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN };
	struct stat st;
	int e;

	memset(ctl, 0, sizeof(*ctl));
	ctl->epfd = epfd;
	ctl->have_gid = have_gid;
	ctl->gid = gid;
	if (strlen(path) >= sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	ctl->c = calloc(XD_CTL_MAX_CLIENTS, sizeof(*ctl->c));
	if (!ctl->c)
		return -1;
	strcpy(addr.sun_path, path);
	/* Replace a socket left by an earlier run, never any other file. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			errno = EEXIST;
			goto fail;
		}
		unlink(path);
	}
	ctl->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			  0);
	if (ctl->lfd < 0)
		goto fail;
	if (bind(ctl->lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		goto fail_sock;
	if (chmod(path, have_gid ? 0660 : 0600) < 0 ||
	    (have_gid && chown(path, 0, gid) < 0))
		goto fail_unlink;
	if (listen(ctl->lfd, 128) < 0)
		goto fail_unlink;
	ev.data.fd = ctl->lfd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, ctl->lfd, &ev) < 0)
		goto fail_unlink;
	return 0;
fail_unlink:
	e = errno;
	unlink(path);
	errno = e;
fail_sock:
	e = errno;
	close(ctl->lfd);
	errno = e;
fail:
	e = errno;
	free(ctl->c);
	ctl->c = NULL;
	errno = e;
	return -1;
}

static void drop_client(struct xd_ctl *ctl, size_t i)
{
	close(ctl->c[i].fd);
	if (ctl->c[i].uid != 0)
		ctl->n_others--;
	ctl->c[i] = ctl->c[--ctl->n];
}

void xd_ctl_close(struct xd_ctl *ctl, const char *path)
{
	if (!ctl->c)
		return;
	while (ctl->n)
		drop_client(ctl, ctl->n - 1);
	close(ctl->lfd);
	unlink(path);
	free(ctl->c);
	ctl->c = NULL;
}

bool xd_ctl_owns(const struct xd_ctl *ctl, int fd)
{
	if (!ctl->c)
		return false;
	if (fd == ctl->lfd)
		return true;
	for (size_t i = 0; i < ctl->n; i++)
		if (ctl->c[i].fd == fd)
			return true;
	return false;
}

/* Send the one answer and close. The answer is tiny: one send suffices. */
static void answer(struct xd_ctl *ctl, size_t i, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void answer(struct xd_ctl *ctl, size_t i, const char *fmt, ...)
{
	char line[XD_CTL_LINE_MAX + XD_REASON_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(line))
		(void)!send(ctl->c[i].fd, line, (size_t)n,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
	drop_client(ctl, i);
}

/* Answer from the vif's state; false if it has none yet. */
static bool answer_state(struct xd_ctl *ctl, size_t i, const struct xd_vif *v)
{
	if (!v)
		return false;
	if (v->state == XD_VIF_ATTACHED)
		answer(ctl, i, "attached %s\n", v->bridge);
	else if (v->state == XD_VIF_FAILED)
		answer(ctl, i, "error %s\n", v->reason);
	else
		return false;
	return true;
}

/* A peer hammering a full socket must not flood the log either. */
static void log_busy(struct xd_ctl *ctl, const struct ucred *cred,
		     const char *why, uint64_t now_ms)
{
	if (ctl->busy_logged && now_ms - ctl->busy_log_ms < 1000) {
		ctl->busy_quiet++;
		return;
	}
	if (ctl->busy_quiet)
		xd_log(LOG_WARNING, "control: %s; refused pid %d uid %u (and "
		       "%u more since the last such line)", why,
		       (int)cred->pid, (unsigned)cred->uid, ctl->busy_quiet);
	else
		xd_log(LOG_WARNING, "control: %s; refused pid %d uid %u", why,
		       (int)cred->pid, (unsigned)cred->uid);
	ctl->busy_logged = true;
	ctl->busy_log_ms = now_ms;
	ctl->busy_quiet = 0;
}

static void accept_clients(struct xd_ctl *ctl, uint64_t now_ms)
{
	for (;;) {
		struct epoll_event ev = { .events = EPOLLIN };
		struct ucred cred;
		socklen_t len = sizeof(cred);
		char why[XD_CTL_LINE_MAX];
		int fd;

		fd = accept4(ctl->lfd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR)
				xd_log(LOG_WARNING, "control accept: %s",
				       strerror(errno));
			return;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
		    !xd_ctl_peer_allowed(cred.uid, cred.gid, ctl->have_gid,
					 ctl->gid)) {
			xd_log(LOG_WARNING,
			       "control: refused peer pid %d uid %u gid %u",
			       (int)cred.pid, (unsigned)cred.uid,
			       (unsigned)cred.gid);
			(void)!send(fd, "error permission denied\n", 24,
				    MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
			continue;
		}
		if (xd_ctl_admit(ctl, cred.uid, why, sizeof(why)) < 0) {
			char line[XD_CTL_LINE_MAX + 8];
			int n = snprintf(line, sizeof(line), "error %s\n", why);

			log_busy(ctl, &cred, why, now_ms);
			(void)!send(fd, line, (size_t)n,
				    MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
			continue;
		}
		ev.data.fd = fd;
		if (epoll_ctl(ctl->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			continue;
		}
		memset(&ctl->c[ctl->n], 0, sizeof(ctl->c[0]));
		ctl->c[ctl->n].fd = fd;
		ctl->c[ctl->n].uid = cred.uid;
		if (cred.uid != 0)
			ctl->n_others++;
		/* A silent client must not hold a slot for ever. */
		ctl->c[ctl->n++].deadline_ms = now_ms + XD_CTL_REQUEST_MS;
	}
}

static void client_readable(struct xd_ctl *ctl, size_t i,
			    struct xd_vifs *vifs, uint64_t now_ms)
{
	struct xd_ctl_client *c = &ctl->c[i];
	char err[64];
	unsigned timeout;
	char *nl;
	ssize_t r;

	if (c->waiting) {
		/* One request per connection: drain, and notice a hang-up. */
		char scratch[256];

		r = recv(c->fd, scratch, sizeof(scratch), 0);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
			drop_client(ctl, i);    /* the waiter gave up */
		return;
	}
	r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, 0);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		drop_client(ctl, i);
		return;
	}
	c->len += (size_t)r;
	c->buf[c->len] = '\0';
	nl = memchr(c->buf, '\n', c->len);
	if (!nl) {
		if (c->len == sizeof(c->buf) - 1 || memchr(c->buf, 0, c->len))
			answer(ctl, i, "error request too long\n");
		return;
	}
	*nl = '\0';
	if (xd_ctl_parse_request(c->buf, c->vif, &timeout, err,
				 sizeof(err)) < 0) {
		answer(ctl, i, "error %s\n", err);
		return;
	}
	if (answer_state(ctl, i, xd_vifs_find(vifs, c->vif)))
		return;
	if (timeout == 0) {
		answer(ctl, i, "timeout\n");
		return;
	}
	c->waiting = true;
	c->deadline_ms = now_ms + timeout;
}

void xd_ctl_event(struct xd_ctl *ctl, int fd, struct xd_vifs *vifs,
		  uint64_t now_ms)
{
	if (fd == ctl->lfd) {
		accept_clients(ctl, now_ms);
		return;
	}
	for (size_t i = 0; i < ctl->n; i++) {
		if (ctl->c[i].fd == fd) {
			client_readable(ctl, i, vifs, now_ms);
			return;
		}
	}
}

void xd_ctl_notify(struct xd_ctl *ctl, const struct xd_vif *vif)
{
	size_t i = 0;

	while (i < ctl->n) {
		if (ctl->c[i].waiting && !strcmp(ctl->c[i].vif, vif->name) &&
		    answer_state(ctl, i, vif))
			continue;       /* slot i now holds another client */
		i++;
	}
}

int xd_ctl_next_timeout(const struct xd_ctl *ctl, uint64_t now_ms)
{
	uint64_t best = UINT64_MAX;

	for (size_t i = 0; i < ctl->n; i++)
		if (ctl->c[i].deadline_ms < best)
			best = ctl->c[i].deadline_ms;
	if (best == UINT64_MAX)
		return -1;
	return best <= now_ms ? 0 : (int)(best - now_ms);
}

void xd_ctl_expire(struct xd_ctl *ctl, uint64_t now_ms)
{
	size_t i = 0;

	while (i < ctl->n) {
		if (ctl->c[i].deadline_ms <= now_ms) {
			if (ctl->c[i].waiting)
				answer(ctl, i, "timeout\n");
			else
				answer(ctl, i, "error no request\n");
			continue;
		}
		i++;
	}
}
