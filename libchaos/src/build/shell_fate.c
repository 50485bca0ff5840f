// SPDX-License-Identifier: MIT
/*
 * Whether a shell's domain is still the shell. Its owner is not the only
 * one who can destroy it (`xl destroy` of a pooled shell's id): whoever
 * holds a shell asks here before believing in it, by the domain's handle,
 * since a domain gone for good leaves its id to the next one made.
 */
#include <errno.h>
#include <string.h>

#include "build/build.h"
#include <chaos/domain.h>

static enum chaos_shell_fate fate_of(const struct chaos_shell *shell,
				     const chaos_domain_info *d)
{
	if (memcmp(d->handle, shell->handle, sizeof(d->handle)))
		return CHAOS_SHELL_GONE;
	return d->state == CHAOS_STATE_DYING ? CHAOS_SHELL_DYING :
					       CHAOS_SHELL_LIVE;
}

enum chaos_shell_fate chaos_shell_fate(chaos_host *host,
				       const struct chaos_shell *shell)
{
	chaos_domain_info d;
	chaos_err err;

	if (chaos_domain_get(host, shell->domid, &d, &err))
		return err.code == ESRCH ? CHAOS_SHELL_GONE :
					   CHAOS_SHELL_UNKNOWN;
	return fate_of(shell, &d);
}

bool chaos_shell_destroyed(chaos_host *host, const struct chaos_shell *shell)
{
	enum chaos_shell_fate fate = chaos_shell_fate(host, shell);

	return fate == CHAOS_SHELL_DYING || fate == CHAOS_SHELL_GONE;
}

/* shell.h: the list is sorted by id (domain.h), so a bisection. */
bool chaos_shell_listed(const chaos_shell *shell, const chaos_domain_info *doms,
			size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (doms[mid].domid == shell->domid)
			return fate_of(shell, &doms[mid]) == CHAOS_SHELL_LIVE;
		if (doms[mid].domid < shell->domid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}
