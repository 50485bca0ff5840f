/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_SHELL_H
#define CHAOS_SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <chaos/api.h>
#include <chaos/domain.h>
#include <chaos/error.h>
#include <chaos/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Shells: domains built ahead of need, so that a create only loads the
 * kernel (chaos_guest_create_in_shell, guest.h). A shell is a paused
 * domain with its vCPUs, its memory populated and its console channel
 * allocated; everything a build does without a kernel. Its handle is
 * marked as a shell (chaos_domain_handle_kind), so a shell whose owner
 * died can be found from the hypervisor alone. chaosd keeps a pool of
 * them; an orchestrator may keep its own.
 *
 * A chaos_shell is owned by the caller and used by one thread at a time,
 * with a host under host.h's rule.
 */
/* Where the time of one create went, in microseconds (a shell fills
 * domain, memory and devices; the boot the rest). */
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

typedef struct chaos_shell chaos_shell;

/*
 * Constructor. Build a shell of (memory_mib) MiB and (vcpus) vCPUs into
 * (*out).
 *
 * Returns 0, or -1 with *out NULL and err set: EINVAL memory or vCPUs out
 * of range (1..CHAOS_CONFIG_MEMORY_MAX, 1..CHAOS_CONFIG_VCPUS_MAX), ENOMEM
 * the host lacks memory; else the hypercall's errno. Nothing is left on
 * failure. The caller frees the shell with chaos_shell_free(), or hands it
 * to chaos_guest_create_in_shell().
 *
 * The shell holds one file descriptor until then: its guest's record file,
 * made ahead under the host's state directory so that the create only
 * writes it. Such files take only the lower half of RLIMIT_NOFILE's soft
 * limit; a shell made past that (or with no descriptor left) holds none,
 * and its create makes the file itself.
 */
CHAOS_API int chaos_shell_new(chaos_host *host, uint64_t memory_mib,
			      unsigned int vcpus, chaos_shell **out,
			      chaos_err *err);
/*
 * Constructor. chaos_shell_new, with (nr_vifs) vifs made ahead (noxs
 * only): everything but their settings. A config then fits the shell only
 * with exactly that many vifs; create gives them the config's MAC, address
 * and bridge. Returns as chaos_shell_new, plus EINVAL for more than
 * CHAOS_CONFIG_VIFS_MAX vifs and ENODEV for vifs without noxs.
 */
CHAOS_API int chaos_shell_new_with_vifs(chaos_host *host, uint64_t memory_mib,
					unsigned int vcpus,
					unsigned int nr_vifs, chaos_shell **out,
					chaos_err *err);
/*
 * Constructor. chaos_shell_new_with_vifs, with the vifs' dom0 net devices
 * made now, on (bridge) (a Linux or Open vSwitch bridge; NULL or "" lets
 * xendevd choose), and put on it before this returns when xendevd runs:
 * a create then only gives the vifs their MAC and address. A config fits
 * the shell only if every vif of it names that bridge (chaos_shell_bridge).
 * Returns as chaos_shell_new_with_vifs, plus EINVAL for a bridge name that
 * is not an interface name, and xendevd's error (no such bridge, say),
 * named, when it could not attach a vif.
 */
CHAOS_API int chaos_shell_new_on_bridge(chaos_host *host, uint64_t memory_mib,
					unsigned int vcpus,
					unsigned int nr_vifs,
					const char *bridge, chaos_shell **out,
					chaos_err *err);
/* Destructor. Destroy (shell)'s domain (waiting for its memory) and free
 * the shell. A shell whose domain was destroyed by someone else and is
 * gone is only freed: a domain that took its id since is left alone.
 * NULL is allowed. */
CHAOS_API void chaos_shell_free(chaos_host *host, chaos_shell *shell);
/* Destructor. Free (shell) but leave its domain, paused and marked, for a
 * later process to find (a daemon that exits without tearing its pool
 * down). NULL is allowed. */
CHAOS_API void chaos_shell_forget(chaos_shell *shell);
/* The shell's domain id, memory (MiB), vCPUs and vifs made ahead. */
CHAOS_API uint32_t chaos_shell_domid(const chaos_shell *shell);
CHAOS_API uint64_t chaos_shell_memory_mib(const chaos_shell *shell);
CHAOS_API unsigned int chaos_shell_vcpus(const chaos_shell *shell);
CHAOS_API unsigned int chaos_shell_vifs(const chaos_shell *shell);
/* The bridge (shell)'s vifs' net devices were made on ("" for xendevd's
 * choice), or NULL if they were made without them (no vifs, or
 * chaos_shell_new_with_vifs). */
CHAOS_API const char *chaos_shell_bridge(const chaos_shell *shell);

/*
 * Whether (shell)'s domain is in (doms), (n) domains sorted by id as
 * chaos_domain_list and chaos_domain_list_unnamed give them, as the
 * shell: its id with its handle, and not dying. False when another
 * process destroyed it (e.g. `xl destroy` of its id): the domain is
 * dying or gone, and the shell good for nothing but chaos_shell_free.
 * A shell made after the list was taken is not in it either: a caller
 * that makes shells meanwhile looks again before it believes that. Pure;
 * reentrant.
 */
CHAOS_API bool chaos_shell_listed(const chaos_shell *shell,
				  const chaos_domain_info *doms, size_t n);

/*
 * Destructor for a leftover: destroy (domid) only if it is a shell nobody
 * uses, marked as a shell and without a guest record (a shell left by an
 * earlier chaosd, or a create interrupted before its record). Front ends
 * cannot destroy such a shell with chaos_guest_destroy.
 *
 * Returns 0, or -1 with err set: EPERM it is anything else, ESRCH no such
 * domain; else as chaos_domain_kill.
 */
CHAOS_API int chaos_shell_reclaim(chaos_host *host, uint32_t domid,
				  chaos_err *err);

#ifdef __cplusplus
}
#endif

#endif
