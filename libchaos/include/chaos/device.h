/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_DEVICE_H
#define CHAOS_DEVICE_H

#include <stddef.h>
#include <stdint.h>
#include <chaos/api.h>
#include <chaos/error.h>
#include <chaos/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * noxs devices, read-only: a backend device created in dom0's noxs module
 * (control page + event channel) and its entry in the guest's device page
 * in the hypervisor. chaos adds and removes them itself when it builds and
 * destroys guests; this header lets a caller see them.
 * docs/noxs-abi.md describes the pages.
 */

enum chaos_device_type {
	CHAOS_DEV_POWER = 1,
	CHAOS_DEV_CONSOLE = 2,
	CHAOS_DEV_VIF = 3,
};

typedef struct chaos_device_info {
	uint32_t domid;
	uint16_t type;               /* enum chaos_device_type */
	uint16_t devid;
	uint16_t be_domid;
	uint32_t grant;              /* the control page's grant */
	uint32_t evtchn;             /* dom0's port */
	uint32_t be_state, fe_state; /* Initialising(1) .. Closed(6) */
	uint32_t error;              /* why the backend closed it, 0 if not */
	int in_page;                 /* listed in the guest's device page */
} chaos_device_info;

/*
 * 1 if this host has both halves of noxs (the patched hypervisor and the
 * loaded module), else 0. The answer is kept in the host after the first
 * call.
 */
CHAOS_API int chaos_device_available(chaos_host *host);

/*
 * The devices of (domid) into (*out, *count): those in its device page,
 * with their backend state when the module has them, then backend devices
 * without a page entry (half made or half removed; in_page 0).
 *
 * Returns 0, or -1 with err set and *out NULL, *count 0: the hypercall's
 * errno (ENOSYS: the hypervisor has no noxs), or ENOMEM. On success the
 * caller frees *out with free().
 */
CHAOS_API int chaos_device_list(chaos_host *host, uint32_t domid,
				chaos_device_info **out, size_t *count,
				chaos_err *err);

/*
 * Destroy the noxs devices of domains that are gone or dying: what a
 * guest destroyed behind chaos's back (xl destroy, a killed builder)
 * leaves in the module (granted control pages, bound ports, a vif's
 * mapped rings, which keep the dead domain from being freed). chaosd runs
 * it whenever a domain changes state. (*collected) (may be NULL) gets the
 * number of domains cleaned. Nothing to do without noxs.
 *
 * Returns 0, or -1 with err set when the devices or the domains cannot be
 * listed.
 */
CHAOS_API int chaos_device_collect(chaos_host *host, unsigned int *collected,
				   chaos_err *err);

/* "power", "console", "vif", or "unknown"; and the backend/frontend state
 * names, "unknown" (0), "initialising" (1) .. "closed" (6), "invalid"
 * above. Static strings. Reentrant. */
CHAOS_API const char *chaos_device_type_name(uint16_t type);
CHAOS_API const char *chaos_device_state_name(uint32_t state);

#ifdef __cplusplus
}
#endif

#endif
