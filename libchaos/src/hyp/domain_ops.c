// SPDX-License-Identifier: MIT
/* Lifecycle operations on one domain: look up, pause, unpause, shut down,
 * destroy. Each checks the domain exists first so errors name it. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "hyp/hyp.h"

/* The public reasons are the hypervisor's, so they pass straight through. */
_Static_assert(CHAOS_SHUTDOWN_POWEROFF == SHUTDOWN_poweroff, "poweroff");
_Static_assert(CHAOS_SHUTDOWN_REBOOT == SHUTDOWN_reboot, "reboot");
_Static_assert(CHAOS_SHUTDOWN_SUSPEND == SHUTDOWN_suspend, "suspend");
_Static_assert(CHAOS_SHUTDOWN_CRASH == SHUTDOWN_crash, "crash");
_Static_assert(CHAOS_SHUTDOWN_WATCHDOG == SHUTDOWN_watchdog, "watchdog");
#include <chaos/domain.h>

#define KIB_PER_PAGE (XC_PAGE_SIZE / 1024)
/* How long chaos_domain_wait_shutdown looks every millisecond, not every 5. */
#define WAIT_FAST_MS 100

int chaos_domain_get(chaos_host *host, uint32_t domid, chaos_domain_info *out,
		     chaos_err *err)
{
	xc_domaininfo_t x;
	int n;

	if (domid >= DOMID_FIRST_RESERVED)
		return chaos_err_set(err, EINVAL, "domain id %u out of range",
				     domid);
	n = xc_domain_getinfolist(host->xch, domid, 1, &x);
	if (n < 0)
		return chaos_err_xen(err, host, errno,
				     "cannot query domain %u", domid);
	if (n == 0 || x.domain != domid)
		return chaos_err_set(err, ESRCH, "no domain %u", domid);
	memset(out, 0, sizeof(*out));
	out->domid = x.domain;
	out->state = chaos_domain_state_from_flags(x.flags);
	out->shutdown_reason = (x.flags >> XEN_DOMINF_shutdownshift) &
			       XEN_DOMINF_shutdownmask;
	out->mem_kib = x.tot_pages * KIB_PER_PAGE;
	out->max_mem_kib = x.max_pages * KIB_PER_PAGE;
	out->vcpus = x.nr_online_vcpus;
	out->cpu_time_ns = x.cpu_time;
	memcpy(out->handle, x.handle, sizeof(out->handle));
	return 0;
}

/* Domain 0 is never a target: chaos does not pause or kill its own host. */
static int check_target(chaos_host *host, uint32_t domid, const char *what,
			chaos_err *err)
{
	chaos_domain_info info;

	if (domid == 0)
		return chaos_err_set(err, EPERM, "refusing to %s Domain-0", what);
	return chaos_domain_get(host, domid, &info, err);
}

int chaos_domain_pause(chaos_host *host, uint32_t domid, chaos_err *err)
{
	if (check_target(host, domid, "pause", err))
		return -1;
	if (xc_domain_pause(host->xch, domid))
		return chaos_err_xen(err, host, errno, "cannot pause domain %u",
				     domid);
	return 0;
}

int chaos_domain_unpause(chaos_host *host, uint32_t domid, chaos_err *err)
{
	if (check_target(host, domid, "unpause", err))
		return -1;
	if (xc_domain_unpause(host->xch, domid))
		return chaos_err_xen(err, host, errno,
				     "cannot unpause domain %u", domid);
	return 0;
}

int chaos_domain_request_shutdown(chaos_host *host, uint32_t domid,
				  chaos_shutdown_reason reason,
				  chaos_err *err)
{
	if (check_target(host, domid, "shut down", err))
		return -1;
	if (xc_domain_shutdown(host->xch, domid, reason))
		return chaos_err_xen(err, host, errno,
				     "cannot shut down domain %u", domid);
	return 0;
}

int chaos_domain_wait_gone(chaos_host *host, uint32_t domid,
			   unsigned int timeout_ms, chaos_err *err)
{
	long long deadline = chaos_now_ms() + timeout_ms;
	chaos_domain_info info;
	chaos_err ignored;

	/* Our own mappings of its memory would keep it a zombie. */
	chaos_host_tidy(host);
	for (;;) {
		if (chaos_domain_get(host, domid, &info, &ignored)) {
			if (ignored.code == ESRCH)
				return 0;
			if (err)
				*err = ignored;
			return -1;
		}
		if (chaos_now_ms() >= deadline)
			return chaos_err_set(err, ETIMEDOUT,
					     "domain %u still %s after %u ms",
					     domid,
					     chaos_domain_state_name(info.state),
					     timeout_ms);
		usleep(2000);
	}
}

int chaos_domain_wait_shutdown(chaos_host *host, uint32_t domid,
			       unsigned int timeout_ms,
			       chaos_domain_info *info, chaos_err *err)
{
	long long start = chaos_now_ms(), deadline = start + timeout_ms;

	for (;;) {
		if (chaos_domain_get(host, domid, info, err))
			return -1;
		if (info->state == CHAOS_STATE_SHUTDOWN ||
		    info->state == CHAOS_STATE_DYING)
			return 0;
		if (chaos_now_ms() >= deadline)
			return chaos_err_set(err, ETIMEDOUT,
					     "domain %u did not shut down within %u ms",
					     domid, timeout_ms);
		/* A guest that acknowledged stops within milliseconds, and a
		 * suspend's downtime runs from then: look often at first. */
		usleep(chaos_now_ms() - start < WAIT_FAST_MS ? 1000 : 5000);
	}
}

int chaos_domain_kill(chaos_host *host, uint32_t domid, chaos_err *err)
{
	if (check_target(host, domid, "destroy", err))
		return -1;
	if (xc_domain_destroy(host->xch, domid))
		return chaos_err_xen(err, host, errno,
				     "cannot destroy domain %u", domid);
	/* Destruction is asynchronous; the caller wants the memory back. */
	return chaos_domain_wait_gone(host, domid, 10000, err);
}
