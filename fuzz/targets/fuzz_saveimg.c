// SPDX-License-Identifier: MIT
/*
 * Saved images, version 1 (ckpt/image_format.c, image_stream.c): a file
 * for `chaos restore`, or the IMAGE message of a migration, read the way
 * restore.c reads it: the header's size, the head and page types, the
 * pages, the END record; then what restore_domain.c does without Xen
 * (page tables and vCPUs localised). Pages and the checksum are as
 * fuzz_stream.h describes (one byte a page, checksum fixed up).
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chaos_saveimg_stream s;
	struct chaos_saveimg img;
	struct fz_in in;
	static struct fz_mem mem;
	uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE], scratch[FZ_PAGE];
	uint64_t total;
	chaos_err err;

	if (chaos_saveimg_peek_size(data, size, &total, &err) < 0)
		return 0;
	fz_in_init(&in, data, size);
	chaos_saveimg_stream_init(&s, fz_read, &in);
	if (chaos_saveimg_read_head(&s, total, &img, &err) < 0) {
		FZ_SAY("%s\n", err.msg);
		return 0;
	}
	fz_mem_init(&mem, img.nr_pages);
	for (uint64_t pfn = 0; pfn < img.nr_pages; pfn++) {
		int rc;

		/* Keep the page tables (localised below), skip the rest. */
		if (img.types[pfn] & CHAOS_PAGE_LEVEL_MASK) {
			rc = fz_mem_read(&mem, &in, &s, pfn, &err);
		} else {
			in.page_mode = true;
			rc = chaos_saveimg_get(&s, scratch, FZ_PAGE, &err);
			in.page_mode = false;
		}
		if (rc)
			goto out;
	}
	if (chaos_saveimg_get_end(&s, digest, &err) < 0)
		goto out;
	fz_localise(&img, &mem);
	FZ_SAY("v1 image of %llu pages read and localised\n",
	       (unsigned long long)img.nr_pages);
	chaos_saveimg_free(&img);
	return 0;
out:
	FZ_SAY("%s\n", err.msg);
	chaos_saveimg_free(&img);
	return 0;
}
