// SPDX-License-Identifier: MIT
/*
 * Saved images, version 10 (ckpt/image_format.c, image_stream.c): a file
 * for `chaos restore`, or the IMAGE message of a migration, read the way
 * restore.c reads it: the header's size, the head with the page types
 * and the map of pages with bytes, only those pages, the END record; then
 * what restore_domain.c does without Xen (page tables and vCPUs
 * localised; a page without bytes is zero; the DEVICES record unpacked
 * into disks that validate). Pages and the checksum are
 * as fuzz_stream.h describes (one byte a page with bytes, checksum fixed
 * up).
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chaos_saveimg_stream s;
	struct chaos_saveimg img = { 0 };
	struct fz_in in;
	static struct fz_mem mem;
	uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE];
	uint64_t total, with_bytes = 0;
	chaos_err err;

	if (chaos_saveimg_peek_size(data, size, &total, &err) < 0)
		return 0;
	fz_in_init(&in, data, size);
	if (chaos_saveimg_stream_init(&s, fz_read, &in, &err) < 0 ||
	    chaos_saveimg_read_head(&s, total, 0, &img, &err) < 0)
		goto out;
	fz_mem_init(&mem, img.nr_pages);
	for (uint64_t pfn = 0; pfn < img.nr_pages; pfn++) {
		bool table = img.types[pfn] & CHAOS_PAGE_LEVEL_MASK;

		if (!chaos_saveimg_has_bytes(img.present_map, pfn)) {
			/* Zero, as the new domain's memory is: a page table
			 * without bytes is an empty one, still localised. */
			if (table)
				fz_mem_zero(&mem, pfn);
			continue;
		}
		with_bytes++;
		/* Keep the page tables (localised below), skip the rest. */
		if (table ? fz_mem_read(&mem, &in, &s, pfn, &err) :
			    fz_skip_page(&in, &s, &err))
			goto out;
	}
	if (with_bytes != img.present)
		abort();  /* the map and its count disagree */
	if (chaos_saveimg_get_end(&s, digest, &err) < 0)
		goto out;
	/* A checked image is exactly as long as its header says. */
	if (s.done != total)
		abort();
	fz_localise(&img, &mem);
	FZ_SAY("version 10 image of %llu pages (%llu with bytes) read and localised\n",
	       (unsigned long long)img.nr_pages,
	       (unsigned long long)img.present);
	err.msg[0] = '\0';
out:
	if (err.msg[0])
		FZ_SAY("%s\n", err.msg);
	chaos_saveimg_free(&img);
	chaos_saveimg_stream_free(&s);
	return 0;
}
