// SPDX-License-Identifier: MIT
/*
 * What a PV vCPU holds beyond vcpu_guest_context: the 32-bit fast system
 * call callbacks and vMCE state (XEN_DOMCTL_{get,set}_ext_vcpucontext),
 * the XSAVE state past the FXSAVE area with XCR0 ({get,set}vcpuextstate)
 * and the MSRs Xen lets a PV guest keep ({get,set}_vcpu_msrs). A guest
 * restored without them runs on with XCR0 reset (its AVX instructions
 * fault), its vector registers' upper halves zeroed and no callback for
 * a 32-bit program's SYSCALL or SYSENTER (Xen raises #UD or #GP in the
 * program instead). The order on the way in is libxenctrl's: the context
 * first (it resets the FPU from the FXSAVE area), then these.
 */
#include <errno.h>
#include <string.h>
#include <xencall.h>

#include "hyp/hyp.h"

/* Xen's PV XSAVE blob: XCR0 and XCR0_ACCUM, then the area. */
#define XSAVE_HEADER 16u

/* One buffer in hypercall memory for the XSAVE blob and the MSRs. */
struct ext_buffer {
	uint64_t xsave[CHAOS_VCPU_XSAVE_MAX / 8];
	xen_domctl_vcpu_msr_t msrs[CHAOS_VCPU_MSRS_MAX];
};

/* The host's, allocated on first use and kept until chaos_host_close:
 * hypercall memory is mapped and unmapped by system calls (and, in a PV
 * dom0, a trapped page-table write per page), which every vCPU of every
 * save and restore would pay again. */
static struct ext_buffer *ext_buffer(struct chaos_host *host, chaos_err *err)
{
	if (host->vcpu_ext)
		return host->vcpu_ext;
	if (chaos_host_xcall(host, err))
		return NULL;
	host->vcpu_ext = xencall_alloc_buffer(host->xcall,
					      sizeof(struct ext_buffer));
	if (!host->vcpu_ext)
		chaos_err_set(err, ENOMEM, "no hypercall memory for a vCPU's state");
	return host->vcpu_ext;
}

static int get_callbacks(struct chaos_host *host, uint32_t domid,
			 uint32_t vcpu, struct chaos_vcpu_ext *ext,
			 chaos_err *err)
{
	struct xen_domctl d = {
		.cmd = XEN_DOMCTL_get_ext_vcpucontext,
		.domain = (domid_t)domid,
	};
	const struct xen_domctl_ext_vcpucontext *e = &d.u.ext_vcpucontext;

	d.u.ext_vcpucontext.vcpu = vcpu;
	if (xc_domctl(host->xch, &d))
		return chaos_err_xen(err, host, errno,
				     "cannot read domain %u's vCPU %u callbacks",
				     domid, vcpu);
	ext->syscall32_eip = e->syscall32_callback_eip;
	ext->sysenter_eip = e->sysenter_callback_eip;
	ext->syscall32_cs = e->syscall32_callback_cs;
	ext->sysenter_cs = e->sysenter_callback_cs;
	ext->syscall32_disables_events = e->syscall32_disables_events;
	ext->sysenter_disables_events = e->sysenter_disables_events;
	ext->mcg_cap = e->vmce.caps;
	ext->mci_ctl2_bank0 = e->vmce.mci_ctl2_bank0;
	ext->mci_ctl2_bank1 = e->vmce.mci_ctl2_bank1;
	ext->mcg_ext_ctl = e->vmce.mcg_ext_ctl;
	return 0;
}

static int get_xsave(struct chaos_host *host, uint32_t domid, uint32_t vcpu,
		     struct ext_buffer *b, struct chaos_vcpu_ext *ext,
		     chaos_err *err)
{
	struct xen_domctl d = {
		.cmd = XEN_DOMCTL_getvcpuextstate,
		.domain = (domid_t)domid,
	};
	uint64_t mask;

	/* No buffer: the host's feature mask and the most it may write. */
	d.u.vcpuextstate.vcpu = vcpu;
	if (xc_domctl(host->xch, &d))
		return chaos_err_xen(err, host, errno,
				     "cannot ask the size of domain %u's vCPU %u XSAVE state",
				     domid, vcpu);
	mask = d.u.vcpuextstate.xfeature_mask;
	if (!mask) {
		ext->xsave_len = 0; /* a host without XSAVE */
		return 0;
	}
	if (d.u.vcpuextstate.size > CHAOS_VCPU_XSAVE_MAX)
		return chaos_err_set(err, E2BIG,
				     "domain %u's vCPU %u: this host's XSAVE state (%llu bytes, features %#llx) is more than an image holds (%u)",
				     domid, vcpu,
				     (unsigned long long)d.u.vcpuextstate.size,
				     (unsigned long long)mask, CHAOS_VCPU_XSAVE_MAX);
	memset(&d.u, 0, sizeof(d.u));
	d.u.vcpuextstate.vcpu = vcpu;
	d.u.vcpuextstate.xfeature_mask = mask;
	d.u.vcpuextstate.size = CHAOS_VCPU_XSAVE_MAX;
	set_xen_guest_handle_raw(d.u.vcpuextstate.buffer, b->xsave);
	if (xc_domctl(host->xch, &d))
		return chaos_err_xen(err, host, errno,
				     "cannot read domain %u's vCPU %u XSAVE state",
				     domid, vcpu);
	if (d.u.vcpuextstate.size < XSAVE_HEADER ||
	    d.u.vcpuextstate.size > CHAOS_VCPU_XSAVE_MAX)
		return chaos_err_set(err, EIO,
				     "domain %u's vCPU %u: the hypervisor wrote %llu bytes of XSAVE state",
				     domid, vcpu,
				     (unsigned long long)d.u.vcpuextstate.size);
	ext->xsave_len = (uint32_t)d.u.vcpuextstate.size;
	memcpy(ext->xsave, b->xsave, ext->xsave_len);
	return 0;
}

static int get_msrs(struct chaos_host *host, uint32_t domid, uint32_t vcpu,
		    struct ext_buffer *b, struct chaos_vcpu_ext *ext,
		    chaos_err *err)
{
	struct xen_domctl d = {
		.cmd = XEN_DOMCTL_get_vcpu_msrs,
		.domain = (domid_t)domid,
	};

	d.u.vcpu_msrs.vcpu = vcpu;
	d.u.vcpu_msrs.msr_count = CHAOS_VCPU_MSRS_MAX;
	set_xen_guest_handle_raw(d.u.vcpu_msrs.msrs, b->msrs);
	if (xc_domctl(host->xch, &d)) {
		if (errno == ENOBUFS)
			return chaos_err_set(err, E2BIG,
					     "domain %u's vCPU %u: %u MSRs to keep, an image holds %u",
					     domid, vcpu, d.u.vcpu_msrs.msr_count,
					     CHAOS_VCPU_MSRS_MAX);
		return chaos_err_xen(err, host, errno,
				     "cannot read domain %u's vCPU %u MSRs",
				     domid, vcpu);
	}
	if (d.u.vcpu_msrs.msr_count > CHAOS_VCPU_MSRS_MAX)
		return chaos_err_set(err, EIO,
				     "domain %u's vCPU %u: the hypervisor wrote %u MSRs",
				     domid, vcpu, d.u.vcpu_msrs.msr_count);
	ext->nr_msrs = d.u.vcpu_msrs.msr_count;
	for (uint32_t i = 0; i < ext->nr_msrs; i++) {
		ext->msrs[i].index = b->msrs[i].index;
		ext->msrs[i].value = b->msrs[i].value;
	}
	return 0;
}

int chaos_vcpu_get_ext(struct chaos_host *host, uint32_t domid,
		       uint32_t vcpu, struct chaos_vcpu_ext *ext,
		       chaos_err *err)
{
	struct ext_buffer *b;

	memset(ext, 0, sizeof(*ext));
	if (get_callbacks(host, domid, vcpu, ext, err))
		return -1;
	b = ext_buffer(host, err);
	if (!b)
		return -1;
	return get_xsave(host, domid, vcpu, b, ext, err) ||
	       get_msrs(host, domid, vcpu, b, ext, err) ? -1 : 0;
}

static int set_callbacks(struct chaos_host *host, uint32_t domid,
			 uint32_t vcpu, const struct chaos_vcpu_ext *ext,
			 chaos_err *err)
{
	struct xen_domctl d = {
		.cmd = XEN_DOMCTL_set_ext_vcpucontext,
		.domain = (domid_t)domid,
	};
	struct xen_domctl_ext_vcpucontext *e = &d.u.ext_vcpucontext;

	e->vcpu = vcpu;
	e->size = sizeof(*e);
	e->syscall32_callback_eip = ext->syscall32_eip;
	e->sysenter_callback_eip = ext->sysenter_eip;
	e->syscall32_callback_cs = ext->syscall32_cs;
	e->sysenter_callback_cs = ext->sysenter_cs;
	e->syscall32_disables_events = ext->syscall32_disables_events;
	e->sysenter_disables_events = ext->sysenter_disables_events;
	e->vmce.caps = ext->mcg_cap;
	e->vmce.mci_ctl2_bank0 = ext->mci_ctl2_bank0;
	e->vmce.mci_ctl2_bank1 = ext->mci_ctl2_bank1;
	e->vmce.mcg_ext_ctl = ext->mcg_ext_ctl;
	if (xc_domctl(host->xch, &d))
		return chaos_err_xen(err, host, errno,
				     "the hypervisor refused vCPU %u's callbacks or machine-check state (mcg_cap %#llx)",
				     vcpu, (unsigned long long)ext->mcg_cap);
	return 0;
}

static int set_xsave(struct chaos_host *host, uint32_t domid, uint32_t vcpu,
		     struct ext_buffer *b, const struct chaos_vcpu_ext *ext,
		     chaos_err *err)
{
	struct xen_domctl d = {
		.cmd = XEN_DOMCTL_setvcpuextstate,
		.domain = (domid_t)domid,
	};
	uint64_t xcr0_accum;

	if (!ext->xsave_len)
		return 0; /* saved on a host without XSAVE: the context has it all */
	memcpy(b->xsave, ext->xsave, ext->xsave_len);
	memcpy(&xcr0_accum, ext->xsave + 8, sizeof(xcr0_accum));
	d.u.vcpuextstate.vcpu = vcpu;
	d.u.vcpuextstate.size = ext->xsave_len;
	set_xen_guest_handle_raw(d.u.vcpuextstate.buffer, b->xsave);
	if (xc_domctl(host->xch, &d))
		return chaos_err_xen(err, host, errno,
				     "the hypervisor refused vCPU %u's XSAVE state (%u bytes, features %#llx): does this host have them?",
				     vcpu, ext->xsave_len,
				     (unsigned long long)xcr0_accum);
	return 0;
}

static int set_msrs(struct chaos_host *host, uint32_t domid, uint32_t vcpu,
		    struct ext_buffer *b, const struct chaos_vcpu_ext *ext,
		    chaos_err *err)
{
	struct xen_domctl d = {
		.cmd = XEN_DOMCTL_set_vcpu_msrs,
		.domain = (domid_t)domid,
	};

	if (!ext->nr_msrs)
		return 0;
	for (uint32_t i = 0; i < ext->nr_msrs; i++) {
		b->msrs[i].index = ext->msrs[i].index;
		b->msrs[i].reserved = 0;
		b->msrs[i].value = ext->msrs[i].value;
	}
	d.u.vcpu_msrs.vcpu = vcpu;
	d.u.vcpu_msrs.msr_count = ext->nr_msrs;
	set_xen_guest_handle_raw(d.u.vcpu_msrs.msrs, b->msrs);
	if (xc_domctl(host->xch, &d)) {
		int code = errno;
		uint32_t at = d.u.vcpu_msrs.msr_count;

		if (code == EINVAL && at < ext->nr_msrs)
			return chaos_err_xen(err, host, code,
					     "the hypervisor refused vCPU %u's MSR %#x = %#llx",
					     vcpu, ext->msrs[at].index,
					     (unsigned long long)ext->msrs[at].value);
		return chaos_err_xen(err, host, code,
				     "the hypervisor refused vCPU %u's MSRs", vcpu);
	}
	return 0;
}

int chaos_vcpu_set_ext(struct chaos_host *host, uint32_t domid,
		       uint32_t vcpu, const struct chaos_vcpu_ext *ext,
		       chaos_err *err)
{
	struct ext_buffer *b;

	if (set_callbacks(host, domid, vcpu, ext, err))
		return -1;
	if (!ext->xsave_len && !ext->nr_msrs)
		return 0;
	b = ext_buffer(host, err);
	if (!b)
		return -1;
	return set_xsave(host, domid, vcpu, b, ext, err) ||
	       set_msrs(host, domid, vcpu, b, ext, err) ? -1 : 0;
}
