/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_SHELL_H
#define CHAOS_SHELL_H

#include <stdint.h>
#include <chaos/error.h>
#include <chaos/host.h>

/*
 * A shell: a paused domain with its vCPUs, its memory populated and its
 * console channel allocated; everything a build does without a kernel.
 * Its handle is marked as a shell (chaos_domain_handle_kind), so a shell
 * whose owner died can be found from the hypervisor alone.
 */
typedef struct chaos_shell chaos_shell;

int chaos_shell_new(chaos_host *host, uint64_t memory_mib, unsigned int vcpus,
		    chaos_shell **out, chaos_err *err);
/*
 * A shell with nr_vifs vifs made ahead (noxs only): everything but their
 * settings. A config then fits the shell only with exactly that many
 * vifs; create gives them the config's MAC, address and bridge.
 */
int chaos_shell_new_with_vifs(chaos_host *host, uint64_t memory_mib,
			      unsigned int vcpus, unsigned int nr_vifs,
			      chaos_shell **out, chaos_err *err);
/* Destroy the shell's domain (waiting for its memory) and free it. */
void chaos_shell_free(chaos_host *host, chaos_shell *shell);
/* Free the shell but leave its domain (for a daemon that exits). */
void chaos_shell_forget(chaos_shell *shell);
uint32_t chaos_shell_domid(const chaos_shell *shell);
uint64_t chaos_shell_memory_mib(const chaos_shell *shell);
unsigned int chaos_shell_vcpus(const chaos_shell *shell);
unsigned int chaos_shell_vifs(const chaos_shell *shell);

/*
 * Destroy domid only if it is a shell nobody uses: marked as a shell and
 * without a guest record (a shell left by an earlier chaosd, or a create
 * interrupted before its record). Anything else: -1 with EPERM. Front
 * ends cannot destroy such a shell with chaos_guest_destroy.
 */
int chaos_shell_reclaim(chaos_host *host, uint32_t domid, chaos_err *err);

#endif
