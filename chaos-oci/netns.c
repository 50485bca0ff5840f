// SPDX-License-Identifier: MIT
/*
 * The container's network namespace and the guest's vif.
 *
 * A container that asks for a network namespace gets one for its
 * process (the supervisor); the engine's CNI plugins then give that
 * namespace an interface with the container's address. At start the
 * guest takes that address: its vif moves into the namespace and joins
 * the interface on a bridge there, and the address comes off the
 * interface, so what answers on the container's IP is the guest and not
 * the namespace's own stack. Everything is rtnetlink, no tools run.
 */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "oci.h"

#define NL_ATTRS 256   /* bytes: a name, a nest with a kind, a u32 */

struct nl_req {
	struct nlmsghdr h;
	union {
		struct ifinfomsg link;
		struct ifaddrmsg addr;
	} u;
	char attrs[NL_ATTRS];
};

static void nl_init(struct nl_req *r, unsigned short type,
		    unsigned short flags, size_t body)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = (uint32_t)NLMSG_LENGTH(body);
	r->h.nlmsg_type = type;
	r->h.nlmsg_flags = (unsigned short)(NLM_F_REQUEST | NLM_F_ACK | flags);
}

static struct rtattr *nl_attr(struct nl_req *r, unsigned short type,
			      const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)r +
					     NLMSG_ALIGN(r->h.nlmsg_len));

	/* Callers add at most NL_ATTRS bytes (fixed, small attributes). */
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
	return a;
}

/* One request, its acknowledgement: 0 or a negative errno. */
static int nl_talk(struct nl_req *r)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	char buf[4096];
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int rc = -EPROTO;
	ssize_t n;

	if (fd < 0)
		return -errno;
	r->h.nlmsg_seq = 1;
	if (sendto(fd, r, r->h.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0) {
		rc = -errno;
		goto out;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0) {
		rc = -errno;
		goto out;
	}
	for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
	     h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_ERROR &&
		    h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
			rc = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			break;
		}
	}
out:
	close(fd);
	return rc;
}

/* An RTM_NEWLINK request about link (ifindex), 0 for a new one. */
static void link_req(struct nl_req *r, int ifindex, unsigned short flags)
{
	nl_init(r, RTM_NEWLINK, flags, sizeof(struct ifinfomsg));
	r->u.link.ifi_family = AF_UNSPEC;
	r->u.link.ifi_index = ifindex;
}

static int link_move(int ifindex, int nsfd)
{
	struct nl_req r;
	uint32_t fd = (uint32_t)nsfd;

	link_req(&r, ifindex, 0);
	nl_attr(&r, IFLA_NET_NS_FD, &fd, sizeof(fd));
	return nl_talk(&r);
}

static int bridge_add(const char *name)
{
	struct nl_req r;
	struct rtattr *info;

	link_req(&r, 0, NLM_F_CREATE | NLM_F_EXCL);
	nl_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
	info = nl_attr(&r, IFLA_LINKINFO, NULL, 0);
	nl_attr(&r, IFLA_INFO_KIND, "bridge", sizeof("bridge"));
	info->rta_len = (unsigned short)((char *)&r + r.h.nlmsg_len -
					 (char *)info);
	return nl_talk(&r);
}

/* Up, and on (master) when it is not 0. */
static int link_up(int ifindex, int master)
{
	struct nl_req r;
	uint32_t m = (uint32_t)master;

	link_req(&r, ifindex, 0);
	r.u.link.ifi_flags = IFF_UP;
	r.u.link.ifi_change = IFF_UP;
	if (master)
		nl_attr(&r, IFLA_MASTER, &m, sizeof(m));
	return nl_talk(&r);
}

static int addr_del(const struct oci_uplink *up)
{
	struct nl_req r;

	nl_init(&r, RTM_DELADDR, 0, sizeof(struct ifaddrmsg));
	r.u.addr.ifa_family = AF_INET;
	r.u.addr.ifa_prefixlen = (unsigned char)up->prefix;
	r.u.addr.ifa_index = (unsigned int)up->ifindex;
	nl_attr(&r, IFA_LOCAL, up->ip, 4);
	nl_attr(&r, IFA_ADDRESS, up->ip, 4);
	return nl_talk(&r);
}

int oci_netns_open(int pid, chaos_err *err)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return oci_fail(err, errno, "%s: %s", path, strerror(errno));
	return fd;
}

/* Into (nsfd); *home keeps where we were. */
static int enter(int nsfd, int *home, chaos_err *err)
{
	*home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*home < 0)
		return oci_fail(err, errno, "/proc/self/ns/net: %s",
				strerror(errno));
	if (setns(nsfd, CLONE_NEWNET)) {
		oci_fail(err, errno, "entering the container's network namespace: %s",
			 strerror(errno));
		close(*home);
		return -1;
	}
	return 0;
}

static int leave(int home, chaos_err *err)
{
	int rc = setns(home, CLONE_NEWNET);

	close(home);
	if (rc)
		return oci_fail(err, errno, "back to our network namespace: %s",
				strerror(errno));
	return 0;
}

static unsigned int prefix_of(const struct sockaddr *mask)
{
	uint32_t m = ntohl(((const struct sockaddr_in *)mask)->sin_addr.s_addr);

	return m ? 32u - (unsigned int)__builtin_ctz(m) : 0;
}

int oci_netns_uplink(int nsfd, struct oci_uplink *up, chaos_err *err)
{
	struct ifaddrs *all = NULL;
	int home, found = 0;

	memset(up, 0, sizeof(*up));
	if (enter(nsfd, &home, err))
		return -1;
	if (getifaddrs(&all)) {
		oci_fail(err, errno, "the container's addresses: %s",
			 strerror(errno));
		found = -1;
	}
	for (struct ifaddrs *a = all; found == 0 && a; a = a->ifa_next) {
		if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET ||
		    !a->ifa_netmask || (a->ifa_flags & IFF_LOOPBACK) ||
		    strlen(a->ifa_name) >= sizeof(up->name))
			continue;
		strcpy(up->name, a->ifa_name);
		memcpy(up->ip, &((struct sockaddr_in *)a->ifa_addr)->sin_addr, 4);
		up->prefix = prefix_of(a->ifa_netmask);
		up->ifindex = (int)if_nametoindex(a->ifa_name);
		found = up->ifindex > 0 ? 1 : 0;
	}
	if (all)
		freeifaddrs(all);
	if (leave(home, err))
		return -1;
	return found;
}

int oci_netns_plug(int nsfd, const char *vif, const struct oci_uplink *up,
		   chaos_err *err)
{
	int vif_index = (int)if_nametoindex(vif);
	int home, rc, br;

	if (vif_index <= 0)
		return oci_fail(err, ENODEV, "the guest's vif %s: %s", vif,
				strerror(errno));
	rc = link_move(vif_index, nsfd);
	if (rc)
		return oci_fail(err, -rc, "moving %s into the container's network namespace: %s",
				vif, strerror(-rc));
	if (enter(nsfd, &home, err))
		return -1;
	rc = bridge_add(OCI_NETNS_BRIDGE);
	br = rc ? 0 : (int)if_nametoindex(OCI_NETNS_BRIDGE);
	vif_index = (int)if_nametoindex(vif);
	if (rc)
		oci_fail(err, -rc, "bridge %s in the container: %s",
			 OCI_NETNS_BRIDGE, strerror(-rc));
	else if (br <= 0 || vif_index <= 0)
		rc = oci_fail(err, ENODEV, "bridge %s or %s vanished in the container",
			      OCI_NETNS_BRIDGE, vif);
	else if ((rc = link_up(up->ifindex, br)) ||
		 (rc = link_up(vif_index, br)) ||
		 (rc = link_up(br, 0)))
		oci_fail(err, -rc, "bridging %s and %s in the container: %s",
			 up->name, vif, strerror(-rc));
	else if ((rc = addr_del(up)))
		oci_fail(err, -rc, "taking the address off %s: %s", up->name,
			 strerror(-rc));
	if (leave(home, err))
		return -1;
	return rc ? -1 : 0;
}
