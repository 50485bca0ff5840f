// SPDX-License-Identifier: MIT
/*
 * Virtual addresses for foreign pages (the device page, control pages):
 * a page-aligned window in .bss, so an L1 table is sure to exist behind
 * every slot, and pages from the allocator once the window is full. A
 * slot's own frame stays ours, unmapped while a foreign page sits there.
 */
#include <minios/hypercall.h>
#include <minios/lib.h>
#include <minios/mm.h>
#include <minios/os.h>

#include "map.h"

/* The device page and the power device; more devices use the allocator. */
#define WINDOW_SLOTS 2

static char window[WINDOW_SLOTS][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static bool window_used[WINDOW_SLOTS];

static int window_slot(const void *va)
{
	unsigned long off = (unsigned long)va - (unsigned long)window;

	if ((unsigned long)va < (unsigned long)window ||
	    off >= sizeof(window))
		return -1;
	return (int)(off / PAGE_SIZE);
}

void *noxs_va_alloc(void)
{
	for (int i = 0; i < WINDOW_SLOTS; i++) {
		if (!window_used[i]) {
			window_used[i] = true;
			return window[i];
		}
	}
	return page_alloc();
}

/* Put the slot's own frame back, so the page is ordinary memory again. */
void noxs_va_free(void *va)
{
	unsigned long pfn = (unsigned long)va >> PAGE_SHIFT;
	int slot = window_slot(va);

	if (hyp_update_va_mapping((unsigned long)va,
				  ((uint64_t)pfn_to_mfn(pfn) << PAGE_SHIFT) |
					  PTE_KERNEL_RW,
				  UVMF_INVLPG)) {
		/* Cannot happen for our own frame; never reuse it if it does. */
		printk("noxs: cannot restore the mapping at %p\n", va);
		return;
	}
	if (slot >= 0)
		window_used[slot] = false;
	else
		page_free(va);
}

int noxs_map_frame_ro(void *va, uint64_t mfn)
{
	return (int)hyp_update_va_mapping((unsigned long)va,
					  (mfn << PAGE_SHIFT) | PTE_KERNEL_RO,
					  UVMF_INVLPG);
}

int noxs_grant_map(void *va, domid_t domid, grant_ref_t ref,
		   grant_handle_t *handle)
{
	struct gnttab_map_grant_ref op = {
		.host_addr = (unsigned long)va,
		.flags = GNTMAP_host_map,
		.ref = ref,
		.dom = domid,
	};
	long rc;

	/*
	 * Xen swaps the PTE but does not flush the old translation, which
	 * the slot's own page may have left in the TLB: unmap it first.
	 */
	rc = hyp_update_va_mapping((unsigned long)va, 0, UVMF_INVLPG);
	if (rc)
		return (int)rc;
	rc = hyp_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);
	if (rc)
		return (int)rc;
	if (op.status != GNTST_okay)
		return op.status;
	*handle = op.handle;
	return 0;
}

int noxs_grant_unmap(void *va, grant_handle_t handle)
{
	struct gnttab_unmap_grant_ref op = {
		.host_addr = (unsigned long)va,
		.handle = handle,
	};
	long rc = hyp_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);

	if (rc)
		return (int)rc;
	return op.status;
}
