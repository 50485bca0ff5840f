// SPDX-License-Identifier: MIT
/* Shells, phase two: load one kernel and make vCPU 0 ready to run it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "build/build.h"

#define RFLAGS_IF (1u << 9)
/* Architectural reset values: Xen refuses debug registers whose reserved
 * bits differ from them. */
#define DR6_DEFAULT 0xffff0ff0u
#define DR7_DEFAULT 0x00000400u

/* Guest pfns [first, pages) mapped at base + pfn * 4 KiB. */
struct mapped_guest {
	uint8_t *base;
	uint64_t first, pages;
};

static void *mapped_page(void *ctx, uint64_t pfn)
{
	struct mapped_guest *m = ctx;

	if (pfn < m->first || pfn >= m->pages)
		return NULL;
	return m->base + pfn * XC_PAGE_SIZE;
}

/* Map the guest's first `pages` pages into dom0, writable. */
static int map_guest(chaos_host *host, struct chaos_shell *shell,
		     uint64_t pages, struct mapped_guest *m, chaos_err *err)
{
	int *errs = calloc(pages, sizeof(*errs));

	if (!errs)
		return chaos_err_set(err, ENOMEM, "out of memory");
	m->first = 0;
	m->pages = pages;
	m->base = xenforeignmemory_map(host->fmem, shell->domid,
				       PROT_READ | PROT_WRITE, pages,
				       shell->p2m, errs);
	if (!m->base) {
		free(errs);
		return chaos_err_xen(err, host, errno,
				     "cannot map domain %u's memory", shell->domid);
	}
	for (uint64_t i = 0; i < pages; i++) {
		if (errs[i]) {
			int e = -errs[i];

			free(errs);
			xenforeignmemory_unmap(host->fmem, m->base, pages);
			m->base = NULL;
			return chaos_err_set(err, e,
					     "cannot map page %llu of domain %u: %s",
					     (unsigned long long)i, shell->domid,
					     strerror(e));
		}
	}
	free(errs);
	return 0;
}

/* Map pfns [first, first + pages) of the guest into dom0, writable. */
static int map_guest_range(chaos_host *host, struct chaos_shell *shell,
			   uint64_t first, uint64_t pages,
			   struct mapped_guest *m, chaos_err *err)
{
	struct chaos_shell view = *shell;

	view.p2m = shell->p2m + first;
	if (map_guest(host, &view, pages, m, err))
		return -1;
	/* mapped_page() indexes from pfn 0. */
	m->base -= first * XC_PAGE_SIZE;
	m->pages += first;
	m->first = first;
	return 0;
}

/*
 * Guest pfns [0, pages) staged in the host's hypercall buffer instead of
 * mapped, when the hypervisor copies pages (hyp/page_copy.c): a page is
 * zeroed when it is first handed out, as a new domain's page is, and
 * only those handed out go into the guest.
 */
struct staged_guest {
	uint8_t *base;
	uint64_t pages;
	uint8_t *touched;	/* per pfn: 1 once handed out */
};

static void *staged_page(void *ctx, uint64_t pfn)
{
	struct staged_guest *g = ctx;
	uint8_t *page;

	if (pfn >= g->pages)
		return NULL;
	page = g->base + pfn * XC_PAGE_SIZE;
	if (!g->touched[pfn]) {
		memset(page, 0, XC_PAGE_SIZE);
		g->touched[pfn] = 1;
	}
	return page;
}

/*
 * The pages handed out into the guest, in one call: each moved down to
 * follow the one before it in the stage, beside its frame, so the runs
 * (the kernel, then start_info and the pages after the p2m list) need no
 * call each. Pages only move down, so none is overwritten before it moves.
 */
static int put_staged(chaos_host *host, const struct chaos_shell *shell,
		      struct staged_guest *g, chaos_err *err)
{
	uint64_t *frames = malloc((g->pages ? g->pages : 1) * sizeof(*frames));
	size_t n = 0;
	int rc;

	if (!frames)
		return chaos_err_set(err, ENOMEM, "out of memory");
	for (uint64_t pfn = 0; pfn < g->pages; pfn++) {
		if (!g->touched[pfn])
			continue;
		if (n != pfn)
			memmove(g->base + n * XC_PAGE_SIZE,
				g->base + pfn * XC_PAGE_SIZE, XC_PAGE_SIZE);
		frames[n++] = shell->p2m[pfn];
	}
	rc = n ? chaos_copy_pages(host, shell->domid, frames, n, g->base, true,
				  NULL, err) : 0;
	free(frames);
	return rc;
}

static void unmap_guest(chaos_host *host, struct mapped_guest *m)
{
	xenforeignmemory_unmap(host->fmem, m->base + m->first * XC_PAGE_SIZE,
			       m->pages - m->first);
	m->base = NULL;
}

/*
 * The layout's fixed part: the p2m list and the bootstrap page tables,
 * written while only they are mapped, then pinned.
 */
static int write_fixed(chaos_host *host, struct chaos_shell *shell,
		       const struct chaos_pv_layout *lay, chaos_err *err)
{
	struct mapped_guest m = { 0 };
	struct chaos_guest_mem mem = {
		.nr_pages = shell->nr_pages, .p2m = shell->p2m,
		.page = mapped_page, .ctx = &m,
	};
	int rc;

	/* p2m list up to the stack: the tables and what lies between. */
	if (map_guest_range(host, shell, lay->p2m_pfn,
			    lay->stack_pfn + 1 - lay->p2m_pfn, &m, err))
		return -1;
	rc = chaos_pv_write_p2m(lay, &mem, err) ||
	     chaos_pv_build_pagetables(lay, &mem, err) ? -1 : 0;
	/* Unmap before pinning: Xen will not make a page with a writable
	 * mapping into a page table. */
	unmap_guest(host, &m);
	return rc;
}
/*
 * A fresh shared info page, with event delivery masked on every vCPU: the
 * guest unmasks once it can take an upcall (Linux cannot, early on).
 */
int chaos_shell_init_shared_info(chaos_host *host, struct chaos_shell *shell,
				  chaos_err *err)
{
	xen_pfn_t mfn = shell->shared_info_mfn;
	shared_info_t *si;
	int map_err = 0;

	si = xenforeignmemory_map(host->fmem, shell->domid,
				  PROT_READ | PROT_WRITE, 1, &mfn, &map_err);
	if (!si || map_err)
		return chaos_err_xen(err, host, map_err ? -map_err : errno,
				     "cannot map domain %u's shared info",
				     shell->domid);
	memset(si, 0, XC_PAGE_SIZE);
	for (unsigned int v = 0; v < XEN_LEGACY_MAX_VCPUS; v++)
		si->vcpu_info[v].evtchn_upcall_mask = 1;
	xenforeignmemory_unmap(host->fmem, si, 1);
	return 0;
}

static int init_hypercall_page(chaos_host *host, struct chaos_shell *shell,
			       const struct chaos_pv_layout *lay,
			       chaos_err *err)
{
	uint64_t pfn = chaos_pv_hypercall_pfn(lay);
	struct xen_domctl domctl = {
		.cmd = XEN_DOMCTL_hypercall_init,
		.domain = (domid_t)shell->domid,
	};

	if (pfn == CHAOS_IMAGE_NONE)
		return 0;
	if (pfn >= shell->nr_pages)
		return chaos_err_set(err, EINVAL,
				     "hypercall page pfn %llu outside memory",
				     (unsigned long long)pfn);
	/* PV guests are not translated: the "gmfn" is the machine frame. */
	domctl.u.hypercall_init.gmfn = shell->p2m[pfn];
	if (xc_domctl(host->xch, &domctl))
		return chaos_err_xen(err, host, errno,
				     "cannot set up domain %u's hypercall page",
				     shell->domid);
	return 0;
}

/* Pin the bootstrap L4: Xen validates the whole tree now, so a bad table
 * is our error here rather than a guest crash later. */
static int pin_tables(chaos_host *host, struct chaos_shell *shell,
		      const struct chaos_pv_layout *lay, unsigned int cmd,
		      chaos_err *err)
{
	struct mmuext_op op = {
		.cmd = cmd,
		.arg1.mfn = shell->p2m[chaos_pv_l4_pfn(lay)],
	};

	if (xc_mmuext_op(host->xch, &op, 1, shell->domid))
		return chaos_err_xen(err, host, errno,
				     cmd == MMUEXT_PIN_L4_TABLE ?
				     "hypervisor rejected domain %u's page tables" :
				     "cannot unpin domain %u's page tables",
				     shell->domid);
	return 0;
}

int chaos_shell_set_boot_vcpu(chaos_host *host, struct chaos_shell *shell,
			      const struct chaos_pv_layout *lay,
			      chaos_err *err)
{
	vcpu_guest_context_any_t ctx;
	vcpu_guest_context_x86_64_t *c = &ctx.x64;

	if (init_hypercall_page(host, shell, lay, err))
		return -1;
	memset(&ctx, 0, sizeof(ctx));
	c->user_regs.rip = lay->virt_entry;
	c->user_regs.rsp = chaos_pv_stack_top(lay);
	c->user_regs.rsi = chaos_pv_start_info_vaddr(lay);
	c->user_regs.rflags = RFLAGS_IF;
	c->user_regs.cs = FLAT_KERNEL_CS;
	c->user_regs.ss = FLAT_KERNEL_SS;
	c->user_regs.ds = FLAT_KERNEL_DS;
	c->user_regs.es = FLAT_KERNEL_DS;
	c->user_regs.fs = FLAT_KERNEL_DS;
	c->user_regs.gs = FLAT_KERNEL_DS;
	c->kernel_ss = FLAT_KERNEL_SS;
	c->kernel_sp = c->user_regs.rsp;
	c->debugreg[6] = DR6_DEFAULT;
	c->debugreg[7] = DR7_DEFAULT;
	c->flags = VGCF_in_kernel | VGCF_online;
	c->ctrlreg[3] = xen_pfn_to_cr3(shell->p2m[chaos_pv_l4_pfn(lay)]);
	if (chaos_vcpu_set_context(host, shell->domid, 0, &ctx))
		return chaos_err_xen(err, host, errno,
				     "cannot set domain %u's boot vCPU",
				     shell->domid);
	return 0;
}

/* Layouts that need the same p2m list and page tables. */
static bool same_fixed_part(const struct chaos_pv_layout *a,
			    const struct chaos_pv_layout *b)
{
	struct chaos_pv_layout x = *a, y = *b;

	/* Where the kernel starts running and its hypercall page do not
	 * change a table; neither does how much of the ramdisk is used. */
	x.virt_entry = y.virt_entry = 0;
	x.hypercall_page = y.hypercall_page = 0;
	x.ramdisk_bytes = y.ramdisk_bytes = 0;
	return !memcmp(&x, &y, sizeof(x));
}

bool chaos_shell_primed_as(const struct chaos_shell *shell,
			   const struct chaos_pv_layout *lay)
{
	return shell->primed && same_fixed_part(&shell->primed_layout, lay);
}

void chaos_shell_drop_boot_map(struct chaos_shell *shell)
{
	/* A foreign mapping is an ordinary mapping of this process (what
	 * xenforeignmemory_unmap does on Linux): the host that made it is
	 * not needed, nor may still be open, to take it down. */
	if (shell->boot_map)
		munmap(shell->boot_map, shell->boot_map_pages * XC_PAGE_SIZE);
	shell->boot_map = NULL;
	shell->boot_map_pages = 0;
}

int chaos_shell_prime_layout(chaos_host *host, struct chaos_shell *shell,
			     const struct chaos_pv_layout *lay, bool ahead,
			     chaos_err *err)
{
	struct mapped_guest m;

	if (chaos_shell_primed_as(shell, lay))
		return 0;
	chaos_shell_drop_boot_map(shell);
	/* Primed for another kernel: its tables go first. */
	if (shell->primed &&
	    pin_tables(host, shell, &shell->primed_layout,
		       MMUEXT_UNPIN_TABLE, err))
		return -1;
	shell->primed = false;
	if (write_fixed(host, shell, lay, err) ||
	    pin_tables(host, shell, lay, MMUEXT_PIN_L4_TABLE, err) ||
	    chaos_shell_init_shared_info(host, shell, err))
		return -1;
	shell->primed_layout = *lay;
	shell->primed = true;
	/* The memory the load writes, mapped now: the load then only
	 * copies, and the create takes the mapping down once the guest runs
	 * (chaos_host_tidy). Primed in a create itself, where the
	 * hypervisor copies pages, staging them costs less than mapping
	 * and unmapping on the way. */
	if ((ahead || chaos_copy_available(host, shell->domid, NULL) == 0) &&
	    map_guest_range(host, shell, 0, lay->pt_pfn, &m, NULL) == 0) {
		shell->boot_map = m.base;
		shell->boot_map_pages = lay->pt_pfn;
	}
	return 0;
}

int chaos_shell_load(chaos_host *host, struct chaos_shell *shell,
		     const struct chaos_image *img,
		     const struct chaos_pv_layout *lay, const void *ramdisk,
		     uint64_t ramdisk_len, const char *cmdline,
		     chaos_create_timing *timing, uint64_t *mark,
		     chaos_err *err)
{
	struct mapped_guest m;
	struct staged_guest g = { .pages = lay->pt_pfn };
	struct chaos_guest_mem mem = {
		.nr_pages = shell->nr_pages, .p2m = shell->p2m,
		.page = mapped_page, .ctx = &m,
	};
	struct chaos_pv_start_params sp = {
		.cmdline = cmdline,
		.shared_info_mfn = shell->shared_info_mfn,
		.console_mfn = shell->p2m[lay->console_pfn],
		.console_evtchn = shell->console_port,
		.store_mfn = shell->store_port ?
			     shell->p2m[lay->xenstore_pfn] : 0,
		.store_evtchn = shell->store_port,
		.ramdisk_bytes = ramdisk_len,
		.flags = img->mod_start_pfn ? SIF_MOD_START_PFN : 0,
	};
	bool staged = !shell->boot_map &&
		      chaos_copy_available(host, shell->domid, NULL) > 0;
	bool kept = false;
	int rc;

	/* Kernel, ramdisk, p2m list, start_info, xenstore and console pages:
	 * everything below the (pinned) tables; staged and copied in where
	 * the hypervisor can, else mapped (already, if primed for this
	 * layout). */
	if (staged) {
		g.base = chaos_host_stage(host, lay->pt_pfn, err);
		if (!g.base)
			return -1;
		g.touched = calloc(lay->pt_pfn ? lay->pt_pfn : 1, 1);
		if (!g.touched)
			return chaos_err_set(err, ENOMEM, "out of memory");
		mem.page = staged_page;
		mem.ctx = &g;
	} else if (shell->boot_map && chaos_shell_primed_as(shell, lay) &&
		   shell->boot_map_pages == lay->pt_pfn) {
		/* Still the shell's after: taken down once the guest runs. */
		m = (struct mapped_guest){ .base = shell->boot_map,
					   .pages = lay->pt_pfn };
		kept = true;
	} else if (map_guest_range(host, shell, 0, lay->pt_pfn, &m, err)) {
		return -1;
	}
	rc = chaos_pv_load_segments(img, lay, &mem, err) ||
	     (ramdisk_len &&
	      chaos_pv_load_ramdisk(lay, &mem, ramdisk, ramdisk_len, err)) ||
	     chaos_pv_write_start_info(lay, &mem, &sp, err) ? -1 : 0;
	if (staged) {
		if (!rc && put_staged(host, shell, &g, err))
			rc = -1;
		free(g.touched);
	} else if (!kept) {
		unmap_guest(host, &m);
	}
	*mark = chaos_lap(&timing->load_us, *mark);
	if (rc)
		return -1;
	shell->store_mfn = sp.store_mfn;
	rc = chaos_shell_set_boot_vcpu(host, shell, lay, err);
	*mark = chaos_lap(&timing->pagetables_us, *mark);
	return rc;
}

int chaos_shell_boot(chaos_host *host, struct chaos_shell *shell,
		     const struct chaos_image *img, const void *ramdisk,
		     uint64_t ramdisk_len, const char *cmdline,
		     uint64_t *console_mfn, uint64_t *start_info_mfn,
		     chaos_create_timing *timing, uint64_t *mark,
		     chaos_err *err)
{
	struct chaos_pv_layout lay;

	if (chaos_pv_layout_compute(img, shell->nr_pages, ramdisk_len, &lay,
				    err))
		return -1;
	/* Priming counts as page tables; nothing to count (and no clock to
	 * read) when the shell was primed ahead for this layout. */
	if (!chaos_shell_primed_as(shell, &lay)) {
		if (chaos_shell_prime_layout(host, shell, &lay, false, err))
			return -1;
		*mark = chaos_lap(&timing->pagetables_us, *mark);
	}
	if (chaos_shell_load(host, shell, img, &lay, ramdisk, ramdisk_len,
			     cmdline, timing, mark, err))
		return -1;
	*console_mfn = shell->p2m[lay.console_pfn];
	*start_info_mfn = shell->p2m[lay.start_info_pfn];
	return 0;
}
