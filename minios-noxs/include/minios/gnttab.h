/* SPDX-License-Identifier: MIT */
/*
 * Our own grant table (v1): pages we let a backend map or copy to/from
 * (netfront's rings and buffers). Set up on first use, so a guest that
 * grants nothing never asks Xen for one.
 */
#ifndef MINIOS_GNTTAB_H
#define MINIOS_GNTTAB_H

#include <minios/xen.h>

/*
 * Grant domid access to our page at va (page-aligned, from
 * page_alloc()). 0 and *ref, or -1 (no table, no free reference).
 */
int gnttab_grant_page(domid_t domid, void *va, bool readonly,
		      grant_ref_t *ref);
/*
 * End the grant and give the page back to the allocator. While the other
 * side still has it mapped or is copying, neither can happen: the pair is
 * kept and retried on later calls, so the page is never reused while
 * another domain can still write to it.
 */
void gnttab_end_and_free(grant_ref_t ref, void *va);
/* References in use, and pages still waiting for their grant to end. */
unsigned int gnttab_refs_in_use(void);
unsigned int gnttab_pages_deferred(void);
/*
 * Before a suspend: drop our mappings of the table frames (a saved guest
 * may only map its own pages). The next grant sets the table up again
 * (new frames in a new domain).
 */
void gnttab_suspend(void);

#endif
