/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_RESTORE_DOMAIN_H
#define CHAOS_RESTORE_DOMAIN_H

/*
 * Building a guest from an image (restore, and both kinds of migration
 * receiver): a paused shell first, the pages read straight into it as
 * they arrive (still canonical: pfns in the page tables), and only once
 * the whole image is authenticated the final state: page tables, the p2m
 * list and start info localised in place, vifs, shared info, the tables
 * pinned (Xen validates them), vCPUs set, the record written. Any failure
 * destroys the new domain.
 */

#include <stdint.h>
#include <chaos/save.h>

#include "save_internal.h"
#include "shell.h"

/* Pages mapped at once while they stream in: 16 MiB. */
#define CHAOS_RESTORE_BATCH 4096u

struct chaos_restore {
	chaos_host *host;
	struct chaos_saveimg img;	/* decoded state (types, vCPUs, config) */
	struct chaos_shell shell;
	bool have_shell;
	uint64_t console_pfn;
	int *map_errs;			/* CHAOS_RESTORE_BATCH */
};

/* A paused shell of nr_pages pages (whole MiB) and nr_vcpus vCPUs. */
int chaos_restore_shell(struct chaos_restore *r, chaos_host *host,
			uint64_t nr_pages, uint32_t nr_vcpus, chaos_err *err);
/*
 * Map n (at most CHAOS_RESTORE_BATCH) of the new domain's pages
 * writable: pfns[0..n) (each checked below nr_pages by the caller), or
 * with pfns NULL the run from first.
 */
void *chaos_restore_map(struct chaos_restore *r, const uint64_t *pfns,
			uint64_t first, size_t n, chaos_err *err);
void chaos_restore_unmap(struct chaos_restore *r, void *p, size_t n);
/* The final state from r->img, then unpaused unless opts->paused. */
int chaos_restore_finish(struct chaos_restore *r,
			 const chaos_restore_opts *opts, uint32_t *domid,
			 char *name, chaos_err *err);
/* After a failure: the new domain destroyed, everything freed. */
void chaos_restore_discard(struct chaos_restore *r);

#endif
