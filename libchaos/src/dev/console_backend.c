// SPDX-License-Identifier: MIT
/*
 * Being the backend of guests' consoles (console.h): map a guest's ring,
 * bind its event channel, read and write the ring, tell the guest. Every
 * console of one host shares the host's console event channel handle, so
 * a backend holding thousands of consoles polls one fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "dev/dev.h"
#include <chaos/console.h>
#include <chaos/domain.h>

/* The host's console event channel handle, opened on first use;
 * non-blocking, so draining notifications stops at the last one. */
static int host_evtchn(chaos_host *host, chaos_err *err)
{
	int fd, fl;

	if (host->console_xce)
		return 0;
	host->console_xce = xenevtchn_open(&host->log.vtable, 0);
	if (!host->console_xce)
		return chaos_err_set(err, errno, "cannot open event channels: %s",
				     strerror(errno));
	fd = xenevtchn_fd(host->console_xce);
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK)) {
		int e = errno;

		xenevtchn_close(host->console_xce);
		host->console_xce = NULL;
		return chaos_err_set(err, e, "event channel fd: %s",
				     strerror(e));
	}
	return 0;
}

int dev_console_attach(chaos_host *host, uint32_t domid, uint64_t ring_mfn,
		       uint32_t remote_port, chaos_console **out,
		       chaos_err *err)
{
	xen_pfn_t mfn = (xen_pfn_t)ring_mfn;
	xenevtchn_port_or_error_t local;
	chaos_console *con;
	int map_err = 0;

	*out = NULL;
	if (host_evtchn(host, err))
		return -1;
	con = calloc(1, sizeof(*con));
	if (!con)
		return chaos_err_set(err, ENOMEM, "console: out of memory");
	con->host = host;
	con->domid = domid;
	con->ring = xenforeignmemory_map(host->fmem, domid,
					 PROT_READ | PROT_WRITE, 1, &mfn,
					 &map_err);
	if (!con->ring || map_err) {
		int e = map_err ? -map_err : errno;

		if (con->ring)
			xenforeignmemory_unmap(host->fmem, con->ring, 1);
		free(con);
		return chaos_err_set(err, e,
				     "cannot map the console ring of domain %u: %s",
				     domid, strerror(e));
	}
	local = xenevtchn_bind_interdomain(host->console_xce, domid,
					   remote_port);
	if (local < 0) {
		int e = errno;

		xenforeignmemory_unmap(host->fmem, con->ring, 1);
		free(con);
		return chaos_err_set(err, e,
				     "cannot bind console channel %u of domain %u (is another console attached?): %s",
				     remote_port, domid, strerror(e));
	}
	con->port = (evtchn_port_t)local;
	con->bound = true;
	con->next = host->consoles;
	host->consoles = con;
	*out = con;
	return 0;
}

int chaos_console_open(chaos_host *host, uint32_t domid, chaos_console **out,
		       chaos_err *err)
{
	chaos_domain_record rec;
	chaos_domain_info info;

	*out = NULL;
	if (chaos_domain_get(host, domid, &info, err))
		return -1;
	/* Bound to the handle: a leftover of an earlier domain is no record. */
	if (chaos_record_load(chaos_host_state_dir(host), domid, info.handle,
			      &rec, NULL))
		return chaos_err_set(err, ENOENT,
				     "domain %u is not a guest chaos built (no record): its console is unknown",
				     domid);
	return dev_console_attach(host, domid, rec.console_mfn,
				  rec.console_port, out, err);
}

void chaos_console_close(chaos_console *con)
{
	chaos_host *host;

	if (!con)
		return;
	host = con->host;
	if (host) {
		for (chaos_console **p = &host->consoles; *p; p = &(*p)->next)
			if (*p == con) {
				*p = con->next;
				break;
			}
		if (con->throttle.masked)
			host->consoles_masked--;
		/* The guest's port goes back to unbound: attachable again. */
		if (con->bound)
			xenevtchn_unbind(host->console_xce, con->port);
		if (con->ring)
			xenforeignmemory_unmap(host->fmem, con->ring, 1);
	}
	free(con);
}

int chaos_console_fd(const chaos_console *con)
{
	if (!con->host || !con->host->console_xce)
		return -1;
	return xenevtchn_fd(con->host->console_xce);
}

/* A console the rate limit held whose period is over, its port unmasked;
 * NULL when none. */
static chaos_console *release_one(chaos_host *host, long long now)
{
	long long next = 0;

	if (!host->consoles_masked || now < host->console_release_ms)
		return NULL;
	for (chaos_console *con = host->consoles; con; con = con->next) {
		if (!con->throttle.masked)
			continue;
		if (console_throttle_release(&con->throttle, now)) {
			host->consoles_masked--;
			xenevtchn_unmask(host->console_xce, con->port);
			return con;
		}
		if (!next || con->throttle.period_end_ms < next)
			next = con->throttle.period_end_ms;
	}
	host->console_release_ms = next;
	return NULL;
}

chaos_console *chaos_console_next_event(chaos_host *host)
{
	xenevtchn_handle *xce = host->console_xce;
	long long now;
	chaos_console *con;

	if (!xce)
		return NULL;
	now = chaos_now_ms();
	if ((con = release_one(host, now)))
		return con;
	for (;;) {
		xenevtchn_port_or_error_t p = xenevtchn_pending(xce);

		if (p < 0)
			return NULL;   /* EAGAIN: nothing more pending */
		for (con = host->consoles; con; con = con->next)
			if (con->bound && con->port == (evtchn_port_t)p)
				break;
		if (!con) {
			/* A console closed since it was notified. */
			xenevtchn_unmask(xce, (evtchn_port_t)p);
			continue;
		}
		if (con->throttle.masked)
			return con;    /* held already (a stale entry) */
		if (console_throttle_event(&con->throttle, now)) {
			xenevtchn_unmask(xce, (evtchn_port_t)p);
		} else {
			/* Over its allowance: masked until its period ends. */
			if (!host->consoles_masked ||
			    con->throttle.period_end_ms < host->console_release_ms)
				host->console_release_ms =
					con->throttle.period_end_ms;
			host->consoles_masked++;
		}
		return con;
	}
}

static void notify(chaos_console *con)
{
	if (con->host && con->bound)
		xenevtchn_notify(con->host->console_xce, con->port);
}

size_t chaos_console_read(chaos_console *con, char *buf, size_t cap,
			  bool *corrupt)
{
	size_t n = chaos_console_ring_read(con->ring, buf, cap, corrupt);

	/* There is room again (a corrupt ring was emptied). */
	if (n || *corrupt)
		notify(con);
	return n;
}

size_t chaos_console_write(chaos_console *con, const char *buf, size_t len)
{
	size_t n = chaos_console_ring_write(con->ring, buf, len);

	if (n)
		notify(con);
	return n;
}
