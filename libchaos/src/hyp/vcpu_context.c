// SPDX-License-Identifier: MIT
/*
 * Setting a vCPU's context through a buffer the host keeps. libxenctrl
 * bounces the 5 KiB context through two pages of hypercall memory that it
 * maps and unmaps on every call; in a PV dom0 each is a system call and
 * the unmap a trapped page-table write per page, in every create.
 */
#include <errno.h>
#include <string.h>
#include <xencall.h>

#include "hyp/hyp.h"

int chaos_host_vcpu_buffer(struct chaos_host *host)
{
	if (!host->vcpu_ctx && chaos_host_xcall(host, NULL) == 0)
		host->vcpu_ctx = xencall_alloc_buffer(host->xcall,
						      sizeof(vcpu_guest_context_any_t));
	return host->vcpu_ctx ? 0 : -1;
}

int chaos_vcpu_set_context(struct chaos_host *host, uint32_t domid,
			   uint32_t vcpu, const vcpu_guest_context_any_t *ctx)
{
	struct xen_domctl domctl = {
		.cmd = XEN_DOMCTL_setvcpucontext,
		.domain = (domid_t)domid,
	};

	/* No hypercall memory to keep: libxenctrl's way. */
	if (chaos_host_vcpu_buffer(host))
		return xc_vcpu_setcontext(host->xch, domid, vcpu,
					  (vcpu_guest_context_any_t *)ctx);
	memcpy(host->vcpu_ctx, ctx, sizeof(*ctx));
	domctl.u.vcpucontext.vcpu = vcpu;
	set_xen_guest_handle_raw(domctl.u.vcpucontext.ctxt,
				 &((vcpu_guest_context_any_t *)host->vcpu_ctx)->c);
	return xc_domctl(host->xch, &domctl);
}
