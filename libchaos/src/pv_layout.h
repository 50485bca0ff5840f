/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_PV_LAYOUT_H
#define CHAOS_PV_LAYOUT_H

/*
 * Where everything goes in a new x86_64 PV guest (the start-of-day layout
 * in xen/xen.h), and the pure code that fills guest memory: kernel
 * segments, the p2m list, bootstrap page tables and start_info. Memory is
 * reached through an accessor so the same code writes into a plain buffer
 * (unit tests) or foreign-mapped guest pages (the builder).
 *
 * From virt_base, in pfn order (each region page-aligned, 1:1 with pfns):
 *   [gap up to the kernel] kernel, ramdisk, p2m list, start_info,
 *   xenstore page, console page, page tables (L4, L3s, L2s, L1s), stack.
 * The bootstrap mapping covers [virt_base, virt_map_end): everything up to
 * virt_alloc_end plus at least 512 KiB, rounded up to 4 MiB, but never
 * beyond the domain's memory (small unikernels get a shorter mapping).
 */

#include <stdint.h>

#include <chaos/error.h>

#include "image.h"

#define CHAOS_PAGE_SHIFT 12
#define CHAOS_PAGE_SIZE (UINT64_C(1) << CHAOS_PAGE_SHIFT)
/* Free mapped space promised after the last bootstrap region. */
#define CHAOS_PV_SLACK (UINT64_C(512) << 10)
#define CHAOS_PV_MAP_ALIGN (UINT64_C(4) << 20)
#define CHAOS_PV_MAX_PAGES (UINT64_C(1) << 32) /* 16 TiB */

/* Guest memory as pages: pfn -> mfn, and a writable view of each page. */
struct chaos_guest_mem {
	uint64_t nr_pages;
	const uint64_t *p2m;                     /* nr_pages entries */
	void *(*page)(void *ctx, uint64_t pfn);  /* 4 KiB, or NULL */
	void *ctx;
};

/* Every region: first pfn and page count; vaddr = virt_base + pfn*4K. */
struct chaos_pv_layout {
	uint64_t virt_base, nr_pages;
	uint64_t kernel_pfn, kernel_pages;
	uint64_t ramdisk_pfn, ramdisk_pages;   /* pages 0: no ramdisk */
	uint64_t ramdisk_bytes;
	uint64_t p2m_pfn, p2m_pages;           /* the guest's mfn_list */
	uint64_t start_info_pfn, xenstore_pfn, console_pfn;
	uint64_t pt_pfn, pt_pages;             /* L4 first, then L3, L2, L1 */
	uint64_t nr_l3, nr_l2, nr_l1;          /* tables per level (L4: 1) */
	uint64_t stack_pfn;
	uint64_t virt_alloc_end;               /* first unused vaddr */
	uint64_t virt_map_end;                 /* end of bootstrap mapping */
	uint64_t virt_entry;                   /* from the image: %rip */
	uint64_t hypercall_page;               /* vaddr or CHAOS_IMAGE_NONE */
};

/* Plan the layout of img in nr_pages pages with a ramdisk_bytes ramdisk. */
int chaos_pv_layout_compute(const struct chaos_image *img, uint64_t nr_pages,
			    uint64_t ramdisk_bytes, struct chaos_pv_layout *lay,
			    chaos_err *err);

/* Zero the kernel region and copy every segment into it. */
int chaos_pv_load_segments(const struct chaos_image *img,
			   const struct chaos_pv_layout *lay,
			   const struct chaos_guest_mem *mem, chaos_err *err);

/* Copy the ramdisk (len == lay->ramdisk_bytes) into its region. */
int chaos_pv_load_ramdisk(const struct chaos_pv_layout *lay,
			  const struct chaos_guest_mem *mem, const void *data,
			  uint64_t len, chaos_err *err);

/* Write mem->p2m[0..nr_pages) as 64-bit entries into the p2m region. */
int chaos_pv_write_p2m(const struct chaos_pv_layout *lay,
		       const struct chaos_guest_mem *mem, chaos_err *err);

/*
 * Build the 4-level bootstrap tables in the pt region, mapping
 * [virt_base, virt_map_end) to pfns 0.. (as MFNs), the tables read-only.
 */
int chaos_pv_build_pagetables(const struct chaos_pv_layout *lay,
			      const struct chaos_guest_mem *mem,
			      chaos_err *err);

struct chaos_pv_start_params {
	const char *cmdline;            /* NULL = empty; < 1024 bytes */
	uint64_t shared_info_mfn;
	uint64_t console_mfn;
	uint32_t console_evtchn;
	uint64_t store_mfn;             /* 0 when no XenStore */
	uint32_t store_evtchn;          /* 0 when no XenStore */
	uint32_t flags;                 /* SIF_*; SIF_MOD_START_PFN makes
					 * mod_start a pfn */
	uint64_t ramdisk_bytes;         /* <= the layout's ramdisk region */
};

/* Fill start_info, and zero the xenstore and console pages. */
int chaos_pv_write_start_info(const struct chaos_pv_layout *lay,
			      const struct chaos_guest_mem *mem,
			      const struct chaos_pv_start_params *p,
			      chaos_err *err);

/* Copy len bytes to guest vaddr (src NULL: zero-fill), page by page. */
int chaos_pv_copy_to_guest(const struct chaos_pv_layout *lay,
			   const struct chaos_guest_mem *mem, uint64_t vaddr,
			   const void *src, uint64_t len, chaos_err *err);

static inline uint64_t chaos_pv_pfn_vaddr(const struct chaos_pv_layout *lay,
					  uint64_t pfn)
{
	return lay->virt_base + (pfn << CHAOS_PAGE_SHIFT);
}

/* Initial vCPU state: %rsp, %rsi and the L4 pfn whose mfn goes in CR3. */
static inline uint64_t chaos_pv_stack_top(const struct chaos_pv_layout *lay)
{
	return chaos_pv_pfn_vaddr(lay, lay->stack_pfn + 1);
}

static inline uint64_t
chaos_pv_start_info_vaddr(const struct chaos_pv_layout *lay)
{
	return chaos_pv_pfn_vaddr(lay, lay->start_info_pfn);
}

static inline uint64_t chaos_pv_l4_pfn(const struct chaos_pv_layout *lay)
{
	return lay->pt_pfn;
}

/* pfn of the hypercall page, or CHAOS_IMAGE_NONE. */
static inline uint64_t
chaos_pv_hypercall_pfn(const struct chaos_pv_layout *lay)
{
	if (lay->hypercall_page == CHAOS_IMAGE_NONE)
		return CHAOS_IMAGE_NONE;
	return (lay->hypercall_page - lay->virt_base) >> CHAOS_PAGE_SHIFT;
}

#endif
