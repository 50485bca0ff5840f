// SPDX-License-Identifier: MIT
/*
 * Guest memory through the hypervisor (NOXS_DOMCTL_copy_pages): whole
 * pages copied between a domain and hypercall buffers of ours, so the
 * builder and the checkpoints never map the guest into dom0. On a PV dom0
 * the teardown of a mapping is a trapped page-table write per page, which
 * costs more than the copy. A hypervisor without the call answers ENOSYS,
 * and the callers map the pages instead.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <xencall.h>

#include "hyp/hyp.h"
#include "util/util.h"
#include "noxs.h"

/* One call over the host's frame list. */
static int copy_call(struct chaos_host *host, uint32_t domid, uint32_t nr,
		     uint32_t flags, const void *buf, uint32_t *done)
{
	struct xen_domctl domctl = {
		.cmd = NOXS_DOMCTL_copy_pages,
		.domain = (domid_t)domid,
	};
	struct noxs_copy_pages cp = {
		.frames = (uint64_t)(uintptr_t)host->copy_frames,
		.buf = (uint64_t)(uintptr_t)buf,
		.nr = nr,
		.flags = flags,
	};
	int rc;

	_Static_assert(sizeof(cp) <= sizeof(domctl.u), "fits the domctl");
	memcpy(&domctl.u, &cp, sizeof(cp));
	rc = xc_domctl(host->xch, &domctl);
	memcpy(&cp, &domctl.u, sizeof(cp));
	*done = cp.done;
	return rc;
}

int chaos_copy_available(struct chaos_host *host, uint32_t domid,
			 chaos_err *err)
{
	uint32_t done;

	if (host->copy_state)
		return host->copy_state > 0;
	if (chaos_host_xcall(host, err))
		return -1;
	if (!host->copy_frames) {
		host->copy_frames = xencall_alloc_buffer(host->xcall,
							 NOXS_COPY_PAGES_MAX *
								 sizeof(uint64_t));
		if (!host->copy_frames)
			return chaos_err_set(err, ENOMEM, "out of hypercall memory");
	}
	/* No pages: the noxs hypervisor refuses with EINVAL, another one
	 * does not know the call (ENOSYS). */
	if (copy_call(host, domid, 0, 0, NULL, &done) == 0 || errno != EINVAL) {
		int e = errno;

		if (e != ENOSYS)
			return chaos_err_xen(err, host, e ? e : EPROTO,
					     "cannot copy domain %u's memory",
					     domid);
		host->copy_state = -1;
		return 0;
	}
	host->copy_state = 1;
	return 1;
}

int chaos_copy_pages(struct chaos_host *host, uint32_t domid,
		     const uint64_t *frames, size_t n, uint8_t *buf,
		     bool to_domain, uint64_t *spent_us, chaos_err *err)
{
	/* The clock is a system call in a PV dom0: read only when asked. */
	uint64_t t = spent_us ? chaos_now_us() : 0;

	if (host->copy_state <= 0 || !host->copy_frames)
		return chaos_err_set(err, ENOSYS,
				     "the hypervisor cannot copy pages");
	/* In calls of at most NOXS_COPY_PAGES_MAX pages. */
	for (size_t at = 0; at < n; at += NOXS_COPY_PAGES_MAX) {
		size_t k = n - at < NOXS_COPY_PAGES_MAX ? n - at :
							  NOXS_COPY_PAGES_MAX;
		uint32_t done = 0;

		memcpy(host->copy_frames, frames + at, k * sizeof(*frames));
		if (copy_call(host, domid, (uint32_t)k,
			      to_domain ? NOXS_COPY_TO_DOMAIN : 0,
			      buf + at * XC_PAGE_SIZE, &done)) {
			int e = errno;

			return chaos_err_xen(err, host, e,
					     "cannot copy frame %#llx %s domain %u",
					     (unsigned long long)frames[at + (done < k ? done : 0)],
					     to_domain ? "into" : "out of", domid);
		}
	}
	if (spent_us)
		*spent_us += chaos_now_us() - t;
	return 0;
}

uint8_t *chaos_host_stage(struct chaos_host *host, size_t pages,
			  chaos_err *err)
{
	if (host->stage_pages >= pages)
		return host->stage;
	if (chaos_host_xcall(host, err))
		return NULL;
	if (host->stage)
		xencall_free_buffer_pages(host->xcall, host->stage,
					  (int)host->stage_pages);
	host->stage_pages = 0;
	host->stage = xencall_alloc_buffer_pages(host->xcall, (int)pages);
	if (!host->stage) {
		chaos_err_set(err, ENOMEM, "out of hypercall memory for %zu pages",
			      pages);
		return NULL;
	}
	host->stage_pages = pages;
	return host->stage;
}

int chaos_page_copy_open(struct chaos_page_copy *pc, struct chaos_host *host,
			 uint32_t domid, size_t nbufs, size_t buf_pages,
			 uint64_t *spent_us, chaos_err *err)
{
	int can;

	memset(pc, 0, sizeof(*pc));
	if (!nbufs || nbufs > CHAOS_PAGE_COPY_BUFFERS_MAX || !buf_pages)
		return chaos_err_set(err, EINVAL,
				     "page copy: %zu buffers of %zu pages",
				     nbufs, buf_pages);
	can = chaos_copy_available(host, domid, err);
	if (can <= 0)
		return can < 0 ? -1 : 1;
	pc->host = host;
	pc->domid = domid;
	pc->spent_us = spent_us;
	pc->buf_pages = buf_pages;
	for (size_t i = 0; i < nbufs; i++) {
		pc->buf[i] = xencall_alloc_buffer_pages(host->xcall, (int)buf_pages);
		if (!pc->buf[i]) {
			chaos_page_copy_close(pc);
			return chaos_err_set(err, ENOMEM,
					     "out of hypercall memory for %zu pages",
					     buf_pages);
		}
		pc->nbufs = i + 1;
	}
	pc->ready = true;
	return 0;
}

static int copy_checked(struct chaos_page_copy *pc, const uint64_t *frames,
			size_t n, uint8_t *buf, bool to_domain, chaos_err *err)
{
	if (!n || n > pc->buf_pages)
		return chaos_err_set(err, EINVAL, "cannot copy %zu pages at once",
				     n);
	return chaos_copy_pages(pc->host, pc->domid, frames, n, buf, to_domain,
				pc->spent_us, err);
}

int chaos_page_copy_from(struct chaos_page_copy *pc, const uint64_t *frames,
			 size_t n, uint8_t *buf, chaos_err *err)
{
	return copy_checked(pc, frames, n, buf, false, err);
}

int chaos_page_copy_to(struct chaos_page_copy *pc, const uint64_t *frames,
		       size_t n, const uint8_t *buf, chaos_err *err)
{
	return copy_checked(pc, frames, n, (uint8_t *)buf, true, err);
}

void chaos_page_copy_close(struct chaos_page_copy *pc)
{
	if (!pc->host)
		return;
	for (size_t i = 0; i < pc->nbufs; i++)
		xencall_free_buffer_pages(pc->host->xcall, pc->buf[i],
					  (int)pc->buf_pages);
	memset(pc, 0, sizeof(*pc));
}
