/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_NETWORK_H
#define CHAOS_NETWORK_H

#include <stddef.h>
#include <stdint.h>
#include <chaos/api.h>
#include <chaos/error.h>
#include <chaos/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One vif of a guest, as `chaos network-list` shows it. */
typedef struct chaos_vif_info {
	unsigned int devid;
	char ifname[16];                    /* vif<domid>.<devid> in dom0 */
	char mac[18];                       /* "" when unknown */
	char ip[16];                        /* "" when none */
	char bridge[32];                    /* "" when none */
	char backend[16], frontend[16];     /* chaos_device_state_name */
} chaos_vif_info;

/*
 * The vifs of (domid) into (*out, *count): its noxs vif devices with
 * their states and, for a guest with a config path, the MAC, address and
 * bridge it was created with (the config is read again with its owner's
 * rights; generated MACs come out the same). The caller frees *out with
 * free().
 *
 * Returns 0, or -1 with err set and *out NULL, *count 0: as
 * chaos_device_list (ENOSYS: no noxs), or ENOMEM.
 */
CHAOS_API int chaos_network_list(chaos_host *host, uint32_t domid,
				 chaos_vif_info **out, size_t *count,
				 chaos_err *err);

#ifdef __cplusplus
}
#endif

#endif
