// SPDX-License-Identifier: MIT
/* rtnetlink: look links up, put them on a Linux bridge, bring them up. */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "rtnl.h"

#define RTNL_BUF (64 * 1024)
#define RTNL_TIMEOUT_S 2

struct link_req {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char attrs[64];
};

int xd_rtnl_open(struct xd_rtnl *rt)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = RTNL_TIMEOUT_S };
	int one = 1;

	memset(rt, 0, sizeof(*rt));
	rt->fd = -1;
	rt->buflen = RTNL_BUF;
	rt->buf = malloc(rt->buflen);
	if (!rt->buf)
		return -ENOMEM;
	rt->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (rt->fd < 0)
		goto fail;
	/* A kernel that stops answering must not hang the daemon. */
	setsockopt(rt->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(rt->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (bind(rt->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		goto fail;
	return 0;
fail:
	one = -errno;
	xd_rtnl_close(rt);
	return one;
}

void xd_rtnl_close(struct xd_rtnl *rt)
{
	if (rt->fd >= 0)
		close(rt->fd);
	free(rt->buf);
	rt->buf = NULL;
	rt->fd = -1;
}

static void add_attr(struct link_req *req, unsigned short type,
		     const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)req +
					       NLMSG_ALIGN(req->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	req->nh.nlmsg_len = NLMSG_ALIGN(req->nh.nlmsg_len) +
			    (unsigned)RTA_ALIGN(rta->rta_len);
}

static int send_req(struct xd_rtnl *rt, struct link_req *req)
{
	req->nh.nlmsg_seq = ++rt->seq;
	if (send(rt->fd, req, req->nh.nlmsg_len, 0) < 0)
		return -errno;
	return 0;
}

/*
 * Read answers to the last request. For each message of our sequence that
 * is not an error or done marker, call fn. Returns 0 at the ack/done, or a
 * negative errno.
 */
static int recv_answers(struct xd_rtnl *rt,
			int (*fn)(struct nlmsghdr *nh, void *arg), void *arg)
{
	int stop = 0;

	for (;;) {
		ssize_t n = recv(rt->fd, rt->buf, rt->buflen, 0);
		struct nlmsghdr *nh;
		size_t left;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		left = (size_t)n;
		for (nh = (struct nlmsghdr *)rt->buf; NLMSG_OK(nh, left);
		     nh = NLMSG_NEXT(nh, left)) {
			if (nh->nlmsg_seq != rt->seq)
				continue;       /* late answer to an old request */
			if (nh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nh);

				if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EPROTO;
				return e->error;
			}
			if (nh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (fn && !stop)
				stop = fn(nh, arg);
			if (!(nh->nlmsg_flags & NLM_F_MULTI))
				return 0;
		}
	}
}

int xd_rtnl_parse_link(const void *msg, size_t len, struct xd_link *link)
{
	const struct nlmsghdr *nh = msg;
	const struct ifinfomsg *ifi;
	const struct rtattr *rta;
	size_t alen;

	memset(link, 0, sizeof(*link));
	if (len < NLMSG_LENGTH(sizeof(*ifi)) || nh->nlmsg_len > len ||
	    nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)) ||
	    nh->nlmsg_type != RTM_NEWLINK)
		return -1;
	ifi = NLMSG_DATA(nh);
	link->ifindex = ifi->ifi_index;
	link->flags = ifi->ifi_flags;
	alen = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
	for (rta = IFLA_RTA(ifi); RTA_OK(rta, alen);
	     rta = RTA_NEXT(rta, alen)) {
		size_t plen = RTA_PAYLOAD(rta);

		switch (rta->rta_type) {
		case IFLA_IFNAME:
			if (plen == 0 || plen > IFNAMSIZ ||
			    ((const char *)RTA_DATA(rta))[plen - 1] != '\0')
				return -1;
			memcpy(link->name, RTA_DATA(rta), plen);
			break;
		case IFLA_MASTER:
			if (plen != sizeof(uint32_t))
				return -1;
			memcpy(&link->master, RTA_DATA(rta), sizeof(int));
			break;
		case IFLA_LINKINFO: {
			const struct rtattr *in = RTA_DATA(rta);
			size_t ilen = plen;

			for (; RTA_OK(in, ilen); in = RTA_NEXT(in, ilen)) {
				size_t klen = RTA_PAYLOAD(in);

				if (in->rta_type != IFLA_INFO_KIND)
					continue;
				if (klen == 0 || klen > sizeof(link->kind))
					break;  /* a kind we do not know */
				memcpy(link->kind, RTA_DATA(in), klen);
				link->kind[klen - 1] = '\0';
			}
			break;
		}
		default:
			break;
		}
	}
	return link->name[0] ? 0 : -1;
}

static int take_link(struct nlmsghdr *nh, void *arg)
{
	struct xd_link *link = arg;

	if (xd_rtnl_parse_link(nh, nh->nlmsg_len, link) < 0)
		link->ifindex = -1;
	return 1;
}

int xd_rtnl_get_link(struct xd_rtnl *rt, const char *name,
		     struct xd_link *link)
{
	struct link_req req;
	size_t len = strlen(name);
	int ret;

	if (len == 0 || len >= IFNAMSIZ)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.ifi.ifi_family = AF_UNSPEC;
	add_attr(&req, IFLA_IFNAME, name, len + 1);
	ret = send_req(rt, &req);
	if (ret < 0)
		return ret;
	memset(link, 0, sizeof(*link));
	ret = recv_answers(rt, take_link, link);
	if (ret < 0)
		return ret;
	if (link->ifindex <= 0)
		return -EPROTO;
	return 0;
}

int xd_rtnl_set_link(struct xd_rtnl *rt, int ifindex, int master, int up)
{
	struct link_req req;
	int ret;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = RTM_NEWLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = ifindex;
	if (up) {
		req.ifi.ifi_flags = up > 0 ? IFF_UP : 0;
		req.ifi.ifi_change = IFF_UP;
	}
	if (master >= 0) {
		uint32_t m = (uint32_t)master;

		add_attr(&req, IFLA_MASTER, &m, sizeof(m));
	}
	ret = send_req(rt, &req);
	if (ret < 0)
		return ret;
	return recv_answers(rt, NULL, NULL);
}

struct dump_ctx {
	int (*fn)(const struct xd_link *link, void *arg);
	void *arg;
};

static int dump_one(struct nlmsghdr *nh, void *arg)
{
	struct dump_ctx *ctx = arg;
	struct xd_link link;

	if (xd_rtnl_parse_link(nh, nh->nlmsg_len, &link) < 0)
		return 0;
	return ctx->fn(&link, ctx->arg);
}

int xd_rtnl_dump_links(struct xd_rtnl *rt,
		       int (*fn)(const struct xd_link *link, void *arg),
		       void *arg)
{
	struct dump_ctx ctx = { fn, arg };
	struct link_req req;
	int ret;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.ifi.ifi_family = AF_UNSPEC;
	ret = send_req(rt, &req);
	if (ret < 0)
		return ret;
	return recv_answers(rt, dump_one, &ctx);
}
