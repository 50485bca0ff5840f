// SPDX-License-Identifier: MIT
/*
 * The CPU record (image version 10, live stream version 11): the guest's
 * CPUID policy with its MSRs and its TSC settings, and the check that a
 * host can give a guest every CPU feature it had. Pure code.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ckpt/ckpt.h"

#define CPU_HEAD 32u
#define CPU_LEAF 24u
#define CPU_MSR 16u
#define CPU_LEAVES_AT CPU_HEAD
#define CPU_MSRS_AT (CPU_LEAVES_AT + CHAOS_CPU_LEAVES_MAX * CPU_LEAF)

_Static_assert(CPU_MSRS_AT + CHAOS_CPU_MSRS_MAX * CPU_MSR ==
	       CHAOS_SAVEIMG_CPU_SIZE, "the CPU record is full");

/* Xen's TSC modes a domain can be given: default, always emulated, never. */
#define TSC_MODE_LAST 2u

void chaos_saveimg_cpu_encode(uint8_t *p, const struct chaos_cpu_state *cpu)
{
	const struct chaos_cpu_policy *pol = &cpu->policy;

	memset(p, 0, CHAOS_SAVEIMG_CPU_SIZE);
	saveimg_put32(p, pol->nr_leaves);
	saveimg_put32(p + 4, pol->nr_msrs);
	saveimg_put32(p + 8, cpu->tsc.mode);
	saveimg_put32(p + 12, cpu->tsc.khz);
	saveimg_put32(p + 16, cpu->tsc.incarnation);
	saveimg_put64(p + 24, cpu->tsc.elapsed_nsec);
	for (uint32_t i = 0; i < pol->nr_leaves && i < CHAOS_CPU_LEAVES_MAX;
	     i++) {
		const struct chaos_cpu_leaf *l = &pol->leaves[i];
		uint8_t *q = p + CPU_LEAVES_AT + i * CPU_LEAF;

		saveimg_put32(q, l->leaf);
		saveimg_put32(q + 4, l->subleaf);
		saveimg_put32(q + 8, l->a);
		saveimg_put32(q + 12, l->b);
		saveimg_put32(q + 16, l->c);
		saveimg_put32(q + 20, l->d);
	}
	for (uint32_t i = 0; i < pol->nr_msrs && i < CHAOS_CPU_MSRS_MAX; i++) {
		uint8_t *q = p + CPU_MSRS_AT + i * CPU_MSR;

		saveimg_put32(q, pol->msrs[i].index);
		saveimg_put32(q + 4, pol->msrs[i].flags);
		saveimg_put64(q + 8, pol->msrs[i].value);
	}
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* (leaf, subleaf) of a strictly after b's. */
static bool leaf_after(const struct chaos_cpu_leaf *a,
		       const struct chaos_cpu_leaf *b)
{
	return a->leaf > b->leaf ||
	       (a->leaf == b->leaf && a->subleaf > b->subleaf);
}

int chaos_saveimg_cpu_check(const struct chaos_cpu_state *cpu, chaos_err *err)
{
	const struct chaos_cpu_policy *p = &cpu->policy;

	if (!p->nr_leaves || p->nr_leaves > CHAOS_CPU_LEAVES_MAX)
		return chaos_err_set(err, EINVAL,
				     "image: CPU nr_leaves %u is not from 1 to %u",
				     p->nr_leaves, CHAOS_CPU_LEAVES_MAX);
	if (p->nr_msrs > CHAOS_CPU_MSRS_MAX)
		return chaos_err_set(err, EINVAL,
				     "image: CPU nr_msrs %u is more than %u",
				     p->nr_msrs, CHAOS_CPU_MSRS_MAX);
	if (cpu->tsc.mode > TSC_MODE_LAST)
		return chaos_err_set(err, EINVAL,
				     "image: CPU tsc_mode %u is not 0, 1 or 2",
				     cpu->tsc.mode);
	for (uint32_t i = 1; i < p->nr_leaves; i++)
		if (!leaf_after(&p->leaves[i], &p->leaves[i - 1]))
			return chaos_err_set(err, EINVAL,
					     "image: CPU leaves[%u] (%#x:%#x) does not come after leaves[%u] (%#x:%#x)",
					     i, p->leaves[i].leaf,
					     p->leaves[i].subleaf, i - 1,
					     p->leaves[i - 1].leaf,
					     p->leaves[i - 1].subleaf);
	for (uint32_t i = 0; i < p->nr_msrs; i++) {
		if (p->msrs[i].flags)
			return chaos_err_set(err, EINVAL,
					     "image: CPU msrs[%u].flags %#x not zero",
					     i, p->msrs[i].flags);
		if (i && p->msrs[i].index <= p->msrs[i - 1].index)
			return chaos_err_set(err, EINVAL,
					     "image: CPU msrs[%u] (%#x) does not come after msrs[%u] (%#x)",
					     i, p->msrs[i].index, i - 1,
					     p->msrs[i - 1].index);
	}
	return 0;
}

int chaos_saveimg_cpu_decode(const uint8_t *p, struct chaos_cpu_state *cpu,
			     chaos_err *err)
{
	struct chaos_cpu_policy *pol = &cpu->policy;

	memset(cpu, 0, sizeof(*cpu));
	pol->nr_leaves = saveimg_get32(p);
	pol->nr_msrs = saveimg_get32(p + 4);
	cpu->tsc.mode = saveimg_get32(p + 8);
	cpu->tsc.khz = saveimg_get32(p + 12);
	cpu->tsc.incarnation = saveimg_get32(p + 16);
	cpu->tsc.elapsed_nsec = saveimg_get64(p + 24);
	if (saveimg_get32(p + 20))
		return chaos_err_set(err, EINVAL, "image: CPU reserved field not zero");
	/* The counts first: they say how much of the rest is used. */
	if (!pol->nr_leaves || pol->nr_leaves > CHAOS_CPU_LEAVES_MAX ||
	    pol->nr_msrs > CHAOS_CPU_MSRS_MAX)
		return chaos_saveimg_cpu_check(cpu, err);
	for (uint32_t i = 0; i < pol->nr_leaves; i++) {
		const uint8_t *q = p + CPU_LEAVES_AT + i * CPU_LEAF;
		struct chaos_cpu_leaf *l = &pol->leaves[i];

		l->leaf = saveimg_get32(q);
		l->subleaf = saveimg_get32(q + 4);
		l->a = saveimg_get32(q + 8);
		l->b = saveimg_get32(q + 12);
		l->c = saveimg_get32(q + 16);
		l->d = saveimg_get32(q + 20);
	}
	if (!all_zero(p + CPU_LEAVES_AT + pol->nr_leaves * CPU_LEAF,
		      (CHAOS_CPU_LEAVES_MAX - pol->nr_leaves) * CPU_LEAF))
		return chaos_err_set(err, EINVAL,
				     "image: CPU leaves past nr_leaves (%u) not zero",
				     pol->nr_leaves);
	for (uint32_t i = 0; i < pol->nr_msrs; i++) {
		const uint8_t *q = p + CPU_MSRS_AT + i * CPU_MSR;

		pol->msrs[i].index = saveimg_get32(q);
		pol->msrs[i].flags = saveimg_get32(q + 4);
		pol->msrs[i].value = saveimg_get64(q + 8);
	}
	if (!all_zero(p + CPU_MSRS_AT + pol->nr_msrs * CPU_MSR,
		      (CHAOS_CPU_MSRS_MAX - pol->nr_msrs) * CPU_MSR))
		return chaos_err_set(err, EINVAL,
				     "image: CPU msrs past nr_msrs (%u) not zero",
				     pol->nr_msrs);
	return chaos_saveimg_cpu_check(cpu, err);
}

/*
 * The registers that list CPU features (Xen's featureset words), and the
 * bits in them that are not features a host has or lacks: those that
 * follow the guest's own settings (OSXSAVE, OSPKE) or that Xen decides
 * per vCPU (APIC); on AMD the copies of leaf 1 edx's common features in
 * leaf 0x80000001 edx, which Xen fills in for a guest's policy but not
 * for the host's most (leaf 1 edx is compared for them); and the two
 * bits in leaf 7:0 ebx that say what the FPU does not keep
 * (FDP_EXCP_ONLY, NO_FPU_SEL), which Xen copies from the host itself.
 */
#define COMMON_1D_FEATURES 0x0183f3ffu
#define FPU_LACKS_7B0 ((1u << 6) | (1u << 13))
static const struct feature_word {
	uint32_t leaf, subleaf;
	char reg;		/* 'a' to 'd' */
	uint32_t ignored;
} feature_words[] = {
	{ 0x1, CHAOS_CPU_NO_SUBLEAF, 'c', 1u << 27 },
	{ 0x1, CHAOS_CPU_NO_SUBLEAF, 'd', 1u << 9 },
	{ 0x7, 0, 'b', FPU_LACKS_7B0 },
	{ 0x7, 0, 'c', 1u << 4 },
	{ 0x7, 0, 'd', 0 },
	{ 0x7, 1, 'a', 0 },
	{ 0xd, 0, 'a', 0 },	/* the XSAVE state components, low */
	{ 0xd, 0, 'd', 0 },	/* and high */
	{ 0xd, 1, 'a', 0 },
	{ 0x80000001, CHAOS_CPU_NO_SUBLEAF, 'c', 0 },
	{ 0x80000001, CHAOS_CPU_NO_SUBLEAF, 'd', COMMON_1D_FEATURES },
	{ 0x80000007, CHAOS_CPU_NO_SUBLEAF, 'd', 0 },
	{ 0x80000008, CHAOS_CPU_NO_SUBLEAF, 'b', 0 },
};

static const struct chaos_cpu_leaf *find_leaf(const struct chaos_cpu_policy *p,
					      uint32_t leaf, uint32_t subleaf)
{
	for (uint32_t i = 0; i < p->nr_leaves && i < CHAOS_CPU_LEAVES_MAX; i++)
		if (p->leaves[i].leaf == leaf && p->leaves[i].subleaf == subleaf)
			return &p->leaves[i];
	return NULL;
}

static uint32_t reg_of(const struct chaos_cpu_leaf *l, char reg)
{
	if (!l)
		return 0;
	switch (reg) {
	case 'a':
		return l->a;
	case 'b':
		return l->b;
	case 'c':
		return l->c;
	default:
		return l->d;
	}
}

int chaos_saveimg_cpu_fits(const struct chaos_cpu_policy *guest,
			   const struct chaos_cpu_policy *host_max,
			   chaos_err *err)
{
	const struct feature_word *first = NULL;
	uint32_t first_bits = 0;
	unsigned int words = 0;

	for (size_t i = 0; i < sizeof(feature_words) / sizeof(feature_words[0]);
	     i++) {
		const struct feature_word *w = &feature_words[i];
		uint32_t had = reg_of(find_leaf(guest, w->leaf, w->subleaf),
				      w->reg);
		uint32_t can = reg_of(find_leaf(host_max, w->leaf, w->subleaf),
				      w->reg);
		uint32_t lacking = had & ~can & ~w->ignored;

		if (!lacking)
			continue;
		if (!words++) {
			first = w;
			first_bits = lacking;
		}
	}
	if (!first)
		return 0;
	if (first->subleaf == CHAOS_CPU_NO_SUBLEAF)
		return chaos_err_set(err, ENODEV,
				     "the guest has CPU features this host does not give a PV guest: CPUID leaf %#x e%cx bits %#x%s",
				     first->leaf, first->reg, first_bits,
				     words > 1 ? ", and more in other registers" : "");
	return chaos_err_set(err, ENODEV,
			     "the guest has CPU features this host does not give a PV guest: CPUID leaf %#x subleaf %u e%cx bits %#x%s",
			     first->leaf, first->subleaf, first->reg, first_bits,
			     words > 1 ? ", and more in other registers" : "");
}
