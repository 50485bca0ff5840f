// SPDX-License-Identifier: MIT
/*
 * The source of a live (pre-copy) migration: the guest runs while its
 * pages go out. Xen's log-dirty mode (shadow paging for a PV guest) marks
 * what the guest writes: round 0 sends every page, each later round the
 * pages written since the round before, until the dirty set is small,
 * stops shrinking, or the rounds run out. Then the guest is suspended
 * through its noxs power device and the final round sends the last dirty
 * set with every page table and the p2m list (types re-read now: they
 * may have changed while it ran) made machine-independent, then its
 * state and the END record (saveimg_live.h). Log-dirty mode is off again
 * whatever happens; the caller resumes the guest if it was suspended.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/record.h>

#include "migrate/migrate.h"

#define PAGE_SIZE 4096u
/* Rounds with the guest running, round 0 (every page) included. */
#define LIVE_RUNNING_ROUNDS 8u
/* A dirty set this small is not worth another round. */
#define LIVE_DIRTY_SMALL 50u
#define BITS_PER_WORD 64u

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
		if (!((bitmap[pfn / BITS_PER_WORD] >> (pfn % BITS_PER_WORD)) & 1) ||
		    l->dirty[pfn])
			continue;
		l->dirty[pfn] = 1;
		(*added)++;
	}
	xc_hypercall_buffer_free_pages(l->host->xch, bitmap, pages);
	return 0;
}

/*
 * One batch out: its header, then the pages straight from the mapping;
 * in the final round the page tables and p2m list through a copy made
 * machine-independent.
 */
static int send_batch(struct live *l, struct chaos_capture *c, uint32_t round,
		      const uint64_t *pfns, uint32_t n, bool final,
		      chaos_err *err)
{
	uint64_t *page = c->page_copy;
	uint64_t mfns[CHAOS_LIVE_BATCH_MAX];
	uint8_t *src;
	uint32_t run = 0;
	int rc;

	for (uint32_t i = 0; i < n; i++)
		mfns[i] = c->p2m[pfns[i]];
	src = chaos_capture_map(c, mfns, n, err);
	if (!src)
		return -1;
	rc = chaos_live_put_batch(&l->out, round, pfns, n, err);
	for (uint32_t i = 0; i <= n && !rc; i++) {
		if (i < n && !(final && chaos_capture_rewritten(c, pfns[i])))
			continue;
		if (i > run)
			rc = chaos_saveimg_put(&l->out, src + (size_t)run * PAGE_SIZE,
					       (size_t)(i - run) * PAGE_SIZE, err);
		run = i + 1;
		if (rc || i == n)
			continue;
		memcpy(page, src + (size_t)i * PAGE_SIZE, PAGE_SIZE);
		rc = chaos_capture_canonical(c, pfns[i], (uint8_t *)page, err) ||
		     chaos_saveimg_put(&l->out, page, PAGE_SIZE, err);
	}
	xenforeignmemory_unmap(l->host->fmem, src, n);
	if (rc)
		return -1;
	l->stats->pages_sent += n;
	return 0;
}

/* Every page marked in l->dirty out as round round, the marks cleared. */
static int send_round(struct live *l, struct chaos_capture *c, uint32_t round,
		      bool final, chaos_err *err)
{
	uint64_t pfns[CHAOS_LIVE_BATCH_MAX];
	uint32_t n = 0;

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
	if (send_round(l, &l->running, 0, false, err))
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

/* What the final state needs, sent after the stop whatever the guest did. */
static void mark_final(struct live *l)
{
	struct chaos_capture *c = &l->stopped;

	for (uint64_t pfn = 0; pfn < l->nr_pages; pfn++)
		if (chaos_capture_rewritten(c, pfn))
			l->dirty[pfn] = 1;
	l->dirty[c->img.start_info_pfn] = 1;
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
	if (chaos_capture_running_p2m(&l->running, l->host, l->domid,
				      rec.start_info_mfn, err))
		return -1;
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
	    chaos_capture_suspended(&l->stopped, l->host, l->domid, err))
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
	int rc = -1;

	memset(stats, 0, sizeof(*stats));
	chaos_saveimg_stream_init(&l.out, part_write, m);
	if (start(&l, err) ||
	    chaos_live_put_start(&l.out, l.nr_pages, l.nr_vcpus, err))
		goto out;
	if (logdirty(&l, XEN_DOMCTL_SHADOW_OP_ENABLE_LOGDIRTY, err) ||
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
	chaos_capture_free(&l.running);
	chaos_capture_free(&l.stopped);
	free(l.dirty);
	return rc;
}
