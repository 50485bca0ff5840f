/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_BUILD_H
#define CHAOS_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <chaos/config.h>
#include <chaos/error.h>
#include <chaos/host.h>

/*
 * Guests: create one from a config, destroy it, find it by name or id.
 * A guest chaos builds has a record (console, actions) and, if named, an
 * entry in the name registry, both under the host's state directory.
 */

/* Where the time of one create went, in microseconds. */
typedef struct chaos_create_timing {
	uint64_t parse_us;      /* reading and checking kernel and ramdisk */
	uint64_t domain_us;     /* creating the domain and its vCPUs */
	uint64_t memory_us;     /* populating its memory */
	uint64_t load_us;       /* copying kernel and ramdisk in */
	uint64_t pagetables_us; /* p2m, page tables, start_info, vCPU state */
	uint64_t devices_us;    /* console channel, devices */
	uint64_t unpause_us;    /* names, record, unpause */
	uint64_t total_us;
} chaos_create_timing;

typedef struct chaos_create_opts {
	bool paused;               /* stay paused even if cfg says otherwise */
	const char *config_path;   /* remembered for restarts; may be NULL */
} chaos_create_opts;

/* Build and start a guest. On failure nothing is left: no domain, no name,
 * no record. opts and timing may be NULL. */
int chaos_guest_create(chaos_host *host, const chaos_config *cfg,
		       const chaos_create_opts *opts, uint32_t *domid,
		       chaos_create_timing *timing, chaos_err *err);

/* Destroy a guest and forget it (record, name). */
int chaos_guest_destroy(chaos_host *host, uint32_t domid, chaos_err *err);

/* "web1" or "7": the domain id of a live domain. */
int chaos_guest_resolve(chaos_host *host, const char *ref, uint32_t *domid,
			chaos_err *err);

/*
 * Apply a shut-down guest's action for its shutdown reason (on_poweroff,
 * on_reboot, on_crash): destroy, restart from its config, or preserve.
 */
int chaos_guest_reap(chaos_host *host, uint32_t domid, chaos_err *err);

/* Ask the hypervisor to shut the guest down (SHUTDOWN_* reason), wait up to
 * timeout_ms for it, then reap it. */
int chaos_guest_shutdown(chaos_host *host, uint32_t domid, int reason,
			 unsigned int timeout_ms, chaos_err *err);

#endif
