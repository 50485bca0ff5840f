/* SPDX-License-Identifier: MIT */
/* Mapping foreign pages for the noxs core (map.c). */
#ifndef NOXS_MAP_H
#define NOXS_MAP_H

#include <minios/xen.h>

/* A page-aligned virtual address with an L1 table behind it, or NULL. */
void *noxs_va_alloc(void);
/* Give it back (whatever was mapped there must be unmapped already). */
void noxs_va_free(void *va);

/* Map a frame Xen shares with us read-only (the device page). */
int noxs_map_frame_ro(void *va, uint64_t mfn);
/* Map another domain's grant writable at va; 0 or a negative GNTST_/errno. */
int noxs_grant_map(void *va, domid_t domid, grant_ref_t ref,
		   grant_handle_t *handle);
int noxs_grant_unmap(void *va, grant_handle_t handle);

#endif
