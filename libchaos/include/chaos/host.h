/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_HOST_H
#define CHAOS_HOST_H

/*
 * The host: a connection to the local hypervisor, the handle almost every
 * libchaos call takes, plus what the hypervisor says about the machine.
 *
 * Threads: a chaos_host is used by one thread at a time. Open one per
 * thread (they are cheap: a few file descriptors); calls on different
 * hosts may run in parallel. Do not share one across fork() either: the
 * child opens its own. Functions that take no host are reentrant unless
 * their comment says otherwise.
 */

#include <stdint.h>
#include <chaos/api.h>
#include <chaos/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct chaos_host chaos_host;

/*
 * Constructor. Open a connection to the local hypervisor into (*out).
 * It first checks, in order, that we run on Xen, that the privcmd device
 * exists and that we may open it, so the caller gets one clear line
 * instead of a stack of library messages. Needs root in dom0.
 *
 * Returns 0, or -1 with *out NULL and err set: ENODEV not running on Xen,
 * ENOENT /dev/xen/privcmd missing (xen-privcmd not loaded, xenfs not
 * mounted), EACCES or EPERM not root; any other code is the failing
 * call's errno. The caller closes the host with chaos_host_close().
 */
CHAOS_API int chaos_host_open(chaos_host **out, chaos_err *err);

/*
 * Destructor. Close (host) and free everything it holds. Guests and shells
 * it created live on. NULL is allowed.
 */
CHAOS_API void chaos_host_close(chaos_host *host);

/*
 * Finish what (host)'s calls left for later. A create in a shell primed
 * ahead (chaos_shell_prime) writes the kernel through a mapping the
 * priming made, and leaves taking it down until after the guest runs:
 * under a paravirtualised dom0 that costs more than the writes. Until
 * then the mapping keeps the guest's memory referenced (a destroyed
 * guest stays a zombie). The next create, destroy or wait for a domain
 * to go through (host), and chaos_host_close, do it first; a caller that
 * answers someone for each create (chaosd) calls this once it has
 * answered. At most 8 such mappings wait per host. NULL is allowed.
 */
CHAOS_API void chaos_host_tidy(chaos_host *host);

/* The state directory a host starts with. */
#define CHAOS_STATE_DIR "/run/chaos"

/*
 * Where chaos keeps what outlives one process (names, per-domain records):
 * CHAOS_STATE_DIR unless changed here. (dir) is copied; it is created (mode
 * 0700) when first needed. Every process that manages the same guests
 * must use the same directory.
 *
 * Returns 0, or -1 with EINVAL when dir is not an absolute path shorter
 * than 4096 bytes (the old directory stays).
 */
CHAOS_API int chaos_host_set_state_dir(chaos_host *host, const char *dir,
				       chaos_err *err);
/*
 * The state directory in use. The string belongs to the host: valid until
 * the next chaos_host_set_state_dir() or chaos_host_close().
 */
CHAOS_API const char *chaos_host_state_dir(const chaos_host *host);

/* The machine as the hypervisor reports it (chaos_host_get_info). */

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

/*
 * Fill (*info) with the hypervisor's version, the CPUs and the memory.
 *
 * Returns 0, or -1 with err set (the hypercall's errno); *info may then
 * be partly filled.
 */
CHAOS_API int chaos_host_get_info(chaos_host *host, chaos_host_info *info,
				  chaos_err *err);

/*
 * Forget names whose domain is gone (destroyed behind chaos's back, e.g.
 * with xl, or by a process that died before it could clean up), so that
 * they can be used again. Names of live domains are kept; unreadable
 * entries in the state directory are left alone.
 *
 * Returns 0, or -1 with err set: the state directory cannot be created or
 * read (its errno, e.g. EACCES), or the domains cannot be listed.
 */
CHAOS_API int chaos_host_prune(chaos_host *host, chaos_err *err);

#ifdef __cplusplus
}
#endif

#endif
