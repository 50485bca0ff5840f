// SPDX-License-Identifier: MIT
/*
 * The saved-guest image format (version 10): a round trip with all-zero
 * pages left out, then hostile images: every truncation, damage anywhere
 * (checksum), each field made wrong with the checksum recomputed, so the
 * field check itself must catch it, and older versions refused. The
 * DEVICES record's own checks: test_saveimg_devices.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
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

#define PAGES 512 /* 2 MiB */
#define PT_PFN 10
#define SI_PFN 3
/* Every fifth page is all zero: no bytes in the image. */
#define ZERO_PAGE(pfn) ((pfn) % 5 == 0)
#define NR_PRESENT (PAGES - (PAGES + 4) / 5)

static uint8_t pattern(uint64_t pfn)
{
	return (uint8_t)((pfn & 0xff) | 1);
}

struct fixture {
	uint8_t *buf;
	size_t len;
};

/* A vCPU's state beyond its context, as a 64-bit Linux guest on an AVX
 * host leaves it: 32-bit callbacks, vMCE, two MSRs, an XSAVE blob. */
#define XSAVE_LEN (16 + 832)
static void ext_state(struct chaos_vcpu_ext *e, uint32_t v)
{
	e->syscall32_eip = 0xffffffff81a00000ull + v;
	e->sysenter_eip = 0xffffffff81a00100ull;
	e->syscall32_cs = 0xe033;
	e->sysenter_cs = 0xe033;
	e->syscall32_disables_events = 0;
	e->sysenter_disables_events = 1;
	e->mcg_cap = 0x1000802;
	e->nr_msrs = 2;
	e->msrs[0].index = 0xc0000103; /* TSC_AUX */
	e->msrs[0].value = v;
	e->msrs[1].index = 0x48; /* SPEC_CTRL */
	e->msrs[1].value = 1;
	e->xsave_len = XSAVE_LEN;
	for (uint32_t i = 0; i < XSAVE_LEN; i++)
		e->xsave[i] = (uint8_t)(i * 7 + 1);
}

static void make(struct fixture *f, uint32_t nr_vcpus)
{
	struct chaos_saveimg img = { 0 };
	struct chaos_saveimg_vcpu vcpus[2];
	uint64_t frames[1] = { 7 };
	chaos_err err;

	memset(vcpus, 0, sizeof(vcpus));
	img.nr_pages = PAGES;
	img.start_info_pfn = SI_PFN;
	img.nr_vcpus = nr_vcpus;
	strcpy(img.cfg.name, "hl");
	img.cfg.memory_mib = 2;
	img.cfg.vcpus = nr_vcpus;
	img.cfg.nr_vifs = 1;
	memcpy(img.cfg.vifs[0].mac, "\x00\x16\x3e\x01\x02\x03", 6);
	strcpy(img.cfg.vifs[0].bridge, "br0");
	img.dev.devices = CHAOS_SAVEIMG_DEVICES_NOXS;
	fx_cpu_state(&img.cpu);
	for (uint32_t v = 0; v < nr_vcpus; v++) {
		vcpus[v].online = CHAOS_SAVEIMG_VCPU_ONLINE;
		vcpus[v].ctx.flags = VGCF_online;
		vcpus[v].ctx.ctrlreg[3] = (uint64_t)PT_PFN << 12;
		ext_state(&vcpus[v].ext, v);
	}
	img.vcpus = vcpus;
	img.nr_p2m_frames = 1;
	img.p2m_frames = frames;
	img.present_map = calloc(chaos_saveimg_map_size(PAGES), 1);
	assert_non_null(img.present_map);
	for (uint64_t pfn = 0; pfn < PAGES; pfn++)
		if (!ZERO_PAGE(pfn)) {
			img.present_map[pfn / 8] |= (uint8_t)(1u << (pfn % 8));
			img.present++;
		}
	assert_int_equal(img.present, NR_PRESENT);
	{
		struct chaos_saveimg_stream out;
		struct mem_stream m = { 0 };
		size_t head = chaos_saveimg_head_size(PAGES, nr_vcpus);
		uint8_t *buf = malloc(head), types[PAGES], page[4096];
		uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE];

		assert_non_null(buf);
		memset(types, CHAOS_PAGE_DATA, sizeof(types));
		types[PT_PFN] = 4 | CHAOS_PAGE_PINNED;
		types[PT_PFN + 1] = 1;
		assert_int_equal(chaos_saveimg_stream_init(&out, mem_write, &m, &err), 0);
		assert_int_equal(chaos_saveimg_encode_head(buf, head, &img, &err), 0);
		assert_int_equal(chaos_saveimg_put(&out, buf, head, &err), 0);
		assert_int_equal(chaos_saveimg_put(&out, types, sizeof(types), &err), 0);
		assert_int_equal(chaos_saveimg_put(&out, img.present_map,
						   chaos_saveimg_map_size(PAGES), &err), 0);
		for (uint64_t pfn = 0; pfn < PAGES; pfn++) {
			if (ZERO_PAGE(pfn))
				continue;
			memset(page, pattern(pfn), sizeof(page));
			assert_int_equal(chaos_saveimg_put(&out, page, sizeof(page), &err), 0);
		}
		assert_int_equal(chaos_saveimg_put_end(&out, digest, &err), 0);
		chaos_saveimg_stream_free(&out);
		free(buf);
		free(img.present_map);
		f->buf = m.buf;
		f->len = m.len;
		assert_int_equal(f->len, chaos_saveimg_size_with(PAGES, nr_vcpus,
								 NR_PRESENT));
		assert_true(f->len < chaos_saveimg_size(PAGES, nr_vcpus));
	}
}

/* The END record's checksum recomputed after a change (a forged image):
 * XXH64, big-endian, in the first 8 of its 16 bytes. */
static void reseal(uint8_t *buf, size_t len)
{
	XXH64_canonical_t c;

	XXH64_canonicalFromHash(&c, XXH64(buf, len - CHAOS_SAVEIMG_HASH_SIZE, 0));
	memset(buf + len - CHAOS_SAVEIMG_HASH_SIZE, 0, CHAOS_SAVEIMG_HASH_SIZE);
	memcpy(buf + len - CHAOS_SAVEIMG_HASH_SIZE, c.digest, sizeof(c.digest));
}

/* As a restore reads an image: the head, the pages (into pages, if not
 * NULL), the END record. */
static int decode(uint8_t *buf, size_t len, struct chaos_saveimg *img,
		  uint8_t *pages, chaos_err *err)
{
	struct mem_stream m = { .buf = buf, .len = len };
	struct chaos_saveimg_stream in;
	uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE], page[4096];

	memset(img, 0, sizeof(*img));
	if (chaos_saveimg_stream_init(&in, mem_read, &m, err) ||
	    chaos_saveimg_read_head(&in, len, 0, img, err))
		goto fail;
	for (uint64_t pfn = 0; pfn < img->nr_pages; pfn++) {
		uint8_t *to = pages ? pages + pfn * 4096 : page;

		/* As the restore: a page without bytes stays zero. */
		if (!chaos_saveimg_has_bytes(img->present_map, pfn))
			memset(to, 0, 4096);
		else if (chaos_saveimg_get(&in, to, 4096, err))
			goto fail;
	}
	if (chaos_saveimg_get_end(&in, digest, err))
		goto fail;
	chaos_saveimg_stream_free(&in);
	return 0;
fail:
	chaos_saveimg_stream_free(&in);
	chaos_saveimg_free(img);
	return -1;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	make(f, 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->buf);
	free(f);
	return 0;
}

static void test_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct chaos_saveimg img;
	uint8_t *pages = malloc(PAGES * 4096);
	chaos_err err;

	assert_non_null(pages);
	assert_int_equal(decode(f->buf, f->len, &img, pages, &err), 0);
	assert_int_equal(img.nr_pages, PAGES);
	assert_int_equal(img.start_info_pfn, SI_PFN);
	assert_int_equal(img.nr_vcpus, 1);
	assert_string_equal(img.cfg.name, "hl");
	assert_int_equal(img.cfg.nr_vifs, 1);
	assert_string_equal(img.cfg.vifs[0].bridge, "br0");
	assert_int_equal(img.vcpus[0].ctx.ctrlreg[3], (uint64_t)PT_PFN << 12);
	{
		struct chaos_vcpu_ext want;

		memset(&want, 0, sizeof(want));
		ext_state(&want, 0);
		assert_memory_equal(&img.vcpus[0].ext, &want, sizeof(want));
	}
	assert_int_equal(img.nr_p2m_frames, 1);
	assert_int_equal(img.p2m_frames[0], 7);
	assert_int_equal(img.types[PT_PFN], 4 | CHAOS_PAGE_PINNED);
	assert_int_equal(img.present, NR_PRESENT);
	for (uint64_t pfn = 0; pfn < PAGES; pfn++)
		assert_int_equal(pages[pfn * 4096 + 99],
				 ZERO_PAGE(pfn) ? 0 : pattern(pfn));
	free(pages);
	chaos_saveimg_free(&img);
}

/* A guest bigger than the host's free memory is refused before its head
 * is allocated (a migration peer announces what it likes). */
static void test_more_than_the_host(void **state)
{
	struct fixture *f = *state;
	struct mem_stream m = { .buf = f->buf, .len = f->len };
	struct chaos_saveimg_stream in;
	struct chaos_saveimg img;
	chaos_err err;

	assert_int_equal(chaos_saveimg_stream_init(&in, mem_read, &m, &err), 0);
	assert_int_equal(chaos_saveimg_read_head(&in, f->len, PAGES - 1, &img,
						 &err), -1);
	assert_int_equal(err.code, ENOMEM);
	assert_non_null(strstr(err.msg, "DOMAIN nr_pages"));
	assert_non_null(strstr(err.msg, "more than this host's free memory"));
	chaos_saveimg_stream_free(&in);
	/* Exactly as many: read. */
	m = (struct mem_stream){ .buf = f->buf, .len = f->len };
	assert_int_equal(chaos_saveimg_stream_init(&in, mem_read, &m, &err), 0);
	assert_int_equal(chaos_saveimg_read_head(&in, f->len, PAGES, &img,
						 &err), 0);
	assert_int_equal(img.nr_pages, PAGES);
	chaos_saveimg_stream_free(&in);
	chaos_saveimg_free(&img);
}

static void test_two_vcpus(void **state)
{
	struct fixture f;
	struct chaos_saveimg img;
	chaos_err err;

	(void)state;
	make(&f, 2);
	assert_int_equal(decode(f.buf, f.len, &img, NULL, &err), 0);
	assert_int_equal(img.nr_vcpus, 2);
	chaos_saveimg_free(&img);
	free(f.buf);
}

static void expect_error(uint8_t *buf, size_t len, const char *text)
{
	struct chaos_saveimg img;
	chaos_err err;

	assert_int_equal(decode(buf, len, &img, NULL, &err), -1);
	if (!strstr(err.msg, text))
		fail_msg("expected \"%s\", got \"%s\"", text, err.msg);
	assert_null(img.vcpus);
	assert_null(img.p2m_frames);
	assert_null(img.owned);
}

static void test_truncated(void **state)
{
	struct fixture *f = *state;

	/* Every short length: the header's total_size, or the header itself. */
	for (size_t n = 0; n < f->len; n += (n < 4096 ? 1 : 4093)) {
		struct chaos_saveimg img;
		chaos_err err;

		assert_int_equal(decode(f->buf, n, &img, NULL, &err), -1);
	}
	expect_error(f->buf, f->len - 1, "truncated");
	expect_error(f->buf, 10, "too short");
}

static void test_damaged(void **state)
{
	struct fixture *f = *state;
	size_t head = chaos_saveimg_head_size(PAGES, 1) +
		      chaos_saveimg_types_size(PAGES) + chaos_saveimg_map_size(PAGES);

	/* Any flipped bit fails: in the head a field check or the checksum,
	 * in the pages and the END record the checksum. */
	for (size_t at = CHAOS_SAVEIMG_HEADER_SIZE; at < f->len; at += 3001) {
		struct chaos_saveimg img;
		chaos_err err;

		f->buf[at] ^= 0x10;
		if (at < head)
			assert_int_equal(decode(f->buf, f->len, &img, NULL, &err), -1);
		else
			expect_error(f->buf, f->len, "checksum mismatch");
		f->buf[at] ^= 0x10;
	}
	f->buf[f->len - 1] ^= 1;
	expect_error(f->buf, f->len, "checksum mismatch");
	f->buf[f->len - 1] ^= 1;
}

static void test_header(void **state)
{
	struct fixture *f = *state;

	f->buf[0] = 'X';
	expect_error(f->buf, f->len, "bad magic");
	f->buf[0] = 'C';
	/* Older images (version 1: every page, SHA-256; version 3: no
	 * DEVICES record; version 6: no VCPU_EXT; version 8: no CPU) and
	 * live streams (4, 5, 7, 9, 11) are refused by name. */
	for (uint8_t v = 1; v <= 11; v++) {
		char want[64];

		if (v == CHAOS_SAVEIMG_VERSION)
			continue;
		f->buf[8] = v;
		snprintf(want, sizeof(want), "version %u, this chaos reads version 10", v);
		expect_error(f->buf, f->len, want);
	}
	f->buf[8] = CHAOS_SAVEIMG_VERSION;
	f->buf[12] = 64;
	expect_error(f->buf, f->len, "header_size 64");
	f->buf[12] = 32;
	f->buf[30] = 1;
	expect_error(f->buf, f->len, "reserved");
	f->buf[30] = 0;
	f->buf[23] = 0x40; /* total_size huge */
	expect_error(f->buf, f->len, "total_size");
	f->buf[23] = 0;
}

/* Payload of the n-th record (1-based), found by walking the headers. */
static uint8_t *payload(struct fixture *f, unsigned int n)
{
	size_t at = CHAOS_SAVEIMG_HEADER_SIZE;

	for (unsigned int i = 1; i < n; i++) {
		uint64_t len;

		memcpy(&len, f->buf + at + 8, 8);
		at += CHAOS_SAVEIMG_RECORD_HEADER + ((len + 7) & ~7ull);
	}
	return f->buf + at + CHAOS_SAVEIMG_RECORD_HEADER;
}

/* Change bytes at p, reseal, expect text, restore. */
static void mutate(struct fixture *f, uint8_t *p, const void *bytes, size_t n,
		   const char *text)
{
	uint8_t saved[64];

	assert_true(n <= sizeof(saved));
	memcpy(saved, p, n);
	memcpy(p, bytes, n);
	reseal(f->buf, f->len);
	expect_error(f->buf, f->len, text);
	memcpy(p, saved, n);
	reseal(f->buf, f->len);
}

static void test_fields(void **state)
{
	struct fixture *f = *state;
	uint8_t *dom = payload(f, 1), *cfg = payload(f, 2), *dev = payload(f, 3);
	uint8_t *vcpu = payload(f, 5), *p2m = payload(f, 7), *pages = payload(f, 8);
	uint64_t big = UINT64_MAX, pfn_out = PAGES, zero64 = 0;
	uint32_t zero32 = 0, two = 2, type = 99;
	uint8_t byte;
	vcpu_guest_context_x86_64_t ctx;
	size_t cr3_off = 8 + offsetof(vcpu_guest_context_x86_64_t, ctrlreg) + 3 * 8;

	mutate(f, dom, &zero64, 8, "nr_pages 0");
	mutate(f, dom, &big, 8, "nr_pages");
	mutate(f, dom + 8, &pfn_out, 8, "start_info_pfn");
	mutate(f, dom + 16, &zero32, 4, "nr_vcpus 0");
	mutate(f, dom + 16, &two, 4, "make");
	mutate(f, dom + 20, &two, 4, "DOMAIN reserved");
	mutate(f, f->buf + CHAOS_SAVEIMG_HEADER_SIZE, &type, 4,
	       "record 1 at byte 32 has type 99, expected DOMAIN");

	mutate(f, cfg, "a b", 4, "name is not a valid guest name");
	mutate(f, cfg, "0123456789012345678901234567890123456789012345678901234567890123", 64,
	       "name is not terminated");
	mutate(f, cfg + 3, "x", 1, "bytes after its end");
	byte = 3;
	mutate(f, cfg + 64, &byte, 1, "memory 3 MiB does not match 512 pages");
	mutate(f, cfg + 72, &two, 4, "vcpus 2");
	mutate(f, cfg + 76, &byte, 1, "unknown on_* action");
	byte = 9;
	mutate(f, cfg + 79, &byte, 1, "nr_vifs 9");
	mutate(f, cfg + 80, "\x01", 1, "vifs[0].mac is not a unicast");
	byte = 2;
	mutate(f, cfg + 86, &byte, 1, "ip_set is 2");
	mutate(f, cfg + 96, "br/0", 4, "vifs[0].bridge");
	mutate(f, cfg + 112 + 3, "\x01", 1, "unused vifs[1] not zero");

	/* DEVICES: each of its checks in test_saveimg_devices.c; here that
	 * the decoder runs them, and that the record is where it belongs. */
	byte = 3;
	mutate(f, dev, &byte, 1, "DEVICES devices 3 is neither noxs (1) nor xenstore (2)");
	byte = 1;
	mutate(f, dev + 1, &byte, 1, "DEVICES nr_disks 1 for a noxs guest");
	type = CHAOS_REC_VCPU;
	mutate(f, dev - CHAOS_SAVEIMG_RECORD_HEADER, &type, 4,
	       "record 3 at byte 432 has type 3, expected DEVICES (10)");
	big = 4088;
	mutate(f, dev - 8, &big, 8, "DEVICES record is 4088 bytes, expected 4096");

	mutate(f, vcpu, &two, 4, "VCPU record for vCPU 2");
	mutate(f, vcpu + 4, &two, 4, "flags 0x2 unknown");
	mutate(f, vcpu + 4, &zero32, 4, "online flag and context disagree");
	memcpy(&ctx, vcpu + 8, sizeof(ctx));
	big = (uint64_t)(PT_PFN + 1) << 12; /* an L1, not a pinned L4 */
	mutate(f, vcpu + cr3_off, &big, 8, "cr3 pfn 0xb is not a pinned L4");
	big = (uint64_t)PAGES << 12;
	mutate(f, vcpu + cr3_off, &big, 8, "cr3 pfn 0x200 is not a pinned L4");

	mutate(f, p2m, &pfn_out, 8, "P2M_FRAMES[0] pfn 0x200 is outside");
	big = PT_PFN;
	mutate(f, p2m, &big, 8, "p2m frame pfn 0xa is a page table");

	byte = 5;
	mutate(f, pages + 100, &byte, 1, "type 0x5 of pfn 0x64 is unknown");
	byte = CHAOS_PAGE_PINNED;
	mutate(f, pages + 100, &byte, 1, "type 0x10 of pfn 0x64");
	byte = 0x21;
	mutate(f, pages + 100, &byte, 1, "type 0x21");
	byte = 1;
	mutate(f, pages + SI_PFN, &byte, 1, "start info pfn is a page table");

	/* The map: a page more or less than the bytes there are, and a bit
	 * past the guest's last page (512 pages: the map is exactly 8
	 * words, so the padding check needs a guest of odd size; the count
	 * check covers this one). */
	byte = pages[PAGES + 0] ^ 0x01; /* pfn 0: zero page marked present */
	mutate(f, pages + PAGES, &byte, 1, "PAGES record is");
	byte = pages[PAGES + 1] ^ 0x01; /* pfn 8 dropped */
	mutate(f, pages + PAGES + 1, &byte, 1, "PAGES record is");

	/* The END record's header: its length is the 16-byte checksum
	 * field, and the message says so (it said 32, SHA-256's size). */
	big = 32;
	mutate(f, f->buf + f->len - CHAOS_SAVEIMG_TAIL_SIZE + 8, &big, 8,
	       "the END record (type 6, 16 bytes) is not where it belongs");
}

/* A fixed-size record's place and size: its header given another type
 * (what comes next in its place), then a length 8 bytes short. */
static void placed(struct fixture *f, uint8_t *payload, uint32_t other,
		   const char *type_text, uint64_t size, const char *size_text)
{
	uint64_t short_len = size - 8;

	mutate(f, payload - CHAOS_SAVEIMG_RECORD_HEADER, &other, 4, type_text);
	mutate(f, payload - 8, &short_len, 8, size_text);
}

/* VCPU_EXT: every field the decoder checks, and where the record goes. */
static void test_vcpu_ext(void **state)
{
	struct fixture *f = *state;
	uint8_t *ext = payload(f, 6), *vcpu = payload(f, 5);
	uint32_t two = 2, seventeen = 17, len;
	uint8_t byte;

	mutate(f, ext, &two, 4, "VCPU_EXT record for vCPU 2 where vCPU 0's belongs");
	mutate(f, ext + 4, &two, 4, "VCPU_EXT 0: flags or reserved bytes are not zero");
	mutate(f, ext + 30, "\x01", 1, "VCPU_EXT 0: flags or reserved bytes are not zero");
	byte = 2;
	mutate(f, ext + 28, &byte, 1, "syscall32_disables_events 2");
	mutate(f, ext + 29, &byte, 1, "sysenter_disables_events 2");
	mutate(f, ext + 64, &seventeen, 4, "VCPU_EXT 0: nr_msrs 17 is more than 16");
	mutate(f, ext + 72 + 2 * 16 + 8, "\x01", 1, "msrs[2] is past nr_msrs and not zero");
	mutate(f, ext + 72 + 4, "\x01", 1, "msrs[0].reserved is not zero");
	mutate(f, ext + 72 + 16, ext + 72, 4, "msrs[1].index 0xc0000103 is also msrs[0]'s");
	len = 8;
	mutate(f, ext + 68, &len, 4, "xsave_len 8 is not 0, 16 or from 592 to 4096");
	len = 591;
	mutate(f, ext + 68, &len, 4, "xsave_len 591");
	len = 4097;
	mutate(f, ext + 68, &len, 4, "xsave_len 4097");
	len = XSAVE_LEN - 1;
	mutate(f, ext + 68, &len, 4, "bytes after xsave_len 847 are not zero");
	mutate(f, ext + 328 + 4095, "\x01", 1, "bytes after xsave_len 848 are not zero");
	/* Offline: nothing but the id. */
	{
		uint32_t zero32 = 0;
		uint8_t saved_flags[4], saved_ctx_flags[8], same[8];
		size_t flags_off = 8 + offsetof(vcpu_guest_context_x86_64_t, flags);

		memcpy(saved_flags, vcpu + 4, 4);
		memcpy(saved_ctx_flags, vcpu + flags_off, 8);
		memcpy(vcpu + 4, &zero32, 4);
		memset(vcpu + flags_off, 0, 8);
		memcpy(same, ext + 8, 8);
		mutate(f, ext + 8, same, 8, "vCPU is offline but the record is not zero");
		memcpy(vcpu + 4, saved_flags, 4);
		memcpy(vcpu + flags_off, saved_ctx_flags, 8);
		reseal(f->buf, f->len);
	}
	placed(f, ext, CHAOS_REC_P2M_FRAMES, "has type 4, expected VCPU_EXT (11)",
	       CHAOS_SAVEIMG_VCPU_EXT_SIZE,
	       "VCPU_EXT record is 4416 bytes, expected 4424");
}

/* CPU: every field the decoder checks, and where the record goes. The
 * fixture's policy has 11 leaves and 2 MSRs. */
static void test_cpu(void **state)
{
	struct fixture *f = *state;
	uint8_t *cpu = payload(f, 4);
	uint32_t v32;

	v32 = 0;
	mutate(f, cpu, &v32, 4, "CPU nr_leaves 0 is not from 1 to 160");
	v32 = 161;
	mutate(f, cpu, &v32, 4, "CPU nr_leaves 161 is not from 1 to 160");
	v32 = 10;
	mutate(f, cpu, &v32, 4, "CPU leaves past nr_leaves (10) not zero");
	v32 = 15;
	mutate(f, cpu + 4, &v32, 4, "CPU nr_msrs 15 is more than 14");
	v32 = 1;
	mutate(f, cpu + 4, &v32, 4, "CPU msrs past nr_msrs (1) not zero");
	v32 = 3;
	mutate(f, cpu + 8, &v32, 4, "CPU tsc_mode 3 is not 0, 1 or 2");
	mutate(f, cpu + 20, "\x01", 1, "CPU reserved field not zero");
	/* leaves[2] (7:0) made 1:0, before leaves[1] (1:none) */
	v32 = 1;
	mutate(f, cpu + 32 + 2 * 24, &v32, 4,
	       "CPU leaves[2] (0x1:0) does not come after leaves[1] (0x1:0xffffffff)");
	mutate(f, cpu + 32 + 11 * 24 + 3, "\x01", 1,
	       "CPU leaves past nr_leaves (11) not zero");
	mutate(f, cpu + 32 + 160 * 24 + 4, "\x01", 1, "CPU msrs[0].flags 0x1 not zero");
	v32 = 0xce;
	mutate(f, cpu + 32 + 160 * 24 + 16, &v32, 4,
	       "CPU msrs[1] (0xce) does not come after msrs[0] (0xce)");
	placed(f, cpu, CHAOS_REC_VCPU, "has type 3, expected CPU (12)",
	       CHAOS_SAVEIMG_CPU_SIZE, "CPU record is 4088 bytes, expected 4096");
}

/* What a host lacks of the guest's CPU features, named; what follows
 * the guest's own settings (OSXSAVE) is not a feature. */
static void test_cpu_fits(void **state)
{
	struct chaos_cpu_state guest, host;
	chaos_err err;

	(void)state;
	fx_cpu_state(&guest);
	fx_cpu_state(&host);
	assert_int_equal(chaos_saveimg_cpu_fits(&guest.policy, &host.policy, &err), 0);
	/* OSXSAVE (leaf 1 ecx bit 27) set in the guest's only. */
	host.policy.leaves[1].c &= ~(1u << 27);
	assert_int_equal(chaos_saveimg_cpu_fits(&guest.policy, &host.policy, &err), 0);
	/* On AMD a guest's leaf 0x80000001 edx repeats leaf 1 edx's common
	 * features, the host's most does not: not missing features. */
	guest.policy.leaves[9].d |= guest.policy.leaves[1].d & 0x0183f3ffu;
	assert_int_equal(chaos_saveimg_cpu_fits(&guest.policy, &host.policy, &err), 0);
	/* Nor what the FPU does not keep (FDP_EXCP_ONLY, NO_FPU_SEL). */
	guest.policy.leaves[2].b |= (1u << 6) | (1u << 13);
	assert_int_equal(chaos_saveimg_cpu_fits(&guest.policy, &host.policy, &err), 0);
	fx_cpu_state(&guest);
	/* A host more capable: fine. */
	host.policy.leaves[2].b |= 1u << 16;
	assert_int_equal(chaos_saveimg_cpu_fits(&guest.policy, &host.policy, &err), 0);
	/* AVX (leaf 1 ecx bit 28) missing. */
	host.policy.leaves[1].c &= ~(1u << 28);
	assert_int_equal(chaos_saveimg_cpu_fits(&guest.policy, &host.policy, &err), -1);
	assert_int_equal(err.code, ENODEV);
	assert_string_equal(err.msg,
			    "the guest has CPU features this host does not give a PV guest: CPUID leaf 0x1 ecx bits 0x10000000");
	/* And the guest's leaf 7 ebx (BMI1, bit 3) too: the first is named. */
	host.policy.leaves[2].b &= ~(1u << 3);
	assert_int_equal(chaos_saveimg_cpu_fits(&guest.policy, &host.policy, &err), -1);
	assert_non_null(strstr(err.msg, "leaf 0x1 ecx bits 0x10000000, and more in other registers"));
	/* A leaf the host does not have at all: its features are missing. */
	fx_cpu_state(&host);
	host.policy.nr_leaves = 9; /* no 0x80000001, no 0x80000008 */
	assert_int_equal(chaos_saveimg_cpu_fits(&guest.policy, &host.policy, &err), -1);
	assert_string_equal(err.msg,
			    "the guest has CPU features this host does not give a PV guest: CPUID leaf 0x80000001 ecx bits 0x1, and more in other registers");
	/* The XSAVE components (leaf 0xd subleaf 0 eax). */
	fx_cpu_state(&host);
	host.policy.leaves[3].a = 0x3;
	assert_int_equal(chaos_saveimg_cpu_fits(&guest.policy, &host.policy, &err), -1);
	assert_string_equal(err.msg,
			    "the guest has CPU features this host does not give a PV guest: CPUID leaf 0xd subleaf 0 eax bits 0x4");
}

/* Keyed (a migration with a pre-shared key): the same key and nonce read
 * it back; another key, or none, sees a mismatch. */
static int keyed_roundtrip(uint8_t wkey, uint8_t rkey, bool rkeyed,
			   chaos_err *err)
{
	uint8_t key[CHAOS_SAVEIMG_KEY_SIZE], nonce[CHAOS_SAVEIMG_KEY_SIZE];
	uint8_t data[5000], back[5000], digest[CHAOS_SAVEIMG_HASH_SIZE];
	struct chaos_saveimg_stream out, in;
	struct mem_stream m = { 0 };
	int rc;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13);
	memset(nonce, 7, sizeof(nonce));
	memset(key, wkey, sizeof(key));
	assert_int_equal(chaos_saveimg_stream_init(&out, mem_write, &m, err), 0);
	assert_int_equal(chaos_saveimg_stream_key(&out, key, nonce, err), 0);
	assert_int_equal(chaos_saveimg_put(&out, data, sizeof(data), err), 0);
	assert_int_equal(chaos_saveimg_put_end(&out, digest, err), 0);
	chaos_saveimg_stream_free(&out);
	memset(key, rkey, sizeof(key));
	assert_int_equal(chaos_saveimg_stream_init(&in, mem_read, &m, err), 0);
	if (rkeyed)
		assert_int_equal(chaos_saveimg_stream_key(&in, key, nonce, err), 0);
	rc = chaos_saveimg_get(&in, back, sizeof(back), err) ||
	     chaos_saveimg_get_end(&in, digest, err);
	if (!rc)
		assert_memory_equal(back, data, sizeof(data));
	chaos_saveimg_stream_free(&in);
	free(m.buf);
	return rc ? -1 : 0;
}

static void test_keyed(void **state)
{
	chaos_err err;

	(void)state;
	assert_int_equal(keyed_roundtrip(1, 1, true, &err), 0);
	assert_int_equal(keyed_roundtrip(1, 2, true, &err), -1);
	assert_non_null(strstr(err.msg, "MAC mismatch"));
	assert_int_equal(keyed_roundtrip(1, 1, false, &err), -1);
	assert_non_null(strstr(err.msg, "checksum mismatch"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_more_than_the_host, setup,
						teardown),
		cmocka_unit_test(test_two_vcpus),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vcpu_ext, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu, setup, teardown),
		cmocka_unit_test(test_cpu_fits),
		cmocka_unit_test(test_keyed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
