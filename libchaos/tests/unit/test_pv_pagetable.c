// SPDX-License-Identifier: MIT
/*
 * Bootstrap page tables built into a plain buffer, then checked by walking
 * them from the L4 the way the MMU would.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "build/build.h"
#include "image_fixture.h"

#define LINUX_BASE 0xffffffff80000000ull
#define MiB(n) ((uint64_t)(n) << 20)

#define P   0x001ull
#define RW  0x002ull
#define US  0x004ull
#define A   0x020ull
#define D   0x040ull
#define ADDR_MASK 0x000ffffffffff000ull

/* A kernel of `pages` pages at base + off, with no ELF behind it. */
static struct chaos_image fake_image(uint64_t base, uint64_t off,
				     uint64_t pages)
{
	struct chaos_image img = { 0 };

	img.nr_segments = 1;
	img.virt_base = base;
	img.virt_kstart = base + off;
	img.virt_kend = base + off + pages * 4096;
	img.virt_entry = img.virt_kstart;
	img.hypercall_page = CHAOS_IMAGE_NONE;
	img.seg[0] = (struct chaos_image_segment){ img.virt_kstart,
						   pages * 4096, 0, 0 };
	return img;
}

static bool in_pt(const struct chaos_pv_layout *l, uint64_t pfn)
{
	return pfn >= l->pt_pfn && pfn < l->pt_pfn + l->pt_pages;
}

/* Entry -> pfn of what it points at, checking the mfn is one of ours. */
static uint64_t entry_pfn(const struct fx_mem *m, uint64_t e)
{
	uint64_t mfn = (e & ADDR_MASK) >> 12, pfn = FX_PFN(mfn);

	assert_true(mfn >= 0x10000);
	assert_int_equal(FX_MFN(pfn), mfn);
	assert_true(pfn < m->nr_pages);
	return pfn;
}

static const uint64_t *table(const struct fx_mem *m,
			     const struct chaos_pv_layout *l, uint64_t pfn)
{
	assert_true(in_pt(l, pfn));
	assert_non_null(fx_peek(m, pfn));
	return (const uint64_t *)fx_peek(m, pfn);
}

/* The MMU's view of one address: pfn, or UINT64_MAX if not present. */
static uint64_t translate(const struct fx_mem *m,
			  const struct chaos_pv_layout *l, uint64_t va,
			  uint64_t *flags)
{
	const uint64_t *t = table(m, l, l->pt_pfn);
	uint64_t e = 0;

	for (int shift = 39; shift >= 12; shift -= 9) {
		e = t[(va >> shift) & 511];
		if (!(e & P))
			return UINT64_MAX;
		if (shift > 12) {
			/* Upper levels: writable, user, accessed, no more. */
			assert_int_equal(e & ~ADDR_MASK, P | RW | US | A);
			t = table(m, l, entry_pfn(m, e));
		}
	}
	*flags = e & ~ADDR_MASK;
	return entry_pfn(m, e);
}

static uint64_t sign_extend(uint64_t va)
{
	return va & (1ull << 47) ? va | 0xffff000000000000ull : va;
}

/*
 * Every present entry of the whole tree: each table used exactly once,
 * every leaf inside [virt_base, virt_map_end) and pointing at its pfn.
 */
static void walk_tree(const struct fx_mem *m, const struct chaos_pv_layout *l)
{
	unsigned int *uses = calloc(l->pt_pages, sizeof(*uses));
	uint64_t leaves = 0;
	const uint64_t *l4 = table(m, l, l->pt_pfn);

	for (unsigned int i4 = 0; i4 < 512; i4++) {
		const uint64_t *l3;

		if (!(l4[i4] & P))
			continue;
		l3 = table(m, l, entry_pfn(m, l4[i4]));
		uses[entry_pfn(m, l4[i4]) - l->pt_pfn]++;
		for (unsigned int i3 = 0; i3 < 512; i3++) {
			const uint64_t *l2;

			if (!(l3[i3] & P))
				continue;
			l2 = table(m, l, entry_pfn(m, l3[i3]));
			uses[entry_pfn(m, l3[i3]) - l->pt_pfn]++;
			for (unsigned int i2 = 0; i2 < 512; i2++) {
				const uint64_t *l1;

				if (!(l2[i2] & P))
					continue;
				l1 = table(m, l, entry_pfn(m, l2[i2]));
				uses[entry_pfn(m, l2[i2]) - l->pt_pfn]++;
				for (unsigned int i1 = 0; i1 < 512; i1++) {
					uint64_t va = sign_extend(
						(uint64_t)i4 << 39 |
						(uint64_t)i3 << 30 |
						(uint64_t)i2 << 21 |
						(uint64_t)i1 << 12);

					if (!(l1[i1] & P))
						continue;
					assert_true(va >= l->virt_base);
					assert_true(va < l->virt_map_end);
					assert_int_equal(entry_pfn(m, l1[i1]),
							 (va - l->virt_base) >>
							 12);
					leaves++;
				}
			}
		}
	}
	assert_int_equal(leaves, (l->virt_map_end - l->virt_base) >> 12);
	assert_int_equal(uses[0], 0);
	for (uint64_t i = 1; i < l->pt_pages; i++)
		assert_int_equal(uses[i], 1);
	free(uses);
}

static void build_and_check(const struct chaos_image *img, uint64_t nr_pages)
{
	struct fx_mem m;
	struct chaos_guest_mem mem = fx_mem_init(&m, nr_pages);
	struct chaos_pv_layout l;
	chaos_err err = { 0 };
	uint64_t flags = 0;

	if (chaos_pv_layout_compute(img, nr_pages, 0, &l, &err) < 0)
		fail_msg("%s", err.msg);
	if (chaos_pv_build_pagetables(&l, &mem, &err) < 0)
		fail_msg("%s", err.msg);
	for (uint64_t va = l.virt_base; va < l.virt_map_end; va += 4096) {
		uint64_t pfn = translate(&m, &l, va, &flags);

		assert_int_equal(pfn, (va - l.virt_base) >> 12);
		if (in_pt(&l, pfn))
			assert_int_equal(flags, P | US | A);   /* read-only */
		else
			assert_int_equal(flags, P | RW | US | A | D);
	}
	/* Nothing right after the mapping or just below the base. */
	assert_int_equal(translate(&m, &l, l.virt_map_end, &flags),
			 UINT64_MAX);
	if (l.virt_base)
		assert_int_equal(translate(&m, &l, l.virt_base - 4096,
					   &flags), UINT64_MAX);
	walk_tree(&m, &l);
	/* Only the tables themselves were written by the builder. */
	for (uint64_t pfn = 0; pfn < nr_pages; pfn++)
		if (!in_pt(&l, pfn))
			assert_null(fx_peek(&m, pfn));
	fx_mem_free(&m);
}

static void test_bases_and_sizes(void **state)
{
	static const uint64_t bases[] = { 0, LINUX_BASE };
	static const uint64_t sizes[] = { 2, 8, 64, 1024 };

	(void)state;
	for (unsigned int b = 0; b < 2; b++)
		for (unsigned int s = 0; s < 4; s++) {
			struct chaos_image img = fake_image(bases[b], 0, 40);

			build_and_check(&img, MiB(sizes[s]) >> 12);
		}
}

/* Like Debian's kernel: 58 MiB at base + 16 MiB. */
static void test_linux_shaped(void **state)
{
	struct chaos_image img = fake_image(LINUX_BASE, MiB(16),
					    MiB(58) >> 12);
	struct chaos_pv_layout l;
	chaos_err err = { 0 };

	(void)state;
	assert_int_equal(chaos_pv_layout_compute(&img, MiB(64) >> 12, 0, &l,
						 &err), -1);
	build_and_check(&img, MiB(128) >> 12);
	build_and_check(&img, MiB(1024) >> 12);
}

/* A mapping that crosses 1 GiB and 512 GiB boundaries needs more tables. */
static void test_crossing_boundaries(void **state)
{
	struct chaos_image img = fake_image((1ull << 39) - MiB(2), 0, 16);
	struct chaos_image hi = fake_image(LINUX_BASE + (1ull << 30) - MiB(2),
					   0, 16);
	struct chaos_pv_layout l;
	chaos_err err = { 0 };

	(void)state;
	assert_int_equal(chaos_pv_layout_compute(&img, MiB(8) >> 12, 0, &l,
						 &err), 0);
	assert_int_equal(l.nr_l3, 2);
	assert_int_equal(l.nr_l2, 2);
	build_and_check(&img, MiB(8) >> 12);
	build_and_check(&hi, MiB(8) >> 12);
}

static void test_hostile(void **state)
{
	struct chaos_image img = fake_image(0, 0, 40);
	struct fx_mem m;
	struct chaos_guest_mem mem = fx_mem_init(&m, MiB(8) >> 12);
	struct chaos_pv_layout l, bad;
	chaos_err err = { 0 };

	(void)state;
	assert_int_equal(chaos_pv_layout_compute(&img, m.nr_pages, 0, &l,
						 &err), 0);
	/* A p2m entry no PTE can hold. */
	m.p2m[5] = 1ull << 45;
	assert_int_equal(chaos_pv_build_pagetables(&l, &mem, &err), -1);
	assert_non_null(strstr(err.msg, "p2m[0x5]"));
	m.p2m[5] = FX_MFN(5);
	/* A table page that cannot be reached. */
	m.hole = l.pt_pfn + 1;
	assert_int_equal(chaos_pv_build_pagetables(&l, &mem, &err), -1);
	assert_non_null(strstr(err.msg, "not mapped"));
	m.hole = UINT64_MAX;
	/* Layouts that do not add up. */
	bad = l;
	bad.pt_pages--;
	assert_int_equal(chaos_pv_build_pagetables(&bad, &mem, &err), -1);
	bad = l;
	bad.nr_l1--;
	bad.pt_pages--;
	assert_int_equal(chaos_pv_build_pagetables(&bad, &mem, &err), -1);
	assert_non_null(strstr(err.msg, "more tables than planned"));
	bad = l;
	bad.virt_map_end = bad.virt_base + (m.nr_pages + 1) * 4096;
	assert_int_equal(chaos_pv_build_pagetables(&bad, &mem, &err), -1);
	mem.nr_pages = m.nr_pages - 1;
	assert_int_equal(chaos_pv_build_pagetables(&l, &mem, &err), -1);
	mem.nr_pages = m.nr_pages;
	assert_int_equal(chaos_pv_build_pagetables(&l, &mem, &err), 0);
	fx_mem_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bases_and_sizes),
		cmocka_unit_test(test_linux_shaped),
		cmocka_unit_test(test_crossing_boundaries),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
