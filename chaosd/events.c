// SPDX-License-Identifier: MIT
/* The event hub: subscribers, their queues and writes (events.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "event_queue.h"
#include "events.h"

#define DOMIDS 0x8000

struct subscriber {
	int fd;                  /* -1: free slot */
	uint32_t uid;
	struct event_queue q;
	uint8_t *frame;          /* the frame being written */
	size_t frame_len, frame_off;
};

struct events {
	struct subscriber sub[EVENTS_SUBSCRIBERS_MAX];
	unsigned int queue_len;
	uint64_t seq;
	bool synced;
	uint8_t known[DOMIDS / 8];    /* announced and not yet destroyed */
	uint8_t stopped[DOMIDS / 8];  /* its shutdown announced */
	uint8_t foreign[DOMIDS / 8];  /* not chaos's: never a guest */
	uint8_t present[DOMIDS / 8];  /* events_sync's scratch */
	uint32_t owner[DOMIDS];       /* of each known guest: who sees "gone" */
	/* and its name; DOMIDS of them, but calloc's pages are touched
	 * only for the domids used */
	char (*names)[CHAOS_NAME_MAX];
};

static void remember(struct events *ev, uint32_t domid, const char *name,
		     uint32_t owner)
{
	if (domid >= DOMIDS)
		return;
	ev->owner[domid] = owner;
	snprintf(ev->names[domid], CHAOS_NAME_MAX, "%s", name ? name : "");
}

static bool bit(const uint8_t *set, uint32_t domid)
{
	return domid < DOMIDS && (set[domid / 8] >> (domid % 8)) & 1;
}

static void bit_set(uint8_t *set, uint32_t domid, bool on)
{
	if (domid >= DOMIDS)
		return;
	if (on)
		set[domid / 8] |= (uint8_t)(1u << (domid % 8));
	else
		set[domid / 8] &= (uint8_t)~(1u << (domid % 8));
}

int events_init(struct events **out, unsigned int queue_len, chaos_err *err)
{
	struct events *ev = calloc(1, sizeof(*ev));

	if (!ev)
		return derr(err, ENOMEM, "out of memory");
	ev->queue_len = queue_len;
	ev->names = calloc(DOMIDS, sizeof(*ev->names));
	if (!ev->names) {
		free(ev);
		return derr(err, ENOMEM, "out of memory");
	}
	for (int i = 0; i < EVENTS_SUBSCRIBERS_MAX; i++)
		ev->sub[i].fd = -1;
	*out = ev;
	return 0;
}

static void sub_drop(struct subscriber *s)
{
	close(s->fd);
	s->fd = -1;
	event_queue_free(&s->q);
	free(s->frame);
	s->frame = NULL;
	s->frame_len = s->frame_off = 0;
}

void events_free(struct events *ev)
{
	if (!ev)
		return;
	for (int i = 0; i < EVENTS_SUBSCRIBERS_MAX; i++)
		if (ev->sub[i].fd >= 0)
			sub_drop(&ev->sub[i]);
	free(ev->names);
	free(ev);
}

/* Write what the socket takes: the frame under way, then the next ones.
 * false: the subscriber is gone (dropped). */
static bool sub_flush(struct subscriber *s)
{
	for (;;) {
		chaosd_event e;
		char *json;
		size_t len;
		ssize_t n;

		if (s->frame_off == s->frame_len) {
			free(s->frame);
			s->frame = NULL;
			s->frame_len = s->frame_off = 0;
			if (!event_queue_pop(&s->q, &e))
				return true;
			if (chaosd_event_encode(&e, &json, &len, NULL))
				continue;  /* cannot happen for our own events */
			s->frame = malloc(len + 4);
			if (!s->frame) {
				free(json);
				sub_drop(s);
				return false;
			}
			chaosd_frame_header((uint32_t)len, s->frame);
			memcpy(s->frame + 4, json, len);
			free(json);
			s->frame_len = len + 4;
		}
		n = send(s->fd, s->frame + s->frame_off,
			 s->frame_len - s->frame_off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return true;
		if (n <= 0) {
			sub_drop(s);
			return false;
		}
		s->frame_off += (size_t)n;
	}
}

void events_emit(struct events *ev, chaosd_event_type type, uint32_t domid,
		 const char *name, uint32_t owner, const char *reason)
{
	struct timespec ts;
	chaosd_event e = { .type = type, .domid = domid, .owner = owner };

	clock_gettime(CLOCK_REALTIME, &ts);
	e.seq = ++ev->seq;
	e.time_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	snprintf(e.name, sizeof(e.name), "%s", name ? name : "");
	snprintf(e.reason, sizeof(e.reason), "%s", reason ? reason : "");
	switch (type) {
	case CHAOSD_EVENT_CREATED:
	case CHAOSD_EVENT_RESTORED:
	case CHAOSD_EVENT_MIGRATED_IN:
		bit_set(ev->known, domid, true);
		bit_set(ev->stopped, domid, false);
		remember(ev, domid, name, owner);
		break;
	case CHAOSD_EVENT_DESTROYED:
		bit_set(ev->known, domid, false);
		break;
	default:
		break;
	}
	for (int i = 0; i < EVENTS_SUBSCRIBERS_MAX; i++) {
		struct subscriber *s = &ev->sub[i];

		if (s->fd < 0 || (s->uid != 0 && s->uid != owner))
			continue;
		event_queue_push(&s->q, &e);
		sub_flush(s);
	}
}

const char *events_reason_name(unsigned int reason)
{
	switch (reason) {
	case CHAOS_SHUTDOWN_POWEROFF:
		return "poweroff";
	case CHAOS_SHUTDOWN_REBOOT:
		return "reboot";
	case CHAOS_SHUTDOWN_SUSPEND:
		return "suspend";
	case CHAOS_SHUTDOWN_CRASH:
		return "crash";
	case CHAOS_SHUTDOWN_WATCHDOG:
		return "watchdog";
	default:
		return "unknown";
	}
}

void events_stopped(struct events *ev, uint32_t domid, const char *name,
		    uint32_t owner, unsigned int reason)
{
	if (bit(ev->stopped, domid))
		return;
	bit_set(ev->stopped, domid, true);
	events_emit(ev, reason == CHAOS_SHUTDOWN_CRASH ||
			reason == CHAOS_SHUTDOWN_WATCHDOG ?
			CHAOSD_EVENT_CRASHED : CHAOSD_EVENT_SHUTDOWN,
		    domid, name, owner, events_reason_name(reason));
}

int events_subscribe(struct events *ev, int fd, uint32_t uid, chaos_err *err)
{
	for (int i = 0; i < EVENTS_SUBSCRIBERS_MAX; i++) {
		struct subscriber *s = &ev->sub[i];

		if (s->fd >= 0)
			continue;
		if (event_queue_init(&s->q, ev->queue_len))
			return derr(err, ENOMEM, "out of memory");
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &(int){ EVENTS_SNDBUF },
			   sizeof(int));
		s->fd = fd;
		s->uid = uid;
		return 0;
	}
	return derr(err, EBUSY, "busy: %d event subscribers already",
		    EVENTS_SUBSCRIBERS_MAX);
}

size_t events_pollfds(struct events *ev, struct pollfd *pfd, size_t max)
{
	size_t n = 0;

	for (int i = 0; i < EVENTS_SUBSCRIBERS_MAX && n < max; i++) {
		struct subscriber *s = &ev->sub[i];

		if (s->fd < 0)
			continue;
		pfd[n].fd = s->fd;
		/* POLLIN: a subscriber only ever closes (or misbehaves). */
		pfd[n].events = (short)(POLLIN |
			(s->frame || event_queue_pending(&s->q) ? POLLOUT : 0));
		pfd[n].revents = 0;
		n++;
	}
	return n;
}

void events_service(struct events *ev, const struct pollfd *pfd, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		struct subscriber *s = NULL;
		char buf[64];

		for (int i = 0; i < EVENTS_SUBSCRIBERS_MAX && !s; i++)
			if (ev->sub[i].fd == pfd[k].fd)
				s = &ev->sub[i];
		if (!s || !pfd[k].revents)
			continue;
		if (pfd[k].revents & (POLLIN | POLLHUP | POLLERR)) {
			/* A subscription carries no requests: whatever comes
			 * (or the end of the stream) ends it. */
			ssize_t r = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);

			if (r > 0 || r == 0 ||
			    (errno != EAGAIN && errno != EINTR)) {
				sub_drop(s);
				continue;
			}
		}
		if (pfd[k].revents & POLLOUT)
			sub_flush(s);
	}
}

bool events_room(const struct events *ev)
{
	for (int i = 0; i < EVENTS_SUBSCRIBERS_MAX; i++)
		if (ev->sub[i].fd < 0)
			return true;
	return false;
}

void events_sync(struct events *ev, chaos_host *host,
		 const chaos_domain_info *doms, size_t n,
		 const struct events_sync_filter *filter)
{
	uint8_t *present = ev->present;

	memset(present, 0, sizeof(ev->present));
	for (size_t i = 0; i < n; i++) {
		const chaos_domain_info *d = &doms[i];
		chaos_guest_info guest;

		if (d->domid == 0 || d->domid >= DOMIDS)
			continue;
		bit_set(present, d->domid, true);
		if (bit(ev->known, d->domid) || bit(ev->foreign, d->domid))
			continue;
		if (chaos_domain_handle_kind(d->handle) == CHAOS_KIND_FOREIGN) {
			bit_set(ev->foreign, d->domid, true);
			continue;
		}
		/* A pool shell, or a create whose record is not written
		 * yet: looked at again next time; likewise while a restore
		 * runs, which announces its guest itself. */
		if ((ev->synced && filter && filter->creating) ||
		    chaos_guest_get(host, d->domid, &guest, NULL))
			continue;
		if (!ev->synced) {
			bit_set(ev->known, d->domid, true);
			remember(ev, d->domid, guest.name, guest.owner);
			continue;
		}
		events_emit(ev, CHAOSD_EVENT_CREATED, d->domid, guest.name,
			    guest.owner, NULL);
		if (d->state == CHAOS_STATE_RUNNING ||
		    d->state == CHAOS_STATE_BLOCKED)
			events_emit(ev, CHAOSD_EVENT_STARTED, d->domid,
				    guest.name, guest.owner, NULL);
	}
	for (uint32_t domid = 1; domid < DOMIDS; domid++) {
		if (bit(present, domid) ||
		    (filter && filter->held && bit(ev->known, domid) &&
		     filter->held(filter->ctx, domid)))
			continue;
		bit_set(ev->foreign, domid, false);
		bit_set(ev->stopped, domid, false);
		if (bit(ev->known, domid))
			events_emit(ev, CHAOSD_EVENT_DESTROYED, domid,
				    ev->names[domid], ev->owner[domid], "gone");
	}
	ev->synced = true;
}

bool events_known(const struct events *ev, uint32_t domid)
{
	return domid > 0 && domid < DOMIDS && bit(ev->known, domid);
}
