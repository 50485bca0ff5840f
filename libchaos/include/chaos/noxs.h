/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_NOXS_H
#define CHAOS_NOXS_H

#include <stddef.h>
#include <stdint.h>
#include <chaos/error.h>
#include <chaos/host.h>

/*
 * noxs devices: a backend device created in dom0's noxs module (control page
 * + event channel) and its entry in the guest's device page in the
 * hypervisor. Adding does both or neither; removing undoes both.
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

/* 1 if this host has both halves (patched hypervisor, module loaded). */
int chaos_noxs_available(chaos_host *host);

/* params: the type's backend parameters (64 bytes, may be NULL). */
int chaos_device_add(chaos_host *host, uint32_t domid, uint16_t type,
		     uint16_t devid, const void *params, chaos_err *err);
int chaos_device_remove(chaos_host *host, uint32_t domid, uint16_t type,
			uint16_t devid, chaos_err *err);
/*
 * A vif whose settings come later (a pooled shell's): everything but its
 * dom0 net device is made now. chaos_vif_configure gives it the guest's
 * settings (params: struct noxs_vif_params) and creates the net device;
 * only before the guest's frontend has started (EBUSY after).
 */
int chaos_vif_add_unconfigured(chaos_host *host, uint32_t domid,
			       uint16_t devid, chaos_err *err);
int chaos_vif_configure(chaos_host *host, uint32_t domid, uint16_t devid,
			const void *params, chaos_err *err);
/* Every device of domid, from both the module and the device page. */
int chaos_device_remove_all(chaos_host *host, uint32_t domid, chaos_err *err);
int chaos_device_list(chaos_host *host, uint32_t domid,
		      chaos_device_info **out, size_t *count, chaos_err *err);

enum chaos_power_request {
	CHAOS_POWER_POWEROFF = 1,
	CHAOS_POWER_REBOOT = 2,
	CHAOS_POWER_SUSPEND = 3,
};

/*
 * Ask the guest, through its power device, to power off, reboot or
 * suspend; wait up to timeout_ms for its acknowledgment. ETIMEDOUT and
 * ENOTCONN say the guest did not answer.
 */
int chaos_device_power(chaos_host *host, uint32_t domid,
		       enum chaos_power_request request,
		       unsigned int timeout_ms, chaos_err *err);

const char *chaos_device_type_name(uint16_t type);
const char *chaos_device_state_name(uint32_t state);

#endif
