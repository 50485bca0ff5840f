// SPDX-License-Identifier: MIT
/*
 * The destination of a live migration: a paused shell of the size the
 * stream announces, every batch of pages put into it as it comes
 * (copied in by the hypervisor, or read into a mapping; later
 * rounds overwrite earlier ones), then the state, the END record and the
 * MAC. Only then is anything of the guest believed: restore_domain.c
 * builds the final state. Any failure destroys the new domain.
 */
#include "migrate/migrate.h"

#define PAGE_SIZE 4096u

_Static_assert(CHAOS_LIVE_BATCH_MAX <= CHAOS_PAGE_COPY_BATCH,
	       "a batch goes in with one copy");

static int read_batches(struct chaos_restore *r, struct chaos_live_rx *rx,
			struct chaos_saveimg_stream *s, chaos_err *err)
{
	uint64_t pfns[CHAOS_LIVE_BATCH_MAX], plain[CHAOS_LIVE_BATCH_MAX];
	uint32_t count;
	int more;

	while ((more = chaos_live_next(rx, s, pfns, &count, &r->img, err)) > 0) {
		uint8_t *mem;
		int rc = 0;

		if (!count)
			continue;
		for (uint32_t i = 0; i < count; i++)
			plain[i] = pfns[i] & CHAOS_LIVE_PFN_MASK;
		mem = chaos_restore_pages_begin(r, plain, count, err);
		if (!mem)
			return -1;
		/* Runs of pages with bytes read in one go; a page now zero
		 * that came with bytes before is cleared. */
		for (uint32_t i = 0, run = 0; i <= count && !rc; i++) {
			if (i < count && !(pfns[i] & CHAOS_LIVE_ZERO))
				continue;
			if (i > run)
				rc = chaos_saveimg_get(s, mem + (size_t)run * PAGE_SIZE,
						       (size_t)(i - run) * PAGE_SIZE,
						       err);
			if (i < count)
				memset(mem + (size_t)i * PAGE_SIZE, 0, PAGE_SIZE);
			run = i + 1;
		}
		if (chaos_restore_pages_end(r, mem, plain, count, !rc,
					    rc ? NULL : err))
			rc = -1;
		if (rc)
			return -1;
	}
	return more;
}

int chaos_live_receive(chaos_host *host, struct chaos_mig_image_in *in,
		       const chaos_restore_opts *opts, uint32_t *domid,
		       char *name, int *mark, chaos_err *err)
{
	uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE];
	struct chaos_restore r = { .host = host };
	struct chaos_live_rx rx;
	int rc = -1;

	*domid = 0;
	/* A host that lacks one of the guest's CPU features says so before
	 * anything is built (the source's guest still runs). */
	if (chaos_live_read_start(&rx, &in->stream, err) ||
	    chaos_restore_cpu_admit(host, &rx.cpu.policy, err))
		goto out;
	/* The shell first: the hypervisor bounds the stream's claimed size
	 * before anything is allocated for it. */
	if (chaos_restore_shell(&r, host, rx.nr_pages, rx.nr_vcpus, err) ||
	    chaos_live_rx_track(&rx, err) ||
	    read_batches(&r, &rx, &in->stream, err) ||
	    chaos_saveimg_get_end(&in->stream, digest, err) ||
	    chaos_mig_check_image_mac(in, digest, err) ||
	    chaos_live_check_final(&rx, &r.img, err) ||
	    chaos_ckpt_place_vifs(&r.img.cfg, opts, err) ||
	    chaos_ckpt_place_disks(&r.img.dev, opts, err) ||
	    chaos_ckpt_place_config(&r, opts, err) ||
	    chaos_restore_finish(&r, opts, domid, name, mark, err)) {
		chaos_restore_discard(&r);
		goto out;
	}
	rc = 0;
out:
	chaos_live_rx_free(&rx);
	return rc;
}
