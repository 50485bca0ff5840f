// SPDX-License-Identifier: MIT
/*
 * The device page: ask the hypervisor for its frame, map it read-only,
 * and take consistent copies of it with the generation seqlock. The
 * hypervisor writes it, but it is still input: every header field and
 * entry is checked before the core acts on it.
 */
#include <minios/hypercall.h>
#include <minios/lib.h>
#include <minios/os.h>
#include <minios/sched.h>

#include "devpage.h"
#include "map.h"

/* A writer holds the generation odd for a few stores; this is plenty. */
#define SNAPSHOT_TRIES 10000

static const volatile struct noxs_page *page;

int noxs_devpage_map(void)
{
	struct noxs_op_get_page op = { .domid = NOXS_DOMID_SELF };
	long rc;
	void *va;

	rc = hyp_noxs_op(NOXSOP_get_page, &op);
	if (rc == -XEN_ENOSYS)
		return -XEN_ENOSYS;	/* stock Xen: no devices, no noise */
	if (rc) {
		printk("noxs: get_page failed: %ld\n", rc);
		return (int)rc;
	}
	va = noxs_va_alloc();
	if (!va) {
		printk("noxs: no address to map the device page at\n");
		return -1;
	}
	rc = noxs_map_frame_ro(va, op.frame);
	if (rc) {
		printk("noxs: mapping the device page (frame %lx) failed: %ld\n",
		       (unsigned long)op.frame, rc);
		noxs_va_free(va);
		return (int)rc;
	}
	page = va;
	return 0;
}

void noxs_devpage_unmap(void)
{
	if (!page)
		return;
	noxs_va_free((void *)page);
	page = NULL;
}

static int check_header(const struct noxs_page_hdr *h)
{
	const char *bad = NULL;

	if (h->magic != NOXS_PAGE_MAGIC)
		bad = "magic";
	else if (h->version != NOXS_ABI_VERSION)
		bad = "version";
	else if (h->hdr_size != sizeof(struct noxs_page_hdr))
		bad = "hdr_size";
	else if (h->entry_size != sizeof(struct noxs_entry))
		bad = "entry_size";
	else if (h->max_entries != NOXS_MAX_ENTRIES)
		bad = "max_entries";
	else if (h->count > h->max_entries)
		bad = "count";
	if (bad) {
		printk("noxs: device page: bad %s\n", bad);
		return -1;
	}
	return 0;
}

int noxs_devpage_snapshot(struct noxs_entry *out, unsigned int max,
			  unsigned int *count, unsigned int *total)
{
	for (int tries = 0; tries < SNAPSHOT_TRIES; tries++) {
		struct noxs_page_hdr hdr;
		unsigned int n;
		uint32_t g1, g2;

		g1 = page->hdr.generation;
		rmb();
		memcpy(&hdr, (const void *)&page->hdr, sizeof(hdr));
		n = hdr.count < max ? hdr.count : max;
		/* count is only trusted after the check below; bound it now. */
		if (n > NOXS_MAX_ENTRIES)
			n = NOXS_MAX_ENTRIES;
		memcpy(out, (const void *)page->entries, n * sizeof(*out));
		rmb();
		g2 = page->hdr.generation;
		if ((g1 & 1) || g1 != g2) {
			sched_yield();
			continue;
		}
		if (check_header(&hdr))
			return -1;
		*count = n;
		*total = hdr.count;
		return 0;
	}
	printk("noxs: device page generation never settled\n");
	return -1;
}

int noxs_entry_check(const struct noxs_entry *e)
{
	const char *bad = NULL;

	if (e->type == NOXS_DEV_NONE || e->type > NOXS_DEV_TYPE_MAX)
		bad = "type";
	else if (e->devid > NOXS_DEVID_MAX)
		bad = "devid";
	else if (e->be_domid >= NOXS_DOMID_MAX)
		bad = "be_domid";
	else if (e->flags & ~NOXS_ENTRY_F_KNOWN)
		bad = "flags";
	else if (e->grant < NOXS_GRANT_MIN)
		bad = "grant";
	else if (e->evtchn == 0)
		bad = "evtchn";
	else if (e->reserved[0] || e->reserved[1])
		bad = "reserved";
	if (bad) {
		printk("noxs: device entry (type %u devid %u): bad %s, skipped\n",
		       e->type, e->devid, bad);
		return -1;
	}
	return 0;
}
