// SPDX-License-Identifier: MIT
/*
 * Page allocator. Pseudo-physical page N lives at virtual address N * 4096
 * (VIRT_BASE 0). Free pages are those after every bootstrap element
 * (image, p2m list, start_info, rings, page tables); those the bootstrap
 * mapping already covers go on a free list at once, the rest are mapped
 * 2 MiB at a time when the list runs dry (one new L1 table each).
 *
 * The start-of-day numbers come from the builder, so they are checked
 * against nr_pages and the mapping before use.
 */
#include <minios/hypercall.h>
#include <minios/lib.h>
#include <minios/mm.h>
#include <minios/os.h>

#define PT_ENTRIES 512
#define L1_SPAN_PAGES PT_ENTRIES

struct free_page {
	struct free_page *next;
};

static struct free_page *free_list;
static unsigned long nr_free, nr_pages;
/* Pages at or above this pfn are not mapped yet. */
static unsigned long next_unmapped_pfn;
static unsigned long first_free;
static bool populated;

static void mm_populate(void);
static const xen_pfn_t *p2m;

extern char _end[];

xen_pfn_t pfn_to_mfn(unsigned long pfn)
{
	BUG_ON(pfn >= nr_pages);
	return p2m[pfn];
}

int mm_map_mfn(void *va, xen_pfn_t mfn)
{
	uint64_t pte = ((uint64_t)mfn << PAGE_SHIFT) | PTE_KERNEL_RW;

	return (int)hyp_update_va_mapping((unsigned long)va, pte, UVMF_INVLPG);
}

unsigned long mfn_to_pfn(xen_pfn_t mfn)
{
	if (mfn >= MACH2PHYS_NR_ENTRIES)
		return ~0UL;
	return machine_to_phys_mapping[mfn];
}

/* A bootstrap page-table page, as a pointer, if it is one we can read. */
static uint64_t *table_of(uint64_t entry)
{
	unsigned long pfn, pt_first = PFN_DOWN(start_info->pt_base);

	if (!(entry & PTE_PRESENT))
		return NULL;
	pfn = mfn_to_pfn((entry & PTE_ADDR_MASK) >> PAGE_SHIFT);
	if (pfn < pt_first || pfn >= pt_first + start_info->nr_pt_frames)
		return NULL;
	return (uint64_t *)(pfn << PAGE_SHIFT);
}

static uint64_t *l2_table_for(unsigned long va)
{
	uint64_t *l4 = (uint64_t *)start_info->pt_base;
	uint64_t *l3 = table_of(l4[(va >> 39) & 511]);

	return l3 ? table_of(l3[(va >> 30) & 511]) : NULL;
}

/* Is pfn mapped writable at its own address, backed by its own frame? */
static bool pfn_is_mapped(unsigned long pfn)
{
	unsigned long va = pfn << PAGE_SHIFT;
	uint64_t *l2 = l2_table_for(va), *l1, e;

	if (!l2)
		return false;
	l1 = table_of(l2[(va >> 21) & 511]);
	if (!l1)
		return false;
	e = l1[(va >> 12) & 511];
	return (e & PTE_PRESENT) && (e & PTE_RW) &&
	       ((e & PTE_ADDR_MASK) >> PAGE_SHIFT) == p2m[pfn];
}

static void free_list_push(void *page)
{
	struct free_page *p = page;

	p->next = free_list;
	free_list = p;
	nr_free++;
}

/* Give the free list an empty L1 table: zeroed, then read-only (Xen
 * validates page tables and refuses writable mappings of them). */
static bool new_l1_table(xen_pfn_t *mfn)
{
	struct free_page *page = free_list;

	if (!page)
		return false;
	free_list = page->next;
	nr_free--;
	memset(page, 0, PAGE_SIZE);
	*mfn = pfn_to_mfn((unsigned long)page >> PAGE_SHIFT);
	if (hyp_update_va_mapping((unsigned long)page,
				  (*mfn << PAGE_SHIFT) | PTE_KERNEL_RO,
				  UVMF_INVLPG)) {
		free_list_push(page);
		return false;
	}
	return true;
}

/*
 * Map the next chunk of unmapped pages, up to the end of its 2 MiB region:
 * into the L1 table that covers it, made from a free page if there is
 * none. Only regions whose L2 table is a bootstrap one are handled, i.e.
 * the first GiB; that is plenty for a unikernel.
 */
static bool map_more(void)
{
	unsigned long first = next_unmapped_pfn, pfn, count = 0;
	unsigned long va = first << PAGE_SHIFT;
	unsigned long chunk_end = (first | (L1_SPAN_PAGES - 1)) + 1;
	static mmu_update_t req[L1_SPAN_PAGES]; /* 8 KiB: not on the stack */
	uint64_t *l2 = l2_table_for(va);
	uint64_t l2e;
	xen_pfn_t l1_mfn;
	unsigned int done;

	if (first >= nr_pages || !l2) {
		next_unmapped_pfn = nr_pages;
		return false;
	}
	l2e = l2[(va >> 21) & 511];
	if (l2e & PTE_PRESENT) {
		l1_mfn = (l2e & PTE_ADDR_MASK) >> PAGE_SHIFT;
	} else {
		if (!new_l1_table(&l1_mfn))
			return false;
		req[0].ptr = (pfn_to_mfn((unsigned long)l2 >> PAGE_SHIFT)
			      << PAGE_SHIFT) +
			     ((va >> 21) & 511) * sizeof(uint64_t);
		req[0].ptr |= MMU_NORMAL_PT_UPDATE;
		req[0].val = (l1_mfn << PAGE_SHIFT) | PTE_KERNEL_RW;
		if (hyp_mmu_update(req, 1, &done))
			panic("cannot hook a new L1 table at %lx", va);
	}
	if (chunk_end > nr_pages)
		chunk_end = nr_pages;
	for (pfn = first; pfn < chunk_end; pfn++, count++) {
		req[count].ptr = ((uint64_t)l1_mfn << PAGE_SHIFT) +
				 (pfn & (L1_SPAN_PAGES - 1)) * sizeof(uint64_t);
		req[count].ptr |= MMU_NORMAL_PT_UPDATE;
		req[count].val = (p2m[pfn] << PAGE_SHIFT) | PTE_KERNEL_RW;
	}
	if (hyp_mmu_update(req, (unsigned int)count, &done) || done != count)
		panic("mapping pfns %lx-%lx failed", first, chunk_end - 1);
	for (unsigned long i = count; i-- > 0;)
		free_list_push((void *)((first + i) << PAGE_SHIFT));
	next_unmapped_pfn = chunk_end;
	return true;
}

void *page_alloc(void)
{
	unsigned long flags = events_save_disable();
	struct free_page *p;

	if (!populated)
		mm_populate();
	/* Map more while one page is left: it may have to become an L1. */
	if (!free_list || !free_list->next)
		map_more();
	p = free_list;
	if (p) {
		free_list = p->next;
		nr_free--;
	}
	events_restore(flags);
	if (p)
		memset(p, 0, PAGE_SIZE);
	return p;
}

void page_free(void *page)
{
	unsigned long flags;
	unsigned long pfn = (unsigned long)page >> PAGE_SHIFT;

	BUG_ON(((unsigned long)page & ~PAGE_MASK) || pfn >= nr_pages);
	flags = events_save_disable();
	free_list_push(page);
	events_restore(flags);
}

unsigned long mm_free_pages(void)
{
	if (!populated)
		return nr_pages - first_free;
	return nr_free + (nr_pages - next_unmapped_pfn);
}

unsigned long mm_total_pages(void)
{
	return nr_pages;
}

static unsigned long max_ul(unsigned long a, unsigned long b)
{
	return a > b ? a : b;
}

/* First pfn after every bootstrap element we know of. */
static unsigned long first_free_pfn(void)
{
	unsigned long pfn = PFN_UP((unsigned long)_end);
	const start_info_t *si = start_info;

	pfn = max_ul(pfn, PFN_DOWN((unsigned long)si) + 1);
	pfn = max_ul(pfn, PFN_UP(si->mfn_list + si->nr_pages * sizeof(xen_pfn_t)));
	pfn = max_ul(pfn, PFN_DOWN(si->pt_base) + si->nr_pt_frames);
	if (si->mod_len && !(si->flags & SIF_MOD_START_PFN))
		pfn = max_ul(pfn, PFN_UP(si->mod_start + si->mod_len));
	if (si->store_mfn)
		pfn = max_ul(pfn, mfn_to_pfn(si->store_mfn) + 1);
	if (si->console.domU.mfn)
		pfn = max_ul(pfn, mfn_to_pfn(si->console.domU.mfn) + 1);
	return pfn;
}

/*
 * Find the free pages and put the mapped ones on the free list. Done on
 * first use, not at boot: an app that never allocates (noop) never pays.
 */
static void mm_populate(void)
{
	unsigned long pfn;

	populated = true;
	for (pfn = first_free; pfn < nr_pages && pfn_is_mapped(pfn); pfn++)
		;
	next_unmapped_pfn = pfn;
	/* Push in reverse so that allocation hands out low pages first. */
	while (pfn-- > first_free)
		free_list_push((void *)(pfn << PAGE_SHIFT));
}

void mm_init(void)
{
	nr_pages = start_info->nr_pages;
	p2m = (const xen_pfn_t *)start_info->mfn_list;
	first_free = first_free_pfn();
	if (first_free > nr_pages) {
		/* A console/store frame outside our range: ignore it. */
		printk("minios: bootstrap area ends at pfn %lx > nr_pages %lx\n",
		       first_free, nr_pages);
		first_free = max_ul(PFN_DOWN(start_info->pt_base) +
					    start_info->nr_pt_frames,
				    PFN_UP((unsigned long)_end));
		if (first_free > nr_pages)
			first_free = nr_pages;
	}
	next_unmapped_pfn = first_free;
}
