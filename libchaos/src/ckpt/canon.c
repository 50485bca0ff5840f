// SPDX-License-Identifier: MIT
/* Page tables and vCPU contexts: machine frames to pfns and back. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt/ckpt.h"

#define PTE_PRESENT 0x001ull
#define PTE_PSE 0x080ull
#define PTE_ADDR_MASK 0x000ffffffffff000ull
#define PTE_FRAME_MAX (UINT64_C(1) << 40) /* 52-bit machine addresses */
/* 512 descriptors of 8 bytes per GDT frame, 16 frames at most. */
#define GDT_ENTRIES_PER_FRAME 512u
#define GDT_FRAMES_MAX 16u

static int cmp_mfn(const void *a, const void *b)
{
	const struct chaos_m2p_entry *x = a, *y = b;

	return x->mfn < y->mfn ? -1 : x->mfn > y->mfn;
}

int chaos_m2p_build(const uint64_t *p2m, uint64_t nr_pages,
		    struct chaos_m2p *m, chaos_err *err)
{
	m->n = 0;
	m->e = calloc(nr_pages ? nr_pages : 1, sizeof(*m->e));
	if (!m->e)
		return chaos_err_set(err, ENOMEM, "out of memory for the m2p");
	for (uint64_t pfn = 0; pfn < nr_pages; pfn++) {
		if (p2m[pfn] >= PTE_FRAME_MAX) {
			chaos_m2p_free(m);
			return chaos_err_set(err, EINVAL,
					     "p2m: pfn %#llx has no usable frame (%#llx)",
					     (unsigned long long)pfn,
					     (unsigned long long)p2m[pfn]);
		}
		m->e[pfn].mfn = p2m[pfn];
		m->e[pfn].pfn = pfn;
	}
	m->n = nr_pages;
	qsort(m->e, m->n, sizeof(*m->e), cmp_mfn);
	for (uint64_t i = 1; i < m->n; i++) {
		if (m->e[i].mfn == m->e[i - 1].mfn) {
			int rc = chaos_err_set(err, EINVAL,
					       "p2m: pfns %#llx and %#llx both claim frame %#llx",
					       (unsigned long long)m->e[i - 1].pfn,
					       (unsigned long long)m->e[i].pfn,
					       (unsigned long long)m->e[i].mfn);

			chaos_m2p_free(m);
			return rc;
		}
	}
	return 0;
}

void chaos_m2p_free(struct chaos_m2p *m)
{
	free(m->e);
	m->e = NULL;
	m->n = 0;
}

int chaos_m2p_lookup(const struct chaos_m2p *m, uint64_t mfn, uint64_t *pfn)
{
	struct chaos_m2p_entry key = { .mfn = mfn };
	const struct chaos_m2p_entry *hit;

	if (!m->n)
		return -1;
	hit = bsearch(&key, m->e, m->n, sizeof(*m->e), cmp_mfn);
	if (!hit)
		return -1;
	*pfn = hit->pfn;
	return 0;
}

static bool xen_slot(unsigned int level, unsigned int i)
{
	return level == 4 && i >= CHAOS_PT_XEN_SLOT_FIRST &&
	       i <= CHAOS_PT_XEN_SLOT_LAST;
}

static int check_level(unsigned int level, uint64_t pfn, chaos_err *err)
{
	if (level < 1 || level > 4)
		return chaos_err_set(err, EINVAL,
				     "page table at pfn %#llx: level %u is not 1 to 4",
				     (unsigned long long)pfn, level);
	return 0;
}

/* Superpages: an L2 or L3 entry with PSE maps memory, not a table. */
static bool superpage(unsigned int level, uint64_t e)
{
	return (level == 2 || level == 3) && (e & PTE_PSE);
}

int chaos_pt_canonicalize(uint64_t table[CHAOS_PT_ENTRIES], unsigned int level,
			  uint64_t pfn, const struct chaos_m2p *m,
			  chaos_err *err)
{
	if (check_level(level, pfn, err))
		return -1;
	for (unsigned int i = 0; i < CHAOS_PT_ENTRIES; i++) {
		uint64_t e = table[i], mfn, target;

		if (xen_slot(level, i)) {
			table[i] = 0;
			continue;
		}
		if (!(e & PTE_PRESENT))
			continue;
		if (superpage(level, e))
			return chaos_err_set(err, EINVAL,
					     "L%u table at pfn %#llx, entry %u: superpage mappings are not supported",
					     level, (unsigned long long)pfn, i);
		mfn = (e & PTE_ADDR_MASK) >> 12;
		if (chaos_m2p_lookup(m, mfn, &target))
			return chaos_err_set(err, EINVAL,
					     "L%u table at pfn %#llx, entry %u: maps frame %#llx, which is not the guest's (a foreign or hypervisor page still mapped)",
					     level, (unsigned long long)pfn, i,
					     (unsigned long long)mfn);
		table[i] = (e & ~PTE_ADDR_MASK) | (target << 12);
	}
	return 0;
}

int chaos_pt_localize(uint64_t table[CHAOS_PT_ENTRIES], unsigned int level,
		      uint64_t pfn, const uint64_t *p2m, uint64_t nr_pages,
		      chaos_err *err)
{
	if (check_level(level, pfn, err))
		return -1;
	for (unsigned int i = 0; i < CHAOS_PT_ENTRIES; i++) {
		uint64_t e = table[i], target;

		if (xen_slot(level, i)) {
			if (e)
				return chaos_err_set(err, EINVAL,
						     "L4 table at pfn %#llx, entry %u: Xen's slot is not empty",
						     (unsigned long long)pfn, i);
			continue;
		}
		if (!(e & PTE_PRESENT))
			continue;
		if (superpage(level, e))
			return chaos_err_set(err, EINVAL,
					     "L%u table at pfn %#llx, entry %u: superpage mappings are not supported",
					     level, (unsigned long long)pfn, i);
		target = (e & PTE_ADDR_MASK) >> 12;
		if (target >= nr_pages)
			return chaos_err_set(err, EINVAL,
					     "L%u table at pfn %#llx, entry %u: pfn %#llx is outside the guest's %llu pages",
					     level, (unsigned long long)pfn, i,
					     (unsigned long long)target,
					     (unsigned long long)nr_pages);
		table[i] = (e & ~PTE_ADDR_MASK) | (p2m[target] << 12);
	}
	return 0;
}

static unsigned int gdt_frames(const vcpu_guest_context_x86_64_t *c)
{
	return (unsigned int)((c->gdt_ents + GDT_ENTRIES_PER_FRAME - 1) /
			      GDT_ENTRIES_PER_FRAME);
}

/* Each frame-holding field of a vCPU context, one at a time. */
typedef int (*frame_fn)(uint64_t *frame, const char *field, unsigned int vcpu,
			const void *ctx, chaos_err *err);

static int for_each_frame(vcpu_guest_context_x86_64_t *c, unsigned int vcpu,
			  frame_fn fn, const void *ctx, chaos_err *err)
{
	uint64_t cr3 = c->ctrlreg[3] >> 12, ucr3 = c->ctrlreg[1] >> 12;
	unsigned int n;

	if (c->gdt_ents > GDT_FRAMES_MAX * GDT_ENTRIES_PER_FRAME)
		return chaos_err_set(err, EINVAL,
				     "vCPU %u: gdt_ents %llu is more than %u",
				     vcpu, (unsigned long long)c->gdt_ents,
				     GDT_FRAMES_MAX * GDT_ENTRIES_PER_FRAME);
	if (!(c->flags & VGCF_online))
		return 0; /* an offline vCPU's context is not used */
	if ((c->ctrlreg[3] & 0xfff) || (c->ctrlreg[1] & 0xfff))
		return chaos_err_set(err, EINVAL,
				     "vCPU %u: cr3 has flag bits set", vcpu);
	if (fn(&cr3, "cr3", vcpu, ctx, err))
		return -1;
	c->ctrlreg[3] = cr3 << 12;
	if (c->ctrlreg[1]) {
		if (fn(&ucr3, "user cr3", vcpu, ctx, err))
			return -1;
		c->ctrlreg[1] = ucr3 << 12;
	}
	n = gdt_frames(c);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t f = c->gdt_frames[i];

		if (fn(&f, "gdt frame", vcpu, ctx, err))
			return -1;
		c->gdt_frames[i] = f;
	}
	for (unsigned int i = n; i < GDT_FRAMES_MAX; i++)
		c->gdt_frames[i] = 0;
	if (vcpu == 0 && fn(&c->user_regs.rdx, "rdx (start info)", vcpu, ctx,
			    err))
		return -1;
	return 0;
}

static int frame_to_pfn(uint64_t *frame, const char *field, unsigned int vcpu,
			const void *ctx, chaos_err *err)
{
	uint64_t pfn;

	if (chaos_m2p_lookup(ctx, *frame, &pfn))
		return chaos_err_set(err, EINVAL,
				     "vCPU %u: %s frame %#llx is not the guest's",
				     vcpu, field, (unsigned long long)*frame);
	*frame = pfn;
	return 0;
}

struct localize_ctx {
	const uint64_t *p2m;
	uint64_t nr_pages;
};

static int pfn_to_frame(uint64_t *frame, const char *field, unsigned int vcpu,
			const void *ctx, chaos_err *err)
{
	const struct localize_ctx *l = ctx;

	if (*frame >= l->nr_pages)
		return chaos_err_set(err, EINVAL,
				     "vCPU %u: %s pfn %#llx is outside the guest's %llu pages",
				     vcpu, field, (unsigned long long)*frame,
				     (unsigned long long)l->nr_pages);
	*frame = l->p2m[*frame];
	return 0;
}

int chaos_vcpu_canonicalize(vcpu_guest_context_x86_64_t *c, unsigned int vcpu,
			    const struct chaos_m2p *m, chaos_err *err)
{
	return for_each_frame(c, vcpu, frame_to_pfn, m, err);
}

int chaos_vcpu_localize(vcpu_guest_context_x86_64_t *c, unsigned int vcpu,
			const uint64_t *p2m, uint64_t nr_pages, chaos_err *err)
{
	struct localize_ctx l = { p2m, nr_pages };

	return for_each_frame(c, vcpu, pfn_to_frame, &l, err);
}
