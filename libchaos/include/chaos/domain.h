/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_DOMAIN_H
#define CHAOS_DOMAIN_H

/*
 * Domains as the hypervisor sees them, whoever built them: list, look up,
 * pause, unpause, ask to shut down, destroy, wait. These are the low-level
 * operations on a domain id; guest.h adds what chaos keeps about the
 * guests it builds (names, records, devices). Domain-0 is never a target.
 * Every function taking a chaos_host follows host.h's rule: one thread at
 * a time per host.
 */

#include <stddef.h>
#include <stdint.h>
#include <chaos/api.h>
#include <chaos/error.h>
#include <chaos/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A domain's state, most final first in chaos_domain_get's reading: a
 * dying domain is DYING even if also shut down and paused. */
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
 * Every domain on the host, sorted by id, into (*out, *count). Names come
 * from the host's state directory ("" for a domain chaos did not name, or
 * when the directory cannot be read).
 *
 * Returns 0, or -1 with err set (the hypercall's errno, or ENOMEM) and
 * *out NULL, *count 0. On success the caller frees *out with free().
 */
CHAOS_API int chaos_domain_list(chaos_host *host, chaos_domain_info **out,
				size_t *count, chaos_err *err);

/*
 * Like chaos_domain_list, without the names (every name is ""). For
 * callers that look often and show nothing, e.g. a daemon comparing its
 * guests with the hypervisor's every second: the names cost a read of
 * every name's entry whenever one changed; this costs the hypercalls
 * alone.
 */
CHAOS_API int chaos_domain_list_unnamed(chaos_host *host,
					chaos_domain_info **out,
					size_t *count, chaos_err *err);

/* The kind (handle) is marked with: chaos marks the handles of the
 * domains it builds. Reentrant. */
CHAOS_API enum chaos_domain_kind chaos_domain_handle_kind(
		const uint8_t handle[16]);

/* "running", "blocked", "paused", "shutdown" or "dying"; "unknown" for a
 * value outside the enum. A static string. Reentrant. */
CHAOS_API const char *chaos_domain_state_name(chaos_domain_state state);

/* The name to show for (d): its name, "Domain-0" for domain 0,
 * "(unnamed)" otherwise. Points into *d or to a static string. Reentrant. */
CHAOS_API const char *chaos_domain_display_name(const chaos_domain_info *d);

/*
 * Fill (*out) with one domain's state, without its name (out->name is "";
 * chaos_guest_get has it).
 *
 * Returns 0, or -1 with err set: ESRCH no such domain, EINVAL domid is
 * not a domain id (0x7ff0 or above); else the hypercall's errno.
 */
CHAOS_API int chaos_domain_get(chaos_host *host, uint32_t domid,
			       chaos_domain_info *out, chaos_err *err);

/*
 * Pause or unpause (domid): the hypervisor stops scheduling its vCPUs, or
 * schedules them again. Pauses nest in the hypervisor: each pause needs
 * its unpause.
 *
 * Returns 0, or -1 with err set: EPERM domid is 0, ESRCH no such domain;
 * else the hypercall's errno.
 */
CHAOS_API int chaos_domain_pause(chaos_host *host, uint32_t domid,
				 chaos_err *err);
CHAOS_API int chaos_domain_unpause(chaos_host *host, uint32_t domid,
				   chaos_err *err);
/*
 * Ask the hypervisor to shut (domid) down for (reason), without asking the
 * guest: the domain stops at once, in state SHUTDOWN with that reason, and
 * stays until destroyed. chaos_guest_shutdown asks the guest first.
 *
 * Returns 0, or -1 with err set: EPERM domid is 0, ESRCH no such domain;
 * else the hypercall's errno.
 */
CHAOS_API int chaos_domain_request_shutdown(chaos_host *host, uint32_t domid,
					    chaos_shutdown_reason reason,
					    chaos_err *err);
/*
 * Destroy (domid) and wait (up to 10 s) until its memory is released.
 * Only the hypervisor side: chaos_guest_destroy also removes the devices,
 * the name and the record, and is what to call for a guest chaos built.
 *
 * Returns 0, or -1 with err set: EPERM domid is 0, ESRCH no such domain,
 * ETIMEDOUT destroyed but still dying after 10 s; else the hypercall's
 * errno.
 */
CHAOS_API int chaos_domain_kill(chaos_host *host, uint32_t domid,
				chaos_err *err);

/*
 * Wait up to (timeout_ms) until (domid) no longer exists, polling every
 * 2 ms.
 *
 * Returns 0 (gone, or there was no such domain), or -1 with err set:
 * ETIMEDOUT still there; else the hypercall's errno.
 */
CHAOS_API int chaos_domain_wait_gone(chaos_host *host, uint32_t domid,
				     unsigned int timeout_ms, chaos_err *err);
/*
 * Wait up to (timeout_ms) until (domid) is shut down or dying, polling
 * every 5 ms. (*info) gets its last state, with the shutdown reason.
 *
 * Returns 0, or -1 with err set: ETIMEDOUT still running, ESRCH the domain
 * is gone (destroyed meanwhile); else the hypercall's errno.
 */
CHAOS_API int chaos_domain_wait_shutdown(chaos_host *host, uint32_t domid,
					 unsigned int timeout_ms,
					 chaos_domain_info *info,
					 chaos_err *err);

#ifdef __cplusplus
}
#endif

#endif
