// SPDX-License-Identifier: MIT
/*
 * The source of a live (pre-copy) migration: the guest runs while its
 * pages go out. Xen's log-dirty mode (shadow paging for a PV guest) marks
 * what the guest writes, and also a page whose page-table type or pin
 * changes: round 0 sends every page, each later round the pages marked
 * since the round before, until the dirty set is small, stops shrinking,
 * or the rounds run out. Each batch's page types are read with it, and
 * page tables and the p2m list go machine-independent in whatever round
 * they are due. Then the guest is suspended through its noxs power
 * device, and the final round sends the last dirty set and the start
 * info, then its state (types as the rounds read them) and the END
 * record (saveimg_live.h). Log-dirty mode is off again whatever happens;
 * the caller resumes the guest if it was suspended.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>


#include "migrate/migrate.h"

#define PAGE_SIZE 4096u
/* Rounds with the guest running, round 0 (every page) included. */
#define LIVE_RUNNING_ROUNDS 8u
/* A dirty set this small is not worth another round. */
#define LIVE_DIRTY_SMALL 50u
#define BITS_PER_WORD 64u
/* A running guest's pages are copied this many at a time (256 KiB). */
#define BOUNCE_PAGES 64u

_Static_assert(CHAOS_LIVE_BATCH_MAX <= CHAOS_PAGE_COPY_BATCH,
	       "a batch comes out with one copy");
_Static_assert(LIVE_RUNNING_ROUNDS < CHAOS_LIVE_ROUNDS_MAX,
	       "the final round must fit the receiver's limit");

struct live {
	chaos_host *host;
	uint32_t domid;
	struct chaos_saveimg_stream out;
	struct chaos_capture running;	/* the p2m, read while it runs */
	struct chaos_capture stopped;	/* everything, once suspended */
	uint64_t nr_pages;
	uint32_t nr_vcpus;
	uint8_t *dirty;			/* nr_pages: 1 if due in the next round */
	bool logdirty;
	bool running_round;		/* the guest runs: pages go through bounce */
	uint8_t *bounce;		/* BOUNCE_PAGES pages */
	uint8_t *canon;			/* a batch's rewritten pages */
	struct chaos_page_copy copy;	/* ready: pages copied, not mapped */
	struct chaos_live_stats *stats;
};

/* Each piece of the stream in an IMAGE_PART message of its own. */
static int part_write(void *ctx, void *buf, size_t len, chaos_err *err)
{
	struct chaos_mig *m = ctx;

	if (chaos_mig_send_header(m, CHAOS_MIG_IMAGE_PART, len, err) ||
	    chaos_mig_write(m, buf, len, err))
		return -1;
	return 0;
}

static int logdirty(struct live *l, unsigned int op, chaos_err *err)
{
	if (xc_logdirty_control(l->host->xch, l->domid, op, NULL, 0, 0,
				NULL) < 0)
		return chaos_err_xen(err, l->host, errno,
				     "cannot %s log-dirty mode for domain %u",
				     op == XEN_DOMCTL_SHADOW_OP_OFF ? "leave" : "enter",
				     l->domid);
	l->logdirty = op != XEN_DOMCTL_SHADOW_OP_OFF;
	return 0;
}

/* The pages written since the last call, added to l->dirty; *added new. */
static int collect_dirty(struct live *l, uint64_t *added, chaos_err *err)
{
	size_t words = (size_t)((l->nr_pages + BITS_PER_WORD - 1) / BITS_PER_WORD);
	size_t pages = (words * 8 + PAGE_SIZE - 1) / PAGE_SIZE;
	DECLARE_HYPERCALL_BUFFER(uint64_t, bitmap);
	long long rc;

	*added = 0;
	bitmap = xc_hypercall_buffer_alloc_pages(l->host->xch, bitmap, pages);
	if (!bitmap)
		return chaos_err_set(err, ENOMEM, "out of hypercall memory");
	rc = xc_logdirty_control(l->host->xch, l->domid,
				 XEN_DOMCTL_SHADOW_OP_CLEAN,
				 HYPERCALL_BUFFER(bitmap), l->nr_pages, 0, NULL);
	if (rc < 0) {
		int e = errno;

		xc_hypercall_buffer_free_pages(l->host->xch, bitmap, pages);
		return chaos_err_xen(err, l->host, e,
				     "cannot read domain %u's dirty pages", l->domid);
	}
	for (uint64_t pfn = 0; pfn < l->nr_pages; pfn++) {
		if (!((bitmap[pfn / BITS_PER_WORD] >> (pfn % BITS_PER_WORD)) & 1))
			continue;
		if (l->running.p2m_frame[pfn])
			l->running.p2m_clean = false;
		if (l->dirty[pfn])
			continue;
		l->dirty[pfn] = 1;
		(*added)++;
	}
	xc_hypercall_buffer_free_pages(l->host->xch, bitmap, pages);
	return 0;
}

/*
 * len pages from slot at of a batch's mapping. Once the guest is
 * suspended, in one write straight from the mapping. While it runs, it may
 * write a page between the checksum and the write (which can block on
 * the peer for long): the bytes go through a copy, so what is
 * checksummed is what is sent (a page written meanwhile is dirty, and
 * goes again in the next round). Pages the hypervisor copied out are
 * that copy already.
 */
static int put_pages(struct live *l, const uint8_t *src, uint32_t at,
		     uint32_t len, chaos_err *err)
{
	const uint8_t *p = src + (size_t)at * PAGE_SIZE;

	if (!len)
		return 0;
	if (!l->running_round || l->copy.ready)
		return chaos_saveimg_put(&l->out, p, (size_t)len * PAGE_SIZE, err);
	while (len) {
		uint32_t n = len < BOUNCE_PAGES ? len : BOUNCE_PAGES;
		uint64_t t = chaos_now_us();

		memcpy(l->bounce, p, (size_t)n * PAGE_SIZE);
		chaos_lap(&l->out.ph->scan_us, t);
		if (chaos_saveimg_put(&l->out, l->bounce, (size_t)n * PAGE_SIZE,
				      err))
			return -1;
		p += (size_t)n * PAGE_SIZE;
		len -= n;
	}
	return 0;
}

/*
 * One batch out: its header, then the pages straight from the mapping,
 * page tables and the p2m list through copies made machine-independent.
 * Their types are read for the batch (round 0 has them from the zero
 * query): a page whose type changes after that is dirty again, and goes
 * again. While the guest runs, a page table that does not make sense
 * (caught mid-change) waits for the next round; once it is suspended,
 * that is an error.
 */
static int send_batch(struct live *l, struct chaos_capture *c, uint32_t round,
		      const uint64_t *pfns, uint32_t n, bool final,
		      chaos_err *err)
{
	uint64_t mfns[CHAOS_LIVE_BATCH_MAX], entries[CHAOS_LIVE_BATCH_MAX];
	uint32_t slot[CHAOS_LIVE_BATCH_MAX], mapped = 0, out = 0, canon = 0;
	uint32_t run = 0, run_len = 0;
	uint8_t *src = NULL;
	uint64_t t, scan_t, canon_spent = 0;
	int rc = 0;

	if ((round || !c->zero_known) &&
	    chaos_capture_types_of(c, pfns, n, err))
		return -1;
	/* Round 0: a data page the hypervisor saw zero is not even mapped. */
	for (uint32_t i = 0; i < n; i++) {
		if (!round && c->zero_known && c->zero[pfns[i]] &&
		    !chaos_capture_rewritten(c, pfns[i])) {
			entries[i] = pfns[i] | CHAOS_LIVE_ZERO;
			c->ph->zero_pages++;
			continue;
		}
		entries[i] = pfns[i];
		slot[i] = mapped;
		mfns[mapped++] = c->p2m[pfns[i]];
	}
	if (mapped && l->copy.ready) {
		src = l->copy.buf[0];
		if (chaos_page_copy_from(&l->copy, mfns, mapped, src, err))
			return -1;
	} else if (mapped) {
		src = chaos_capture_map(c, mfns, mapped, err);
		if (!src)
			return -1;
	}
	/* Rewritten pages into l->canon; the other all-zero pages go as a
	 * flag, without their bytes. The clock is read per batch and per
	 * rewritten page, never per plain page: where the clock is a system
	 * call (a PV dom0 without a stable TSC), reading it twice a page cost
	 * more than the scan itself. */
	scan_t = chaos_now_us();
	for (uint32_t i = 0; i < n && !rc; i++) {
		uint8_t *copy;

		if (entries[i] & CHAOS_LIVE_ZERO)
			continue;
		if (!chaos_capture_rewritten(c, pfns[i])) {
			if (chaos_page_is_zero(src + (size_t)slot[i] * PAGE_SIZE)) {
				entries[i] |= CHAOS_LIVE_ZERO;
				c->ph->zero_pages++;
			}
			continue;
		}
		t = chaos_now_us();
		copy = l->canon + (size_t)canon * PAGE_SIZE;
		memcpy(copy, src + (size_t)slot[i] * PAGE_SIZE, PAGE_SIZE);
		if (chaos_capture_canonical(c, pfns[i], copy,
					    final ? err : NULL) == 0) {
			entries[i] |= CHAOS_LIVE_CANON;
			slot[i] = canon++;
		} else if (final) {
			rc = -1;
		} else {
			entries[i] = UINT64_MAX;	/* next round */
			l->dirty[pfns[i]] = 1;
		}
		canon_spent += chaos_now_us() - t;
	}
	c->ph->canon_us += canon_spent;
	c->ph->scan_us += chaos_now_us() - scan_t - canon_spent;
	/* The pages left, in order, with their slots. */
	for (uint32_t i = 0; i < n && !rc; i++) {
		if (entries[i] == UINT64_MAX)
			continue;
		slot[out] = slot[i];
		entries[out++] = entries[i];
	}
	if (!rc && out)
		rc = chaos_live_put_batch(&l->out, round, entries, out, err);
	/* Runs of plain pages with bytes in one write each. */
	for (uint32_t i = 0; i < out && !rc; i++) {
		if (entries[i] & CHAOS_LIVE_ZERO)
			continue;
		if (!(entries[i] & CHAOS_LIVE_CANON)) {
			if (!run_len || run + run_len != slot[i]) {
				rc = put_pages(l, src, run, run_len, err);
				run = slot[i];
				run_len = 0;
			}
			run_len++;
			continue;
		}
		rc = put_pages(l, src, run, run_len, err) ||
		     chaos_saveimg_put(&l->out,
				       l->canon + (size_t)slot[i] * PAGE_SIZE,
				       PAGE_SIZE, err);
		run_len = 0;
	}
	if (!rc)
		rc = put_pages(l, src, run, run_len, err);
	if (src && !l->copy.ready) {
		t = chaos_now_us();
		xenforeignmemory_unmap(l->host->fmem, src, mapped);
		chaos_lap(&c->ph->map_us, t);
	}
	if (rc)
		return -1;
	l->stats->pages_sent += out;
	return 0;
}

/* Every page marked in l->dirty out as round round, the marks cleared. */
static int send_round(struct live *l, struct chaos_capture *c, uint32_t round,
		      bool final, chaos_err *err)
{
	uint64_t pfns[CHAOS_LIVE_BATCH_MAX];
	uint32_t n = 0;

	l->running_round = !final;
	for (uint64_t pfn = 0; pfn < l->nr_pages; pfn++) {
		if (!l->dirty[pfn])
			continue;
		l->dirty[pfn] = 0;
		pfns[n++] = pfn;
		if (n == CHAOS_LIVE_BATCH_MAX) {
			if (send_batch(l, c, round, pfns, n, final, err))
				return -1;
			n = 0;
		}
	}
	if (n && send_batch(l, c, round, pfns, n, final, err))
		return -1;
	l->stats->rounds = round + 1;
	return 0;
}

/* Rounds while the guest runs; the last dirty set stays in l->dirty. */
static int precopy(struct live *l, chaos_err *err)
{
	uint64_t prev = l->nr_pages, now;
	uint32_t round;

	memset(l->dirty, 1, l->nr_pages);
	/* After log-dirty is on: a page written after the hypervisor saw
	 * it zero is sent again in the next round. */
	if (chaos_capture_query_zero(&l->running, err) ||
	    send_round(l, &l->running, 0, false, err))
		return -1;
	for (round = 1; round < LIVE_RUNNING_ROUNDS; round++) {
		if (collect_dirty(l, &now, err))
			return -1;
		/* Not worth it, or not getting better: stop the guest. */
		if (now <= LIVE_DIRTY_SMALL || now >= prev)
			break;
		if (send_round(l, &l->running, round, false, err))
			return -1;
		prev = now;
	}
	return 0;
}

/* Besides what the guest wrote: its start info, which it rewrote for the
 * suspend (the page tables and the p2m list went when they changed). */
static void mark_final(struct live *l)
{
	const start_info_t *si = &l->stopped.si;

	l->dirty[l->stopped.img.start_info_pfn] = 1;
	/* The console and xenstore rings: dom0 writes them too (chaosd
	 * drains the console while the guest runs, xenstored answers), and
	 * those writes go through mappings the dirty log does not see.
	 * Suspended, the guest wrote pfns there (checked below nr_pages). */
	l->dirty[si->console.domU.mfn] = 1;
	if (si->store_mfn)
		l->dirty[si->store_mfn] = 1;
}

static int start(struct live *l, chaos_err *err)
{
	chaos_domain_record rec;
	chaos_domain_info info;
	xc_domaininfo_t xi;

	if (chaos_domain_get(l->host, l->domid, &info, err))
		return -1;
	if (xc_domain_getinfolist(l->host->xch, l->domid, 1, &xi) != 1 ||
	    xi.domain != l->domid)
		return chaos_err_xen(err, l->host, errno, "cannot query domain %u",
				     l->domid);
	if ((xi.flags & XEN_DOMINF_hvm_guest) ||
	    xi.max_vcpu_id >= CHAOS_CONFIG_VCPUS_MAX)
		return chaos_err_set(err, EINVAL,
				     "domain %u is not a PV guest chaos can migrate",
				     l->domid);
	l->nr_vcpus = xi.max_vcpu_id + 1;
	if (info.state != CHAOS_STATE_RUNNING && info.state != CHAOS_STATE_BLOCKED)
		return chaos_err_set(err, EINVAL,
				     "domain %u is %s: a live migration needs it running",
				     l->domid, chaos_domain_state_name(info.state));
	if (chaos_record_load(l->host->state_dir, l->domid, info.handle, &rec,
			      err))
		return -1;
	if (!rec.start_info_mfn)
		return chaos_err_set(err, EINVAL,
				     "domain %u: where its start info is was not recorded (built by an older chaos): migrate it without --live",
				     l->domid);
	/* Log-dirty first: a write to the p2m list from now on is seen, so
	 * the final capture may take the list as read here (p2m_clean). */
	if (logdirty(l, XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, err) ||
	    chaos_capture_running_p2m(&l->running, l->host, l->domid,
				      rec.start_info_mfn, err))
		return -1;
	l->running.p2m_clean = true;
	l->running.ph = l->out.ph;
	l->nr_pages = l->running.nr_pages;
	l->dirty = calloc(l->nr_pages, 1);
	if (!l->dirty)
		return chaos_err_set(err, ENOMEM, "out of memory for %llu pages",
				     (unsigned long long)l->nr_pages);
	return 0;
}

static int final_round(struct live *l, uint32_t round, chaos_err *err)
{
	uint64_t added;

	if (collect_dirty(l, &added, err) ||
	    chaos_capture_suspended(&l->stopped, l->host, l->domid,
				    false, &l->running, l->out.ph, err))
		return -1;
	/* The frames sent while it ran must still be its frames. */
	if (l->stopped.nr_pages != l->nr_pages ||
	    memcmp(l->stopped.p2m, l->running.p2m, l->nr_pages * 8))
		return chaos_err_set(err, EINVAL,
				     "domain %u changed its p2m during the live migration",
				     l->domid);
	mark_final(l);
	return send_round(l, &l->stopped, round, true, err);
}

int chaos_live_send(chaos_host *host, uint32_t domid, struct chaos_mig *m,
		    struct chaos_live_stats *stats,
		    uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE], chaos_err *err)
{
	struct live l = { .host = host, .domid = domid, .stats = stats };
	struct chaos_cpu_state cpu;
	int rc = -1;

	memset(stats, 0, sizeof(*stats));
	if (chaos_saveimg_stream_init(&l.out, part_write, m, err) ||
	    chaos_mig_key_stream(m, &l.out, err))
		goto out;
	l.out.ph = &stats->phases;
	l.bounce = malloc((size_t)BOUNCE_PAGES * PAGE_SIZE);
	l.canon = malloc((size_t)CHAOS_LIVE_BATCH_MAX * PAGE_SIZE);
	if (!l.bounce || !l.canon) {
		chaos_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (start(&l, err))
		goto out;
	/* With the noxs hypervisor, pages are copied out, never mapped. */
	if (chaos_page_copy_open(&l.copy, host, domid, 1, CHAOS_PAGE_COPY_BATCH,
				 &l.out.ph->map_us, err) < 0)
		goto out;
	/* Its CPU first, read while it runs (its policy cannot change
	 * from now on): a destination without its features refuses before
	 * the guest stops here. */
	if (chaos_cpu_get_domain(host, domid, &cpu, err) ||
	    chaos_live_put_start(&l.out, l.nr_pages, l.nr_vcpus, &cpu, err) ||
	    precopy(&l, err))
		goto out;
	stats->stop_us = chaos_now_us();
	if (chaos_checkpoint_suspend(host, domid, CHAOS_SUSPEND_TIMEOUT_MS, err))
		goto out;
	stats->suspended = true;
	stats->suspended_us = chaos_now_us();
	if (final_round(&l, stats->rounds, err) ||
	    chaos_live_put_state(&l.out, &l.stopped.img, err) ||
	    chaos_saveimg_put_end(&l.out, digest, err))
		goto out;
	rc = 0;
out:
	if (l.logdirty && logdirty(&l, XEN_DOMCTL_SHADOW_OP_OFF,
				   rc ? NULL : err))
		rc = -1;
	stats->pages_resent = stats->pages_sent > l.nr_pages ?
				      stats->pages_sent - l.nr_pages : 0;
	stats->phases.image_bytes = l.out.done;
	stats->phases.pages = l.nr_pages;
	chaos_saveimg_stream_free(&l.out);
	chaos_page_copy_close(&l.copy);
	chaos_capture_free(&l.running);
	chaos_capture_free(&l.stopped);
	free(l.dirty);
	free(l.bounce);
	free(l.canon);
	return rc;
}
