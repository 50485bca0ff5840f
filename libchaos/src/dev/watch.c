// SPDX-License-Identifier: MIT
/* VIRQ_DOM_EXC on an event channel handle of its own (watch.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "dev/dev.h"
#include <chaos/watch.h>

struct chaos_watch {
	struct chaos_quiet_logger log;
	xenevtchn_handle *xce;
	evtchn_port_t port;
};

int chaos_watch_open(chaos_watch **out, chaos_err *err)
{
	chaos_watch *w = calloc(1, sizeof(*w));
	xenevtchn_port_or_error_t port;
	int fd, fl, e;

	*out = NULL;
	if (!w)
		return chaos_err_set(err, ENOMEM, "out of memory");
	chaos_quiet_logger_init(&w->log);
	w->xce = xenevtchn_open(&w->log.vtable, 0);
	if (!w->xce) {
		e = errno;
		free(w);
		return chaos_err_set(err, e, "cannot open event channels: %s",
				     strerror(e));
	}
	port = xenevtchn_bind_virq(w->xce, VIRQ_DOM_EXC);
	if (port < 0) {
		e = errno;
		xenevtchn_close(w->xce);
		free(w);
		return chaos_err_set(err, e, "cannot bind VIRQ_DOM_EXC: %s",
				     strerror(e));
	}
	w->port = (evtchn_port_t)port;
	/* Non-blocking, so an acknowledgment stops at the last one. */
	fd = xenevtchn_fd(w->xce);
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK)) {
		e = errno;
		chaos_watch_close(w);
		return chaos_err_set(err, e, "event channel fd: %s",
				     strerror(e));
	}
	*out = w;
	return 0;
}

void chaos_watch_close(chaos_watch *w)
{
	if (!w)
		return;
	xenevtchn_unbind(w->xce, w->port);
	xenevtchn_close(w->xce);
	free(w);
}

int chaos_watch_fd(const chaos_watch *w)
{
	return xenevtchn_fd(w->xce);
}

int chaos_watch_ack(chaos_watch *w)
{
	int got = 0;

	for (;;) {
		xenevtchn_port_or_error_t p = xenevtchn_pending(w->xce);

		if (p < 0)
			return got;   /* EAGAIN: nothing more pending */
		xenevtchn_unmask(w->xce, (evtchn_port_t)p);
		got = 1;
	}
}
