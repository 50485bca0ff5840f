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
#include <sys/stat.h>
#include <unistd.h>
#include <xencall.h>

#include "ckpt/ckpt.h"
#include "noxs.h"

#define PAGE_SIZE 4096u
/* Page types: the hypervisor answers at most 1024 frames a call. */
#define TYPES_BATCH 1024u
/* Memory: mapped 16 MiB at a time and written straight from the mapping. */
#define MAP_BATCH 4096u
/* Up to this many pages (1 GiB) stay mapped from the zero scan to the
 * write (a few MiB of dom0 page tables); a bigger guest's pages with
 * bytes are mapped again for the write. */
#define KEEP_MAPPED_MAX (1u << 18)
#define PTE_PRESENT 0x001ull
#define PTE_PSE 0x080ull
#define PTE_ADDR_MASK 0x000ffffffffff000ull
#define START_INFO_MAGIC "xen-3.0-x86_64"


void *chaos_capture_map(struct chaos_capture *c, const uint64_t *mfns, size_t n,
		    chaos_err *err)
{
	int one_err = 0, *errs = n > 1 ? c->map_errs : &one_err;
	void *p;

	uint64_t t = chaos_now_us();

	_Static_assert(sizeof(xen_pfn_t) == sizeof(uint64_t), "xen_pfn_t");
	p = xenforeignmemory_map(c->host->fmem, c->domid, PROT_READ, n,
				 (const xen_pfn_t *)mfns, errs);
	chaos_lap(&c->ph->map_us, t);
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

int chaos_capture_check_si_frames(const start_info_t *si, uint32_t domid,
				  chaos_err *err)
{
	/* Suspended, the guest wrote these as pfns (restore maps them to
	 * the new frames): refuse now what a restore would refuse later. */
	if (si->console.domU.mfn >= si->nr_pages)
		return chaos_err_set(err, EINVAL,
				     "domain %u: start info console.domU.mfn (pfn %#llx) is outside its %llu pages",
				     domid, (unsigned long long)si->console.domU.mfn,
				     (unsigned long long)si->nr_pages);
	if (si->store_mfn >= si->nr_pages)
		return chaos_err_set(err, EINVAL,
				     "domain %u: start info store_mfn (pfn %#llx) is outside its %llu pages",
				     domid, (unsigned long long)si->store_mfn,
				     (unsigned long long)si->nr_pages);
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

/*
 * The frame behind a guest virtual address, walking its page tables. The
 * last table read at each level is kept: the p2m list is contiguous, so
 * walking it frame by frame reads each table once.
 */
static int walk(struct chaos_capture *c, uint64_t va, uint64_t *mfn,
		chaos_err *err)
{
	uint64_t frame = c->cr3_mfn;

	for (int level = 4; level >= 1; level--) {
		unsigned int i = (unsigned int)((va >> (12 + 9 * (level - 1))) & 511);
		uint64_t *table = c->walk_table[level - 1];
		uint64_t e;

		if (c->walk_mfn[level - 1] != frame + 1) {
			if (read_frame(c, frame, table, err))
				return -1;
			c->walk_mfn[level - 1] = frame + 1;
		}
		e = table[i];
		if (!(e & PTE_PRESENT))
			return chaos_err_set(err, EINVAL,
					     "domain %u: p2m address %#llx (start info mfn_list %#llx) is not mapped (L%d)",
					     c->domid, (unsigned long long)va,
					     (unsigned long long)c->si.mfn_list, level);
		if (level > 1 && (e & PTE_PSE))
			return chaos_err_set(err, EINVAL,
					     "domain %u: p2m address %#llx (start info mfn_list %#llx) is in a superpage",
					     c->domid, (unsigned long long)va,
					     (unsigned long long)c->si.mfn_list);
		frame = (e & PTE_ADDR_MASK) >> 12;
	}
	*mfn = frame;
	return 0;
}

/*
 * The guest's p2m list: where it is (its frames) and what it says, and
 * the m2p sorted from it, taken over from known when that read the same.
 */
static int read_p2m(struct chaos_capture *c, struct chaos_capture *known,
		    chaos_err *err)
{
	uint64_t frames = chaos_saveimg_p2m_frames(c->nr_pages);
	bool reuse;

	c->p2m_frame_mfns = calloc(frames, sizeof(uint64_t));
	c->p2m = calloc(frames * (PAGE_SIZE / 8), sizeof(uint64_t));
	c->img.p2m_frames = calloc(frames, sizeof(uint64_t));
	if (!c->p2m_frame_mfns || !c->p2m || !c->img.p2m_frames)
		return chaos_err_set(err, ENOMEM, "out of memory for the p2m");
	memset(c->walk_mfn, 0, sizeof(c->walk_mfn));
	for (uint64_t i = 0; i < frames; i++)
		if (walk(c, c->si.mfn_list + i * PAGE_SIZE,
			 &c->p2m_frame_mfns[i], err))
			return -1;
	/* Where it was, and nothing written to it since: as known read it. */
	reuse = known && known->p2m_clean && known->p2m &&
		known->nr_pages == c->nr_pages && known->p2m_frame_mfns &&
		!memcmp(known->p2m_frame_mfns, c->p2m_frame_mfns,
			frames * sizeof(uint64_t));
	if (reuse)
		memcpy(c->p2m, known->p2m, frames * PAGE_SIZE);
	/* Else the list itself, MAP_BATCH frames a mapping. */
	for (uint64_t first = 0; first < frames && !reuse; first += MAP_BATCH) {
		size_t n = frames - first < MAP_BATCH ?
				   (size_t)(frames - first) : MAP_BATCH;
		void *p = chaos_capture_map(c, c->p2m_frame_mfns + first, n, err);

		if (!p)
			return -1;
		memcpy(c->p2m + first * (PAGE_SIZE / 8), p, n * PAGE_SIZE);
		xenforeignmemory_unmap(c->host->fmem, p, n);
	}
	if (known && known->m2p.e && known->nr_pages == c->nr_pages &&
	    !memcmp(known->p2m, c->p2m, c->nr_pages * sizeof(uint64_t))) {
		c->m2p = known->m2p;
		memset(&known->m2p, 0, sizeof(known->m2p));
	} else if (chaos_m2p_build(c->p2m, c->nr_pages, &c->m2p, err)) {
		return -1;
	}
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
		if (c->img.vcpus[v].online &&
		    chaos_vcpu_get_ext(c->host, c->domid, v,
				       &c->img.vcpus[v].ext, err))
			return -1;
	}
	if (!c->img.vcpus[0].online)
		return chaos_err_set(err, EINVAL, "domain %u: vCPU 0 is offline",
				     c->domid);
	c->cr3_mfn = c->img.vcpus[0].ctx.ctrlreg[3] >> 12;
	c->si_mfn = c->img.vcpus[0].ctx.user_regs.rdx;
	return 0;
}

/*
 * Page types from the hypervisor, and with the noxs hypervisor which data
 * pages are all zero (NOXS_DOMCTL_getpageframeinfo_zero: it reads them
 * through its own mapping, so the save never maps them). A hypervisor
 * without it answers ENOSYS: then plain XEN_DOMCTL_getpageframeinfo3, and
 * the save finds the zero pages itself.
 */
static int page_types(struct chaos_capture *c, const uint64_t *mfns, size_t n,
		      uint8_t *types, const uint64_t *pfns, uint64_t first_pfn,
		      chaos_err *err)
{
	/* Zero flags only for a run of pfns (first_pfn on): c->zero. */
	bool zero = c->zero_known && !pfns;
	struct xen_domctl domctl = {
		.cmd = zero ? NOXS_DOMCTL_getpageframeinfo_zero :
			      XEN_DOMCTL_getpageframeinfo3,
		.domain = (domid_t)c->domid,
	};
	xen_pfn_t *buf;
	int rc;

	if (chaos_host_xcall(c->host, err))
		return -1;
	buf = xencall_alloc_buffer(c->host->xcall, n * sizeof(*buf));
	if (!buf)
		return chaos_err_set(err, ENOMEM, "out of hypercall memory");
	for (size_t i = 0; i < n; i++)
		buf[i] = mfns[i];
	domctl.u.getpageframeinfo3.num = n;
	set_xen_guest_handle_raw(domctl.u.getpageframeinfo3.array, buf);
	rc = xc_domctl(c->host->xch, &domctl);
	if (rc && errno == ENOSYS && zero && !first_pfn) {
		/* Not the noxs hypervisor: the plain call, from now on. */
		c->zero_known = zero = false;
		domctl.cmd = XEN_DOMCTL_getpageframeinfo3;
		domctl.u.getpageframeinfo3.num = n;
		set_xen_guest_handle_raw(domctl.u.getpageframeinfo3.array, buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = mfns[i];
		rc = xc_domctl(c->host->xch, &domctl);
	}
	if (rc) {
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
					     (unsigned long long)(pfns ? pfns[i] :
								  first_pfn + i),
					     (unsigned long long)mfns[i], t);
		}
		types[i] = (uint8_t)level;
		if (level && (t & XEN_DOMCTL_PFINFO_LPINTAB))
			types[i] |= CHAOS_PAGE_PINNED;
		if (!pfns)
			c->zero[first_pfn + i] = zero &&
						 (buf[i] & NOXS_PFINFO_ZERO);
	}
	xencall_free_buffer(c->host->xcall, buf);
	return 0;
}

static int read_types(struct chaos_capture *c, chaos_err *err)
{
	uint64_t t = chaos_now_us();

	for (uint64_t first = 0; first < c->nr_pages; first += TYPES_BATCH) {
		size_t n = c->nr_pages - first < TYPES_BATCH ?
				   (size_t)(c->nr_pages - first) : TYPES_BATCH;

		if (page_types(c, c->p2m + first, n, c->img.types + first,
			       NULL, first, err))
			return -1;
	}
	chaos_lap(&c->ph->types_us, t);
	return 0;
}

int chaos_capture_query_zero(struct chaos_capture *c, chaos_err *err)
{
	uint8_t *types = malloc(TYPES_BATCH);
	int rc = 0;

	if (!types)
		return chaos_err_set(err, ENOMEM, "out of memory");
	if (!c->zero)
		c->zero = calloc(c->nr_pages, 1);
	if (!c->zero) {
		free(types);
		return chaos_err_set(err, ENOMEM, "out of memory for %llu pages",
				     (unsigned long long)c->nr_pages);
	}
	c->zero_known = true;
	for (uint64_t first = 0; first < c->nr_pages && !rc && c->zero_known;
	     first += TYPES_BATCH) {
		size_t n = c->nr_pages - first < TYPES_BATCH ?
				   (size_t)(c->nr_pages - first) : TYPES_BATCH;
		uint64_t t = chaos_now_us();

		/* The types come along: kept where the capture has room. */
		rc = page_types(c, c->p2m + first, n,
				c->img.types ? c->img.types + first : types,
				NULL, first, err);
		chaos_lap(&c->ph->types_us, t);
	}
	free(types);
	return rc;
}

int chaos_capture_types_of(struct chaos_capture *c, const uint64_t *pfns,
			   size_t n, chaos_err *err)
{
	uint64_t mfns[TYPES_BATCH], t = chaos_now_us();
	uint8_t types[TYPES_BATCH];

	for (size_t done = 0; done < n;) {
		size_t k = n - done < TYPES_BATCH ? n - done : TYPES_BATCH;

		for (size_t i = 0; i < k; i++)
			mfns[i] = c->p2m[pfns[done + i]];
		if (page_types(c, mfns, k, types, pfns + done, 0, err))
			return -1;
		for (size_t i = 0; i < k; i++)
			c->img.types[pfns[done + i]] = types[i];
		done += k;
	}
	chaos_lap(&c->ph->types_us, t);
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

/* All zero? Eight words at a time; most pages with data differ early. */
bool chaos_page_is_zero(const uint8_t *page)
{
	const uint64_t *w = (const uint64_t *)page;

	for (unsigned int i = 0; i < PAGE_SIZE / 8; i += 8)
		if (w[i] | w[i + 1] | w[i + 2] | w[i + 3] | w[i + 4] |
		    w[i + 5] | w[i + 6] | w[i + 7])
			return false;
	return true;
}

/* Guest memory mapped a batch at a time; kept for the write when small. */
struct capture_pass {
	uint8_t **batch;	/* per MAP_BATCH pages: the mapping, or NULL */
	size_t nr_batches;
	bool keep;		/* mappings survive from the scan to the write */
};

static void pass_unmap(struct chaos_capture *c, struct capture_pass *cp,
		       size_t b, size_t n)
{
	uint64_t t = chaos_now_us();

	xenforeignmemory_unmap(c->host->fmem, cp->batch[b], n);
	cp->batch[b] = NULL;
	chaos_lap(&c->ph->map_us, t);
}

static void pass_free(struct chaos_capture *c, struct capture_pass *cp)
{
	for (size_t b = 0; cp->batch && b < cp->nr_batches; b++) {
		uint64_t first = (uint64_t)b * MAP_BATCH;
		size_t n = c->nr_pages - first < MAP_BATCH ?
				   (size_t)(c->nr_pages - first) : MAP_BATCH;

		if (cp->batch[b])
			pass_unmap(c, cp, b, n);
	}
	free(cp->batch);
	cp->batch = NULL;
}

/*
 * First pass: which pages carry bytes into the image. All-zero data pages
 * do not (the restore's new domain starts zeroed); page tables and the
 * p2m list always do, they are rewritten on the way.
 */
static int scan_memory(struct chaos_capture *c, struct capture_pass *cp,
		       chaos_err *err)
{
	uint8_t *map = c->img.present_map;

	for (size_t b = 0; b < cp->nr_batches; b++) {
		uint64_t first = (uint64_t)b * MAP_BATCH, t;
		size_t n = c->nr_pages - first < MAP_BATCH ?
				   (size_t)(c->nr_pages - first) : MAP_BATCH;
		uint8_t *src = chaos_capture_map(c, c->p2m + first, n, err);

		if (!src)
			return -1;
		cp->batch[b] = src;
		t = chaos_now_us();
		for (size_t i = 0; i < n; i++) {
			uint64_t pfn = first + i;

			if (chaos_capture_rewritten(c, pfn) ||
			    !chaos_page_is_zero(src + i * PAGE_SIZE)) {
				map[pfn / 8] |= (uint8_t)(1u << (pfn % 8));
				c->img.present++;
			}
		}
		chaos_lap(&c->ph->scan_us, t);
		if (!cp->keep)
			pass_unmap(c, cp, b, n);
	}
	c->ph->pages = c->nr_pages;
	c->ph->zero_pages = c->nr_pages - c->img.present;
	return 0;
}

/* From the hypervisor's answer: which pages carry bytes. */
static void mark_present(struct chaos_capture *c)
{
	for (uint64_t pfn = 0; pfn < c->nr_pages; pfn++) {
		if (!chaos_capture_rewritten(c, pfn) && c->zero[pfn])
			continue;
		c->img.present_map[pfn / 8] |= (uint8_t)(1u << (pfn % 8));
		c->img.present++;
	}
	c->ph->pages = c->nr_pages;
	c->ph->zero_pages = c->nr_pages - c->img.present;
}

/* Pfns [first, first + n) of the batch that have bytes, into pfns. */
static size_t present_in(const struct chaos_capture *c, uint64_t first,
			 size_t n, uint64_t *pfns)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++)
		if (chaos_saveimg_has_bytes(c->img.present_map, first + i))
			pfns[count++] = first + i;
	return count;
}

/* len pages from slot at of a mapping, in one write (none: nothing); the
 * mapping stays until the write's ticket is done. */
static int put_run(struct chaos_saveimg_stream *out, const uint8_t *src,
		   size_t at, size_t len, uint64_t *ticket, chaos_err *err)
{
	if (!len)
		return 0;
	return chaos_saveimg_put_held(out, src + at * PAGE_SIZE, len * PAGE_SIZE,
				      ticket, err);
}

/* A page table or p2m page: made machine-independent in a copy. */
static int put_rewritten(struct chaos_capture *c,
			 struct chaos_saveimg_stream *out, const uint8_t *src,
			 uint64_t pfn, chaos_err *err)
{
	uint64_t t = chaos_now_us();
	int rc;

	memcpy(c->page_copy, src, PAGE_SIZE);
	rc = chaos_capture_canonical(c, pfn, (uint8_t *)c->page_copy, err);
	chaos_lap(&c->ph->canon_us, t);
	return rc || chaos_saveimg_put(out, c->page_copy, PAGE_SIZE, err);
}

/* A batch's mapping, kept until the writer is done with its bytes. */
struct written_batch {
	uint8_t *src;		/* NULL: none */
	size_t b, n, count;	/* batch, its pages, the pages mapped */
	uint64_t ticket;	/* its last write */
};

/* Wait for the batch's writes, then unmap it. */
static int retire(struct chaos_capture *c, struct capture_pass *cp,
		  struct chaos_saveimg_stream *out, struct written_batch *w,
		  chaos_err *err)
{
	int rc;

	if (!w->src)
		return 0;
	rc = chaos_saveimg_wait(out, w->ticket, err);
	/* A kept mapping holds the whole batch, a new one its pages with bytes. */
	pass_unmap(c, cp, w->b, cp->keep ? w->n : w->count);
	w->src = NULL;
	return rc;
}

/*
 * Second pass: the pages with bytes out in pfn order, straight from the
 * mapping: runs of plain pages in one write each, the rewritten ones
 * through a copy. A batch not kept from the scan is mapped again, only
 * its pages with bytes. With a writer thread, a batch stays mapped while
 * the next one is mapped and checksummed.
 */
static int write_memory(struct chaos_capture *c, struct capture_pass *cp,
			struct chaos_saveimg_stream *out, chaos_err *err)
{
	struct written_batch prev = { 0 };
	int rc = 0;

	for (size_t b = 0; b < cp->nr_batches && !rc; b++) {
		uint64_t first = (uint64_t)b * MAP_BATCH;
		size_t n = c->nr_pages - first < MAP_BATCH ?
				   (size_t)(c->nr_pages - first) : MAP_BATCH;
		size_t count = present_in(c, first, n, c->pass_pfns);
		size_t run_at = 0, run_len = 0;
		struct written_batch cur = { .b = b, .n = n, .count = count };

		if (!count) {
			if (cp->batch[b])
				pass_unmap(c, cp, b, n);
			continue;
		}
		cur.src = cp->batch[b];
		if (!cur.src) {
			uint64_t *mfns = c->pass_mfns;

			for (size_t k = 0; k < count; k++)
				mfns[k] = c->p2m[c->pass_pfns[k]];
			cur.src = chaos_capture_map(c, mfns, count, err);
			if (!cur.src) {
				rc = -1;
				break;
			}
			cp->batch[b] = cur.src;
		}
		/* Page k sits at its pfn's place in a kept mapping, at k in
		 * a mapping of the present pages only. Runs of plain pages
		 * adjacent there go out in one write. */
		for (size_t k = 0; k < count && !rc; k++) {
			uint64_t pfn = c->pass_pfns[k];
			size_t at = cp->keep ? (size_t)(pfn - first) : k;

			if (chaos_capture_rewritten(c, pfn)) {
				rc = put_run(out, cur.src, run_at, run_len,
					     &cur.ticket, err) ||
				     put_rewritten(c, out, cur.src + at * PAGE_SIZE,
						   pfn, err);
				run_len = 0;
				continue;
			}
			if (run_len && at == run_at + run_len) {
				run_len++;
				continue;
			}
			rc = put_run(out, cur.src, run_at, run_len, &cur.ticket,
				     err);
			run_at = at;
			run_len = 1;
		}
		if (!rc)
			rc = put_run(out, cur.src, run_at, run_len, &cur.ticket,
				     err);
		if (retire(c, cp, out, &prev, rc ? NULL : err))
			rc = -1;
		prev = cur;
	}
	if (retire(c, cp, out, &prev, rc ? NULL : err))
		rc = -1;
	return rc;
}

/*
 * The same pages, copied by the hypervisor into our buffers instead of
 * mapped: consecutive pages with bytes sit side by side in a buffer and
 * go out in one write, the rewritten ones through a copy. One buffer is
 * filled while the writer thread still writes the other.
 */
static int write_memory_copied(struct chaos_capture *c,
			       struct chaos_page_copy *pc,
			       struct chaos_saveimg_stream *out, chaos_err *err)
{
	uint64_t *pfns = c->pass_pfns, *frames = c->pass_mfns;
	uint64_t tickets[CHAOS_PAGE_COPY_BUFFERS] = { 0 };
	unsigned int cur = 0;
	uint64_t pfn = 0;
	int rc = 0;

	while (!rc) {
		size_t count = 0, run_at = 0, run_len = 0;
		uint8_t *buf = pc->buf[cur];

		for (; pfn < c->nr_pages && count < CHAOS_PAGE_COPY_BATCH; pfn++) {
			if (!chaos_saveimg_has_bytes(c->img.present_map, pfn))
				continue;
			pfns[count] = pfn;
			frames[count++] = c->p2m[pfn];
		}
		if (!count)
			break;
		/* The writer is done with this buffer's last batch. */
		if (chaos_saveimg_wait(out, tickets[cur], err) ||
		    chaos_page_copy_from(pc, frames, count, buf, err))
			return -1;
		for (size_t k = 0; k < count && !rc; k++) {
			if (chaos_capture_rewritten(c, pfns[k])) {
				rc = put_run(out, buf, run_at, run_len,
					     &tickets[cur], err) ||
				     put_rewritten(c, out, buf + k * PAGE_SIZE,
						   pfns[k], err);
				run_len = 0;
				continue;
			}
			if (!run_len)
				run_at = k;
			run_len++;
		}
		if (!rc)
			rc = put_run(out, buf, run_at, run_len, &tickets[cur],
				     err);
		cur = (cur + 1) % CHAOS_PAGE_COPY_BUFFERS;
	}
	/* Nothing may still read a buffer once the caller frees it. */
	for (unsigned int i = 0; i < CHAOS_PAGE_COPY_BUFFERS; i++)
		if (chaos_saveimg_wait(out, tickets[i], rc ? NULL : err))
			rc = -1;
	return rc;
}

/* With the noxs hypervisor's copy, else through mappings. */
static int write_pages(struct chaos_capture *c, struct capture_pass *cp,
		       struct chaos_saveimg_stream *out, chaos_err *err)
{
	struct chaos_page_copy pc;
	int rc;

	if (!c->zero_known)
		return write_memory(c, cp, out, err);
	rc = chaos_page_copy_open(&pc, c->host, c->domid,
				  CHAOS_PAGE_COPY_BUFFERS, CHAOS_PAGE_COPY_BATCH,
				  &c->ph->map_us, err);
	if (rc < 0)
		return -1;
	if (rc > 0)
		return write_memory(c, cp, out, err);
	rc = write_memory_copied(c, &pc, out, err);
	chaos_page_copy_close(&pc);
	return rc;
}

void chaos_capture_free(struct chaos_capture *c)
{
	free(c->pass_pfns);
	free(c->pass_mfns);
	c->pass_pfns = c->pass_mfns = NULL;
	free(c->img.present_map); /* ours when saving (never owned) */
	c->img.present_map = NULL;
	free(c->zero);
	c->zero = NULL;
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
	struct capture_pass cp = {
		.nr_batches = (size_t)((c->nr_pages + MAP_BATCH - 1) / MAP_BATCH),
		.keep = c->nr_pages <= KEEP_MAPPED_MAX,
	};
	uint8_t *buf = head ? malloc(head) : NULL;
	int rc = -1;

	cp.batch = calloc(cp.nr_batches, sizeof(*cp.batch));
	c->img.present_map = calloc(chaos_saveimg_map_size(c->nr_pages), 1);
	c->pass_pfns = calloc(MAP_BATCH, sizeof(uint64_t));
	c->pass_mfns = calloc(MAP_BATCH, sizeof(uint64_t));
	if (!buf || !cp.batch || !c->img.present_map || !c->pass_pfns ||
	    !c->pass_mfns) {
		chaos_err_set(err, ENOMEM, "out of memory for the image head");
		goto out;
	}
	c->img.present = 0;
	if (c->zero_known) {
		/* The hypervisor looked: nothing to map until the write. */
		cp.keep = false;
		mark_present(c);
	} else if (scan_memory(c, &cp, err)) {
		goto out;
	}
	if (chaos_saveimg_encode_head(buf, head, &c->img, err) ||
	    chaos_saveimg_put(out, buf, head, err) ||
	    chaos_saveimg_put(out, c->img.types,
			      chaos_saveimg_types_size(c->nr_pages), err) ||
	    chaos_saveimg_put(out, c->img.present_map,
			      chaos_saveimg_map_size(c->nr_pages), err) ||
	    write_pages(c, &cp, out, err) ||
	    chaos_saveimg_put_end(out, digest, err))
		goto out;
	rc = 0;
out:
	pass_free(c, &cp);
	free(buf);
	return rc;
}

/* Per page: its type (zero until read; the padding after the types stays
 * zero) and whether it holds the p2m list (from img.p2m_frames). */
static int page_arrays(struct chaos_capture *c, chaos_err *err)
{
	c->img.types = calloc(chaos_saveimg_types_size(c->nr_pages), 1);
	c->p2m_frame = calloc(c->nr_pages, 1);
	if (!c->img.types || !c->p2m_frame)
		return chaos_err_set(err, ENOMEM, "out of memory for %llu pages",
				     (unsigned long long)c->nr_pages);
	for (uint64_t i = 0; i < c->img.nr_p2m_frames; i++)
		c->p2m_frame[c->img.p2m_frames[i]] = 1;
	return 0;
}

int chaos_capture_suspended(struct chaos_capture *c, chaos_host *host,
			    uint32_t domid, bool find_zero,
			    struct chaos_capture *known,
			    chaos_ckpt_phases *ph, chaos_err *err)
{
	xc_domaininfo_t xi;
	uint64_t t;

	memset(c, 0, sizeof(*c));
	c->host = host;
	c->domid = domid;
	c->ph = ph ? ph : &c->scratch;
	t = chaos_now_us();
	/* Before the first mapping of more than one frame (the p2m list). */
	c->map_errs = calloc(MAP_BATCH, sizeof(int));
	if (!c->map_errs) {
		chaos_err_set(err, ENOMEM, "out of memory");
		goto fail;
	}
	if (chaos_ckpt_require_suspended(host, domid, &xi, err))
		goto fail;
	if (xi.flags & XEN_DOMINF_hvm_guest) {
		chaos_err_set(err, EINVAL, "domain %u is not a PV guest", domid);
		goto fail;
	}
	if (xi.max_vcpu_id >= CHAOS_CONFIG_VCPUS_MAX) {
		chaos_err_set(err, EINVAL, "domain %u: too many vCPUs", domid);
		goto fail;
	}
	if (read_vcpus(c, xi.max_vcpu_id + 1, err) ||
	    read_start_info(c, xi.max_pages, err) ||
	    chaos_capture_check_si_frames(&c->si, domid, err) ||
	    read_p2m(c, known, err) ||
	    chaos_travel_config(host, domid, c->nr_pages, c->img.nr_vcpus,
				&c->img.cfg, &c->img.dev, err) ||
	    chaos_cpu_get_domain(host, domid, &c->img.cpu, err))
		goto fail;
	c->img.nr_pages = c->nr_pages;
	for (unsigned int v = 0; v < c->img.nr_vcpus; v++)
		if (chaos_vcpu_canonicalize(&c->img.vcpus[v].ctx, v, &c->m2p, err))
			goto fail;
	c->zero = calloc(c->nr_pages, 1);
	if (!c->zero) {
		chaos_err_set(err, ENOMEM, "out of memory for %llu pages",
			      (unsigned long long)c->nr_pages);
		goto fail;
	}
	if (page_arrays(c, err))
		goto fail;
	chaos_lap(&c->ph->state_us, t);
	/* Unless the hypervisor lacks the call (then the save looks). */
	c->zero_known = find_zero;
	if (known && known->img.types && known->nr_pages == c->nr_pages) {
		/* Only the pages written since may have another type now:
		 * the caller reads theirs (chaos_capture_types_of). */
		memcpy(c->img.types, known->img.types,
		       chaos_saveimg_types_size(c->nr_pages));
	} else if (read_types(c, err)) {
		goto fail;
	}
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
	c->ph = &c->scratch;
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
	/* With room for the types its rounds read. */
	if (read_start_info(c, xi.max_pages, err) || read_p2m(c, NULL, err) ||
	    page_arrays(c, err))
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

	if (chaos_capture_suspended(&c, host, domid, true, NULL, out->ph, err))
		return -1;
	rc = write_out(&c, out, digest, err);
	chaos_capture_free(&c);
	return rc;
}

/*
 * Where a save goes: a path (a temporary file beside it, synced and
 * renamed over it before the guest is finished), or the caller's fd.
 */
struct save_target {
	const char *path;
	int fd;			/* with path: the file beside it, -1 once done */
	char tmp[4096];		/* its name */
};

/* With a second CPU, the file is written by a thread of its own while
 * the next pages are mapped and checksummed. */
static int write_beside(struct chaos_saveimg_stream *out, chaos_err *err)
{
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return 0;
	return chaos_saveimg_stream_async(out, err);
}

/* The image into the file beside path as it is captured, then synced
 * and renamed over path (the file is made before the guest is touched). */
static int save_to_file(chaos_host *host, uint32_t domid,
			struct save_target *to, chaos_save_timing *timing,
			chaos_err *err)
{
	uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE];
	struct chaos_saveimg_stream out;
	uint64_t t = chaos_now_us();
	int rc;

	rc = chaos_saveimg_stream_init(&out, chaos_saveimg_fd_write, &to->fd,
				       err) ||
	     write_beside(&out, err);
	out.ph = &timing->phases;
	if (rc || chaos_ckpt_capture_to(host, domid, &out, digest, err)) {
		chaos_saveimg_stream_free(&out);
		return -1;
	}
	chaos_saveimg_stream_free(&out);
	timing->phases.image_bytes = out.done;
	timing->capture_us = chaos_now_us() - t;
	t = chaos_now_us();
	rc = chaos_file_commit(to->fd, to->tmp, to->path, false, err);
	to->fd = -1;	/* closed, and renamed or removed */
	if (rc)
		return -1;
	timing->write_us = chaos_now_us() - t;
	return 0;
}

/* The image onto the caller's fd, synced when it is a file: the image is
 * on disk before the guest is destroyed. */
static int save_to_fd(chaos_host *host, uint32_t domid, int fd,
		      chaos_save_timing *timing, chaos_err *err)
{
	uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE];
	struct chaos_saveimg_stream out;
	uint64_t t = chaos_now_us();
	struct stat st;
	int rc;

	rc = chaos_saveimg_stream_init(&out, chaos_saveimg_fd_write, &fd, err) ||
	     write_beside(&out, err);
	out.ph = &timing->phases;
	rc = rc || chaos_ckpt_capture_to(host, domid, &out, digest, err);
	timing->phases.image_bytes = out.done;
	chaos_saveimg_stream_free(&out);
	if (rc)
		return -1;
	timing->capture_us = chaos_now_us() - t;
	t = chaos_now_us();
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && fsync(fd))
		return chaos_err_set(err, errno, "the image: write failed: %s",
				     strerror(errno));
	timing->write_us = chaos_now_us() - t;
	return 0;
}

static int save_to(chaos_host *host, uint32_t domid,
		   struct save_target *to, chaos_save_timing *timing,
		   chaos_err *err)
{
	return to->path ? save_to_file(host, domid, to, timing, err) :
			  save_to_fd(host, domid, to->fd, timing, err);
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

static int save_marked(chaos_host *host, uint32_t domid,
		       struct save_target *to, bool keep_running, chaos_save_timing *timing,
		       chaos_err *err)
{
	uint64_t start = chaos_now_us(), t;
	int rc;

	if (chaos_checkpoint_suspend(host, domid, CHAOS_SUSPEND_TIMEOUT_MS, err))
		return -1;
	timing->suspend_us = chaos_now_us() - start;
	if (save_to(host, domid, to, timing, err)) {
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

static int save_any(chaos_host *host, uint32_t domid,
		    struct save_target *to, bool keep_running,
		    chaos_save_timing *timing, chaos_err *err)
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
	rc = save_marked(host, domid, to, keep_running, timing, err);
	chaos_busy_release(host->state_dir, handle, mark);
	return rc;
}

int chaos_checkpoint_save(chaos_host *host, uint32_t domid, const char *path,
			  bool keep_running, chaos_save_timing *timing,
			  chaos_err *err)
{
	struct save_target to = { .path = path, .fd = -1 };
	int rc;

	/* A path that cannot take the image fails before the guest stops. */
	to.fd = chaos_file_create_unnamed(path, to.tmp, sizeof(to.tmp), err);
	if (to.fd < 0)
		return -1;
	rc = save_any(host, domid, &to, keep_running, timing, err);
	if (to.fd >= 0) {
		close(to.fd);
		unlink(to.tmp);
	}
	return rc;
}

int chaos_checkpoint_save_fd(chaos_host *host, uint32_t domid, int fd,
			     bool keep_running, chaos_save_timing *timing,
			     chaos_err *err)
{
	struct save_target to = { .path = NULL, .fd = fd };
	int flags = fcntl(fd, F_GETFL);

	/* Checked before the guest is touched. */
	if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY)
		return chaos_err_set(err, EBADF,
				     "the image: descriptor %d is not open for writing",
				     fd);
	return save_any(host, domid, &to, keep_running, timing, err);
}
