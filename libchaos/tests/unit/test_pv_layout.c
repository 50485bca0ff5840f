// SPDX-License-Identifier: MIT
/* PV start-of-day layout, segment and p2m loading, start_info. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <xenctrl.h>      /* before xen/xen.h: sets up the tools view */
#include <xen/xen.h>

#include "build/build.h"
#include "image_fixture.h"

#define LINUX_BASE 0xffffffff80000000ull
#define MiB(n) ((uint64_t)(n) << 20)
#define PAGES(bytes) ((bytes) >> 12)

static void load_fixture(struct chaos_image *img, uint64_t base)
{
	uint8_t *elf = fx_default_elf(base);
	chaos_err err = { 0 };

	if (chaos_image_from_buffer(elf, FX_SIZE, "fx", img, &err) < 0)
		fail_msg("%s", err.msg);
	free(elf);
}

/* Invariants of every layout, whatever the image and memory size. */
static void check_layout(const struct chaos_pv_layout *l,
			 const struct chaos_image *img, uint64_t ramdisk)
{
	uint64_t map_pages = PAGES(l->virt_map_end - l->virt_base);

	assert_int_equal(chaos_pv_pfn_vaddr(l, l->kernel_pfn),
			 img->virt_kstart);
	assert_int_equal(l->ramdisk_pfn, l->kernel_pfn + l->kernel_pages);
	assert_int_equal(l->ramdisk_pages, (ramdisk + 4095) / 4096);
	assert_int_equal(l->p2m_pfn, l->ramdisk_pfn + l->ramdisk_pages);
	assert_int_equal(l->p2m_pages, (l->nr_pages * 8 + 4095) / 4096);
	assert_int_equal(l->start_info_pfn, l->p2m_pfn + l->p2m_pages);
	assert_int_equal(l->xenstore_pfn, l->start_info_pfn + 1);
	assert_int_equal(l->console_pfn, l->xenstore_pfn + 1);
	assert_int_equal(l->pt_pfn, l->console_pfn + 1);
	assert_int_equal(l->pt_pages, 1 + l->nr_l3 + l->nr_l2 + l->nr_l1);
	assert_int_equal(l->stack_pfn, l->pt_pfn + l->pt_pages);
	assert_int_equal(l->virt_alloc_end,
			 chaos_pv_pfn_vaddr(l, l->stack_pfn + 1));
	assert_int_equal(chaos_pv_stack_top(l), l->virt_alloc_end);
	assert_int_equal(chaos_pv_l4_pfn(l), l->pt_pfn);
	/* 512 KiB slack, 4 MiB-aligned end unless memory ends first. */
	assert_true(l->virt_map_end - l->virt_alloc_end >= CHAOS_PV_SLACK);
	assert_true(map_pages <= l->nr_pages);
	if (map_pages < l->nr_pages)
		assert_int_equal(l->virt_map_end % CHAOS_PV_MAP_ALIGN, 0);
	/* Enough tables for the mapping. */
	assert_int_equal(l->nr_l1, ((l->virt_map_end - 1) >> 21) -
				   (l->virt_base >> 21) + 1);
	assert_int_equal(chaos_pv_hypercall_pfn(l),
			 (img->hypercall_page - img->virt_base) >> 12);
}

static void test_layout_shapes(void **state)
{
	static const uint64_t bases[] = { 0, LINUX_BASE };
	static const uint64_t sizes[] = { 2, 8, 64, 1024 };
	static const uint64_t ramdisks[] = { 0, 1, 100000 };

	(void)state;
	for (unsigned int b = 0; b < 2; b++) {
		struct chaos_image img;

		load_fixture(&img, bases[b]);
		for (unsigned int s = 0; s < 4; s++)
			for (unsigned int r = 0; r < 3; r++) {
				struct chaos_pv_layout l;
				chaos_err err = { 0 };

				if (chaos_pv_layout_compute(&img,
							    PAGES(MiB(sizes[s])),
							    ramdisks[r], &l,
							    &err) < 0)
					fail_msg("%s", err.msg);
				check_layout(&l, &img, ramdisks[r]);
			}
		chaos_image_release(&img);
	}
}

static void test_layout_too_small(void **state)
{
	struct chaos_image img;
	struct chaos_pv_layout l;
	chaos_err err = { 0 };

	(void)state;
	load_fixture(&img, 0);
	/* 16 pages of kernel and a 512 KiB slack cannot fit in 100 pages. */
	assert_int_equal(chaos_pv_layout_compute(&img, 100, 0, &l, &err), -1);
	assert_non_null(strstr(err.msg, "layout needs"));
	assert_int_equal(chaos_pv_layout_compute(&img, 0, 0, &l, &err), -1);
	assert_int_equal(chaos_pv_layout_compute(&img, 1ull << 40, 0, &l,
						 &err), -1);
	/* A ramdisk bigger than the guest. */
	assert_int_equal(chaos_pv_layout_compute(&img, PAGES(MiB(8)),
						 MiB(9), &l, &err), -1);
	assert_int_equal(chaos_pv_layout_compute(&img, PAGES(MiB(8)),
						 MiB(7) + MiB(1) / 2, &l,
						 &err), -1);
	assert_non_null(strstr(err.msg, "layout needs"));
	/* A kernel loaded high (like Linux at base + 16 MiB). */
	img.virt_kstart += MiB(16);
	img.virt_kend += MiB(16);
	assert_int_equal(chaos_pv_layout_compute(&img, PAGES(MiB(8)), 0, &l,
						 &err), -1);
	assert_int_equal(chaos_pv_layout_compute(&img, PAGES(MiB(32)), 0, &l,
						 &err), 0);
	assert_int_equal(l.kernel_pfn, PAGES(MiB(16) + FX_TEXT_VOFF));
	chaos_image_release(&img);
}

/* Linux's base with enough memory to reach the top of the address space. */
static void test_layout_top_of_address_space(void **state)
{
	struct chaos_image img;
	struct chaos_pv_layout l;
	chaos_err err = { 0 };

	(void)state;
	load_fixture(&img, LINUX_BASE);
	assert_int_equal(chaos_pv_layout_compute(&img, PAGES(MiB(8192)), 0,
						 &l, &err), 0);
	assert_true(l.virt_map_end > l.virt_base);
	/* The 16 MiB p2m is in the mapping; the end stays 4 MiB-aligned. */
	assert_int_equal(l.p2m_pages, PAGES(MiB(16)));
	assert_int_equal(l.virt_map_end % CHAOS_PV_MAP_ALIGN, 0);
	assert_true(l.virt_map_end - l.virt_alloc_end >= CHAOS_PV_SLACK);
	chaos_image_release(&img);
	/* The range Xen reserves can never be a virt_base. */
	load_fixture(&img, 0);
	img.virt_base = 0xffff800000000000ull;
	img.virt_kstart += img.virt_base;
	img.virt_kend += img.virt_base;
	assert_int_equal(chaos_pv_layout_compute(&img, PAGES(MiB(64)), 0, &l,
						 &err), -1);
	assert_non_null(strstr(err.msg, "reserved"));
	chaos_image_release(&img);
}

static void test_load_segments_and_p2m(void **state)
{
	static const uint64_t bases[] = { 0, LINUX_BASE };

	(void)state;
	for (unsigned int b = 0; b < 2; b++) {
		uint8_t *elf = fx_default_elf(bases[b]);
		struct chaos_image img;
		struct chaos_pv_layout l;
		struct fx_mem m;
		struct chaos_guest_mem mem = fx_mem_init(&m, PAGES(MiB(8)));
		chaos_err err = { 0 };

		load_fixture(&img, bases[b]);
		assert_int_equal(chaos_pv_layout_compute(&img, m.nr_pages, 0,
							 &l, &err), 0);
		assert_int_equal(chaos_pv_load_segments(&img, &l, &mem, &err),
				 0);
		/* Text: file bytes. Data: file bytes then zeroed bss. */
		for (uint64_t off = 0; off < FX_TEXT_SIZE; off++) {
			uint64_t va = FX_TEXT_VOFF + off;

			assert_int_equal(fx_peek(&m, va >> 12)[va & 4095],
					 elf[FX_TEXT_OFF + off]);
		}
		for (uint64_t off = 0; off < FX_DATA_MEM; off++) {
			uint64_t va = FX_DATA_VOFF + off;
			uint8_t want = off < FX_DATA_FILE ?
				       elf[FX_DATA_OFF + off] : 0;

			assert_int_equal(fx_peek(&m, va >> 12)[va & 4095],
					 want);
		}
		/* Nothing outside the kernel region was touched. */
		assert_null(fx_peek(&m, l.kernel_pfn - 1));
		assert_null(fx_peek(&m, l.kernel_pfn + l.kernel_pages));

		assert_int_equal(chaos_pv_write_p2m(&l, &mem, &err), 0);
		for (uint64_t pfn = 0; pfn < l.nr_pages; pfn++) {
			const uint8_t *pg = fx_peek(&m, l.p2m_pfn +
						    pfn * 8 / 4096);
			uint64_t v;

			memcpy(&v, pg + pfn * 8 % 4096, 8);
			assert_int_equal(v, FX_MFN(pfn));
		}
		chaos_image_release(&img);
		fx_mem_free(&m);
		free(elf);
	}
}

static void test_load_errors(void **state)
{
	struct chaos_image img, other;
	struct chaos_pv_layout l;
	struct fx_mem m;
	struct chaos_guest_mem mem = fx_mem_init(&m, PAGES(MiB(8)));
	chaos_err err = { 0 };
	uint8_t rd[5000];

	(void)state;
	load_fixture(&img, 0);
	load_fixture(&other, LINUX_BASE);
	assert_int_equal(chaos_pv_layout_compute(&img, m.nr_pages,
						 sizeof(rd), &l, &err), 0);
	/* A layout computed for another image. */
	assert_int_equal(chaos_pv_load_segments(&other, &l, &mem, &err), -1);
	/* An unmappable page. */
	m.hole = l.kernel_pfn + 1;
	assert_int_equal(chaos_pv_load_segments(&img, &l, &mem, &err), -1);
	assert_non_null(strstr(err.msg, "not mapped"));
	m.hole = UINT64_MAX;
	/* A segment altered after parsing. */
	img.seg[1].filesz = img.elf_size;
	assert_int_equal(chaos_pv_load_segments(&img, &l, &mem, &err), -1);
	assert_non_null(strstr(err.msg, "inconsistent"));
	/* Writes outside guest memory. */
	assert_int_equal(chaos_pv_copy_to_guest(&l, &mem, MiB(8) - 10, rd, 11,
						&err), -1);
	assert_int_equal(chaos_pv_copy_to_guest(&l, &mem, MiB(8) - 10, rd, 10,
						&err), 0);
	assert_int_equal(chaos_pv_copy_to_guest(&l, &mem, UINT64_MAX, rd, 2,
						&err), -1);
	/* Ramdisk: exact length, tail of the last page zeroed. */
	for (size_t i = 0; i < sizeof(rd); i++)
		rd[i] = (uint8_t)(i + 3);
	assert_int_equal(chaos_pv_load_ramdisk(&l, &mem, rd, 10, &err), -1);
	assert_int_equal(chaos_pv_load_ramdisk(&l, &mem, rd, sizeof(rd),
					       &err), 0);
	assert_memory_equal(fx_peek(&m, l.ramdisk_pfn), rd, 4096);
	assert_memory_equal(fx_peek(&m, l.ramdisk_pfn + 1), rd + 4096,
			    sizeof(rd) - 4096);
	assert_int_equal(fx_peek(&m, l.ramdisk_pfn + 1)[4095], 0);
	/* A p2m shorter than the layout. */
	mem.nr_pages = l.nr_pages - 1;
	assert_int_equal(chaos_pv_write_p2m(&l, &mem, &err), -1);
	chaos_image_release(&img);
	chaos_image_release(&other);
	fx_mem_free(&m);
}

static void test_start_info(void **state)
{
	static const uint64_t bases[] = { 0, LINUX_BASE };

	(void)state;
	for (unsigned int b = 0; b < 2; b++) {
		struct chaos_image img;
		struct chaos_pv_layout l;
		struct fx_mem m;
		struct chaos_guest_mem mem = fx_mem_init(&m, PAGES(MiB(64)));
		struct chaos_pv_start_params p = {
			.cmdline = "console=hvc0 quiet",
			.shared_info_mfn = 0x1234,
			.console_mfn = 0x5678,
			.console_evtchn = 3,
			.store_mfn = 0x9abc,
			.store_evtchn = 4,
			.flags = 0,
			.ramdisk_bytes = 12345,
		};
		chaos_err err = { 0 };
		const start_info_t *si;
		char big[1100];

		load_fixture(&img, bases[b]);
		assert_int_equal(chaos_pv_layout_compute(&img, m.nr_pages,
							 12345, &l, &err), 0);
		assert_int_equal(chaos_pv_write_start_info(&l, &mem, &p, &err),
				 0);
		si = (const start_info_t *)fx_peek(&m, l.start_info_pfn);
		assert_string_equal(si->magic, "xen-3.0-x86_64");
		assert_int_equal(si->nr_pages, m.nr_pages);
		assert_int_equal(si->shared_info, 0x1234ull << 12);
		assert_int_equal(si->flags, 0);
		assert_int_equal(si->store_mfn, 0x9abc);
		assert_int_equal(si->store_evtchn, 4);
		assert_int_equal(si->console.domU.mfn, 0x5678);
		assert_int_equal(si->console.domU.evtchn, 3);
		assert_int_equal(si->pt_base, bases[b] + l.pt_pfn * 4096);
		assert_int_equal(si->nr_pt_frames, l.pt_pages);
		assert_int_equal(si->mfn_list, bases[b] + l.p2m_pfn * 4096);
		assert_int_equal(si->mod_start,
				 bases[b] + l.ramdisk_pfn * 4096);
		assert_int_equal(si->mod_len, 12345);
		assert_string_equal((const char *)si->cmd_line,
				    "console=hvc0 quiet");
		assert_int_equal(si->first_p2m_pfn, 0);
		assert_int_equal(si->nr_p2m_frames, 0);
		assert_int_equal(chaos_pv_start_info_vaddr(&l),
				 bases[b] + l.start_info_pfn * 4096);
		/* Rings zeroed; the rest of the page too. */
		for (unsigned int i = 0; i < 4096; i++) {
			assert_int_equal(fx_peek(&m, l.console_pfn)[i], 0);
			assert_int_equal(fx_peek(&m, l.xenstore_pfn)[i], 0);
		}
		assert_int_equal(fx_peek(&m, l.start_info_pfn)[4095], 0);

		/* mod_start as a pfn; no ramdisk; no XenStore. */
		p.flags = SIF_MOD_START_PFN;
		assert_int_equal(chaos_pv_write_start_info(&l, &mem, &p, &err),
				 0);
		assert_int_equal(si->mod_start, l.ramdisk_pfn);
		p.ramdisk_bytes = 0;
		p.store_mfn = 0;
		p.store_evtchn = 0;
		p.cmdline = NULL;
		assert_int_equal(chaos_pv_write_start_info(&l, &mem, &p, &err),
				 0);
		assert_int_equal(si->mod_start, 0);
		assert_int_equal(si->mod_len, 0);
		assert_int_equal(si->store_mfn, 0);
		assert_string_equal((const char *)si->cmd_line, "");

		/* Hostile parameters. */
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		p.cmdline = big;
		assert_int_equal(chaos_pv_write_start_info(&l, &mem, &p, &err),
				 -1);
		assert_non_null(strstr(err.msg, "command line"));
		big[1024] = '\0';    /* 1024 characters: no room for NUL */
		assert_int_equal(chaos_pv_write_start_info(&l, &mem, &p, &err),
				 -1);
		big[1023] = '\0';    /* 1023: the longest that fits */
		assert_int_equal(chaos_pv_write_start_info(&l, &mem, &p, &err),
				 0);
		assert_int_equal(strlen((const char *)si->cmd_line), 1023);
		p.ramdisk_bytes = l.ramdisk_pages * 4096 + 1;
		assert_int_equal(chaos_pv_write_start_info(&l, &mem, &p, &err),
				 -1);
		p.ramdisk_bytes = 0;
		p.console_mfn = 1ull << 50;
		assert_int_equal(chaos_pv_write_start_info(&l, &mem, &p, &err),
				 -1);
		chaos_image_release(&img);
		fx_mem_free(&m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_shapes),
		cmocka_unit_test(test_layout_too_small),
		cmocka_unit_test(test_layout_top_of_address_space),
		cmocka_unit_test(test_load_segments_and_p2m),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_start_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
