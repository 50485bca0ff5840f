/* SPDX-License-Identifier: MIT */
/* The device page (devpage.c). */
#ifndef NOXS_DEVPAGE_H
#define NOXS_DEVPAGE_H

#include <minios/xen.h>
#include <noxs.h>

/* Xen's ENOSYS (x86 numbering): an unpatched hypervisor. */
#define XEN_ENOSYS 38

/* Fetch the frame and map it; -XEN_ENOSYS on a hypervisor without noxs. */
int noxs_devpage_map(void);
/* Before a suspend: the page is Xen's, not ours; give the address back. */
void noxs_devpage_unmap(void);
/*
 * Copy up to max entries consistently (seqlock) and check the header.
 * count: entries copied; total: entries on the page.
 */
int noxs_devpage_snapshot(struct noxs_entry *out, unsigned int max,
			  unsigned int *count, unsigned int *total);
/* Is this entry well-formed? Prints why not. */
int noxs_entry_check(const struct noxs_entry *e);

#endif
