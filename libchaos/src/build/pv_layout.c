// SPDX-License-Identifier: MIT
/*
 * Planning an x86_64 PV guest's start-of-day memory (xen/xen.h), and
 * copying the kernel, ramdisk and p2m list into it.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "build/build.h"

#define LOWER_HALF_END 0x0000800000000000ull
/* L4 slots 256..271 belong to Xen in every 64-bit PV address space. */
#define XEN_HOLE_START 0xffff800000000000ull
#define XEN_HOLE_END   0xffff880000000000ull

static uint64_t pages_for(uint64_t bytes)
{
	return (bytes + CHAOS_PAGE_SIZE - 1) >> CHAOS_PAGE_SHIFT;
}

static uint64_t round_up(uint64_t v, uint64_t align)
{
	return (v + align - 1) & ~(align - 1);
}

/* Tables needed per level to map [start, end), end > start. */
static void count_tables(uint64_t start, uint64_t end, uint64_t *l3,
			 uint64_t *l2, uint64_t *l1)
{
	*l3 = ((end - 1) >> 39) - (start >> 39) + 1;
	*l2 = ((end - 1) >> 30) - (start >> 30) + 1;
	*l1 = ((end - 1) >> 21) - (start >> 21) + 1;
}

static int too_small(struct chaos_pv_layout *lay, uint64_t need,
		     chaos_err *err)
{
	return chaos_err_set(err, ENOMEM,
			     "guest memory: layout needs %" PRIu64 " pages "
			     "(%" PRIu64 " MiB: kernel at pfn %#" PRIx64
			     ", %" PRIu64 " kernel pages, %" PRIu64
			     " ramdisk pages, 512 KiB slack) but the domain "
			     "has %" PRIu64 " pages", need,
			     (need * CHAOS_PAGE_SIZE + (UINT64_C(1) << 20) -
			      1) >> 20,
			     lay->kernel_pfn, lay->kernel_pages,
			     lay->ramdisk_pages, lay->nr_pages);
}

int chaos_pv_layout_compute(const struct chaos_image *img, uint64_t nr_pages,
			    uint64_t ramdisk_bytes, struct chaos_pv_layout *lay,
			    chaos_err *err)
{
	uint64_t next, mem_end, guess = 0, slack = CHAOS_PV_SLACK >>
						 CHAOS_PAGE_SHIFT;

	memset(lay, 0, sizeof(*lay));
	if (img->nr_segments == 0 || img->virt_kstart < img->virt_base ||
	    img->virt_kend <= img->virt_kstart ||
	    (img->virt_base & (CHAOS_PAGE_SIZE - 1)))
		return chaos_err_set(err, EINVAL,
				     "guest memory: image has no valid "
				     "kernel span");
	if (nr_pages == 0 || nr_pages > CHAOS_PV_MAX_PAGES)
		return chaos_err_set(err, EINVAL,
				     "guest memory: %" PRIu64 " pages is not "
				     "in 1..%llu", nr_pages,
				     (unsigned long long)CHAOS_PV_MAX_PAGES);
	if (ramdisk_bytes > nr_pages * CHAOS_PAGE_SIZE)
		return chaos_err_set(err, ENOMEM,
				     "guest memory: ramdisk of %" PRIu64
				     " bytes is larger than the domain",
				     ramdisk_bytes);
	lay->virt_base = img->virt_base;
	lay->nr_pages = nr_pages;
	lay->virt_entry = img->virt_entry;
	lay->hypercall_page = img->hypercall_page;
	lay->kernel_pfn = (img->virt_kstart - img->virt_base) >>
			  CHAOS_PAGE_SHIFT;
	lay->kernel_pages = (img->virt_kend - img->virt_kstart) >>
			    CHAOS_PAGE_SHIFT;
	if (lay->kernel_pfn >= nr_pages ||
	    lay->kernel_pages > nr_pages - lay->kernel_pfn)
		return too_small(lay, lay->kernel_pfn + lay->kernel_pages +
				 slack, err);
	next = lay->kernel_pfn + lay->kernel_pages;
	lay->ramdisk_bytes = ramdisk_bytes;
	lay->ramdisk_pfn = next;
	lay->ramdisk_pages = pages_for(ramdisk_bytes);
	next += lay->ramdisk_pages;
	lay->p2m_pfn = next;
	lay->p2m_pages = pages_for(nr_pages * sizeof(uint64_t));
	next += lay->p2m_pages;
	lay->start_info_pfn = next++;
	lay->xenstore_pfn = next++;
	lay->console_pfn = next++;
	lay->pt_pfn = next;

	/*
	 * The tables must map themselves, so their number depends on where
	 * the mapping ends, which depends on their number: grow until stable.
	 */
	mem_end = nr_pages;    /* in pfns from here on */
	if (lay->virt_base && ((0 - lay->virt_base) >> CHAOS_PAGE_SHIFT) - 1 <
			      mem_end)
		mem_end = ((0 - lay->virt_base) >> CHAOS_PAGE_SHIFT) - 1;
	for (;;) {
		uint64_t alloc_end = lay->pt_pfn + guess + 1;   /* + stack */
		uint64_t map_end, l3, l2, l1, need;

		if (alloc_end + slack > mem_end)
			return too_small(lay, alloc_end + slack, err);
		map_end = round_up(alloc_end * CHAOS_PAGE_SIZE +
				   CHAOS_PV_SLACK, CHAOS_PV_MAP_ALIGN) >>
			  CHAOS_PAGE_SHIFT;
		if (map_end > mem_end)
			map_end = mem_end;
		count_tables(lay->virt_base,
			     lay->virt_base + map_end * CHAOS_PAGE_SIZE, &l3,
			     &l2, &l1);
		need = 1 + l3 + l2 + l1;
		if (need <= guess) {
			lay->nr_l3 = l3;
			lay->nr_l2 = l2;
			lay->nr_l1 = l1;
			lay->pt_pages = guess;
			lay->stack_pfn = lay->pt_pfn + guess;
			lay->virt_alloc_end = chaos_pv_pfn_vaddr(lay,
								 alloc_end);
			lay->virt_map_end = chaos_pv_pfn_vaddr(lay, map_end);
			break;
		}
		guess = need;
	}
	/* The mapping must stay canonical and clear of Xen's slots. */
	if (lay->virt_map_end <= lay->virt_base ||
	    (lay->virt_base < LOWER_HALF_END &&
	     lay->virt_map_end > LOWER_HALF_END) ||
	    (lay->virt_base >= LOWER_HALF_END &&
	     lay->virt_base < XEN_HOLE_END))
		return chaos_err_set(err, EINVAL,
				     "guest memory: mapping %#" PRIx64 "-%#"
				     PRIx64 " wraps, is not canonical or "
				     "overlaps Xen's reserved range",
				     lay->virt_base, lay->virt_map_end);
	return 0;
}

int chaos_pv_copy_to_guest(const struct chaos_pv_layout *lay,
			   const struct chaos_guest_mem *mem, uint64_t vaddr,
			   const void *src, uint64_t len, chaos_err *err)
{
	const uint8_t *s = src;
	uint64_t mem_bytes = lay->nr_pages * CHAOS_PAGE_SIZE;
	uint64_t off = vaddr - lay->virt_base;

	if (vaddr < lay->virt_base || off > mem_bytes ||
	    len > mem_bytes - off || lay->nr_pages > mem->nr_pages)
		return chaos_err_set(err, EINVAL,
				     "guest memory: write of %" PRIu64
				     " bytes at %#" PRIx64 " is outside the "
				     "domain", len, vaddr);
	while (len) {
		uint64_t pfn = off >> CHAOS_PAGE_SHIFT;
		uint64_t in_page = off & (CHAOS_PAGE_SIZE - 1);
		uint64_t n = CHAOS_PAGE_SIZE - in_page;
		uint8_t *page = mem->page(mem->ctx, pfn);

		if (!page)
			return chaos_err_set(err, EFAULT,
					     "guest memory: pfn %#" PRIx64
					     " is not mapped", pfn);
		if (n > len)
			n = len;
		if (s) {
			memcpy(page + in_page, s, n);
			s += n;
		} else {
			memset(page + in_page, 0, n);
		}
		off += n;
		len -= n;
	}
	return 0;
}

int chaos_pv_load_segments(const struct chaos_image *img,
			   const struct chaos_pv_layout *lay,
			   const struct chaos_guest_mem *mem, chaos_err *err)
{
	if (img->virt_base != lay->virt_base ||
	    img->virt_kstart != chaos_pv_pfn_vaddr(lay, lay->kernel_pfn))
		return chaos_err_set(err, EINVAL,
				     "guest memory: layout was not computed "
				     "for this image");
	if (chaos_pv_copy_to_guest(lay, mem, img->virt_kstart, NULL,
				   lay->kernel_pages * CHAOS_PAGE_SIZE,
				   err) < 0)
		return -1;
	for (unsigned int i = 0; i < img->nr_segments; i++) {
		const struct chaos_image_segment *s = &img->seg[i];

		/* Re-checked: img is caller-owned and could be altered. */
		if (s->offset > img->elf_size ||
		    s->filesz > img->elf_size - s->offset ||
		    s->filesz > s->memsz || s->vaddr < img->virt_kstart ||
		    s->vaddr + s->memsz > img->virt_kend ||
		    s->vaddr + s->memsz < s->vaddr)
			return chaos_err_set(err, EINVAL,
					     "guest memory: segment %u is "
					     "inconsistent", i);
		if (chaos_pv_copy_to_guest(lay, mem, s->vaddr,
					   img->elf + s->offset, s->filesz,
					   err) < 0)
			return -1;
	}
	return 0;
}

int chaos_pv_load_ramdisk(const struct chaos_pv_layout *lay,
			  const struct chaos_guest_mem *mem, const void *data,
			  uint64_t len, chaos_err *err)
{
	if (len != lay->ramdisk_bytes)
		return chaos_err_set(err, EINVAL,
				     "guest memory: ramdisk is %" PRIu64
				     " bytes, layout planned %" PRIu64, len,
				     lay->ramdisk_bytes);
	if (chaos_pv_copy_to_guest(lay, mem,
				   chaos_pv_pfn_vaddr(lay, lay->ramdisk_pfn),
				   data, len, err) < 0)
		return -1;
	/* Zero the tail of the last ramdisk page. */
	return chaos_pv_copy_to_guest(lay, mem,
				      chaos_pv_pfn_vaddr(lay,
							 lay->ramdisk_pfn) +
				      len, NULL,
				      lay->ramdisk_pages * CHAOS_PAGE_SIZE -
				      len, err);
}

int chaos_pv_write_p2m(const struct chaos_pv_layout *lay,
		       const struct chaos_guest_mem *mem, chaos_err *err)
{
	uint64_t bytes = lay->nr_pages * sizeof(uint64_t);
	uint64_t va = chaos_pv_pfn_vaddr(lay, lay->p2m_pfn);

	if (mem->nr_pages < lay->nr_pages || !mem->p2m)
		return chaos_err_set(err, EINVAL,
				     "guest memory: p2m has %" PRIu64
				     " entries, layout needs %" PRIu64,
				     mem->nr_pages, lay->nr_pages);
	if (chaos_pv_copy_to_guest(lay, mem, va, mem->p2m, bytes, err) < 0)
		return -1;
	return chaos_pv_copy_to_guest(lay, mem, va + bytes, NULL,
				      lay->p2m_pages * CHAOS_PAGE_SIZE - bytes,
				      err);
}
