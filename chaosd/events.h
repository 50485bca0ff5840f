/* SPDX-License-Identifier: MIT */
#ifndef CHAOSD_EVENTS_H
#define CHAOSD_EVENTS_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <chaos/chaos.h>
#include <chaos/chaosd.h>

/*
 * The event hub: subscribers (connections that sent "subscribe") and what
 * chaosd tells them. The serving thread alone emits and writes (every op
 * and every reap runs there), so the hub has no lock. Each subscriber has
 * its own bounded queue (event_queue.h) and gets its frames by
 * non-blocking writes when its socket has room: a slow one loses events
 * (and is told how many), never slows chaosd or the others.
 *
 * Besides the events the ops emit, the hub keeps which domains it has
 * announced, so events_sync can report guests that came or went behind
 * chaosd's back (a direct create, xl destroy, a restart) from the
 * hypervisor's list.
 */
#define EVENTS_SUBSCRIBERS_MAX 32
#define EVENTS_QUEUE_LEN 1024      /* default; chaosd --events-queue */
/* The kernel's share of a subscriber's backlog stays small (it would
 * double it): the queue, bounded and counted, holds the rest. */
#define EVENTS_SNDBUF 16384

struct events;

/* An empty hub whose subscribers queue (queue_len) events each. */
int events_init(struct events **out, unsigned int queue_len, chaos_err *err);
/* Destructor: closes every subscriber. NULL is allowed. */
void events_free(struct events *ev);

/* Append an event for (domid) to every subscriber that may see it (root,
 * or the guest's owner); (name) and (reason) may be NULL. */
void events_emit(struct events *ev, chaosd_event_type type, uint32_t domid,
		 const char *name, uint32_t owner, const char *reason);
/* SHUTDOWN or CRASHED for a guest found shut down for (reason), once per
 * domain however often it is seen. */
void events_stopped(struct events *ev, uint32_t domid, const char *name,
		    uint32_t owner, unsigned int reason);
/* The name of a shutdown reason as events give it ("poweroff", ...). */
const char *events_reason_name(unsigned int reason);

/* Take (fd), a client that subscribed (its reply sent), as uid (uid).
 * -1 with err set (EBUSY) when the hub is full; fd is then the caller's. */
int events_subscribe(struct events *ev, int fd, uint32_t uid, chaos_err *err);
/* The subscribers' poll entries into (pfd), at most (max): returns how
 * many; events_service takes the same entries back after poll. */
size_t events_pollfds(struct events *ev, struct pollfd *pfd, size_t max);
void events_service(struct events *ev, const struct pollfd *pfd, size_t n);

/* Whether events_sync may announce now, per domain (held: a long
 * operation will announce it itself) and for new ones (creating: a
 * restore or an incoming migration is under way). */
struct events_sync_filter {
	bool creating;
	bool (*held)(void *ctx, uint32_t domid);
	void *ctx;
};

/* Compare the hypervisor's list (doms, n) with what was announced: a
 * guest chaos built that is new gets CREATED (and STARTED when it runs),
 * one that went gets DESTROYED ("gone"). The first call only learns.
 * (filter) may be NULL. */
void events_sync(struct events *ev, chaos_host *host,
		 const chaos_domain_info *doms, size_t n,
		 const struct events_sync_filter *filter);
/* Whether the hub has room for one more subscriber. */
bool events_room(const struct events *ev);
/* Whether domid's guest has been announced (created, or there at the
 * first sync) and not announced gone since. */
bool events_known(const struct events *ev, uint32_t domid);

#endif
