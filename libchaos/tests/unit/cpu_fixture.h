/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_TEST_CPU_FIXTURE_H
#define CHAOS_TEST_CPU_FIXTURE_H

/*
 * A PV guest's CPU as an image carries it (the CPU record): a short
 * CPUID policy in the hypervisor's order (SSE2-era features, AVX in leaf
 * 1, nothing past leaf 0xd but the extended leaves), Xen's two policy
 * MSRs and an emulated TSC that has run for a while. Not a real CPU's
 * full policy: enough for every check to have something to look at.
 */

#include <string.h>

#include "hyp/hyp.h"

static inline void fx_cpu_leaf(struct chaos_cpu_policy *p, uint32_t leaf,
			       uint32_t subleaf, uint32_t a, uint32_t b,
			       uint32_t c, uint32_t d)
{
	p->leaves[p->nr_leaves++] = (struct chaos_cpu_leaf){ leaf, subleaf,
							     a, b, c, d };
}

static inline void fx_cpu_state(struct chaos_cpu_state *cpu)
{
	struct chaos_cpu_policy *p = &cpu->policy;
	const uint32_t none = CHAOS_CPU_NO_SUBLEAF;

	memset(cpu, 0, sizeof(*cpu));
	fx_cpu_leaf(p, 0x0, none, 0xd, 0x756e6547, 0x6c65746e, 0x49656e69);
	/* ecx: SSE3, SSSE3, SSE4.1/4.2, XSAVE, OSXSAVE, AVX, hypervisor */
	fx_cpu_leaf(p, 0x1, none, 0x663, 0x800, 0x9e982201, 0x078bfbfd);
	fx_cpu_leaf(p, 0x7, 0, 0, 0x00000009, 0, 0);
	fx_cpu_leaf(p, 0xd, 0, 0x7, 0x340, 0x340, 0);
	fx_cpu_leaf(p, 0xd, 1, 0x1, 0, 0, 0);
	fx_cpu_leaf(p, 0xd, 2, 0x100, 0x240, 0, 0);
	fx_cpu_leaf(p, 0x40000000, none, 0, 0, 0, 0);
	fx_cpu_leaf(p, 0x40000100, none, 0, 0, 0, 0);
	fx_cpu_leaf(p, 0x80000000, none, 0x80000008, 0, 0, 0);
	fx_cpu_leaf(p, 0x80000001, none, 0, 0, 0x00000001, 0x20100800);
	fx_cpu_leaf(p, 0x80000008, none, 0x3028, 0, 0, 0);
	p->nr_msrs = 2;
	p->msrs[0] = (struct chaos_cpu_msr){ 0xce, 0, 0 };
	p->msrs[1] = (struct chaos_cpu_msr){ 0x10a, 0, 0x2b };
	cpu->tsc.mode = 0;
	cpu->tsc.khz = 2399998;
	cpu->tsc.incarnation = 1;
	cpu->tsc.elapsed_nsec = 61234567890ull;
}

#endif
