/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_FUZZ_STREAM_H
#define CHAOS_FUZZ_STREAM_H

/*
 * A saved-image stream (ckpt/ckpt.h's chaos_saveimg_io) over a fuzz input,
 * with two liberties that let the fuzzer get past what it cannot forge or
 * afford:
 *
 *  - the checksum after an END record header (a 16-byte field: XXH64 in
 *    its canonical, big-endian form in the first 8 bytes, the other 8
 *    zero) is replaced by the right one (its 16 bytes are still
 *    consumed), so what follows the checksum is reached. Only a read
 *    that follows a whole END record header (type 6, flags 0, length 16)
 *    is taken for the checksum;
 *  - in page mode (while the target reads the pages that have bytes in
 *    the stream) each 4 KiB page takes one input byte b: b != 0xff fills
 *    the page with b, b == 0xff takes the page's 4096 bytes literally
 *    from the input. Pages without bytes (version 10's map, the live
 *    stream's CHAOS_LIVE_ZERO entries) take nothing. A guest of 256
 *    pages costs at most 256 bytes, and page tables can still be written.
 *    (b == 0 is a page with bytes that are all zero: no writer makes one,
 *    the format does not forbid it.)
 *
 * The checksum covers the bytes as served, so the stream checks out as
 * the library computes it. The targets read unkeyed streams only (the
 * keyed MAC is migrate_wire's business).
 */

#include <errno.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#define XXH_STATIC_LINKING_ONLY /* XXH64_state_t on the stack */
#include <xxhash.h>

#include "ckpt/ckpt.h"
#include "fuzz.h"

#define FZ_PAGE 4096u

struct fz_in {
	const uint8_t *p;
	size_t len, at;
	XXH64_state_t xxh;      /* everything served so far */
	bool end_seen;          /* the last read was an END record header */
	bool page_mode;
};

static inline void fz_in_init(struct fz_in *in, const uint8_t *p, size_t len)
{
	memset(in, 0, sizeof(*in));
	in->p = p;
	in->len = len;
	XXH64_reset(&in->xxh, 0);
}

static inline int fz_take(struct fz_in *in, void *buf, size_t len,
			  chaos_err *err)
{
	if (len > in->len - in->at)
		return chaos_err_set(err, EINVAL, "image: it ends early (truncated)");
	memcpy(buf, in->p + in->at, len);
	in->at += len;
	return 0;
}

static inline int fz_read(void *ctx, void *buf, size_t len, chaos_err *err)
{
	struct fz_in *in = ctx;
	uint8_t *out = buf;
	bool end_hdr = false;

	if (in->page_mode && len % FZ_PAGE == 0) {
		for (size_t off = 0; off < len; off += FZ_PAGE) {
			uint8_t b;

			if (fz_take(in, &b, 1, err))
				return -1;
			if (b != 0xff)
				memset(out + off, b, FZ_PAGE);
			else if (fz_take(in, out + off, FZ_PAGE, err))
				return -1;
		}
	} else if (in->end_seen && len == CHAOS_SAVEIMG_HASH_SIZE) {
		uint8_t skip[CHAOS_SAVEIMG_HASH_SIZE];
		XXH64_canonical_t c;

		if (fz_take(in, skip, len, err))
			return -1;
		XXH64_canonicalFromHash(&c, XXH64_digest(&in->xxh));
		memset(out, 0, CHAOS_SAVEIMG_HASH_SIZE);
		memcpy(out, c.digest, sizeof(c.digest));
	} else {
		uint8_t want[CHAOS_SAVEIMG_RECORD_HEADER];

		if (fz_take(in, out, len, err))
			return -1;
		/* The record header and the checksum are both 16 bytes: only
		 * a whole END header announces the checksum. */
		chaos_saveimg_end_header(want);
		end_hdr = len == CHAOS_SAVEIMG_RECORD_HEADER &&
			  !memcmp(out, want, sizeof(want));
	}
	XXH64_update(&in->xxh, out, len);
	in->end_seen = end_hdr;
	return 0;
}

/*
 * The guest pages the target keeps: the last FZ_KEEP distinct pfns read
 * (page tables come late in a stream), the others read and dropped. A
 * table, not an array of nr_pages: a guest may claim a terabyte.
 */
#define FZ_KEEP 64

struct fz_mem {
	uint64_t nr_pages;
	unsigned int n;
	uint64_t pfn[FZ_KEEP];
	uint8_t page[FZ_KEEP][FZ_PAGE];
};

static inline void fz_mem_init(struct fz_mem *m, uint64_t nr_pages)
{
	m->nr_pages = nr_pages;
	m->n = 0;
}

static inline uint8_t *fz_mem_find(struct fz_mem *m, uint64_t pfn)
{
	for (unsigned int i = 0; i < m->n; i++)
		if (m->pfn[i] == pfn)
			return m->page[i];
	return NULL;
}

/* The slot that holds pfn, taken (another pfn's, if full) when new. */
static inline uint8_t *fz_mem_slot(struct fz_mem *m, uint64_t pfn)
{
	uint8_t *p;

	if (pfn >= m->nr_pages)
		abort();  /* the library handed out a pfn outside the guest */
	p = fz_mem_find(m, pfn);
	if (!p) {
		unsigned int i = m->n < FZ_KEEP ? m->n++ : (unsigned int)(pfn % FZ_KEEP);

		m->pfn[i] = pfn;
		p = m->page[i];
	}
	return p;
}

/* Read one page of the stream into pfn (page mode). */
static inline int fz_mem_read(struct fz_mem *m, struct fz_in *in,
			      struct chaos_saveimg_stream *s, uint64_t pfn,
			      chaos_err *err)
{
	uint8_t *p = fz_mem_slot(m, pfn);
	int rc;

	in->page_mode = true;
	rc = chaos_saveimg_get(s, p, FZ_PAGE, err);
	in->page_mode = false;
	return rc;
}

/* Read one page of the stream and drop it (page mode). */
static inline int fz_skip_page(struct fz_in *in,
			       struct chaos_saveimg_stream *s, chaos_err *err)
{
	static uint8_t scratch[FZ_PAGE];
	int rc;

	in->page_mode = true;
	rc = chaos_saveimg_get(s, scratch, FZ_PAGE, err);
	in->page_mode = false;
	return rc;
}

/* pfn is all zero: no bytes in the stream (as a restore leaves it, or a
 * live receiver clears it). */
static inline void fz_mem_zero(struct fz_mem *m, uint64_t pfn)
{
	memset(fz_mem_slot(m, pfn), 0, FZ_PAGE);
}

/* A checked DEVICES record unpacks into disks a config accepts. */
static inline void fz_devices(const struct chaos_saveimg *img)
{
	chaos_config cfg;
	chaos_err err;

	chaos_config_init(&cfg);
	if (chaos_saveimg_devices_unpack(&img->dev, &cfg, &err))
		return;  /* out of memory */
	cfg.kernel = strdup("/k");
	if (cfg.kernel && chaos_config_validate(&cfg, &err)) {
		fprintf(stderr, "fuzz: unpacked DEVICES: %s\n", err.msg);
		abort();
	}
	chaos_config_free(&cfg);
}

/*
 * What a restore does with a checked image (ckpt/restore_domain.c) that
 * needs no Xen: every index the image gives must be inside the guest,
 * every page table kept (with bytes or zero) and every vCPU is localised
 * against a made-up p2m; the disks unpacked.
 */
static inline void fz_localise(const struct chaos_saveimg *img,
			       struct fz_mem *m)
{
	uint64_t *p2m;
	chaos_err err;

	fz_devices(img);

	if (img->start_info_pfn >= img->nr_pages)
		abort();
	for (uint64_t i = 0; i < img->nr_p2m_frames; i++)
		if (img->p2m_frames[i] >= img->nr_pages)
			abort();
	p2m = malloc(img->nr_pages * sizeof(*p2m));
	if (!p2m)
		return;
	for (uint64_t pfn = 0; pfn < img->nr_pages; pfn++)
		p2m[pfn] = 0x80000 + pfn * 3;
	for (uint64_t pfn = 0; pfn < img->nr_pages; pfn++) {
		unsigned int level = img->types[pfn] & CHAOS_PAGE_LEVEL_MASK;

		if (level > 4)
			abort();  /* decode should have refused it */
		uint8_t *page = level ? fz_mem_find(m, pfn) : NULL;

		if (page)
			(void)chaos_pt_localize((uint64_t *)page, level, pfn,
						p2m, img->nr_pages, &err);
	}
	for (uint32_t v = 0; v < img->nr_vcpus; v++) {
		vcpu_guest_context_x86_64_t c = img->vcpus[v].ctx;

		if (img->vcpus[v].online)
			(void)chaos_vcpu_localize(&c, v, p2m, img->nr_pages,
						  &err);
	}
	free(p2m);
}

#endif
