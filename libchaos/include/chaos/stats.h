/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_STATS_H
#define CHAOS_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <chaos/api.h>
#include <chaos/domain.h>
#include <chaos/error.h>
#include <chaos/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Per-guest statistics, read without XenStore: CPU time, memory and vCPUs
 * from the hypervisor, and for each vif the byte and packet counters of
 * its dom0 net device (vif<domid>.<devid>, made by the noxs netback),
 * read from /sys/class/net/<vif>/statistics. Counters are cumulative
 * since the device was made; a rate is the difference of two samples.
 */

#define CHAOS_STATS_VIFS_MAX 8   /* as CHAOS_CONFIG_VIFS_MAX */

/*
 * One vif's counters as dom0's net device counts them, so "rx" is what
 * the guest sent and "tx" what it was sent (xentop's view is the other
 * way round). present is 0 for a vif that has no dom0 device (yet).
 */
typedef struct chaos_vif_stats {
	uint16_t devid;
	int present;
	char ifname[16];
	uint64_t rx_bytes, rx_packets;
	uint64_t tx_bytes, tx_packets;
} chaos_vif_stats;

typedef struct chaos_guest_stats {
	chaos_domain_info dom;          /* state, CPU time, memory, vCPUs */
	size_t nr_vifs;
	chaos_vif_stats vifs[CHAOS_STATS_VIFS_MAX];
} chaos_guest_stats;

/*
 * The statistics of (domid) into (*out).
 *
 * Returns 0, or -1 with err set: ESRCH no such domain; else the
 * hypercall's errno. Without noxs a guest has no vifs (nr_vifs 0).
 */
CHAOS_API int chaos_stats_get(chaos_host *host, uint32_t domid,
			      chaos_guest_stats *out, chaos_err *err);

/*
 * The statistics of every domain on the host, sorted by id, into (*out,
 * *count). Returns 0, and the caller frees *out with free(); or -1 with
 * err set (as chaos_domain_list) and *out NULL, *count 0.
 */
CHAOS_API int chaos_stats_list(chaos_host *host, chaos_guest_stats **out,
			       size_t *count, chaos_err *err);

/*
 * One net device's counters: (root)/(ifname)/statistics/{rx,tx}_{bytes,
 * packets} (root NULL: /sys/class/net) into (*out); ifname must be a
 * plain interface name (no '/', shorter than 16 bytes). Reentrant.
 *
 * Returns 0, or -1 with err set: EINVAL a bad ifname, ENOENT no such
 * device, EPROTO a counter file that does not hold a number.
 */
CHAOS_API int chaos_stats_read_netdev(const char *root, const char *ifname,
				      chaos_vif_stats *out, chaos_err *err);

#ifdef __cplusplus
}
#endif

#endif
