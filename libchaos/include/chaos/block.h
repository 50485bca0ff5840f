/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_BLOCK_H
#define CHAOS_BLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <chaos/api.h>
#include <chaos/error.h>
#include <chaos/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One disk of a guest, as `chaos block-list` shows it. */
typedef struct chaos_disk_info {
	uint32_t devid;                     /* Xen's device number */
	char vdev[16];                      /* as the guest sees it: "xvda" */
	char target[4096];                  /* the image or device */
	char mode[4];                       /* "r" or "w" */
	char device[64];                    /* dom0's device: "/dev/loop0";
					       "" until hotplug set it up */
	char hotplug[16];                   /* "connected", "error" or "" */
	int be_state, fe_state;             /* XenbusState numbers; 0 none */
} chaos_disk_info;

/*
 * The disks of (domid) into (*out, *count), read from the XenStore
 * device path (a noxs guest has none: 0 disks). The caller frees *out
 * with free().
 *
 * Returns 0, or -1 with err set and *out NULL, *count 0: ENOENT or
 * ECONNREFUSED xenstored is not running, ENOMEM.
 */
CHAOS_API int chaos_block_list(chaos_host *host, uint32_t domid,
			       chaos_disk_info **out, size_t *count,
			       chaos_err *err);

#ifdef __cplusplus
}
#endif

#endif
