// SPDX-License-Identifier: MIT
/*
 * Capturing a suspended PV guest into an image: vCPUs, start info (found
 * through %rdx, the PV suspend convention), the guest's p2m list (found
 * through start info and its page tables), page types, memory; page
 * tables and vCPU frames made machine-independent (pt_canon.c).
 *
 * Everything read from the guest is hostile: frames are checked against
 * the guest's own p2m, and Xen refuses to map a frame the guest does not
 * own, so a lying guest can only make its own save fail.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xencall.h>

#include "ckpt/ckpt.h"

#define PAGE_SIZE 4096u
/* Page types: the hypervisor answers at most 1024 frames a call. */
#define TYPES_BATCH 1024u
/* Memory: mapped 16 MiB at a time and written straight from the mapping. */
#define MAP_BATCH 4096u
#define PTE_PRESENT 0x001ull
#define PTE_PSE 0x080ull
#define PTE_ADDR_MASK 0x000ffffffffff000ull
#define START_INFO_MAGIC "xen-3.0-x86_64"


void *chaos_capture_map(struct chaos_capture *c, const uint64_t *mfns, size_t n,
		    chaos_err *err)
{
	int one_err = 0, *errs = n > 1 ? c->map_errs : &one_err;
	void *p;

	_Static_assert(sizeof(xen_pfn_t) == sizeof(uint64_t), "xen_pfn_t");
	p = xenforeignmemory_map(c->host->fmem, c->domid, PROT_READ, n,
				 (const xen_pfn_t *)mfns, errs);
	if (!p) {
		chaos_err_xen(err, c->host, errno,
			      "cannot map domain %u's memory", c->domid);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (errs[i]) {
			chaos_err_set(err, -errs[i],
				      "domain %u: frame %#llx is not the guest's: %s",
				      c->domid, (unsigned long long)mfns[i],
				      strerror(-errs[i]));
			xenforeignmemory_unmap(c->host->fmem, p, n);
			return NULL;
		}
	}
	return p;
}

static int read_frame(struct chaos_capture *c, uint64_t mfn, void *out,
		      chaos_err *err)
{
	void *p = chaos_capture_map(c, &mfn, 1, err);

	if (!p)
		return -1;
	memcpy(out, p, PAGE_SIZE);
	xenforeignmemory_unmap(c->host->fmem, p, 1);
	return 0;
}

int chaos_capture_check_si(const start_info_t *si, uint64_t max_pages,
			   uint32_t domid, chaos_err *err)
{
	if (strncmp(si->magic, START_INFO_MAGIC, strlen(START_INFO_MAGIC)))
		return chaos_err_set(err, EINVAL,
				     "domain %u: start info has no \"%s\" magic",
				     domid, START_INFO_MAGIC);
	/* The guest writes this page: believe nr_pages only as far as the
	 * hypervisor lets the domain own memory, before sizing anything. */
	if (!si->nr_pages || si->nr_pages > max_pages ||
	    si->nr_pages > (uint64_t)CHAOS_CONFIG_MEMORY_MAX * 256)
		return chaos_err_set(err, EINVAL,
				     "domain %u: start info nr_pages %llu does not match the domain (at most %llu pages)",
				     domid, (unsigned long long)si->nr_pages,
				     (unsigned long long)max_pages);
	if (si->mfn_list & (PAGE_SIZE - 1))
		return chaos_err_set(err, EINVAL,
				     "domain %u: start info mfn_list %#lx is not page-aligned",
				     domid, (unsigned long)si->mfn_list);
	return 0;
}

static int read_start_info(struct chaos_capture *c, uint64_t max_pages,
			   chaos_err *err)
{
	uint8_t *page = malloc(PAGE_SIZE);
	int rc;

	if (!page)
		return chaos_err_set(err, ENOMEM, "out of memory");
	rc = read_frame(c, c->si_mfn, page, err);
	if (rc)
		chaos_err_set(err, EINVAL,
			      "domain %u: %%rdx (%#llx) is not its start info frame; did it suspend the PV way?",
			      c->domid, (unsigned long long)c->si_mfn);
	else
		memcpy(&c->si, page, sizeof(c->si));
	free(page);
	if (rc || chaos_capture_check_si(&c->si, max_pages, c->domid, err))
		return -1;
	c->nr_pages = c->si.nr_pages;
	return 0;
}

/* The frame behind a guest virtual address, walking its page tables. */
static int walk(struct chaos_capture *c, uint64_t va, uint64_t *mfn,
		chaos_err *err)
{
	uint64_t *table = c->walk_table;
	uint64_t frame = c->cr3_mfn;

	for (int level = 4; level >= 1; level--) {
		unsigned int i = (unsigned int)((va >> (12 + 9 * (level - 1))) & 511);
		uint64_t e;

		if (read_frame(c, frame, table, err))
			return -1;
		e = table[i];
		if (!(e & PTE_PRESENT))
			return chaos_err_set(err, EINVAL,
					     "domain %u: p2m address %#llx is not mapped (L%d)",
					     c->domid, (unsigned long long)va, level);
		if (level > 1 && (e & PTE_PSE))
			return chaos_err_set(err, EINVAL,
					     "domain %u: p2m address %#llx is in a superpage",
					     c->domid, (unsigned long long)va);
		frame = (e & PTE_ADDR_MASK) >> 12;
	}
	*mfn = frame;
	return 0;
}

/* The guest's p2m list: where it is (its frames) and what it says. */
static int read_p2m(struct chaos_capture *c, chaos_err *err)
{
	uint64_t frames = chaos_saveimg_p2m_frames(c->nr_pages);

	c->p2m_frame_mfns = calloc(frames, sizeof(uint64_t));
	c->p2m = calloc(frames * (PAGE_SIZE / 8), sizeof(uint64_t));
	c->img.p2m_frames = calloc(frames, sizeof(uint64_t));
	if (!c->p2m_frame_mfns || !c->p2m || !c->img.p2m_frames)
		return chaos_err_set(err, ENOMEM, "out of memory for the p2m");
	for (uint64_t i = 0; i < frames; i++) {
		if (walk(c, c->si.mfn_list + i * PAGE_SIZE,
			 &c->p2m_frame_mfns[i], err) ||
		    read_frame(c, c->p2m_frame_mfns[i],
			       c->p2m + i * (PAGE_SIZE / 8), err))
			return -1;
	}
	if (chaos_m2p_build(c->p2m, c->nr_pages, &c->m2p, err))
		return -1;
	c->img.nr_p2m_frames = frames;
	for (uint64_t i = 0; i < frames; i++)
		if (chaos_m2p_lookup(&c->m2p, c->p2m_frame_mfns[i],
				     &c->img.p2m_frames[i]))
			return chaos_err_set(err, EINVAL,
					     "domain %u: its p2m list lies in a frame it does not list",
					     c->domid);
	if (chaos_m2p_lookup(&c->m2p, c->si_mfn, &c->img.start_info_pfn))
		return chaos_err_set(err, EINVAL,
				     "domain %u: start info frame not in its p2m",
				     c->domid);
	return 0;
}

static int read_vcpus(struct chaos_capture *c, unsigned int nr_vcpus,
		      chaos_err *err)
{
	c->img.nr_vcpus = nr_vcpus;
	c->img.vcpus = calloc(nr_vcpus, sizeof(*c->img.vcpus));
	if (!c->img.vcpus)
		return chaos_err_set(err, ENOMEM, "out of memory");
	for (unsigned int v = 0; v < nr_vcpus; v++) {
		vcpu_guest_context_any_t any;

		if (xc_vcpu_getcontext(c->host->xch, c->domid, v, &any))
			return chaos_err_xen(err, c->host, errno,
					     "cannot read domain %u's vCPU %u",
					     c->domid, v);
		c->img.vcpus[v].ctx = any.x64;
		c->img.vcpus[v].online = (any.x64.flags & VGCF_online) ?
						 CHAOS_SAVEIMG_VCPU_ONLINE : 0;
	}
	if (!c->img.vcpus[0].online)
		return chaos_err_set(err, EINVAL, "domain %u: vCPU 0 is offline",
				     c->domid);
	c->cr3_mfn = c->img.vcpus[0].ctx.ctrlreg[3] >> 12;
	c->si_mfn = c->img.vcpus[0].ctx.user_regs.rdx;
	return 0;
}

/* Page types from the hypervisor (XEN_DOMCTL_getpageframeinfo3). */
static int page_types(struct chaos_capture *c, const uint64_t *mfns, size_t n,
		      uint8_t *types, uint64_t first_pfn, chaos_err *err)
{
	struct xen_domctl domctl = {
		.cmd = XEN_DOMCTL_getpageframeinfo3,
		.domain = (domid_t)c->domid,
	};
	xen_pfn_t *buf;

	if (!c->host->xcall) {
		c->host->xcall = xencall_open(&c->host->log.vtable, 0);
		if (!c->host->xcall)
			return chaos_err_set(err, errno, "cannot open xencall: %s",
					     strerror(errno));
	}
	buf = xencall_alloc_buffer(c->host->xcall, n * sizeof(*buf));
	if (!buf)
		return chaos_err_set(err, ENOMEM, "out of hypercall memory");
	for (size_t i = 0; i < n; i++)
		buf[i] = mfns[i];
	domctl.u.getpageframeinfo3.num = n;
	set_xen_guest_handle_raw(domctl.u.getpageframeinfo3.array, buf);
	if (xc_domctl(c->host->xch, &domctl)) {
		int e = errno;

		xencall_free_buffer(c->host->xcall, buf);
		return chaos_err_xen(err, c->host, e,
				     "cannot read domain %u's page types", c->domid);
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t t = (uint32_t)buf[i] & XEN_DOMCTL_PFINFO_LTAB_MASK;
		uint32_t level = (t & XEN_DOMCTL_PFINFO_LTABTYPE_MASK) >>
				 XEN_DOMCTL_PFINFO_LTAB_SHIFT;

		if (t == XEN_DOMCTL_PFINFO_XTAB || t == XEN_DOMCTL_PFINFO_BROKEN ||
		    t == XEN_DOMCTL_PFINFO_XALLOC || level > 4) {
			xencall_free_buffer(c->host->xcall, buf);
			return chaos_err_set(err, EINVAL,
					     "domain %u: pfn %#llx (frame %#llx) is not a usable page of the guest (type %#x)",
					     c->domid,
					     (unsigned long long)(first_pfn + i),
					     (unsigned long long)mfns[i], t);
		}
		types[i] = (uint8_t)level;
		if (level && (t & XEN_DOMCTL_PFINFO_LPINTAB))
			types[i] |= CHAOS_PAGE_PINNED;
	}
	xencall_free_buffer(c->host->xcall, buf);
	return 0;
}

static int read_types(struct chaos_capture *c, chaos_err *err)
{
	for (uint64_t first = 0; first < c->nr_pages; first += TYPES_BATCH) {
		size_t n = c->nr_pages - first < TYPES_BATCH ?
				   (size_t)(c->nr_pages - first) : TYPES_BATCH;

		if (page_types(c, c->p2m + first, n, c->img.types + first,
			       first, err))
			return -1;
	}
	return 0;
}

/* A page that cannot go out as it is: a page table, or the p2m list. */
bool chaos_capture_rewritten(const struct chaos_capture *c, uint64_t pfn)
{
	return (c->img.types[pfn] & CHAOS_PAGE_LEVEL_MASK) || c->p2m_frame[pfn];
}

/* Page pfn made machine-independent in page (a copy of it). */
int chaos_capture_canonical(struct chaos_capture *c, uint64_t pfn,
			    uint8_t *page, chaos_err *err)
{
	unsigned int level = c->img.types[pfn] & CHAOS_PAGE_LEVEL_MASK;

	if (level)
		return chaos_pt_canonicalize((uint64_t *)page, level, pfn,
					     &c->m2p, err);
	/* The p2m list itself: the restore rewrites it for its frames. */
	for (uint64_t i = 0; i < c->img.nr_p2m_frames; i++) {
		if (c->img.p2m_frames[i] != pfn)
			continue;
		for (uint64_t k = 0; k < PAGE_SIZE / 8; k++) {
			uint64_t p = i * (PAGE_SIZE / 8) + k;

			((uint64_t *)page)[k] = p < c->nr_pages ? p : 0;
		}
	}
	return 0;
}

/*
 * Memory out in pfn order, straight from the mapping: runs of plain pages
 * in one write each, the rewritten ones through a copy.
 */
static int stream_memory(struct chaos_capture *c, struct chaos_saveimg_stream *out,
			 chaos_err *err)
{
	uint64_t *page = c->page_copy;

	for (uint64_t first = 0; first < c->nr_pages; first += MAP_BATCH) {
		size_t n = c->nr_pages - first < MAP_BATCH ?
				   (size_t)(c->nr_pages - first) : MAP_BATCH;
		uint8_t *src = chaos_capture_map(c, c->p2m + first, n, err);
		size_t run = 0;
		int rc = 0;

		if (!src)
			return -1;
		for (size_t i = 0; i <= n && !rc; i++) {
			if (i < n && !chaos_capture_rewritten(c, first + i))
				continue;
			if (i > run)
				rc = chaos_saveimg_put(out, src + run * PAGE_SIZE,
						       (i - run) * PAGE_SIZE, err);
			run = i + 1;
			if (rc || i == n)
				continue;
			memcpy(page, src + i * PAGE_SIZE, PAGE_SIZE);
			rc = chaos_capture_canonical(c, first + i, (uint8_t *)page, err) ||
			     chaos_saveimg_put(out, page, PAGE_SIZE, err);
		}
		xenforeignmemory_unmap(c->host->fmem, src, n);
		if (rc)
			return -1;
	}
	return 0;
}

void chaos_capture_free(struct chaos_capture *c)
{
	free(c->p2m);
	free(c->p2m_frame_mfns);
	free(c->map_errs);
	free(c->p2m_frame);
	free(c->img.types);
	c->img.types = NULL;
	chaos_m2p_free(&c->m2p);
	chaos_saveimg_free(&c->img);
}

/* Head, types, pages, END: out through the stream, hashed on the way. */
static int write_out(struct chaos_capture *c, struct chaos_saveimg_stream *out,
		     uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE], chaos_err *err)
{
	size_t head = chaos_saveimg_head_size(c->nr_pages, c->img.nr_vcpus);
	uint8_t *buf = head ? malloc(head) : NULL;
	int rc;

	if (!buf)
		return chaos_err_set(err, ENOMEM, "out of memory for the image head");
	rc = chaos_saveimg_encode_head(buf, head, &c->img, err) ||
	     chaos_saveimg_put(out, buf, head, err) ||
	     chaos_saveimg_put(out, c->img.types,
			       chaos_saveimg_types_size(c->nr_pages), err) ||
	     stream_memory(c, out, err) ||
	     chaos_saveimg_put_end(out, digest, err);
	free(buf);
	return rc ? -1 : 0;
}

int chaos_capture_suspended(struct chaos_capture *c, chaos_host *host,
			    uint32_t domid, chaos_err *err)
{
	xc_domaininfo_t xi;

	memset(c, 0, sizeof(*c));
	c->host = host;
	c->domid = domid;
	if (chaos_ckpt_require_suspended(host, domid, &xi, err))
		return -1;
	if (xi.flags & XEN_DOMINF_hvm_guest)
		return chaos_err_set(err, EINVAL, "domain %u is not a PV guest",
				     domid);
	if (xi.max_vcpu_id >= CHAOS_CONFIG_VCPUS_MAX)
		return chaos_err_set(err, EINVAL, "domain %u: too many vCPUs",
				     domid);
	if (read_vcpus(c, xi.max_vcpu_id + 1, err) ||
	    read_start_info(c, xi.max_pages, err) || read_p2m(c, err) ||
	    chaos_travel_config(host, domid, c->nr_pages, c->img.nr_vcpus,
				&c->img.cfg, err))
		goto fail;
	c->img.nr_pages = c->nr_pages;
	for (unsigned int v = 0; v < c->img.nr_vcpus; v++)
		if (chaos_vcpu_canonicalize(&c->img.vcpus[v].ctx, v, &c->m2p, err))
			goto fail;
	/* The padding after the types is zero. */
	c->img.types = calloc(chaos_saveimg_types_size(c->nr_pages), 1);
	c->p2m_frame = calloc(c->nr_pages, 1);
	c->map_errs = calloc(MAP_BATCH, sizeof(int));
	if (!c->img.types || !c->p2m_frame || !c->map_errs) {
		chaos_err_set(err, ENOMEM, "out of memory for %llu pages",
			      (unsigned long long)c->nr_pages);
		goto fail;
	}
	for (uint64_t i = 0; i < c->img.nr_p2m_frames; i++)
		c->p2m_frame[c->img.p2m_frames[i]] = 1;
	if (read_types(c, err))
		goto fail;
	return 0;
fail:
	chaos_capture_free(c);
	return -1;
}

int chaos_capture_running_p2m(struct chaos_capture *c, chaos_host *host,
			      uint32_t domid, uint64_t start_info_mfn,
			      chaos_err *err)
{
	vcpu_guest_context_any_t any;
	xc_domaininfo_t xi;

	memset(c, 0, sizeof(*c));
	c->host = host;
	c->domid = domid;
	c->si_mfn = start_info_mfn;
	c->map_errs = calloc(MAP_BATCH, sizeof(int));
	if (!c->map_errs)
		return chaos_err_set(err, ENOMEM, "out of memory");
	/* Xen pauses the vCPU for the moment it takes to read it. */
	if (xc_vcpu_getcontext(host->xch, domid, 0, &any)) {
		chaos_err_xen(err, host, errno, "cannot read domain %u's vCPU 0",
			      domid);
		goto fail;
	}
	c->cr3_mfn = any.x64.ctrlreg[3] >> 12;
	if (xc_domain_getinfolist(host->xch, domid, 1, &xi) != 1 ||
	    xi.domain != domid) {
		chaos_err_xen(err, host, errno, "cannot query domain %u", domid);
		goto fail;
	}
	if (read_start_info(c, xi.max_pages, err) || read_p2m(c, err))
		goto fail;
	return 0;
fail:
	chaos_capture_free(c);
	return -1;
}

int chaos_ckpt_capture_to(chaos_host *host, uint32_t domid,
			   struct chaos_saveimg_stream *out,
			   uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE],
			   chaos_err *err)
{
	struct chaos_capture c;
	int rc;

	if (chaos_capture_suspended(&c, host, domid, err))
		return -1;
	rc = write_out(&c, out, digest, err);
	chaos_capture_free(&c);
	return rc;
}

/* The image into path.tmp as it is captured, then synced and renamed. */
static int save_to_file(chaos_host *host, uint32_t domid, const char *path,
			chaos_save_timing *timing, chaos_err *err)
{
	uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE];
	struct chaos_saveimg_stream out;
	uint64_t t = chaos_now_us();
	char tmp[4096];
	int fd;

	fd = chaos_file_create_temp(path, tmp, sizeof(tmp), err);
	if (fd < 0)
		return -1;
	chaos_saveimg_stream_init(&out, chaos_saveimg_fd_write, &fd);
	if (chaos_ckpt_capture_to(host, domid, &out, digest, err)) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	timing->capture_us = chaos_now_us() - t;
	t = chaos_now_us();
	if (chaos_file_commit(fd, tmp, path, err))
		return -1;
	timing->write_us = chaos_now_us() - t;
	return 0;
}

/* After a failure with the guest suspended: let it go on, say so. */
static void resume_after_failure(chaos_host *host, uint32_t domid,
				 chaos_err *err)
{
	chaos_err rerr;
	size_t len = strlen(err->msg);

	if (chaos_ckpt_resume(host, domid, &rerr) == 0)
		snprintf(err->msg + len, sizeof(err->msg) - len,
			 " (domain %u resumed)", domid);
	else
		snprintf(err->msg + len, sizeof(err->msg) - len,
			 "; resuming domain %u failed too: %s", domid, rerr.msg);
}

static int save_marked(chaos_host *host, uint32_t domid, const char *path,
		       bool keep_running, chaos_save_timing *timing,
		       chaos_err *err)
{
	uint64_t start = chaos_now_us(), t;
	int rc;

	if (chaos_checkpoint_suspend(host, domid, CHAOS_SUSPEND_TIMEOUT_MS, err))
		return -1;
	timing->suspend_us = chaos_now_us() - start;
	if (save_to_file(host, domid, path, timing, err)) {
		resume_after_failure(host, domid, err);
		return -1;
	}
	t = chaos_now_us();
	rc = keep_running ? chaos_ckpt_resume(host, domid, err) :
			    chaos_guest_destroy(host, domid, err);
	timing->finish_us = chaos_now_us() - t;
	timing->total_us = chaos_now_us() - start;
	return rc;
}

int chaos_checkpoint_save(chaos_host *host, uint32_t domid, const char *path,
			  bool keep_running, chaos_save_timing *timing,
			  chaos_err *err)
{
	chaos_save_timing scratch;
	uint8_t handle[16];
	chaos_err local;
	int mark, rc;

	if (!err)
		err = &local;
	if (!timing)
		timing = &scratch;
	memset(timing, 0, sizeof(*timing));
	/* Held until the guest is destroyed or runs again: if this process
	 * dies with the guest suspended, recovery resumes it. */
	mark = chaos_ckpt_mark(host, domid, handle, err);
	if (mark < 0)
		return -1;
	rc = save_marked(host, domid, path, keep_running, timing, err);
	chaos_busy_release(host->state_dir, handle, mark);
	return rc;
}
