/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_PT_CANON_H
#define CHAOS_PT_CANON_H

/*
 * Making a PV guest's state machine-independent and back (pure code, no
 * Xen calls: the tests run it on plain buffers).
 *
 * A PV guest's page tables, its vCPUs' CR3 and GDT frames and the start
 * info frame in %rdx hold machine frame numbers (mfns). A saved image holds
 * pfns instead ("canonical" form); a restore puts the new domain's mfns
 * back ("localised" form). Both directions check every frame: on save it
 * must be one of the guest's own (its p2m), on restore inside its memory.
 */

#include <stdbool.h>
#include <stdint.h>
#include <xenctrl.h>
#include <chaos/error.h>

#define CHAOS_PT_ENTRIES 512
/* Xen's own L4 slots in every 64-bit PV L4 (it fills them on pinning). */
#define CHAOS_PT_XEN_SLOT_FIRST 256
#define CHAOS_PT_XEN_SLOT_LAST 271

/* mfn -> pfn, built from a guest's p2m (sorted; duplicates refused). */
struct chaos_m2p {
	struct chaos_m2p_entry {
		uint64_t mfn, pfn;
	} *e;
	uint64_t n;
};

/*
 * Build the reverse map of p2m[0..nr_pages). Refuses an mfn listed for two
 * pfns and entries that do not fit a page-table entry (INVALID_MFN too:
 * the image format wants every pfn populated).
 */
int chaos_m2p_build(const uint64_t *p2m, uint64_t nr_pages,
		    struct chaos_m2p *m, chaos_err *err);
void chaos_m2p_free(struct chaos_m2p *m);
/* 0 and *pfn, or -1 when mfn is not one of the guest's frames. */
int chaos_m2p_lookup(const struct chaos_m2p *m, uint64_t mfn, uint64_t *pfn);

/*
 * One page-table page of level 1..4 (at pfn, for messages), in place.
 * Canonicalise: every present entry's frame becomes its pfn; Xen's L4
 * slots are cleared. Localise: every present entry's pfn must be below
 * nr_pages and becomes p2m[pfn]; Xen's L4 slots must be empty. Superpage
 * entries are refused both ways (64-bit PV guests do not get them).
 */
int chaos_pt_canonicalize(uint64_t table[CHAOS_PT_ENTRIES], unsigned int level,
			  uint64_t pfn, const struct chaos_m2p *m,
			  chaos_err *err);
int chaos_pt_localize(uint64_t table[CHAOS_PT_ENTRIES], unsigned int level,
		      uint64_t pfn, const uint64_t *p2m, uint64_t nr_pages,
		      chaos_err *err);

/*
 * One vCPU's context: CR3 (and the user-mode CR3, if any) and the GDT
 * frames; for vCPU 0 also %rdx, the start info frame of the suspend call.
 */
int chaos_vcpu_canonicalize(vcpu_guest_context_x86_64_t *c, unsigned int vcpu,
			    const struct chaos_m2p *m, chaos_err *err);
int chaos_vcpu_localize(vcpu_guest_context_x86_64_t *c, unsigned int vcpu,
			const uint64_t *p2m, uint64_t nr_pages, chaos_err *err);

#endif
