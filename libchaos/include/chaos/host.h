/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_HOST_H
#define CHAOS_HOST_H

#include <stdint.h>
#include <chaos/api.h>
#include <chaos/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A connection to the local hypervisor. Opening it checks, in order, that we
 * run on Xen, that the privcmd device exists and that we may open it, so the
 * caller gets one clear line instead of a stack of library messages.
 */
typedef struct chaos_host chaos_host;

CHAOS_API int chaos_host_open(chaos_host **out, chaos_err *err);
CHAOS_API void chaos_host_close(chaos_host *host);

/*
 * Where chaos keeps what outlives one process (names, per-domain records):
 * /run/chaos unless changed here (an absolute path).
 */
CHAOS_API int chaos_host_set_state_dir(chaos_host *host, const char *dir,
				       chaos_err *err);
CHAOS_API const char *chaos_host_state_dir(const chaos_host *host);

typedef struct chaos_host_info {
	unsigned int xen_major;
	unsigned int xen_minor;
	char xen_extra[32];          /* e.g. ".7" or "-rc" */
	char xen_caps[128];          /* e.g. "xen-3.0-x86_64 hvm-3.0-x86_32 ..." */
	unsigned int nr_cpus;
	unsigned int cores_per_socket;
	unsigned int threads_per_core;
	unsigned int cpu_mhz;
	uint64_t total_kib;
	uint64_t free_kib;
	uint64_t outstanding_kib;    /* claimed by domains being built */
	uint64_t usable_kib;         /* free minus outstanding claims */
} chaos_host_info;

CHAOS_API int chaos_host_get_info(chaos_host *host, chaos_host_info *info,
				  chaos_err *err);

/*
 * Forget names whose domain is gone (destroyed behind chaos's back, or by
 * a process that died before it could clean up).
 */
CHAOS_API int chaos_host_prune(chaos_host *host, chaos_err *err);

#ifdef __cplusplus
}
#endif

#endif
