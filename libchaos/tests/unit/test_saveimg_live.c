// SPDX-License-Identifier: MIT
/*
 * The live stream (image version 11): a round trip over several rounds,
 * all-zero pages sent as a flag (left alone when new, cleared when they
 * came with bytes before), page tables and the p2m list machine-
 * independent in any round, then hostile streams: round numbers out of
 * order or past the limit, pfns outside the guest, batches with bad
 * counts or lengths, truncated batches, a page table last sent with
 * machine frames, a plain page sent machine-independent, start info or
 * a page missing from the final round. The state's DEVICES record comes
 * through, a XenStore guest's disks with it; the CPU record after
 * MEMORY is checked as it comes, and the state's must hold the same
 * policy.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <xxhash.h>

#include "ckpt/ckpt.h"
#include "cpu_fixture.h"
#include "mem_stream.h"

#define PAGES 256 /* 1 MiB */
#define PT_PFN 10
#define SI_PFN 3
#define P2M_PFN 7
/* All zero when sent: pfns 100..109 in round 0 (new: nothing to do),
 * pfn 25 in round 1 (it came with bytes in round 0: cleared). */
#define ZERO_IN(round, pfn) \
	((round) == 0 ? (pfn) >= 100 && (pfn) < 110 : (pfn) == 25)

static void state(struct chaos_saveimg *img, struct chaos_saveimg_vcpu *vcpu,
		  uint64_t *frame, uint8_t *types)
{
	memset(img, 0, sizeof(*img));
	memset(vcpu, 0, sizeof(*vcpu));
	img->nr_pages = PAGES;
	img->start_info_pfn = SI_PFN;
	img->nr_vcpus = 1;
	strcpy(img->cfg.name, "hl");
	img->cfg.memory_mib = 1;
	img->cfg.vcpus = 1;
	img->dev.devices = CHAOS_SAVEIMG_DEVICES_NOXS;
	fx_cpu_state(&img->cpu);
	vcpu->online = CHAOS_SAVEIMG_VCPU_ONLINE;
	vcpu->ctx.flags = VGCF_online;
	vcpu->ctx.ctrlreg[3] = (uint64_t)PT_PFN << 12;
	/* The final state carries VCPU_EXT as a file does. */
	vcpu->ext.syscall32_eip = 0xffffffff81a00000ull;
	vcpu->ext.nr_msrs = 1;
	vcpu->ext.msrs[0].index = 0xc0000103;
	vcpu->ext.msrs[0].value = 3;
	img->vcpus = vcpu;
	*frame = P2M_PFN;
	img->nr_p2m_frames = 1;
	img->p2m_frames = frame;
	memset(types, CHAOS_PAGE_DATA, PAGES);
	types[PT_PFN] = 4 | CHAOS_PAGE_PINNED;
	img->types = types;
}

static void put_pages(struct chaos_saveimg_stream *s, uint32_t round,
		      const uint64_t *pfns, uint32_t n)
{
	uint64_t entries[PAGES] = { 0 };
	uint8_t page[4096];
	chaos_err err;

	for (uint32_t i = 0; i < n; i++) {
		entries[i] = pfns[i] | (ZERO_IN(round, pfns[i]) ? CHAOS_LIVE_ZERO : 0);
		if (pfns[i] == PT_PFN || pfns[i] == P2M_PFN)
			entries[i] |= CHAOS_LIVE_CANON;
	}
	assert_int_equal(chaos_live_put_batch(s, round, entries, n, &err), 0);
	for (uint32_t i = 0; i < n; i++) {
		if (ZERO_IN(round, pfns[i]))
			continue;
		memset(page, (int)(((pfns[i] + round) & 0xff) | 1), sizeof(page));
		assert_int_equal(chaos_saveimg_put(s, page, sizeof(page), &err), 0);
	}
}

/* A XenStore guest's DEVICES record: two disks. */
static void xenstore_devices(struct chaos_saveimg_devices *dev)
{
	static const char *const targets[] = { "/srv/hl/root.img", "/dev/vg0/hl" };
	chaos_config cfg;
	chaos_err err;

	chaos_config_init(&cfg);
	cfg.nr_disks = 2;
	cfg.disks[0].kind = CHAOS_DISK_FILE;
	strcpy(cfg.disks[0].vdev, "xvda");
	cfg.disks[1].kind = CHAOS_DISK_BLOCK;
	cfg.disks[1].readonly = true;
	strcpy(cfg.disks[1].vdev, "xvdb");
	for (size_t i = 0; i < cfg.nr_disks; i++)
		assert_int_equal(chaos_config_parse_vdev(cfg.disks[i].vdev,
							 &cfg.disks[i].devid,
							 &err), 0);
	assert_int_equal(chaos_saveimg_devices_pack(dev, true, &cfg, targets,
						    &err), 0);
	chaos_config_free(&cfg);
}

/* round 0: every page; round 1: pfns 20..29; final round 2: the page
 * table, the p2m frame, start info and pfn 40. With dev, its DEVICES
 * record instead of a noxs guest's; with leaf_b set, the state's CPU
 * policy has that in its first leaf's ebx (the start's does not). */
static void make_cpu(struct mem_stream *m, uint32_t final_round,
		     const struct chaos_saveimg_devices *dev, uint32_t leaf_b)
{
	struct chaos_saveimg_stream out;
	struct chaos_saveimg img;
	struct chaos_saveimg_vcpu vcpu;
	uint64_t frame, pfns[PAGES];
	uint8_t types[PAGES], digest[CHAOS_SAVEIMG_HASH_SIZE];
	uint64_t final[] = { SI_PFN, P2M_PFN, PT_PFN, 40 };
	chaos_err err;

	memset(m, 0, sizeof(*m));
	assert_int_equal(chaos_saveimg_stream_init(&out, mem_write, m, &err), 0);
	state(&img, &vcpu, &frame, types);
	if (dev)
		img.dev = *dev;
	for (uint64_t i = 0; i < PAGES; i++)
		pfns[i] = i;
	assert_int_equal(chaos_live_put_start(&out, PAGES, 1, &img.cpu, &err), 0);
	put_pages(&out, 0, pfns, PAGES);
	put_pages(&out, 1, pfns + 20, 10);
	put_pages(&out, final_round, final, 4);
	img.cpu.policy.leaves[0].b |= leaf_b;
	assert_int_equal(chaos_live_put_state(&out, &img, &err), 0);
	assert_int_equal(chaos_saveimg_put_end(&out, digest, &err), 0);
	chaos_saveimg_stream_free(&out);
}

static void make_with(struct mem_stream *m, uint32_t final_round,
		      const struct chaos_saveimg_devices *dev)
{
	make_cpu(m, final_round, dev, 0);
}

static void make(struct mem_stream *m, uint32_t final_round)
{
	make_with(m, final_round, NULL);
}

/* Reads a whole stream as the receiver does; pages land in mem, the
 * DEVICES record in dev (both if not NULL). */
static int receive_dev(struct mem_stream *m, uint8_t *mem,
		       struct chaos_vcpu_ext *ext,
		       struct chaos_saveimg_devices *dev, chaos_err *err)
{
	struct chaos_saveimg_stream in;
	struct chaos_live_rx rx;
	struct chaos_saveimg img = { 0 };
	uint64_t pfns[CHAOS_LIVE_BATCH_MAX];
	uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE], page[4096];
	uint32_t count;
	int more, rc = -1;

	m->at = 0;
	memset(&rx, 0, sizeof(rx));
	if (chaos_saveimg_stream_init(&in, mem_read, m, err) ||
	    chaos_live_read_start(&rx, &in, err) ||
	    chaos_live_rx_track(&rx, err))
		goto out;
	while ((more = chaos_live_next(&rx, &in, pfns, &count, &img, err)) > 0)
		for (uint32_t i = 0; i < count; i++) {
			uint64_t pfn = pfns[i] & CHAOS_LIVE_PFN_MASK;
			uint8_t *to = mem ? mem + pfn * 4096 : page;

			if (pfns[i] & CHAOS_LIVE_ZERO)
				memset(to, 0, 4096);
			else if (chaos_saveimg_get(&in, to, 4096, err))
				goto out;
		}
	if (more < 0 || chaos_saveimg_get_end(&in, digest, err) ||
	    chaos_live_check_final(&rx, &img, err))
		goto out;
	if (dev)
		*dev = img.dev;
	if (ext)
		*ext = img.vcpus[0].ext;
	rc = 0;
out:
	chaos_saveimg_stream_free(&in);
	chaos_saveimg_free(&img);
	chaos_live_rx_free(&rx);
	return rc;
}

static int receive(struct mem_stream *m, uint8_t *mem, chaos_err *err)
{
	return receive_dev(m, mem, NULL, NULL, err);
}

static void expect_error(struct mem_stream *m, const char *text)
{
	chaos_err err;

	assert_int_equal(receive(m, NULL, &err), -1);
	if (!strstr(err.msg, text))
		fail_msg("expected \"%s\", got \"%s\"", text, err.msg);
}

static void test_roundtrip(void **st)
{
	struct mem_stream m;
	uint8_t *mem = calloc(PAGES, 4096);
	struct chaos_vcpu_ext *ext = calloc(1, sizeof(*ext));
	chaos_err err;

	(void)st;
	assert_non_null(mem);
	assert_non_null(ext);
	make(&m, 2);
	assert_int_equal(receive_dev(&m, mem, ext, NULL, &err), 0);
	assert_int_equal(ext->syscall32_eip, 0xffffffff81a00000ull);
	assert_int_equal(ext->nr_msrs, 1);
	assert_int_equal(ext->msrs[0].index, 0xc0000103);
	assert_int_equal(ext->msrs[0].value, 3);
	/* The last round's copy of each page wins. */
	assert_int_equal(mem[5 * 4096], 5);
	assert_int_equal(mem[24 * 4096 + 7], 25);
	assert_int_equal(mem[40 * 4096], 43);
	assert_int_equal(mem[PT_PFN * 4096], PT_PFN + 2 + 1);
	/* Zero in round 0: never written; zero in round 1: cleared. */
	assert_int_equal(mem[100 * 4096 + 5], 0);
	assert_int_equal(mem[25 * 4096 + 7], 0);
	assert_int_equal(mem[25 * 4096 + 4095], 0);
	free(ext);
	free(mem);
	free(m.buf);
}

/* Where the CPU record's payload starts (after the header and MEMORY). */
#define CPU_AT (CHAOS_SAVEIMG_HEADER_SIZE + CHAOS_SAVEIMG_RECORD_HEADER + 16 + \
		CHAOS_SAVEIMG_RECORD_HEADER)

/* Offset of the n-th BATCH record (0-based) in m. */
static size_t batch_at(const struct mem_stream *m, unsigned int n)
{
	size_t at = CPU_AT + CHAOS_SAVEIMG_CPU_SIZE;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t len;

		memcpy(&len, m->buf + at + 8, 8);
		at += CHAOS_SAVEIMG_RECORD_HEADER + len;
	}
	return at;
}

static void poke32(struct mem_stream *m, size_t at, uint32_t v)
{
	memcpy(m->buf + at, &v, 4);
}

static void poke64(struct mem_stream *m, size_t at, uint64_t v)
{
	memcpy(m->buf + at, &v, 8);
}

/* The END record's checksum recomputed after a change (a forged stream). */
static void reseal(struct mem_stream *m)
{
	uint8_t *end = m->buf + m->len - CHAOS_SAVEIMG_HASH_SIZE;
	XXH64_canonical_t c;

	XXH64_canonicalFromHash(&c, XXH64(m->buf, m->len - CHAOS_SAVEIMG_HASH_SIZE, 0));
	memset(end, 0, CHAOS_SAVEIMG_HASH_SIZE);
	memcpy(end, c.digest, sizeof(c.digest));
}

static void test_xenstore_disks(void **st)
{
	struct chaos_saveimg_devices sent, got;
	struct mem_stream m;
	chaos_err err;

	(void)st;
	xenstore_devices(&sent);
	make_with(&m, 2, &sent);
	assert_int_equal(receive_dev(&m, NULL, NULL, &got, &err), 0);
	assert_memory_equal(&got, &sent, sizeof(got));
	assert_int_equal(got.devices, CHAOS_SAVEIMG_DEVICES_XENSTORE);
	assert_int_equal(got.nr_disks, 2);
	assert_string_equal(got.disks[1].vdev, "xvdb");
	assert_string_equal(got.targets + got.disks[0].target_len + 1,
			    "/dev/vg0/hl");
	free(m.buf);

	/* A noxs guest's state with a disk in it: the DEVICES check runs
	 * on the live stream's state too. */
	make_with(&m, 2, NULL);
	{
		/* DEVICES follows DOMAIN (48 bytes) and CONFIG (352): its
		 * nr_disks byte, then the END record's checksum redone. */
		size_t state = m.len - CHAOS_SAVEIMG_TAIL_SIZE -
			       chaos_saveimg_state_size(PAGES, 1);

		m.buf[state + 48 + 352 + CHAOS_SAVEIMG_RECORD_HEADER + 1] = 1;
		reseal(&m);
		expect_error(&m, "image: DEVICES nr_disks 1 for a noxs guest");
	}
	free(m.buf);
}

static void test_rounds(void **st)
{
	struct mem_stream m;
	size_t b;

	(void)st;
	make(&m, 3);
	expect_error(&m, "round 3 after round 1");
	free(m.buf);

	make(&m, 2);
	b = batch_at(&m, 0) + CHAOS_SAVEIMG_RECORD_HEADER;
	poke32(&m, b, 1);
	expect_error(&m, "round 1 after round 0");
	poke32(&m, b, 0);
	b = batch_at(&m, 2) + CHAOS_SAVEIMG_RECORD_HEADER;
	poke32(&m, b, CHAOS_LIVE_ROUNDS_MAX);
	expect_error(&m, "at most 32 rounds");
	poke32(&m, b, 2);
	/* The final round without the page table (pfn 41 in its place):
	 * its machine-independent copy from round 0 stands. */
	poke64(&m, b + 8 + 2 * 8, 41);
	reseal(&m);
	{
		chaos_err err;

		assert_int_equal(receive(&m, NULL, &err), 0);
	}
	/* Its last copy with machine frames in it. */
	poke64(&m, b + 8 + 2 * 8, PT_PFN);
	reseal(&m);
	expect_error(&m, "page table pfn 0xa last came with machine frames");
	poke64(&m, b + 8 + 1 * 8, P2M_PFN);
	poke64(&m, b + 8 + 2 * 8, PT_PFN | CHAOS_LIVE_CANON);
	reseal(&m);
	expect_error(&m, "p2m frame pfn 0x7 last came with machine frames");
	poke64(&m, b + 8 + 1 * 8, P2M_PFN | CHAOS_LIVE_CANON);
	/* A plain page said to be machine-independent. */
	poke64(&m, b + 8 + 3 * 8, 40 | CHAOS_LIVE_CANON);
	reseal(&m);
	expect_error(&m, "pfn 0x28 last came machine-independent but is a plain page");
	poke64(&m, b + 8 + 3 * 8, 40 | CHAOS_LIVE_CANON | CHAOS_LIVE_ZERO);
	expect_error(&m, "pfn 0x28 is both all zero and machine-independent");
	poke64(&m, b + 8 + 3 * 8, 40);
	/* Start info only from a round the guest ran in. */
	poke64(&m, b + 8, 42);
	reseal(&m);
	expect_error(&m, "the start info pfn did not come in the final round");
	free(m.buf);
}

static void test_pfns(void **st)
{
	struct mem_stream m;
	size_t b;

	(void)st;
	make(&m, 2);
	b = batch_at(&m, 1) + CHAOS_SAVEIMG_RECORD_HEADER + 8;
	poke64(&m, b, PAGES);
	expect_error(&m, "BATCH pfn 0x100 is outside the guest's 256 pages");
	poke64(&m, b, UINT64_MAX);
	expect_error(&m, "is outside the guest's");
	free(m.buf);
}

static void test_batches(void **st)
{
	struct mem_stream m;
	size_t b;

	(void)st;
	make(&m, 2);
	b = batch_at(&m, 1);
	poke32(&m, b + CHAOS_SAVEIMG_RECORD_HEADER + 4, 0);
	expect_error(&m, "BATCH count 0");
	poke32(&m, b + CHAOS_SAVEIMG_RECORD_HEADER + 4, CHAOS_LIVE_BATCH_MAX + 1);
	expect_error(&m, "BATCH count 1025");
	poke32(&m, b + CHAOS_SAVEIMG_RECORD_HEADER + 4, 9);
	expect_error(&m, "BATCH of 9 pages is 36952 bytes, not 80 to 36944");
	poke32(&m, b + CHAOS_SAVEIMG_RECORD_HEADER + 4, 10);
	poke64(&m, b + 8, 3);
	expect_error(&m, "BATCH of 3 bytes");
	poke64(&m, b + 8, 8 + 10 * (8 + 4096));
	expect_error(&m, "BATCH of 10 pages, 9 with bytes, is");
	poke64(&m, b + 8, 8 + 10 * 8 + 9 * 4096);
	/* A page with bytes flagged zero: its bytes run into the next
	 * record, and the length no longer adds up. */
	poke64(&m, b + CHAOS_SAVEIMG_RECORD_HEADER + 8, 20 | CHAOS_LIVE_ZERO);
	expect_error(&m, "BATCH of 10 pages, 8 with bytes, is");
	poke64(&m, b + CHAOS_SAVEIMG_RECORD_HEADER + 8, 20);
	poke32(&m, b + 4, 1);
	expect_error(&m, "flags not zero");
	poke32(&m, b + 4, 0);
	poke32(&m, b, CHAOS_REC_PAGES);
	expect_error(&m, "record type 5 where a BATCH or DOMAIN belongs");
	free(m.buf);
}

static void test_truncated(void **st)
{
	struct mem_stream m;
	size_t full;

	(void)st;
	make(&m, 2);
	full = m.len;
	/* Cut anywhere: inside a batch's pfns, its pages, the state, END. */
	for (size_t n = 0; n < full; n += (n < 4096 ? 7 : 4099)) {
		chaos_err err;

		m.len = n;
		assert_int_equal(receive(&m, NULL, &err), -1);
	}
	m.len = batch_at(&m, 1) + CHAOS_SAVEIMG_RECORD_HEADER + 8 + 16;
	expect_error(&m, "truncated");
	m.len = batch_at(&m, 1) + CHAOS_SAVEIMG_RECORD_HEADER + 8 + 80 + 100;
	expect_error(&m, "truncated");
	m.len = full;
	m.buf[full - 1] ^= 1;
	expect_error(&m, "checksum mismatch");
	free(m.buf);
}

static void test_start(void **st)
{
	struct mem_stream m;
	size_t mem = CHAOS_SAVEIMG_HEADER_SIZE + CHAOS_SAVEIMG_RECORD_HEADER;

	(void)st;
	make(&m, 2);
	/* 2 to 8: older streams (no DEVICES before 6, no VCPU_EXT before 9);
	 * 9: no CPU record; 10 is a file's version. */
	for (uint32_t v = 2; v < CHAOS_LIVE_VERSION; v++) {
		char want[64];

		poke32(&m, 8, v);
		snprintf(want, sizeof(want), "version %u, a live stream is version 11", v);
		expect_error(&m, want);
	}
	poke32(&m, 8, CHAOS_LIVE_VERSION);
	poke64(&m, 16, 4096);
	expect_error(&m, "total_size");
	poke64(&m, 16, 0);
	poke64(&m, mem, 300);
	expect_error(&m, "MEMORY nr_pages 300 is not whole MiB");
	poke64(&m, mem, 0);
	expect_error(&m, "MEMORY nr_pages 0");
	poke64(&m, mem, PAGES);
	poke32(&m, mem + 8, 0);
	expect_error(&m, "MEMORY nr_vcpus 0");
	poke32(&m, mem + 8, 1);
	poke32(&m, CHAOS_SAVEIMG_HEADER_SIZE, CHAOS_REC_DOMAIN);
	expect_error(&m, "MEMORY record (type 7, 16 bytes) is not where it belongs");
	poke32(&m, CHAOS_SAVEIMG_HEADER_SIZE, CHAOS_REC_MEMORY);
	/* The CPU record right after: its place and its fields. */
	poke32(&m, CPU_AT - CHAOS_SAVEIMG_RECORD_HEADER, CHAOS_REC_BATCH);
	expect_error(&m, "the CPU record (type 12, 4096 bytes) is not where it belongs");
	poke32(&m, CPU_AT - CHAOS_SAVEIMG_RECORD_HEADER, CHAOS_REC_CPU);
	poke32(&m, CPU_AT, 0);
	expect_error(&m, "CPU nr_leaves 0 is not from 1 to 160");
	poke32(&m, CPU_AT, 11);
	poke32(&m, CPU_AT + 8, 3);
	expect_error(&m, "CPU tsc_mode 3 is not 0, 1 or 2");
	free(m.buf);
}

/* The state's policy differs from the start's (by which the host was
 * judged), though every record is well formed. */
static void test_cpu_changed(void **st)
{
	struct mem_stream m;

	(void)st;
	make_cpu(&m, 2, NULL, 1u << 4);
	expect_error(&m, "the CPU policy in the final state is not the one the stream started with");
	free(m.buf);
}

static void test_never_sent(void **st)
{
	struct mem_stream m;
	size_t b;

	(void)st;
	make(&m, 2);
	/* Round 0 sends pfn 1 twice instead of pfn 0: and the stream is
	 * resealed so only the coverage check can see it. */
	b = batch_at(&m, 0) + CHAOS_SAVEIMG_RECORD_HEADER + 8;
	poke64(&m, b, 1);
	reseal(&m);
	expect_error(&m, "pfn 0 never came in any BATCH");
	free(m.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_xenstore_disks),
		cmocka_unit_test(test_rounds),
		cmocka_unit_test(test_pfns),
		cmocka_unit_test(test_batches),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_start),
		cmocka_unit_test(test_cpu_changed),
		cmocka_unit_test(test_never_sent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
