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
#include <time.h>
#include <unistd.h>

#include "consoles.h"
#include "daemon.h"
#include "events.h"
#include "jobs.h"
#include "restart_limit.h"

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

/* Set by reap_all when a chaos domain shut down before its builder wrote
 * its record (a create runs the guest first, finding 19): look again on
 * the next tick, as no VIRQ_DOM_EXC will come for it. */
static bool recheck;

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
		} else if (__atomic_exchange_n(&recheck, false,
					       __ATOMIC_ACQ_REL)) {
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
	pthread_setname_np(d->reaper, "chaosd-reaper");
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

/* Backends whose domain went behind chaos's back. */
static void collect_devices(struct daemon *d, const char *who)
{
	unsigned int collected = 0;
	chaos_err err;

	if (chaos_device_collect(d->host, &collected, &err))
		dlog("%s: devices: %s", who, err.msg);
	else if (collected)
		dlog("%s: devices of %u domain(s) that went behind chaos's back destroyed",
		     who, collected);
}

/*
 * What killed chaos processes left (half-built guests, guests left
 * suspended) and, with (devices), backends whose domain went.
 */
static void recover(struct daemon *d, const char *who, bool devices)
{
	chaos_recover_report rep;
	chaos_err err;

	if (chaos_checkpoint_recover(d->host, &rep, &err))
		dlog("%s: recovery: %s", who, err.msg);
	else if (rep.destroyed || rep.resumed)
		dlog("%s: after a killed chaos process: %u half-built guest(s) destroyed, %u suspended guest(s) resumed",
		     who, rep.destroyed, rep.resumed);
	if (devices)
		collect_devices(d, who);
}

/* The action a shut-down guest's record asks for its shutdown reason. */
static chaos_config_action action_for(const chaos_domain_info *dom,
				      const chaos_guest_info *guest)
{
	switch (dom->shutdown_reason) {
	case CHAOS_SHUTDOWN_POWEROFF:
		return guest->on_poweroff;
	case CHAOS_SHUTDOWN_REBOOT:
		return guest->on_reboot;
	default:
		return guest->on_crash;
	}
}

/* The serving thread's alone, like reap_all. */
static struct restart_limit restarts;

/*
 * A guest to restart that restarted too often lately (finding 15): it is
 * destroyed instead, and said so once. True when it was refused.
 */
static bool too_fast(struct daemon *d, const chaos_domain_info *dom,
		     const char *name, const char *key)
{
	chaos_err err;

	if (restart_limit_allow(&restarts, key, chaos_clock_ms()))
		return false;
	restart_limit_forget(&restarts, key);
	consoles_reap(d->consoles, dom->domid);
	if (chaos_guest_destroy(d->host, dom->domid, &err))
		dlog("reaper: domain %u (%s): restarting too fast, and cannot destroy it: %s",
		     dom->domid, name, err.msg);
	else
		dlog("reaper: domain %u (%s) shut down (reason %u) after %d restarts within %lld s: restarting too fast, destroyed instead",
		     dom->domid, name, dom->shutdown_reason, RESTART_LIMIT,
		     RESTART_WINDOW_MS / 1000);
	return true;
}

static bool held_by_job(void *ctx, uint32_t domid)
{
	return jobs_holding(ctx, domid) != NULL;
}

/* events_sync, leaving to the long operations the guests they hold and
 * the ones they make. */
static void sync_with(struct daemon *d, const chaos_domain_info *doms,
		      size_t n)
{
	struct events_sync_filter filter = {
		.creating = jobs_creating(d), .held = held_by_job, .ctx = d,
	};

	events_sync(d->events, d->host, doms, n, &filter);
	d->last_sync_ms = chaos_clock_ms();
}

void reap_all(struct daemon *d)
{
	chaos_domain_info *doms;
	chaos_err err;
	size_t n;
	bool reaped = false, creating;

	recover(d, "reaper", false);
	if (chaos_domain_list_unnamed(d->host, &doms, &n, &err)) {
		dlog("reaper: %s", err.msg);
		return;
	}
	/* Pool shells someone else destroyed (`xl destroy` of a shell's
	 * id): out of the pool before a create takes one, their devices
	 * collected below. */
	pool_drop_gone(&d->pool, d->host, doms, n);
	/*
	 * Backends of domains that went, on every pass: a domain made and
	 * destroyed between two passes changes no count and is never seen
	 * dying (chaosd-orphans failed so once). The collector lists the
	 * devices before the domains, so it is safe at any moment.
	 */
	collect_devices(d, "reaper");
	sync_with(d, doms, n);
	creating = jobs_creating(d);
	for (size_t i = 0; i < n; i++) {
		chaos_guest_info guest;
		chaos_domain_info dead;
		chaos_config_action action;
		const char *name;

		if (doms[i].domid == 0 || doms[i].state != CHAOS_STATE_SHUTDOWN)
			continue;
		/* Only guests chaos built (they have a record). */
		if (chaos_guest_get(d->host, doms[i].domid, &guest, NULL)) {
			if (chaos_domain_handle_kind(doms[i].handle) !=
			    CHAOS_KIND_FOREIGN)
				__atomic_store_n(&recheck, true,
						 __ATOMIC_RELEASE);
			continue;
		}
		/* Stopped before its create (or restore) was announced: it
		 * is reaped once that job is collected, so that its events
		 * come in order (created, started, then stopped). */
		if (creating && !events_known(d->events, doms[i].domid)) {
			d->reap_after_jobs = true;
			continue;
		}
		/* A preserved guest stays shut down, a suspended one waits
		 * for its saver: nothing to do, on no pass (the console
		 * thread lets go of their consoles itself). */
		action = action_for(&doms[i], &guest);
		/* Told once, preserved guests too; a suspend is its saver's. */
		if (doms[i].shutdown_reason != CHAOS_SHUTDOWN_SUSPEND)
			events_stopped(d->events, doms[i].domid, guest.name,
				       guest.owner, doms[i].shutdown_reason);
		if (action == CHAOS_ACTION_PRESERVE ||
		    doms[i].shutdown_reason == CHAOS_SHUTDOWN_SUSPEND)
			continue;
		/* Listed without names (cheap on every pass): its record's. */
		snprintf(doms[i].name, sizeof(doms[i].name), "%s", guest.name);
		name = chaos_domain_display_name(&doms[i]);
		/* A restart keeps the name, or for an unnamed guest the
		 * config it is built from: that tells restarts apart. */
		if (action == CHAOS_ACTION_RESTART &&
		    too_fast(d, &doms[i], name,
			     guest.name[0] ? guest.name : guest.config_path)) {
			events_emit(d->events, CHAOSD_EVENT_DESTROYED,
				    doms[i].domid, guest.name, guest.owner,
				    events_reason_name(doms[i].shutdown_reason));
			reaped = true;
			continue;
		}
		/* Its console first: a mapped ring would keep it dying. */
		consoles_reap(d->consoles, doms[i].domid);
		if (chaos_guest_reap(d->host, doms[i].domid, &err))
			dlog("reaper: domain %u: %s", doms[i].domid, err.msg);
		else
			dlog("reaper: domain %u (%s) shut down (reason %u), action applied",
			     doms[i].domid, name, doms[i].shutdown_reason);
		/* Destroyed, or restarted in a new domain (announced by
		 * events_resync below). */
		if (action != CHAOS_ACTION_PRESERVE &&
		    chaos_domain_get(d->host, doms[i].domid, &dead, NULL))
			events_emit(d->events, CHAOSD_EVENT_DESTROYED,
				    doms[i].domid, guest.name, guest.owner,
				    events_reason_name(doms[i].shutdown_reason));
		reaped = true;
	}
	free(doms);
	if (reaped)
		consoles_poke(d->consoles);  /* a restarted guest is new */
	/* Names of guests that went (reaped, or destroyed behind our back). */
	if (reaped && chaos_host_prune(d->host, &err))
		dlog("reaper: names: %s", err.msg);
	if (reaped)
		events_resync(d);
}

void events_resync(struct daemon *d)
{
	chaos_domain_info *doms;
	chaos_err err;
	size_t n;

	if (chaos_domain_list_unnamed(d->host, &doms, &n, &err)) {
		dlog("events: %s", err.msg);
		return;
	}
	sync_with(d, doms, n);
	free(doms);
}

int daemon_adopt(struct daemon *d, chaos_err *err)
{
	chaos_domain_info *doms;
	unsigned int guests = 0, shells = 0;
	size_t n;

	recover(d, "adopt", true);
	if (chaos_domain_list_unnamed(d->host, &doms, &n, err))
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
	events_resync(d);  /* the guests there are now: no events for them */
	return 0;
}
