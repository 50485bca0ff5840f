// SPDX-License-Identifier: MIT
/*
 * Per-guest statistics: the hypervisor's view of a domain plus the
 * counters of its vifs' dom0 net devices (sysfs, a plain dom0 read).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <chaos/device.h>
#include <chaos/guest.h>
#include <chaos/stats.h>

#include "util/util.h"

#define SYSFS_NET "/sys/class/net"

/* One counter file: a decimal number and a newline, nothing else. */
static int read_counter(const char *path, uint64_t *out, chaos_err *err)
{
	char buf[32], *end;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return chaos_err_set(err, errno, "%s: %s", path, strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return chaos_err_set(err, EPROTO, "%s: empty", path);
	buf[n] = '\0';
	errno = 0;
	*out = strtoull(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n'))
		return chaos_err_set(err, EPROTO, "%s: not a counter", path);
	return 0;
}

int chaos_stats_read_netdev(const char *root, const char *ifname,
			    chaos_vif_stats *out, chaos_err *err)
{
	static const struct {
		const char *file;
		size_t off;
	} counters[] = {
		{ "rx_bytes", offsetof(chaos_vif_stats, rx_bytes) },
		{ "rx_packets", offsetof(chaos_vif_stats, rx_packets) },
		{ "tx_bytes", offsetof(chaos_vif_stats, tx_bytes) },
		{ "tx_packets", offsetof(chaos_vif_stats, tx_packets) },
	};
	size_t len = ifname ? strlen(ifname) : 0;
	char path[512];

	if (len == 0 || len >= sizeof(out->ifname) || strchr(ifname, '/') ||
	    !strcmp(ifname, ".") || !strcmp(ifname, ".."))
		return chaos_err_set(err, EINVAL, "ifname: not an interface name");
	if (!root)
		root = SYSFS_NET;
	memcpy(out->ifname, ifname, len + 1);
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		uint64_t v = 0;

		snprintf(path, sizeof(path), "%s/%s/statistics/%s", root, ifname,
			 counters[i].file);
		if (read_counter(path, &v, err))
			return -1;
		memcpy((char *)out + counters[i].off, &v, sizeof(v));
	}
	out->present = 1;
	return 0;
}

/* The vifs of (s->dom), from its noxs devices; none without noxs. */
static void vifs_of(chaos_host *host, chaos_guest_stats *s)
{
	chaos_device_info *devs;
	size_t n;

	s->nr_vifs = 0;
	if (s->dom.domid == 0 || !chaos_device_available(host) ||
	    chaos_device_list(host, s->dom.domid, &devs, &n, NULL))
		return;
	for (size_t i = 0; i < n && s->nr_vifs < CHAOS_STATS_VIFS_MAX; i++) {
		chaos_vif_stats *v = &s->vifs[s->nr_vifs];
		char ifname[16];

		if (devs[i].type != CHAOS_DEV_VIF)
			continue;
		memset(v, 0, sizeof(*v));
		v->devid = devs[i].devid;
		snprintf(ifname, sizeof(ifname), "vif%u.%u", s->dom.domid,
			 devs[i].devid);
		/* An unconfigured vif (a pooled shell's) has no device yet. */
		if (chaos_stats_read_netdev(NULL, ifname, v, NULL)) {
			memcpy(v->ifname, ifname, sizeof(ifname));
			v->present = 0;
		}
		s->nr_vifs++;
	}
	free(devs);
}

int chaos_stats_get(chaos_host *host, uint32_t domid, chaos_guest_stats *out,
		    chaos_err *err)
{
	chaos_guest_info guest;

	memset(out, 0, sizeof(*out));
	if (chaos_domain_get(host, domid, &out->dom, err))
		return -1;
	/* The hypervisor knows no names; a guest's is in its record. */
	if (!out->dom.name[0] && chaos_guest_get(host, domid, &guest, NULL) == 0)
		memcpy(out->dom.name, guest.name, sizeof(out->dom.name));
	vifs_of(host, out);
	return 0;
}

int chaos_stats_list(chaos_host *host, chaos_guest_stats **out, size_t *count,
		     chaos_err *err)
{
	chaos_domain_info *doms;
	chaos_guest_stats *s;
	size_t n;

	*out = NULL;
	*count = 0;
	if (chaos_domain_list(host, &doms, &n, err))
		return -1;
	s = calloc(n ? n : 1, sizeof(*s));
	if (!s) {
		free(doms);
		return chaos_err_set(err, ENOMEM, "stats: out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		s[i].dom = doms[i];
		vifs_of(host, &s[i]);
	}
	free(doms);
	*out = s;
	*count = n;
	return 0;
}
