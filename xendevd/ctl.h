/* SPDX-License-Identifier: MIT */
#ifndef XENDEVD_CTL_H
#define XENDEVD_CTL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vifs.h"

/*
 * The completion socket. One request per connection:
 *   "wait <vif> <timeout_ms>\n"  ->  "attached <bridge>\n" | "timeout\n" |
 *                                    "error <reason>\n"
 * Peers must be root or in the configured group (SO_PEERCRED).
 *
 * Slots: a wait may hold one for 600 s, so peers other than root are
 * bounded, lest the group starve chaos (root) of answers: each user holds
 * at most XD_CTL_MAX_PER_UID, all of them together leave the last
 * XD_CTL_ROOT_RESERVE to root, and a connection that has not sent its
 * request within XD_CTL_REQUEST_MS is dropped. Refusals say which limit.
 */

#define XD_CTL_LINE_MAX 128
#define XD_CTL_MAX_CLIENTS 1024
#define XD_CTL_ROOT_RESERVE 64
#define XD_CTL_MAX_PER_UID 128
#define XD_CTL_MAX_TIMEOUT_MS 600000u
#define XD_CTL_REQUEST_MS 1000u       /* to send the request line */

struct xd_ctl_client {
	int fd;
	uid_t uid;                      /* the peer's, from SO_PEERCRED */
	size_t len;
	char buf[XD_CTL_LINE_MAX];
	bool waiting;
	char vif[IFNAMSIZ];
	uint64_t deadline_ms;
};

struct xd_ctl {
	int lfd;
	int epfd;
	bool have_gid;
	gid_t gid;
	struct xd_ctl_client *c;
	size_t n;
	size_t n_others;                /* clients whose uid is not 0 */
	bool busy_logged;               /* busy refusals: one line a second */
	uint64_t busy_log_ms;
	unsigned busy_quiet;            /* refused since that line */
};

/* Parse one request line (without "\n"). 0 or -1 with the reason in err. */
int xd_ctl_parse_request(const char *line, char ifname[IFNAMSIZ],
			 unsigned *timeout_ms, char *err, size_t errlen);

/* Is a peer with these credentials allowed? */
bool xd_ctl_peer_allowed(uid_t uid, gid_t gid, bool have_gid, gid_t group);

/*
 * May a peer with this uid take a slot now? 0, or -1 with the answer
 * ("busy: ...", naming the limit reached) in why.
 */
int xd_ctl_admit(const struct xd_ctl *ctl, uid_t uid, char *why,
		 size_t whylen);

/* Listen on path (replacing a stale socket), mode 0660, group gid. */
int xd_ctl_open(struct xd_ctl *ctl, const char *path, int epfd,
		bool have_gid, gid_t gid);
void xd_ctl_close(struct xd_ctl *ctl, const char *path);

/* Is fd one of ours (listening socket or a client)? */
bool xd_ctl_owns(const struct xd_ctl *ctl, int fd);

/* Handle readiness of fd (listening socket or a client). */
void xd_ctl_event(struct xd_ctl *ctl, int fd, struct xd_vifs *vifs,
		  uint64_t now_ms);

/* A vif changed state: answer the clients waiting for it. */
void xd_ctl_notify(struct xd_ctl *ctl, const struct xd_vif *vif);

/* Milliseconds until the next client deadline, or -1 if none. */
int xd_ctl_next_timeout(const struct xd_ctl *ctl, uint64_t now_ms);

/* Answer "timeout" to expired waiters, drop clients that sent nothing. */
void xd_ctl_expire(struct xd_ctl *ctl, uint64_t now_ms);

#endif
