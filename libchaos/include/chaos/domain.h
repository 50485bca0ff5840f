/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_DOMAIN_H
#define CHAOS_DOMAIN_H

#include <stddef.h>
#include <stdint.h>
#include <chaos/error.h>
#include <chaos/host.h>

typedef enum chaos_domain_state {
	CHAOS_STATE_RUNNING,
	CHAOS_STATE_BLOCKED,
	CHAOS_STATE_PAUSED,
	CHAOS_STATE_SHUTDOWN,
	CHAOS_STATE_DYING,
} chaos_domain_state;

#define CHAOS_NAME_MAX 64

/* A snapshot of one domain as the hypervisor reports it. */
typedef struct chaos_domain_info {
	uint32_t domid;
	char name[CHAOS_NAME_MAX];   /* "" when the domain has no name */
	chaos_domain_state state;
	unsigned int shutdown_reason; /* valid when state is SHUTDOWN */
	uint64_t mem_kib;            /* pages the domain holds now */
	uint64_t max_mem_kib;
	unsigned int vcpus;          /* online vCPUs */
	uint64_t cpu_time_ns;
	uint8_t handle[16];
} chaos_domain_info;

/*
 * Every domain on the host, sorted by id. On success *out is an array of
 * *count entries that the caller frees with free().
 */
int chaos_domain_list(chaos_host *host, chaos_domain_info **out,
		      size_t *count, chaos_err *err);

/* Map the hypervisor's XEN_DOMINF_* flags to one state. */
chaos_domain_state chaos_domain_state_from_flags(uint32_t flags);

/* "running", "blocked", "paused", "shutdown" or "dying". */
const char *chaos_domain_state_name(chaos_domain_state state);

/* The name to show: the domain's, "Domain-0" for 0, "(unnamed)" otherwise. */
const char *chaos_domain_display_name(const chaos_domain_info *d);

/* One domain; -1 with code ESRCH when it does not exist. */
int chaos_domain_get(chaos_host *host, uint32_t domid, chaos_domain_info *out,
		     chaos_err *err);

/* Low-level operations on a domain id. Domain-0 is always refused. */
int chaos_domain_pause(chaos_host *host, uint32_t domid, chaos_err *err);
int chaos_domain_unpause(chaos_host *host, uint32_t domid, chaos_err *err);
/* Ask the hypervisor to shut the domain down (SHUTDOWN_* reason). */
int chaos_domain_request_shutdown(chaos_host *host, uint32_t domid,
				  int reason, chaos_err *err);
/* Destroy the domain and wait (up to 10 s) until its memory is released.
 * Only the hypervisor side: chaos_guest_destroy also releases devices,
 * names and records. */
int chaos_domain_kill(chaos_host *host, uint32_t domid, chaos_err *err);

int chaos_domain_wait_gone(chaos_host *host, uint32_t domid,
			   unsigned int timeout_ms, chaos_err *err);
/* Wait until the domain is shut down (or dying); *info holds its state. */
int chaos_domain_wait_shutdown(chaos_host *host, uint32_t domid,
			       unsigned int timeout_ms,
			       chaos_domain_info *info, chaos_err *err);

#endif
