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

struct mapped_guest {
	uint8_t *base;
	uint64_t pages;
};

static void *mapped_page(void *ctx, uint64_t pfn)
{
	struct mapped_guest *m = ctx;

	if (pfn >= m->pages)
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

/* Fill guest memory: kernel, ramdisk, p2m list, page tables, start_info. */
static int write_guest(chaos_host *host, struct chaos_shell *shell,
		       const struct chaos_image *img,
		       const struct chaos_pv_layout *lay, const void *ramdisk,
		       uint64_t ramdisk_len, const char *cmdline,
		       chaos_create_timing *timing, chaos_err *err)
{
	struct mapped_guest m;
	struct chaos_guest_mem mem = {
		.nr_pages = shell->nr_pages, .p2m = shell->p2m,
		.page = mapped_page, .ctx = &m,
	};
	struct chaos_pv_start_params sp = {
		.cmdline = cmdline,
		.shared_info_mfn = shell->shared_info_mfn,
		.console_mfn = shell->p2m[lay->console_pfn],
		.console_evtchn = shell->console_port,
		.ramdisk_bytes = ramdisk_len,
		.flags = img->mod_start_pfn ? SIF_MOD_START_PFN : 0,
	};
	uint64_t t0 = chaos_now_us(), t1;
	int rc = -1;

	/* Everything the builder writes lies below the boot stack's end. */
	if (map_guest(host, shell, lay->stack_pfn + 1, &m, err))
		return -1;
	if (chaos_pv_load_segments(img, lay, &mem, err) ||
	    (ramdisk_len &&
	     chaos_pv_load_ramdisk(lay, &mem, ramdisk, ramdisk_len, err)))
		goto out;
	t1 = chaos_now_us();
	timing->load_us += t1 - t0;
	if (chaos_pv_write_p2m(lay, &mem, err) ||
	    chaos_pv_build_pagetables(lay, &mem, err) ||
	    chaos_pv_write_start_info(lay, &mem, &sp, err))
		goto out;
	timing->pagetables_us += chaos_now_us() - t1;
	rc = 0;
out:
	/* Unmap before pinning: Xen will not make a page with a writable
	 * mapping into a page table. */
	xenforeignmemory_unmap(host->fmem, m.base, m.pages);
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

static int set_boot_vcpu(chaos_host *host, struct chaos_shell *shell,
			 const struct chaos_pv_layout *lay, chaos_err *err)
{
	vcpu_guest_context_any_t ctx;
	struct mmuext_op pin = {
		.cmd = MMUEXT_PIN_L4_TABLE,
		.arg1.mfn = shell->p2m[chaos_pv_l4_pfn(lay)],
	};
	vcpu_guest_context_x86_64_t *c = &ctx.x64;

	/* Pinning validates the whole bootstrap tree now, so a bad table is
	 * our error here rather than a guest crash later. */
	if (xc_mmuext_op(host->xch, &pin, 1, shell->domid))
		return chaos_err_xen(err, host, errno,
				     "hypervisor rejected domain %u's page tables",
				     shell->domid);
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
	if (xc_vcpu_setcontext(host->xch, shell->domid, 0, &ctx))
		return chaos_err_xen(err, host, errno,
				     "cannot set domain %u's boot vCPU",
				     shell->domid);
	return 0;
}

int chaos_shell_boot(chaos_host *host, struct chaos_shell *shell,
		     const struct chaos_image *img, const void *ramdisk,
		     uint64_t ramdisk_len, const char *cmdline,
		     uint64_t *console_mfn, uint64_t *start_info_mfn,
		     chaos_create_timing *timing, chaos_err *err)
{
	struct chaos_pv_layout lay;
	uint64_t t0;

	if (chaos_pv_layout_compute(img, shell->nr_pages, ramdisk_len, &lay,
				    err))
		return -1;
	if (write_guest(host, shell, img, &lay, ramdisk, ramdisk_len, cmdline,
			timing, err))
		return -1;
	t0 = chaos_now_us();
	if (chaos_shell_init_shared_info(host, shell, err) ||
	    init_hypercall_page(host, shell, &lay, err) ||
	    set_boot_vcpu(host, shell, &lay, err))
		return -1;
	timing->pagetables_us += chaos_now_us() - t0;
	*console_mfn = shell->p2m[lay.console_pfn];
	*start_info_mfn = shell->p2m[lay.start_info_pfn];
	return 0;
}
