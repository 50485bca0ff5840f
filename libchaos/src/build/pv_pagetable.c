// SPDX-License-Identifier: MIT
/*
 * The x86_64 4-level bootstrap page tables of a PV guest. Entries hold
 * machine frame numbers; the tables map themselves read-only because Xen
 * refuses to pin page tables that are writable through any mapping.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "build/build.h"

#define PTE_PRESENT  0x001ull
#define PTE_RW       0x002ull
#define PTE_USER     0x004ull
#define PTE_ACCESSED 0x020ull
#define PTE_DIRTY    0x040ull
#define MFN_MAX      (UINT64_C(1) << 40)   /* 52-bit machine addresses */

#define TABLE_PROT   (PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED)
#define DATA_PROT    (TABLE_PROT | PTE_DIRTY)
#define PT_PAGE_PROT (PTE_PRESENT | PTE_USER | PTE_ACCESSED)

struct pt_build {
	const struct chaos_pv_layout *lay;
	const struct chaos_guest_mem *mem;
	uint64_t **tables;        /* pt_pages pointers, L4 first */
};

static int mfn_of(const struct pt_build *b, uint64_t pfn, uint64_t *mfn,
		  chaos_err *err)
{
	if (pfn >= b->mem->nr_pages || pfn >= b->lay->nr_pages)
		return chaos_err_set(err, EINVAL,
				     "page tables: pfn %#" PRIx64 " is beyond "
				     "the domain", pfn);
	*mfn = b->mem->p2m[pfn];
	if (*mfn >= MFN_MAX)
		return chaos_err_set(err, EINVAL,
				     "page tables: p2m[%#" PRIx64 "] = %#"
				     PRIx64 " is not a valid mfn", pfn, *mfn);
	return 0;
}

/* Point entry idx of table `from` at pt page `to` (both pt indexes). */
static int link_table(const struct pt_build *b, uint64_t from,
		      unsigned int idx, uint64_t to, chaos_err *err)
{
	uint64_t mfn = 0;

	if (mfn_of(b, b->lay->pt_pfn + to, &mfn, err) < 0)
		return -1;
	b->tables[from][idx] = mfn << CHAOS_PAGE_SHIFT | TABLE_PROT;
	return 0;
}

static int map_page(const struct pt_build *b, uint64_t va, chaos_err *err)
{
	const struct chaos_pv_layout *lay = b->lay;
	uint64_t base = lay->virt_base;
	/* Table numbers within each level, counted from virt_base's. */
	uint64_t t3 = (va >> 39) - (base >> 39);
	uint64_t t2 = (va >> 30) - (base >> 30);
	uint64_t t1 = (va >> 21) - (base >> 21);
	uint64_t l3 = 1 + t3, l2 = 1 + lay->nr_l3 + t2;
	uint64_t l1 = 1 + lay->nr_l3 + lay->nr_l2 + t1;
	uint64_t pfn = (va - base) >> CHAOS_PAGE_SHIFT;
	uint64_t mfn = 0, prot = DATA_PROT;

	if (t3 >= lay->nr_l3 || t2 >= lay->nr_l2 || t1 >= lay->nr_l1)
		return chaos_err_set(err, EINVAL,
				     "page tables: %#" PRIx64 " needs more "
				     "tables than planned", va);
	if (link_table(b, 0, (va >> 39) & 511, l3, err) < 0 ||
	    link_table(b, l3, (va >> 30) & 511, l2, err) < 0 ||
	    link_table(b, l2, (va >> 21) & 511, l1, err) < 0 ||
	    mfn_of(b, pfn, &mfn, err) < 0)
		return -1;
	if (pfn >= lay->pt_pfn && pfn < lay->pt_pfn + lay->pt_pages)
		prot = PT_PAGE_PROT;
	b->tables[l1][(va >> 12) & 511] = mfn << CHAOS_PAGE_SHIFT | prot;
	return 0;
}

int chaos_pv_build_pagetables(const struct chaos_pv_layout *lay,
			      const struct chaos_guest_mem *mem,
			      chaos_err *err)
{
	struct pt_build b = { .lay = lay, .mem = mem };
	int rc = -1;

	if (lay->pt_pages != 1 + lay->nr_l3 + lay->nr_l2 + lay->nr_l1 ||
	    lay->pt_pfn + lay->pt_pages > lay->nr_pages ||
	    lay->nr_pages > mem->nr_pages ||
	    lay->virt_map_end <= lay->virt_base ||
	    ((lay->virt_map_end - lay->virt_base) >> CHAOS_PAGE_SHIFT) >
	    lay->nr_pages)
		return chaos_err_set(err, EINVAL,
				     "page tables: inconsistent layout");
	b.tables = calloc(lay->pt_pages, sizeof(*b.tables));
	if (!b.tables)
		return chaos_err_set(err, ENOMEM, "page tables: out of memory");
	for (uint64_t i = 0; i < lay->pt_pages; i++) {
		b.tables[i] = mem->page(mem->ctx, lay->pt_pfn + i);
		if (!b.tables[i]) {
			chaos_err_set(err, EFAULT,
				      "page tables: pfn %#" PRIx64 " is not "
				      "mapped", lay->pt_pfn + i);
			goto out;
		}
		memset(b.tables[i], 0, CHAOS_PAGE_SIZE);
	}
	for (uint64_t va = lay->virt_base; va < lay->virt_map_end;
	     va += CHAOS_PAGE_SIZE)
		if (map_page(&b, va, err) < 0)
			goto out;
	rc = 0;
out:
	free(b.tables);
	return rc;
}
