/* SPDX-License-Identifier: MIT */
#ifndef XENDEVD_RTNL_H
#define XENDEVD_RTNL_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

/* A synchronous rtnetlink channel: one request, one answer. */
struct xd_rtnl {
	int fd;
	uint32_t seq;
	char *buf;
	size_t buflen;
};

struct xd_link {
	int ifindex;
	int master;                     /* 0 if none */
	unsigned flags;                 /* IFF_* */
	char name[IFNAMSIZ];
	char kind[16];                  /* IFLA_INFO_KIND, "" if none */
};

int xd_rtnl_open(struct xd_rtnl *rt);
void xd_rtnl_close(struct xd_rtnl *rt);

/* Look a link up by name. Returns 0 or a negative errno (-ENODEV). */
int xd_rtnl_get_link(struct xd_rtnl *rt, const char *name,
		     struct xd_link *link);

/*
 * Set a link's master (0 = none) and bring it up (up > 0) or down
 * (up < 0), in one request. master < 0 leaves the master alone, up = 0
 * the flags. Returns 0 or a negative errno.
 */
int xd_rtnl_set_link(struct xd_rtnl *rt, int ifindex, int master, int up);

/* Call fn for every link; stops early if fn returns nonzero. 0 or -errno. */
int xd_rtnl_dump_links(struct xd_rtnl *rt,
		       int (*fn)(const struct xd_link *link, void *arg),
		       void *arg);

/* Parse an RTM_NEWLINK message body; -1 if malformed. Exposed for tests. */
int xd_rtnl_parse_link(const void *msg, size_t len, struct xd_link *link);

#endif
