// SPDX-License-Identifier: MIT
/*
 * Work a create leaves for later: the mapping a pooled create wrote its
 * kernel through, and the descriptor of the record it wrote. On a PV
 * dom0 taking a mapping down is a trapped page-table write per page,
 * which costs more than the writes themselves, and a close is a system
 * call too; the guest runs meanwhile, and whoever asked for it waits for
 * nothing done here.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "hyp/hyp.h"
#include <chaos/host.h>

void chaos_host_unmap_later(struct chaos_host *host, void *base, size_t len)
{
	if (!base || !len)
		return;
	/* Full: the oldest goes now, so a caller that never tidies keeps
	 * at most CHAOS_HOST_LATER_MAX mappings. */
	if (host->nr_later == CHAOS_HOST_LATER_MAX) {
		munmap(host->later[0].base, host->later[0].len);
		for (unsigned int i = 1; i < host->nr_later; i++)
			host->later[i - 1] = host->later[i];
		host->nr_later--;
	}
	host->later[host->nr_later].base = base;
	host->later[host->nr_later].len = len;
	host->nr_later++;
}

void chaos_host_close_later(struct chaos_host *host, int fd)
{
	if (fd < 0)
		return;
	if (host->nr_close_later == CHAOS_HOST_LATER_MAX) {
		close(host->close_later[0]);
		for (unsigned int i = 1; i < host->nr_close_later; i++)
			host->close_later[i - 1] = host->close_later[i];
		host->nr_close_later--;
	}
	host->close_later[host->nr_close_later++] = fd;
}

void chaos_host_tidy(chaos_host *host)
{
	if (!host)
		return;
	/* A foreign mapping is an ordinary mapping of this process: the
	 * host that made it need not be this one. */
	for (unsigned int i = 0; i < host->nr_later; i++)
		munmap(host->later[i].base, host->later[i].len);
	host->nr_later = 0;
	for (unsigned int i = 0; i < host->nr_close_later; i++)
		close(host->close_later[i]);
	host->nr_close_later = 0;
}
