/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_DOMAIN_H
#define CHAOS_DOMAIN_H

#include <stddef.h>
#include <stdint.h>
#include <chaos/api.h>
#include <chaos/error.h>
#include <chaos/host.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum chaos_domain_state {
	CHAOS_STATE_RUNNING,
	CHAOS_STATE_BLOCKED,
	CHAOS_STATE_PAUSED,
	CHAOS_STATE_SHUTDOWN,
	CHAOS_STATE_DYING,
} chaos_domain_state;

#define CHAOS_NAME_MAX 64

/* Why a domain stopped, or what it is asked to do (the hypervisor's
 * SHUTDOWN_* values, which libchaos checks at build time). */
typedef enum chaos_shutdown_reason {
	CHAOS_SHUTDOWN_POWEROFF = 0,
	CHAOS_SHUTDOWN_REBOOT = 1,
	CHAOS_SHUTDOWN_SUSPEND = 2,
	CHAOS_SHUTDOWN_CRASH = 3,
	CHAOS_SHUTDOWN_WATCHDOG = 4,
} chaos_shutdown_reason;

/* Who built a domain, from the marker in its handle. */
enum chaos_domain_kind {
	CHAOS_KIND_FOREIGN = 0,   /* not built by chaos */
	CHAOS_KIND_GUEST = 1,     /* built in one go */
	CHAOS_KIND_SHELL = 2,     /* built as a shell (maybe a guest since) */
};

/* A snapshot of one domain as the hypervisor reports it. */
typedef struct chaos_domain_info {
	uint32_t domid;
	char name[CHAOS_NAME_MAX];   /* "" when the domain has no name */
	chaos_domain_state state;
	unsigned int shutdown_reason; /* chaos_shutdown_reason, when SHUTDOWN */
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
CHAOS_API int chaos_domain_list(chaos_host *host, chaos_domain_info **out,
				size_t *count, chaos_err *err);

/* The kind a domain handle is marked with. */
CHAOS_API enum chaos_domain_kind chaos_domain_handle_kind(
		const uint8_t handle[16]);

/* "running", "blocked", "paused", "shutdown" or "dying". */
CHAOS_API const char *chaos_domain_state_name(chaos_domain_state state);

/* The name to show: the domain's, "Domain-0" for 0, "(unnamed)" otherwise. */
CHAOS_API const char *chaos_domain_display_name(const chaos_domain_info *d);

/* One domain; -1 with code ESRCH when it does not exist. */
CHAOS_API int chaos_domain_get(chaos_host *host, uint32_t domid,
			       chaos_domain_info *out, chaos_err *err);

/* Low-level operations on a domain id. Domain-0 is always refused. */
CHAOS_API int chaos_domain_pause(chaos_host *host, uint32_t domid,
				 chaos_err *err);
CHAOS_API int chaos_domain_unpause(chaos_host *host, uint32_t domid,
				   chaos_err *err);
/* Ask the hypervisor to shut the domain down for reason. */
CHAOS_API int chaos_domain_request_shutdown(chaos_host *host, uint32_t domid,
					    chaos_shutdown_reason reason,
					    chaos_err *err);
/* Destroy the domain and wait (up to 10 s) until its memory is released.
 * Only the hypervisor side: chaos_guest_destroy also releases devices,
 * names and records. */
CHAOS_API int chaos_domain_kill(chaos_host *host, uint32_t domid,
				chaos_err *err);

CHAOS_API int chaos_domain_wait_gone(chaos_host *host, uint32_t domid,
				     unsigned int timeout_ms, chaos_err *err);
/* Wait until the domain is shut down (or dying); *info holds its state. */
CHAOS_API int chaos_domain_wait_shutdown(chaos_host *host, uint32_t domid,
					 unsigned int timeout_ms,
					 chaos_domain_info *info,
					 chaos_err *err);

#ifdef __cplusplus
}
#endif

#endif
