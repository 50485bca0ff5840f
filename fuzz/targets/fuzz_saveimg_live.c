// SPDX-License-Identifier: MIT
/*
 * Saved images, version 11: the live stream a migration's destination
 * reads (ckpt/live_format.c, migrate/live_recv.c without Xen): MEMORY,
 * BATCHes of pages over rounds (an entry with CHAOS_LIVE_ZERO has no
 * bytes: the page is cleared), the state, END; then the final-round
 * check and what restore_domain.c does without Xen. Pages and the
 * checksum are as fuzz_stream.h describes.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t pfns[CHAOS_LIVE_BATCH_MAX];
	struct chaos_saveimg_stream s;
	struct chaos_saveimg img = { 0 };
	struct chaos_live_rx rx = { 0 };
	struct fz_in in;
	static struct fz_mem mem;
	uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE];
	uint32_t count;
	chaos_err err;
	int more;

	fz_in_init(&in, data, size);
	if (chaos_saveimg_stream_init(&s, fz_read, &in, &err) < 0 ||
	    chaos_live_read_start(&rx, &s, &err) < 0 ||
	    rx.nr_pages > FZ_HOST_PAGES || chaos_live_rx_track(&rx, &err) < 0)
		goto out;
	fz_mem_init(&mem, rx.nr_pages);
	while ((more = chaos_live_next(&rx, &s, pfns, &count, &img, &err)) > 0) {
		/* 0: every entry a zero page never sent before. */
		if (count > CHAOS_LIVE_BATCH_MAX)
			abort();
		for (uint32_t i = 0; i < count; i++) {
			uint64_t pfn = pfns[i] & CHAOS_LIVE_PFN_MASK;

			/* As live_recv.c: a zero page that came with bytes
			 * before is cleared, no bytes read. */
			if (pfns[i] & CHAOS_LIVE_ZERO)
				fz_mem_zero(&mem, pfn);
			else if (fz_mem_read(&mem, &in, &s, pfn, &err))
				goto out;
		}
	}
	if (more < 0 || chaos_saveimg_get_end(&s, digest, &err) < 0 ||
	    chaos_live_check_final(&rx, &img, &err) < 0)
		goto out;
	fz_localise(&img, &mem);
	FZ_SAY("live stream of %llu pages read and localised\n",
	       (unsigned long long)rx.nr_pages);
	err.msg[0] = '\0';
out:
	if (err.msg[0])
		FZ_SAY("%s\n", err.msg);
	chaos_saveimg_free(&img);
	chaos_live_rx_free(&rx);
	chaos_saveimg_stream_free(&s);
	return 0;
}
