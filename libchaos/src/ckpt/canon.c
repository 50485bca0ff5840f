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
/* A dense m2p costs 4 bytes a frame of the span: at most this many times
 * 4 bytes a guest page. */
#define DENSE_SPREAD 4u

/* Radix digits for sorting by frame: 11 bits, 4 passes cover 40 bits. */
#define RADIX_BITS 11u
#define RADIX_SIZE (1u << RADIX_BITS)

/*
 * Sort by mfn in O(n): an LSD radix sort over only the digits the largest
 * frame has (two or three passes on most hosts). qsort's comparison calls
 * cost more than the rest of a save's bookkeeping where they are emulated.
 */
static int sort_by_mfn(struct chaos_m2p_entry *e, uint64_t n, chaos_err *err)
{
	struct chaos_m2p_entry *tmp, *from = e, *to;
	uint64_t max = 0, *count;

	for (uint64_t i = 0; i < n; i++)
		if (e[i].mfn > max)
			max = e[i].mfn;
	tmp = malloc(n * sizeof(*tmp));
	count = malloc(RADIX_SIZE * sizeof(*count));
	if (!tmp || !count) {
		free(tmp);
		free(count);
		return chaos_err_set(err, ENOMEM, "out of memory for the m2p");
	}
	to = tmp;
	for (unsigned int shift = 0; shift < 64 && (max >> shift); shift += RADIX_BITS) {
		uint64_t sum = 0;
		struct chaos_m2p_entry *swap;

		memset(count, 0, RADIX_SIZE * sizeof(*count));
		for (uint64_t i = 0; i < n; i++)
			count[(from[i].mfn >> shift) & (RADIX_SIZE - 1)]++;
		for (unsigned int d = 0; d < RADIX_SIZE; d++) {
			uint64_t c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (uint64_t i = 0; i < n; i++)
			to[count[(from[i].mfn >> shift) & (RADIX_SIZE - 1)]++] = from[i];
		swap = from;
		from = to;
		to = swap;
	}
	if (from != e)
		memcpy(e, from, n * sizeof(*e));
	free(tmp);
	free(count);
	return 0;
}

/*
 * A table indexed by frame when the frames span at most DENSE_SPREAD
 * times their number: a page table's 512 lookups become loads. Without
 * the memory for it, the binary search does.
 */
static void make_dense(struct chaos_m2p *m)
{
	if (!m->n || m->n > UINT32_MAX - 1)
		return;
	m->base = m->e[0].mfn;
	m->span = m->e[m->n - 1].mfn - m->base + 1;
	if (m->span > m->n * DENSE_SPREAD)
		return;
	m->dense = calloc(m->span, sizeof(*m->dense));
	if (!m->dense)
		return;
	for (uint64_t i = 0; i < m->n; i++)
		m->dense[m->e[i].mfn - m->base] = (uint32_t)(m->e[i].pfn + 1);
}

int chaos_m2p_build(const uint64_t *p2m, uint64_t nr_pages,
		    struct chaos_m2p *m, chaos_err *err)
{
	memset(m, 0, sizeof(*m));
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
	if (sort_by_mfn(m->e, m->n, err)) {
		chaos_m2p_free(m);
		return -1;
	}
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
	make_dense(m);
	return 0;
}

void chaos_m2p_free(struct chaos_m2p *m)
{
	free(m->e);
	free(m->dense);
	memset(m, 0, sizeof(*m));
}

int chaos_m2p_lookup(const struct chaos_m2p *m, uint64_t mfn, uint64_t *pfn)
{
	uint64_t lo = 0, hi = m->n;

	if (m->dense) {
		uint64_t i = mfn - m->base; /* wraps below base: too big */

		if (i >= m->span || !m->dense[i])
			return -1;
		*pfn = m->dense[i] - 1;
		return 0;
	}
	/* Binary search over [lo, hi): no comparison callback per step. */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (m->e[mid].mfn < mfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == m->n || m->e[lo].mfn != mfn)
		return -1;
	*pfn = m->e[lo].pfn;
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
