// SPDX-License-Identifier: MIT
/*
 * Guest memory through the hypervisor (NOXS_DOMCTL_copy_pages): whole
 * pages copied between a domain and hypercall buffers of ours, so a
 * checkpoint never maps the guest into dom0. On a PV dom0 the teardown
 * of a mapping is a trapped page-table write per page, which costs more
 * than the copy. A hypervisor without the call answers ENOSYS, and the
 * callers map the pages instead.
 */
#include <errno.h>
#include <string.h>
#include <xencall.h>

#include "ckpt/ckpt.h"
#include "noxs.h"

#define PAGE_SIZE 4096u

_Static_assert(CHAOS_PAGE_COPY_BATCH <= NOXS_COPY_PAGES_MAX,
	       "a batch is one call");

static int copy_call(struct chaos_page_copy *pc, uint32_t nr, uint32_t flags,
		     void *buf, uint32_t *done)
{
	struct xen_domctl domctl = {
		.cmd = NOXS_DOMCTL_copy_pages,
		.domain = (domid_t)pc->domid,
	};
	struct noxs_copy_pages cp = {
		.frames = (uint64_t)(uintptr_t)pc->frames,
		.buf = (uint64_t)(uintptr_t)buf,
		.nr = nr,
		.flags = flags,
	};
	int rc;

	_Static_assert(sizeof(cp) <= sizeof(domctl.u), "fits the domctl");
	memcpy(&domctl.u, &cp, sizeof(cp));
	rc = xc_domctl(pc->host->xch, &domctl);
	memcpy(&cp, &domctl.u, sizeof(cp));
	*done = cp.done;
	return rc;
}

int chaos_page_copy_open(struct chaos_page_copy *pc, chaos_host *host,
			 uint32_t domid, chaos_ckpt_phases *ph, chaos_err *err)
{
	uint32_t done;

	memset(pc, 0, sizeof(*pc));
	pc->host = host;
	pc->domid = domid;
	pc->ph = ph;
	if (!host->xcall) {
		host->xcall = xencall_open(&host->log.vtable, 0);
		if (!host->xcall)
			return chaos_err_set(err, errno, "cannot open xencall: %s",
					     strerror(errno));
	}
	pc->frames = xencall_alloc_buffer(host->xcall,
					  CHAOS_PAGE_COPY_BATCH * sizeof(uint64_t));
	if (!pc->frames)
		return chaos_err_set(err, ENOMEM, "out of hypercall memory");
	/* No pages: the noxs hypervisor refuses with EINVAL, another one
	 * does not know the call (ENOSYS). */
	if (copy_call(pc, 0, 0, NULL, &done) == 0 || errno != EINVAL) {
		int e = errno;

		chaos_page_copy_close(pc);
		if (e == ENOSYS)
			return 1;
		return chaos_err_xen(err, host, e ? e : EPROTO,
				     "cannot copy domain %u's memory", domid);
	}
	for (unsigned int i = 0; i < CHAOS_PAGE_COPY_BUFFERS; i++) {
		pc->buf[i] = xencall_alloc_buffer_pages(host->xcall,
							CHAOS_PAGE_COPY_BATCH);
		if (!pc->buf[i]) {
			chaos_page_copy_close(pc);
			return chaos_err_set(err, ENOMEM,
					     "out of hypercall memory for %u pages",
					     CHAOS_PAGE_COPY_BATCH);
		}
	}
	pc->ready = true;
	return 0;
}

static int copy_pages(struct chaos_page_copy *pc, const uint64_t *frames,
		      size_t n, uint8_t *buf, bool to_domain, chaos_err *err)
{
	uint64_t t = chaos_now_us();
	uint32_t done = 0;

	if (!n || n > CHAOS_PAGE_COPY_BATCH)
		return chaos_err_set(err, EINVAL, "cannot copy %zu pages at once",
				     n);
	memcpy(pc->frames, frames, n * sizeof(*frames));
	if (copy_call(pc, (uint32_t)n, to_domain ? NOXS_COPY_TO_DOMAIN : 0, buf,
		      &done)) {
		int e = errno;

		return chaos_err_xen(err, pc->host, e,
				     "cannot copy frame %#llx %s domain %u",
				     (unsigned long long)frames[done < n ? done : 0],
				     to_domain ? "into" : "out of", pc->domid);
	}
	chaos_ckpt_lap(&pc->ph->map_us, t);
	return 0;
}

int chaos_page_copy_from(struct chaos_page_copy *pc, const uint64_t *frames,
			 size_t n, uint8_t *buf, chaos_err *err)
{
	return copy_pages(pc, frames, n, buf, false, err);
}

int chaos_page_copy_to(struct chaos_page_copy *pc, const uint64_t *frames,
		       size_t n, const uint8_t *buf, chaos_err *err)
{
	return copy_pages(pc, frames, n, (uint8_t *)buf, true, err);
}

void chaos_page_copy_close(struct chaos_page_copy *pc)
{
	if (!pc->host)
		return;
	for (unsigned int i = 0; i < CHAOS_PAGE_COPY_BUFFERS; i++)
		if (pc->buf[i])
			xencall_free_buffer_pages(pc->host->xcall, pc->buf[i],
						  CHAOS_PAGE_COPY_BATCH);
	if (pc->frames)
		xencall_free_buffer(pc->host->xcall, pc->frames);
	memset(pc, 0, sizeof(*pc));
}
