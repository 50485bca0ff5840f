// SPDX-License-Identifier: MIT
/*
 * The reaper. The hypervisor raises VIRQ_DOM_EXC when a domain shuts down
 * or dies; the reaper thread only waits for it and pokes the serving loop,
 * which owns the guest records and names and applies the guests' actions.
 * If the virq cannot be bound (another dom0 process, e.g. xenstored, holds
 * it) the thread pokes the loop once a second instead.
 */
/* xenctrl.h first: it selects the current Xen interface version. */
#include <xenctrl.h>
#include <xenevtchn.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "consoles.h"
#include "daemon.h"

#define POLL_FALLBACK_MS 1000
#define STOP_CHECK_MS 500

static void poke(struct daemon *d)
{
	char c = 'r';

	if (write(d->wake_wr, &c, 1) < 0) {
		/* Pipe full: a wake-up is pending anyway. */
	}
	/* A domain that stopped or died must let go of its console. */
	consoles_poke(d->consoles);
}

static void *reaper_main(void *arg)
{
	struct daemon *d = arg;
	xenevtchn_handle *xce = d->no_virq ? NULL : xenevtchn_open(NULL, 0);
	xenevtchn_port_or_error_t port = -1;
	long long waited = 0;

	errno = 0;
	if (xce)
		port = xenevtchn_bind_virq(xce, VIRQ_DOM_EXC);
	if (port < 0 && d->no_virq)
		dlog("reaper: polling every %d ms", POLL_FALLBACK_MS);
	else if (port < 0)
		dlog("reaper: VIRQ_DOM_EXC unavailable (%s); polling every %d ms",
		     strerror(errno), POLL_FALLBACK_MS);
	poke(d);  /* reap what shut down while no chaosd ran */
	while (!__atomic_load_n(&d->reaper_stop, __ATOMIC_ACQUIRE)) {
		struct pollfd p = { .fd = port >= 0 ? xenevtchn_fd(xce) : -1,
				    .events = POLLIN };
		int n = poll(&p, 1, STOP_CHECK_MS);

		if (n > 0 && port >= 0) {
			xenevtchn_port_or_error_t got = xenevtchn_pending(xce);

			if (got >= 0)
				xenevtchn_unmask(xce, (evtchn_port_t)got);
			poke(d);
		} else if (port < 0) {
			waited += STOP_CHECK_MS;
			if (waited >= POLL_FALLBACK_MS) {
				waited = 0;
				poke(d);
			}
		}
	}
	if (port >= 0)
		xenevtchn_unbind(xce, (evtchn_port_t)port);
	if (xce)
		xenevtchn_close(xce);
	return NULL;
}

int reaper_start(struct daemon *d, chaos_err *err)
{
	int rc = pthread_create(&d->reaper, NULL, reaper_main, d);

	if (rc)
		return derr(err, rc, "cannot start the reaper: %s", strerror(rc));
	d->reaper_running = true;
	return 0;
}

void reaper_stop(struct daemon *d)
{
	if (!d->reaper_running)
		return;
	__atomic_store_n(&d->reaper_stop, true, __ATOMIC_RELEASE);
	pthread_join(d->reaper, NULL);
	d->reaper_running = false;
}

void reap_all(struct daemon *d)
{
	chaos_domain_info *doms;
	chaos_err err;
	size_t n;
	bool reaped = false;

	if (chaos_domain_list(d->host, &doms, &n, &err)) {
		dlog("reaper: %s", err.msg);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		chaos_domain_record rec;

		if (doms[i].domid == 0 || doms[i].state != CHAOS_STATE_SHUTDOWN)
			continue;
		/* Only guests chaos built (they have a record). */
		if (chaos_record_load(d->state_dir, doms[i].domid,
				      doms[i].handle, &rec, NULL))
			continue;
		/* A preserved guest stays shut down: reap it once only. */
		if ((doms[i].shutdown_reason == CHAOS_SHUTDOWN_POWEROFF &&
		     rec.on_poweroff == CHAOS_ACTION_PRESERVE) ||
		    (doms[i].shutdown_reason == CHAOS_SHUTDOWN_REBOOT &&
		     rec.on_reboot == CHAOS_ACTION_PRESERVE))
			continue;
		/* Its console first: a mapped ring would keep it dying. */
		consoles_detach(d->consoles, doms[i].domid);
		if (chaos_guest_reap(d->host, doms[i].domid, &err))
			dlog("reaper: domain %u: %s", doms[i].domid, err.msg);
		else
			dlog("reaper: domain %u (%s) shut down (reason %u), action applied",
			     doms[i].domid, chaos_domain_display_name(&doms[i]),
			     doms[i].shutdown_reason);
		reaped = true;
	}
	free(doms);
	if (reaped)
		consoles_poke(d->consoles);  /* a restarted guest is new */
	if (reaped && d->names &&
	    chaos_domain_list(d->host, &doms, &n, &err) == 0) {
		chaos_registry_prune(d->names, doms, n, NULL);
		free(doms);
	}
}

int daemon_adopt(struct daemon *d, chaos_err *err)
{
	chaos_domain_info *doms;
	unsigned int guests = 0, shells = 0;
	size_t n;

	if (chaos_domain_list(d->host, &doms, &n, err))
		return -1;
	for (size_t i = 0; i < n; i++) {
		chaos_domain_record rec;
		chaos_err kerr;

		if (doms[i].domid == 0 ||
		    chaos_domain_handle_kind(doms[i].handle) != CHAOS_KIND_SHELL)
			continue;
		if (chaos_record_load(d->state_dir, doms[i].domid,
				      doms[i].handle, &rec, NULL) == 0) {
			guests++;  /* a shell that became a guest: keep it */
			continue;
		}
		/* A shell of an earlier chaosd, or a create it did not
		 * finish: nobody owns it. */
		if (chaos_guest_destroy(d->host, doms[i].domid, &kerr))
			dlog("adopt: cannot destroy leftover shell %u: %s",
			     doms[i].domid, kerr.msg);
		else
			shells++;
	}
	free(doms);
	if (d->names && chaos_domain_list(d->host, &doms, &n, err) == 0) {
		chaos_registry_prune(d->names, doms, n, NULL);
		free(doms);
	}
	dlog("adopted %u pooled guests, destroyed %u leftover shells", guests,
	     shells);
	return 0;
}
