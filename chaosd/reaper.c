// SPDX-License-Identifier: MIT
/*
 * The reaper. The hypervisor raises VIRQ_DOM_EXC when a domain shuts down
 * or dies; the reaper thread only waits for it and pokes the serving loop,
 * which owns the guest records and names and applies the guests' actions.
 * If the virq cannot be bound (another dom0 process, e.g. xenstored, holds
 * it) the thread pokes the loop once a second instead.
 */
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
	chaos_watch *w = NULL;
	long long waited = 0;
	chaos_err err;

	if (d->no_virq)
		dlog("reaper: polling every %d ms", POLL_FALLBACK_MS);
	else if (chaos_watch_open(&w, &err))
		dlog("reaper: VIRQ_DOM_EXC unavailable (%s); polling every %d ms",
		     strerror(err.code), POLL_FALLBACK_MS);
	poke(d);  /* reap what shut down while no chaosd ran */
	while (!__atomic_load_n(&d->reaper_stop, __ATOMIC_ACQUIRE)) {
		struct pollfd p = { .fd = w ? chaos_watch_fd(w) : -1,
				    .events = POLLIN };
		int n = poll(&p, 1, STOP_CHECK_MS);

		if (n > 0 && w) {
			chaos_watch_ack(w);
			poke(d);
		} else if (!w) {
			waited += STOP_CHECK_MS;
			if (waited >= POLL_FALLBACK_MS) {
				waited = 0;
				poke(d);
			}
		}
	}
	chaos_watch_close(w);
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

/*
 * What killed chaos processes left (half-built guests, guests left
 * suspended) and backends whose domain went behind chaos's back.
 */
static void recover(struct daemon *d, const char *who, bool devices)
{
	chaos_recover_report rep;
	unsigned int collected = 0;
	chaos_err err;

	if (chaos_checkpoint_recover(d->host, &rep, &err))
		dlog("%s: recovery: %s", who, err.msg);
	else if (rep.destroyed || rep.resumed)
		dlog("%s: after a killed chaos process: %u half-built guest(s) destroyed, %u suspended guest(s) resumed",
		     who, rep.destroyed, rep.resumed);
	if (!devices)
		return;
	if (chaos_device_collect(d->host, &collected, &err))
		dlog("%s: devices: %s", who, err.msg);
	else if (collected)
		dlog("%s: devices of %u domain(s) that went behind chaos's back destroyed",
		     who, collected);
}

void reap_all(struct daemon *d)
{
	chaos_domain_info *doms;
	chaos_err err;
	size_t n;
	bool reaped = false, went;

	recover(d, "reaper", false);
	if (chaos_domain_list(d->host, &doms, &n, &err)) {
		dlog("reaper: %s", err.msg);
		return;
	}
	/* Fewer domains, or one dying: maybe backends to collect. */
	went = n < d->last_domains;
	for (size_t i = 0; i < n; i++)
		went |= doms[i].state == CHAOS_STATE_DYING;
	d->last_domains = n;
	if (went)
		recover(d, "reaper", true);
	for (size_t i = 0; i < n; i++) {
		chaos_guest_info guest;

		if (doms[i].domid == 0 || doms[i].state != CHAOS_STATE_SHUTDOWN)
			continue;
		/* Only guests chaos built (they have a record). */
		if (chaos_guest_get(d->host, doms[i].domid, &guest, NULL))
			continue;
		/* A preserved guest stays shut down: reap it once only. */
		if ((doms[i].shutdown_reason == CHAOS_SHUTDOWN_POWEROFF &&
		     guest.on_poweroff == CHAOS_ACTION_PRESERVE) ||
		    (doms[i].shutdown_reason == CHAOS_SHUTDOWN_REBOOT &&
		     guest.on_reboot == CHAOS_ACTION_PRESERVE))
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
	/* Names of guests that went (reaped, or destroyed behind our back). */
	if (reaped && chaos_host_prune(d->host, &err))
		dlog("reaper: names: %s", err.msg);
}

int daemon_adopt(struct daemon *d, chaos_err *err)
{
	chaos_domain_info *doms;
	unsigned int guests = 0, shells = 0;
	size_t n;

	recover(d, "adopt", true);
	if (chaos_domain_list(d->host, &doms, &n, err))
		return -1;
	for (size_t i = 0; i < n; i++) {
		chaos_guest_info guest;
		chaos_err kerr;

		if (doms[i].domid == 0 ||
		    chaos_domain_handle_kind(doms[i].handle) != CHAOS_KIND_SHELL)
			continue;
		if (chaos_guest_get(d->host, doms[i].domid, &guest, NULL) == 0) {
			guests++;  /* a shell that became a guest: keep it */
			continue;
		}
		/* A shell of an earlier chaosd, or a create it did not
		 * finish: nobody owns it. */
		if (chaos_shell_reclaim(d->host, doms[i].domid, &kerr))
			dlog("adopt: cannot destroy leftover shell %u: %s",
			     doms[i].domid, kerr.msg);
		else
			shells++;
	}
	free(doms);
	/* Names whose domain went while no chaosd ran. */
	if (chaos_host_prune(d->host, err))
		return -1;
	dlog("adopted %u pooled guests, destroyed %u leftover shells", guests,
	     shells);
	return 0;
}
