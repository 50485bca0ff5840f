// SPDX-License-Identifier: MIT
/*
 * Grant table v1 for the pages we grant (xen/grant_table.h): Xen gives us
 * the table frames (GNTTABOP_setup_table), we map them over pages of our
 * own and write entries: frame and domid first, then the flags that make
 * the entry live. Ending a grant clears the flags with a compare-and-swap
 * that fails while Xen marks the entry as being read or written (a mapping
 * or a copy in progress): then the page is not ours to reuse yet.
 */
#include <minios/gnttab.h>
#include <minios/hypercall.h>
#include <minios/lib.h>
#include <minios/mm.h>
#include <minios/os.h>

/* 4 frames: 2048 entries, enough for 8 vifs; Xen's default limit is 64. */
#define GNTTAB_MAX_FRAMES 4
#define ENTRIES_PER_FRAME (PAGE_SIZE / sizeof(grant_entry_v1_t))
#define GNTTAB_MAX_REFS (GNTTAB_MAX_FRAMES * ENTRIES_PER_FRAME)
/* Refs 0-7 belong to the toolstack (console, store). */
#define FIRST_REF 8
/* Pages whose grant could not be ended yet. */
#define DEFERRED_MAX 256

static grant_entry_v1_t *frames[GNTTAB_MAX_FRAMES];
static unsigned int nr_refs;	/* 0: not set up */
static uint64_t used[GNTTAB_MAX_REFS / 64];
static unsigned int in_use;
static unsigned int next_hint = FIRST_REF;

static struct deferred {
	grant_ref_t ref;
	void *va;
} deferred[DEFERRED_MAX];
static unsigned int nr_deferred;
static unsigned long leaked_pages;

static grant_entry_v1_t *entry(grant_ref_t ref)
{
	return &frames[ref / ENTRIES_PER_FRAME][ref % ENTRIES_PER_FRAME];
}

/* Table frames from Xen, mapped over pages from the allocator. */
static int setup(void)
{
	struct gnttab_query_size query = { .dom = DOMID_SELF };
	xen_pfn_t mfns[GNTTAB_MAX_FRAMES];
	struct gnttab_setup_table op = { .dom = DOMID_SELF };
	unsigned int n;
	long rc;

	rc = hyp_grant_table_op(GNTTABOP_query_size, &query, 1);
	if (rc || query.status != GNTST_okay || query.max_nr_frames == 0) {
		printk("gnttab: query_size failed: %ld/%d\n", rc, query.status);
		return -1;
	}
	n = query.max_nr_frames < GNTTAB_MAX_FRAMES ? query.max_nr_frames :
						      GNTTAB_MAX_FRAMES;
	op.nr_frames = n;
	set_xen_guest_handle(op.frame_list, mfns);
	rc = hyp_grant_table_op(GNTTABOP_setup_table, &op, 1);
	if (rc || op.status != GNTST_okay) {
		printk("gnttab: setup_table(%u) failed: %ld/%d\n", n, rc,
		       op.status);
		return -1;
	}
	for (unsigned int i = 0; i < n; i++) {
		void *va = frames[i] ? (void *)frames[i] : page_alloc();

		if (!va || hyp_update_va_mapping((unsigned long)va,
						 (mfns[i] << PAGE_SHIFT) |
							 PTE_KERNEL_RW,
						 UVMF_INVLPG)) {
			printk("gnttab: cannot map table frame %u\n", i);
			/* Frames mapped so far stay usable. */
			n = i;
			break;
		}
		frames[i] = va;
	}
	if (n == 0)
		return -1;
	nr_refs = n * ENTRIES_PER_FRAME;
	return 0;
}

/* Clear a live entry unless Xen is using it. */
static bool revoke(grant_ref_t ref)
{
	volatile uint16_t *flags = &entry(ref)->flags;
	uint16_t seen = *flags;

	do {
		if (seen & (GTF_reading | GTF_writing))
			return false;
	} while (!__atomic_compare_exchange_n(flags, &seen, 0, false,
					      __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST));
	return true;
}

static void release_ref(grant_ref_t ref)
{
	used[ref / 64] &= ~(1ull << (ref % 64));
	in_use--;
}

/* Pages whose grants have ended since the last try go back. */
static void retry_deferred(void)
{
	unsigned int i = 0;

	if (!nr_refs)
		return;
	while (i < nr_deferred) {
		if (revoke(deferred[i].ref)) {
			release_ref(deferred[i].ref);
			page_free(deferred[i].va);
			deferred[i] = deferred[--nr_deferred];
		} else {
			i++;
		}
	}
}

static int alloc_ref(grant_ref_t *ref)
{
	unsigned int span = nr_refs - FIRST_REF;

	if (next_hint < FIRST_REF || next_hint >= nr_refs)
		next_hint = FIRST_REF;
	for (unsigned int n = 0; n < span; n++) {
		unsigned int r = FIRST_REF + (next_hint - FIRST_REF + n) % span;

		if (!(used[r / 64] & (1ull << (r % 64)))) {
			used[r / 64] |= 1ull << (r % 64);
			in_use++;
			next_hint = r + 1;
			*ref = r;
			return 0;
		}
	}
	return -1;
}

int gnttab_grant_page(domid_t domid, void *va, bool readonly,
		      grant_ref_t *ref)
{
	unsigned long flags = events_save_disable();
	xen_pfn_t mfn = pfn_to_mfn((unsigned long)va >> PAGE_SHIFT);
	grant_entry_v1_t *e;
	int rc = -1;

	if (!nr_refs && setup())
		goto out;
	/* A v1 entry holds a 32-bit frame number. */
	if (mfn > UINT32_MAX)
		goto out;
	if (alloc_ref(ref)) {
		retry_deferred();
		if (alloc_ref(ref))
			goto out;
	}
	e = entry(*ref);
	e->frame = (uint32_t)mfn;
	e->domid = domid;
	/* The entry is live once flags are set: everything else first. */
	wmb();
	e->flags = GTF_permit_access | (readonly ? GTF_readonly : 0);
	rc = 0;
out:
	events_restore(flags);
	return rc;
}

void gnttab_end_and_free(grant_ref_t ref, void *va)
{
	unsigned long flags = events_save_disable();

	if (nr_refs && ref >= FIRST_REF && ref < nr_refs) {
		if (revoke(ref)) {
			release_ref(ref);
			page_free(va);
		} else if (nr_deferred < DEFERRED_MAX) {
			deferred[nr_deferred].ref = ref;
			deferred[nr_deferred].va = va;
			nr_deferred++;
		} else {
			/* Never reuse it: a backend may still write there. */
			if (!leaked_pages++)
				printk("gnttab: deferred list full, pages kept\n");
		}
		retry_deferred();
	}
	events_restore(flags);
}

unsigned int gnttab_refs_in_use(void)
{
	return in_use;
}

unsigned int gnttab_pages_deferred(void)
{
	return nr_deferred;
}

void gnttab_suspend(void)
{
	unsigned long flags = events_save_disable();

	for (unsigned int i = 0; i < GNTTAB_MAX_FRAMES && frames[i]; i++) {
		unsigned long pfn = (unsigned long)frames[i] >> PAGE_SHIFT;

		/* The page's own frame again; the va is reused on resume. */
		hyp_update_va_mapping((unsigned long)frames[i],
				      ((uint64_t)pfn_to_mfn(pfn) << PAGE_SHIFT) |
					      PTE_KERNEL_RW,
				      UVMF_INVLPG);
	}
	nr_refs = 0;
	events_restore(flags);
}
