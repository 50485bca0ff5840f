// SPDX-License-Identifier: MIT
/*
 * Page tables and vCPU contexts made machine-independent and back, on
 * plain buffers: round trips, Xen's L4 slots, foreign frames, pfns
 * outside memory, superpages, duplicate frames in a p2m.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ckpt/ckpt.h"

#define NR 64
#define P 0x001ull
#define RW 0x002ull
#define PSE 0x080ull
#define NX (1ull << 63)

/* A scattered p2m: pfn -> 0x50000 + 7 * pfn (reversed halves). */
static void fill_p2m(uint64_t *p2m)
{
	for (uint64_t pfn = 0; pfn < NR; pfn++)
		p2m[pfn] = 0x50000 + 7 * (NR - 1 - pfn);
}

static void test_m2p(void **state)
{
	uint64_t p2m[NR], pfn;
	struct chaos_m2p m;
	chaos_err err;

	(void)state;
	fill_p2m(p2m);
	assert_int_equal(chaos_m2p_build(p2m, NR, &m, &err), 0);
	assert_null(m.dense); /* spread 7: the binary search answers */
	for (uint64_t i = 0; i < NR; i++) {
		assert_int_equal(chaos_m2p_lookup(&m, p2m[i], &pfn), 0);
		assert_int_equal(pfn, i);
	}
	assert_int_equal(chaos_m2p_lookup(&m, 0x50001, &pfn), -1);
	assert_int_equal(chaos_m2p_lookup(&m, 0, &pfn), -1);
	chaos_m2p_free(&m);

	p2m[5] = p2m[9];
	assert_int_equal(chaos_m2p_build(p2m, NR, &m, &err), -1);
	assert_non_null(strstr(err.msg, "both claim frame"));
	assert_null(m.e);

	fill_p2m(p2m);
	p2m[3] = ~0ull; /* INVALID_MFN */
	assert_int_equal(chaos_m2p_build(p2m, NR, &m, &err), -1);
	assert_non_null(strstr(err.msg, "pfn 0x3 has no usable frame"));
}

/* Frames close together (every other one, backwards): the table by
 * frame answers, and says no for the holes and either side. */
static void test_m2p_dense(void **state)
{
	enum { N = 5000 };
	uint64_t *p2m = malloc(N * sizeof(*p2m)), pfn;
	struct chaos_m2p m;
	chaos_err err;

	(void)state;
	assert_non_null(p2m);
	for (uint64_t i = 0; i < N; i++)
		p2m[i] = 0x80000 + 2 * (N - 1 - i);
	assert_int_equal(chaos_m2p_build(p2m, N, &m, &err), 0);
	assert_non_null(m.dense);
	for (uint64_t i = 0; i < N; i++) {
		assert_int_equal(chaos_m2p_lookup(&m, p2m[i], &pfn), 0);
		assert_int_equal(pfn, i);
		assert_int_equal(chaos_m2p_lookup(&m, p2m[i] + 1, &pfn), -1);
	}
	assert_int_equal(chaos_m2p_lookup(&m, 0x7ffff, &pfn), -1);
	assert_int_equal(chaos_m2p_lookup(&m, 0, &pfn), -1);
	assert_int_equal(chaos_m2p_lookup(&m, 0x80000 + 2 * N, &pfn), -1);
	assert_int_equal(chaos_m2p_lookup(&m, ~0ull, &pfn), -1);
	chaos_m2p_free(&m);
	assert_null(m.dense);
	free(p2m);
}

/* A large p2m in no order, frames spread over 40 bits (every radix
 * pass): each frame found at its pfn, duplicates still refused. */
static void test_m2p_scrambled(void **state)
{
	enum { N = 70000 };
	uint64_t *p2m = malloc(N * sizeof(*p2m)), pfn, x = 0x9e3779b97f4a7c15ull;
	struct chaos_m2p m;
	chaos_err err;

	(void)state;
	assert_non_null(p2m);
	for (uint64_t i = 0; i < N; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* Distinct: the low bits are i, the high bits scramble. */
		p2m[i] = ((x & 0xfffff) << 20 | i) & ((UINT64_C(1) << 40) - 1);
	}
	assert_int_equal(chaos_m2p_build(p2m, N, &m, &err), 0);
	for (uint64_t i = 1; i < m.n; i++)
		assert_true(m.e[i - 1].mfn < m.e[i].mfn);
	for (uint64_t i = 0; i < N; i += 97) {
		assert_int_equal(chaos_m2p_lookup(&m, p2m[i], &pfn), 0);
		assert_int_equal(pfn, i);
	}
	chaos_m2p_free(&m);
	p2m[N - 1] = p2m[12345];
	assert_int_equal(chaos_m2p_build(p2m, N, &m, &err), -1);
	assert_non_null(strstr(err.msg, "both claim frame"));
	free(p2m);
}

static void test_roundtrip(void **state)
{
	uint64_t p2m[NR], table[CHAOS_PT_ENTRIES], orig[CHAOS_PT_ENTRIES];
	struct chaos_m2p m;
	chaos_err err;

	(void)state;
	fill_p2m(p2m);
	assert_int_equal(chaos_m2p_build(p2m, NR, &m, &err), 0);
	for (unsigned int level = 1; level <= 4; level++) {
		memset(table, 0, sizeof(table));
		for (unsigned int i = 0; i < CHAOS_PT_ENTRIES; i += 3) {
			if (level == 4 && i >= 256 && i <= 271)
				continue;
			/* Present entries with flags and NX kept as they are. */
			table[i] = (p2m[i % NR] << 12) | P | RW | (i & 1 ? NX : 0);
		}
		table[1] = 0xdeadbeef000ull; /* not present: left alone */
		memcpy(orig, table, sizeof(orig));
		assert_int_equal(chaos_pt_canonicalize(table, level, 7, &m, &err), 0);
		for (unsigned int i = 0; i < CHAOS_PT_ENTRIES; i += 3) {
			if (!(orig[i] & P))
				continue;
			assert_int_equal(table[i] >> 12 & 0xffffffffffull, i % NR);
			assert_int_equal(table[i] & (P | RW | NX), orig[i] & (P | RW | NX));
		}
		assert_int_equal(table[1], 0xdeadbeef000ull);
		assert_int_equal(chaos_pt_localize(table, level, 7, p2m, NR, &err), 0);
		assert_memory_equal(table, orig, sizeof(orig));
	}
	chaos_m2p_free(&m);
}

static void test_xen_slots(void **state)
{
	uint64_t p2m[NR], table[CHAOS_PT_ENTRIES] = { 0 };
	struct chaos_m2p m;
	chaos_err err;

	(void)state;
	fill_p2m(p2m);
	assert_int_equal(chaos_m2p_build(p2m, NR, &m, &err), 0);
	/* Xen's entries hold its own frames: dropped on save. */
	for (unsigned int i = 256; i <= 271; i++)
		table[i] = (0x1234ull << 12) | P;
	assert_int_equal(chaos_pt_canonicalize(table, 4, 0, &m, &err), 0);
	for (unsigned int i = 256; i <= 271; i++)
		assert_int_equal(table[i], 0);
	/* In an L1 the same slots are ordinary (and foreign: refused). */
	table[256] = (0x1234ull << 12) | P;
	assert_int_equal(chaos_pt_canonicalize(table, 1, 0, &m, &err), -1);
	assert_non_null(strstr(err.msg, "entry 256: maps frame 0x1234, which is not the guest's"));
	/* An image must not fill them. */
	memset(table, 0, sizeof(table));
	table[300] = P;
	assert_int_equal(chaos_pt_localize(table, 4, 2, p2m, NR, &err), 0);
	table[260] = P;
	assert_int_equal(chaos_pt_localize(table, 4, 2, p2m, NR, &err), -1);
	assert_non_null(strstr(err.msg, "entry 260: Xen's slot is not empty"));
	chaos_m2p_free(&m);
}

static void test_hostile(void **state)
{
	uint64_t p2m[NR], table[CHAOS_PT_ENTRIES] = { 0 };
	struct chaos_m2p m;
	chaos_err err;

	(void)state;
	fill_p2m(p2m);
	assert_int_equal(chaos_m2p_build(p2m, NR, &m, &err), 0);
	table[10] = ((uint64_t)NR << 12) | P;
	assert_int_equal(chaos_pt_localize(table, 1, 5, p2m, NR, &err), -1);
	assert_non_null(strstr(err.msg, "L1 table at pfn 0x5, entry 10: pfn 0x40 is outside the guest's 64 pages"));
	table[10] = (1ull << 12) | P | PSE;
	assert_int_equal(chaos_pt_localize(table, 2, 5, p2m, NR, &err), -1);
	assert_non_null(strstr(err.msg, "superpage"));
	table[10] = (p2m[1] << 12) | P | PSE;
	assert_int_equal(chaos_pt_canonicalize(table, 3, 5, &m, &err), -1);
	assert_non_null(strstr(err.msg, "superpage"));
	/* PSE in an L1 is the PAT bit, not a superpage. */
	assert_int_equal(chaos_pt_canonicalize(table, 1, 5, &m, &err), 0);
	assert_int_equal(chaos_pt_localize(table, 0, 5, p2m, NR, &err), -1);
	assert_non_null(strstr(err.msg, "level 0 is not 1 to 4"));
	assert_int_equal(chaos_pt_canonicalize(table, 5, 5, &m, &err), -1);
	chaos_m2p_free(&m);
}

static void test_vcpu(void **state)
{
	uint64_t p2m[NR];
	vcpu_guest_context_x86_64_t c, orig;
	struct chaos_m2p m;
	chaos_err err;

	(void)state;
	fill_p2m(p2m);
	assert_int_equal(chaos_m2p_build(p2m, NR, &m, &err), 0);
	memset(&c, 0, sizeof(c));
	c.flags = VGCF_online | VGCF_in_kernel;
	c.ctrlreg[3] = p2m[10] << 12;
	c.gdt_ents = 600; /* two frames */
	c.gdt_frames[0] = p2m[20];
	c.gdt_frames[1] = p2m[21];
	c.user_regs.rdx = p2m[30];
	c.user_regs.rax = 0;
	orig = c;
	assert_int_equal(chaos_vcpu_canonicalize(&c, 0, &m, &err), 0);
	assert_int_equal(c.ctrlreg[3], 10ull << 12);
	assert_int_equal(c.gdt_frames[0], 20);
	assert_int_equal(c.gdt_frames[1], 21);
	assert_int_equal(c.user_regs.rdx, 30);
	assert_int_equal(chaos_vcpu_localize(&c, 0, p2m, NR, &err), 0);
	assert_memory_equal(&c, &orig, sizeof(c));

	/* Other vCPUs: %rdx is just a register. */
	c.user_regs.rdx = 12345;
	assert_int_equal(chaos_vcpu_canonicalize(&c, 1, &m, &err), 0);
	assert_int_equal(c.user_regs.rdx, 12345);

	c = orig;
	c.ctrlreg[3] = 0x999999ull << 12;
	assert_int_equal(chaos_vcpu_canonicalize(&c, 0, &m, &err), -1);
	assert_non_null(strstr(err.msg, "vCPU 0: cr3 frame 0x999999 is not the guest's"));
	c = orig;
	c.user_regs.rdx = 1;
	assert_int_equal(chaos_vcpu_canonicalize(&c, 0, &m, &err), -1);
	assert_non_null(strstr(err.msg, "rdx (start info)"));
	c = orig;
	c.gdt_ents = 16 * 512 + 1;
	assert_int_equal(chaos_vcpu_canonicalize(&c, 0, &m, &err), -1);
	assert_non_null(strstr(err.msg, "gdt_ents"));
	c = orig;
	c.ctrlreg[3] = (uint64_t)NR << 12;
	assert_int_equal(chaos_vcpu_localize(&c, 0, p2m, NR, &err), -1);
	assert_non_null(strstr(err.msg, "cr3 pfn 0x40 is outside"));
	c = orig;
	c.ctrlreg[3] |= 0x18; /* PCD|PWT bits: refused rather than lost */
	assert_int_equal(chaos_vcpu_canonicalize(&c, 0, &m, &err), -1);
	/* An offline vCPU's frames are not looked at. */
	c = orig;
	c.flags = 0;
	c.ctrlreg[3] = 0x999999ull << 12;
	assert_int_equal(chaos_vcpu_canonicalize(&c, 1, &m, &err), 0);
	chaos_m2p_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_m2p),
		cmocka_unit_test(test_m2p_scrambled),
		cmocka_unit_test(test_m2p_dense),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_xen_slots),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_vcpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
