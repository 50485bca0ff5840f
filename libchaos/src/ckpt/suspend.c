// SPDX-License-Identifier: MIT
/*
 * Suspending a guest through its noxs power device or, served through
 * XenStore, its control/shutdown node; cancelling a suspend (the guest
 * goes on in the same domain).
 */
#include <errno.h>
#include <string.h>

#include <chaos/device.h>

#include "ckpt/ckpt.h"
#include "dev/dev.h"
#include "guest/guest.h"

static int is_suspended(const chaos_domain_info *info)
{
	return info->state == CHAOS_STATE_SHUTDOWN &&
	       info->shutdown_reason == SHUTDOWN_suspend;
}

int chaos_ckpt_require_suspended(chaos_host *host, uint32_t domid,
				 xc_domaininfo_t *xi, chaos_err *err)
{
	chaos_domain_info info;

	if (chaos_domain_get(host, domid, &info, err))
		return -1;
	if (!is_suspended(&info))
		return chaos_err_set(err, EINVAL, "domain %u is not suspended",
				     domid);
	if (xc_domain_getinfolist(host->xch, domid, 1, xi) != 1 ||
	    xi->domain != domid)
		return chaos_err_xen(err, host, errno, "cannot query domain %u",
				     domid);
	return 0;
}

int chaos_checkpoint_suspend(chaos_host *host, uint32_t domid,
			unsigned int timeout_ms, chaos_err *err)
{
	uint64_t start = chaos_now_us();
	chaos_domain_info info;
	uint64_t spent_ms;
	bool xenstore;

	if (domid == 0)
		return chaos_err_set(err, EPERM, "refusing to suspend Domain-0");
	if (chaos_domain_get(host, domid, &info, err))
		return -1;
	xenstore = guest_is_xenstore(host, domid, info.handle);
	if (is_suspended(&info))
		return xenstore ? chaos_ckpt_lend_disks(host, domid, true, err) : 0;
	if (info.state == CHAOS_STATE_SHUTDOWN || info.state == CHAOS_STATE_DYING)
		return chaos_err_set(err, EINVAL, "domain %u is %s", domid,
				     chaos_domain_state_name(info.state));
	if (info.state == CHAOS_STATE_PAUSED)
		return chaos_err_set(err, EINVAL,
				     "domain %u is paused: it cannot answer a suspend request",
				     domid);
	if (xenstore && timeout_ms < CHAOS_SUSPEND_XS_TIMEOUT_MS)
		timeout_ms = CHAOS_SUSPEND_XS_TIMEOUT_MS;
	if (!xenstore && !chaos_device_available(host))
		return chaos_err_set(err, ENODEV,
				     "suspending needs noxs (the patched hypervisor and the noxs module)");
	/* The guest answers, disconnects its devices, then stops itself. A
	 * XenStore guest clears the request when it takes it. */
	if (xenstore ? chaos_xs_guest_request(host, domid, "suspend", err) :
		       chaos_device_power(host, domid, CHAOS_POWER_SUSPEND,
					  timeout_ms, err))
		return -1;
	spent_ms = (chaos_now_us() - start) / 1000u;
	if (chaos_domain_wait_shutdown(host, domid,
				       spent_ms < timeout_ms ?
				       (unsigned int)(timeout_ms - spent_ms) : 1,
				       &info, err)) {
		/* Not taken: a guest that takes it later must not stop
		 * when nobody saves it. */
		if (xenstore)
			chaos_xs_guest_request(host, domid, "", NULL);
		return -1;
	}
	if (!is_suspended(&info))
		return chaos_err_set(err, EIO,
				     "domain %u acknowledged the suspend but stopped with reason %u",
				     domid, info.shutdown_reason);
	/* Stopped: its next domain (a restore, a migration's destination
	 * here) may serve the same disks. */
	if (xenstore)
		return chaos_ckpt_lend_disks(host, domid, true, err);
	return 0;
}

/* The suspend call returns 1 in the guest: "cancelled, same domain". */
static int set_suspend_return(chaos_host *host, uint32_t domid,
			      chaos_err *err)
{
	vcpu_guest_context_any_t ctx;

	if (xc_vcpu_getcontext(host->xch, domid, 0, &ctx))
		return chaos_err_xen(err, host, errno,
				     "cannot read domain %u's vCPU 0", domid);
	ctx.x64.user_regs.rax = 1;
	if (xc_vcpu_setcontext(host->xch, domid, 0, &ctx))
		return chaos_err_xen(err, host, errno,
				     "cannot set domain %u's vCPU 0", domid);
	return 0;
}

int chaos_ckpt_mark(chaos_host *host, uint32_t domid, uint8_t handle[16],
		    chaos_err *err)
{
	chaos_domain_info info;

	if (domid == 0)
		return chaos_err_set(err, EPERM, "refusing to checkpoint Domain-0");
	if (chaos_domain_get(host, domid, &info, err))
		return -1;
	memcpy(handle, info.handle, 16);
	return chaos_busy_take(host->state_dir, handle, err);
}

int chaos_checkpoint_resume(chaos_host *host, uint32_t domid, chaos_err *err)
{
	uint8_t handle[16];
	int mark, rc;

	/* Not under a live saver's feet: its mark says it is at work. */
	mark = chaos_ckpt_mark(host, domid, handle, err);
	if (mark < 0)
		return -1;
	rc = chaos_ckpt_resume(host, domid, err);
	if (rc == 0)
		chaos_busy_unkeep(host->state_dir, handle);
	chaos_busy_release(host->state_dir, handle, mark);
	return rc;
}

int chaos_ckpt_resume(chaos_host *host, uint32_t domid, chaos_err *err)
{
	struct xen_domctl domctl = {
		.cmd = XEN_DOMCTL_resumedomain,
		.domain = (domid_t)domid,
	};
	struct chaos_saveimg_devices dev;
	struct chaos_saveimg_config c;
	xc_domaininfo_t xi;

	if (chaos_ckpt_require_suspended(host, domid, &xi, err))
		return -1;
	if (guest_is_xenstore(host, domid, xi.handle)) {
		/* Its backends stayed; its frontends take up where they were
		 * (a cancelled suspend), and the disks are its own again. */
		if (chaos_ckpt_lend_disks(host, domid, false, err) ||
		    set_suspend_return(host, domid, err))
			return -1;
	} else if (chaos_travel_config(host, domid, xi.max_pages,
				       xi.max_vcpu_id + 1, &c, &dev, err) ||
		   chaos_ckpt_recreate_devices(host, domid, &c, err) ||
		   set_suspend_return(host, domid, err)) {
		return -1;
	}
	if (xc_domctl(host->xch, &domctl))
		return chaos_err_xen(err, host, errno,
				     "cannot resume domain %u", domid);
	return 0;
}
