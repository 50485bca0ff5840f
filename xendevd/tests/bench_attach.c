// SPDX-License-Identifier: MIT
/*
 * xendevd-bench: attach latency of vifs, one at a time.
 *
 *   xendevd-bench xendevd <count> <first-domid> <bridge> <socket>
 *   xendevd-bench script  <count> <first-domid> <bridge> <script>
 *   xendevd-bench create  <count> <first-domid> <bridge> -   (baseline:
 *                         creating the veth alone, nothing attaches it)
 *
 * For each vif: note the time, create a veth pair named vif<domid>.0 over
 * rtnetlink (no fork), then either
 * wait for xendevd's completion answer (through libchaos, as chaos does) or
 * run the hotplug script the way libxl does (fork + exec of
 * "<script> online" with XENBUS_PATH, vif, ... in the environment) and wait
 * for it to exit. The vif must then be on the bridge and up. Prints one
 * latency in microseconds per line, from before the create request (the
 * uevent, hence xendevd's work, may start before the kernel acknowledges
 * the creation); the vifs are deleted at the end.
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chaos/xendevd.h>

#define MAX_COUNT 10000

struct req {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char buf[512];
};

static struct rtattr *attr(struct req *r, unsigned short type,
			   const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)r +
					       NLMSG_ALIGN(r->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) +
			  (unsigned)RTA_ALIGN(rta->rta_len);
	return rta;
}

static void nest_end(struct req *r, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((char *)r + r->nh.nlmsg_len -
					 (char *)nest);
}

static int talk(int fd, struct req *r)
{
	char buf[4096];
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	ssize_t n;

	if (send(fd, r, r->nh.nlmsg_len, 0) < 0)
		return -errno;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) ||
	    nh->nlmsg_type != NLMSG_ERROR)
		return -EPROTO;
	return ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
}

static int veth_add(int fd, const char *name, const char *peer)
{
	struct req r;
	struct rtattr *info, *data, *peer_attr;
	struct ifinfomsg peer_ifi = { .ifi_family = AF_UNSPEC };

	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(r.ifi));
	r.nh.nlmsg_type = RTM_NEWLINK;
	r.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
			   NLM_F_EXCL;
	attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
	info = attr(&r, IFLA_LINKINFO, NULL, 0);
	attr(&r, IFLA_INFO_KIND, "veth", 5);
	data = attr(&r, IFLA_INFO_DATA, NULL, 0);
	peer_attr = attr(&r, VETH_INFO_PEER, &peer_ifi, sizeof(peer_ifi));
	attr(&r, IFLA_IFNAME, peer, strlen(peer) + 1);
	nest_end(&r, peer_attr);
	nest_end(&r, data);
	nest_end(&r, info);
	return talk(fd, &r);
}

static int link_del(int fd, const char *name)
{
	struct req r;

	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(r.ifi));
	r.nh.nlmsg_type = RTM_DELLINK;
	r.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
	return talk(fd, &r);
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* Is ifname enslaved to bridge and administratively up (sysfs)? */
static int on_bridge_up(const char *ifname, const char *bridge)
{
	char path[96], target[256], flags[32];
	const char *base;
	ssize_t n;
	FILE *f;
	unsigned long fl = 0;

	snprintf(path, sizeof(path), "/sys/class/net/%s/master", ifname);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return 0;
	target[n] = '\0';
	base = strrchr(target, '/');
	if (strcmp(base ? base + 1 : target, bridge))
		return 0;
	snprintf(path, sizeof(path), "/sys/class/net/%s/flags", ifname);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(flags, sizeof(flags), f))
		fl = strtoul(flags, NULL, 16);
	fclose(f);
	return (fl & IFF_UP) != 0;
}

/* Run the hotplug script as libxl does for a vif coming online. */
static int run_script(const char *script, unsigned domid, const char *vif)
{
	char e_script[512], e_path[64], e_vif[32], e_xs[600];
	const char *xs = getenv("XENSTORED_PATH");
	char *argv[] = { (char *)script, "online", NULL };
	char *envp[8];
	int n = 0, status;
	pid_t pid;

	snprintf(e_script, sizeof(e_script), "script=%s", script);
	snprintf(e_path, sizeof(e_path), "XENBUS_PATH=backend/vif/%u/0",
		 domid);
	snprintf(e_vif, sizeof(e_vif), "vif=%s", vif);
	envp[n++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
		    "/sbin:/bin";
	envp[n++] = e_script;
	envp[n++] = e_path;
	envp[n++] = "XENBUS_TYPE=vif";
	envp[n++] = "XENBUS_BASE_PATH=backend";
	envp[n++] = e_vif;
	if (xs) {       /* only where xenstored is the stand-in */
		snprintf(e_xs, sizeof(e_xs), "XENSTORED_PATH=%s", xs);
		envp[n++] = e_xs;
	}
	envp[n] = NULL;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execve(script, argv, envp);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	unsigned count, first;
	const char *mode, *bridge, *target;
	int fd, bad = 0, ret;

	if (argc != 6) {
		fprintf(stderr, "usage: xendevd-bench xendevd|script|create <count> "
			"<first-domid> <bridge> <socket|script>\n");
		return 2;
	}
	mode = argv[1];
	count = (unsigned)strtoul(argv[2], NULL, 10);
	first = (unsigned)strtoul(argv[3], NULL, 10);
	bridge = argv[4];
	target = argv[5];
	if (count == 0 || count > MAX_COUNT || first + count >= 0x7FF0 ||
	    (strcmp(mode, "xendevd") && strcmp(mode, "script") &&
	     strcmp(mode, "create"))) {
		fprintf(stderr, "xendevd-bench: bad arguments\n");
		return 2;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		perror("xendevd-bench: rtnetlink");
		return 1;
	}
	for (unsigned i = 0; i < count; i++) {
		char vif[IFNAMSIZ], peer[IFNAMSIZ], br[16];
		unsigned domid = first + i;
		long long t0, t2;
		chaos_err err;

		snprintf(vif, sizeof(vif), "vif%u.0", domid);
		snprintf(peer, sizeof(peer), "xb%u", domid);
		t0 = now_us();
		ret = veth_add(fd, vif, peer);
		if (ret < 0) {
			fprintf(stderr, "xendevd-bench: creating %s: %s\n",
				vif, strerror(-ret));
			bad++;
			break;
		}
		if (!strcmp(mode, "xendevd"))
			ret = chaos_xendevd_wait_ifname(target, vif, 10000, br,
							sizeof(br), &err);
		else if (!strcmp(mode, "script"))
			ret = run_script(target, domid, vif);
		else
			ret = 0;
		t2 = now_us();
		if (strcmp(mode, "create") &&
		    (ret < 0 || !on_bridge_up(vif, bridge))) {
			fprintf(stderr, "xendevd-bench: %s not on %s and up "
				"(%s)\n", vif, bridge, ret < 0 && !strcmp(mode,
				"xendevd") ? err.msg : "after attach");
			bad++;
		}
		printf("%lld\n", t2 - t0);
	}
	for (unsigned i = 0; i < count; i++) {
		char vif[IFNAMSIZ];

		snprintf(vif, sizeof(vif), "vif%u.0", first + i);
		link_del(fd, vif);
	}
	close(fd);
	return bad ? 1 : 0;
}
