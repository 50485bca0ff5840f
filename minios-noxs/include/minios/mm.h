/* SPDX-License-Identifier: MIT */
/* Page allocator over the pseudo-physical pages we were given. */
#ifndef MINIOS_MM_H
#define MINIOS_MM_H

#include <minios/xen.h>

void mm_init(void);
/* A zeroed, mapped page, or NULL when memory is exhausted. */
void *page_alloc(void);
void page_free(void *page);
unsigned long mm_free_pages(void);
unsigned long mm_total_pages(void);

/* Machine frame behind a pseudo-physical one (from the p2m list). */
xen_pfn_t pfn_to_mfn(unsigned long pfn);
/* Pseudo-physical frame of one of our machine frames (Xen's M2P table);
 * ~0UL when mfn is outside the table. */
unsigned long mfn_to_pfn(xen_pfn_t mfn);
/* Map a machine frame (e.g. a shared ring) at a page of our own. */
int mm_map_mfn(void *va, xen_pfn_t mfn);

#endif
