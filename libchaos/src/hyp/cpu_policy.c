// SPDX-License-Identifier: MIT
/*
 * A domain's CPU as its guest sees it: the CPUID policy (with the MSRs
 * that belong to it) and the time stamp counter's settings. A guest reads
 * its CPU's features once, at boot, and uses them from then on: moved to
 * a host without one of them, its next such instruction faults. And an
 * emulated TSC restarted from zero runs backwards for it. So a checkpoint
 * carries both and the new domain gets them before it runs, as
 * libxenguest's streams do (X86_CPUID_POLICY, X86_MSR_POLICY, TSC_INFO).
 */
#include <errno.h>
#include <string.h>
#include <xencall.h>

#include "hyp/hyp.h"

_Static_assert(sizeof(struct chaos_cpu_leaf) == sizeof(xen_cpuid_leaf_t),
	       "a CPUID leaf is Xen's");
_Static_assert(sizeof(struct chaos_cpu_msr) == sizeof(xen_msr_entry_t),
	       "a policy MSR is Xen's");

/* Hypercall memory for one policy, for the length of one call. */
struct policy_buffer {
	xen_cpuid_leaf_t leaves[CHAOS_CPU_LEAVES_MAX];
	xen_msr_entry_t msrs[CHAOS_CPU_MSRS_MAX];
};

static struct policy_buffer *buffer_get(struct chaos_host *host,
					chaos_err *err)
{
	struct policy_buffer *b;

	if (chaos_host_xcall(host, err))
		return NULL;
	b = xencall_alloc_buffer(host->xcall, sizeof(*b));
	if (!b)
		chaos_err_set(err, ENOMEM, "no hypercall memory for a CPU policy");
	return b;
}

static void buffer_put(struct chaos_host *host, struct policy_buffer *b)
{
	xencall_free_buffer(host->xcall, b);
}

/* What the hypervisor wrote into b, nr_leaves and nr_msrs of it. */
static int take_policy(const struct policy_buffer *b, uint32_t nr_leaves,
		       uint32_t nr_msrs, struct chaos_cpu_policy *p,
		       const char *whose, chaos_err *err)
{
	if (nr_leaves > CHAOS_CPU_LEAVES_MAX || nr_msrs > CHAOS_CPU_MSRS_MAX)
		return chaos_err_set(err, EIO,
				     "%s CPU policy: the hypervisor wrote %u leaves and %u MSRs",
				     whose, nr_leaves, nr_msrs);
	memset(p, 0, sizeof(*p));
	p->nr_leaves = nr_leaves;
	p->nr_msrs = nr_msrs;
	memcpy(p->leaves, b->leaves, nr_leaves * sizeof(b->leaves[0]));
	memcpy(p->msrs, b->msrs, nr_msrs * sizeof(b->msrs[0]));
	return 0;
}

int chaos_cpu_get_domain(struct chaos_host *host, uint32_t domid,
			 struct chaos_cpu_state *cpu, chaos_err *err)
{
	struct xen_domctl d = {
		.cmd = XEN_DOMCTL_get_cpu_policy,
		.domain = (domid_t)domid,
	};
	struct policy_buffer *b;
	int rc;

	memset(cpu, 0, sizeof(*cpu));
	if (xc_domain_get_tsc_info(host->xch, domid, &cpu->tsc.mode,
				   &cpu->tsc.elapsed_nsec, &cpu->tsc.khz,
				   &cpu->tsc.incarnation))
		return chaos_err_xen(err, host, errno,
				     "cannot read domain %u's TSC settings", domid);
	b = buffer_get(host, err);
	if (!b)
		return -1;
	d.u.cpu_policy.nr_leaves = CHAOS_CPU_LEAVES_MAX;
	d.u.cpu_policy.nr_msrs = CHAOS_CPU_MSRS_MAX;
	set_xen_guest_handle_raw(d.u.cpu_policy.leaves, b->leaves);
	set_xen_guest_handle_raw(d.u.cpu_policy.msrs, b->msrs);
	if (xc_domctl(host->xch, &d)) {
		rc = errno == ENOBUFS ?
		     chaos_err_set(err, E2BIG,
				   "domain %u's CPU policy is more than an image holds (%u leaves, %u MSRs)",
				   domid, CHAOS_CPU_LEAVES_MAX, CHAOS_CPU_MSRS_MAX) :
		     chaos_err_xen(err, host, errno,
				   "cannot read domain %u's CPU policy", domid);
	} else {
		rc = take_policy(b, d.u.cpu_policy.nr_leaves,
				 d.u.cpu_policy.nr_msrs, &cpu->policy,
				 "the domain's", err);
	}
	buffer_put(host, b);
	return rc;
}

int chaos_cpu_get_pv_max(struct chaos_host *host,
			 struct chaos_cpu_policy *max, chaos_err *err)
{
	struct xen_sysctl s = { .cmd = XEN_SYSCTL_get_cpu_policy };
	struct policy_buffer *b = buffer_get(host, err);
	int rc;

	if (!b)
		return -1;
	s.u.cpu_policy.index = XEN_SYSCTL_cpu_policy_pv_max;
	s.u.cpu_policy.nr_leaves = CHAOS_CPU_LEAVES_MAX;
	s.u.cpu_policy.nr_msrs = CHAOS_CPU_MSRS_MAX;
	set_xen_guest_handle_raw(s.u.cpu_policy.leaves, b->leaves);
	set_xen_guest_handle_raw(s.u.cpu_policy.msrs, b->msrs);
	if (xc_sysctl(host->xch, &s))
		rc = chaos_err_xen(err, host, errno,
				   "cannot read the CPU features this host gives a PV guest");
	else
		rc = take_policy(b, s.u.cpu_policy.nr_leaves,
				 s.u.cpu_policy.nr_msrs, max, "this host's",
				 err);
	buffer_put(host, b);
	return rc;
}

int chaos_cpu_set_domain(struct chaos_host *host, uint32_t domid,
			 const struct chaos_cpu_state *cpu, chaos_err *err)
{
	struct xen_domctl d = {
		.cmd = XEN_DOMCTL_set_cpu_policy,
		.domain = (domid_t)domid,
	};
	const struct chaos_cpu_policy *p = &cpu->policy;
	struct policy_buffer *b;
	int rc = 0;

	if (p->nr_leaves > CHAOS_CPU_LEAVES_MAX ||
	    p->nr_msrs > CHAOS_CPU_MSRS_MAX)
		return chaos_err_set(err, EINVAL, "a CPU policy of %u leaves and %u MSRs",
				     p->nr_leaves, p->nr_msrs);
	b = buffer_get(host, err);
	if (!b)
		return -1;
	memcpy(b->leaves, p->leaves, p->nr_leaves * sizeof(b->leaves[0]));
	memcpy(b->msrs, p->msrs, p->nr_msrs * sizeof(b->msrs[0]));
	d.u.cpu_policy.nr_leaves = p->nr_leaves;
	d.u.cpu_policy.nr_msrs = p->nr_msrs;
	/* Written by the audit only: "none" unless it names one. */
	d.u.cpu_policy.err_leaf = ~0u;
	d.u.cpu_policy.err_subleaf = ~0u;
	d.u.cpu_policy.err_msr = ~0u;
	set_xen_guest_handle_raw(d.u.cpu_policy.leaves, b->leaves);
	set_xen_guest_handle_raw(d.u.cpu_policy.msrs, b->msrs);
	if (xc_domctl(host->xch, &d)) {
		const struct xen_domctl_cpu_policy *e = &d.u.cpu_policy;
		int code = errno;

		if (e->err_msr != ~0u)
			rc = chaos_err_xen(err, host, code,
					   "the hypervisor refused the guest's CPU policy at MSR %#x",
					   e->err_msr);
		else if (e->err_leaf != ~0u)
			rc = chaos_err_xen(err, host, code,
					   "the hypervisor refused the guest's CPU policy at CPUID leaf %#x subleaf %#x",
					   e->err_leaf, e->err_subleaf);
		else
			rc = chaos_err_xen(err, host, code,
					   "the hypervisor refused the guest's CPU policy");
	}
	buffer_put(host, b);
	if (rc)
		return -1;
	if (xc_domain_set_tsc_info(host->xch, domid, cpu->tsc.mode,
				   cpu->tsc.elapsed_nsec, cpu->tsc.khz,
				   cpu->tsc.incarnation))
		return chaos_err_xen(err, host, errno,
				     "the hypervisor refused the guest's TSC settings (mode %u, %u kHz)",
				     cpu->tsc.mode, cpu->tsc.khz);
	return 0;
}
