// SPDX-License-Identifier: MIT
/* A console attached directly (chaos console without chaosd): the guest's
 * ring through a console handle (console_backend.c), copied to and from the
 * caller's fds until one of the ends in console.h. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "dev/dev.h"
#include <chaos/console.h>
#include <chaos/domain.h>

#define POLL_MS 100

struct console {
	chaos_console *con;
	int ring_corrupt_reported;
	struct console_match match;
};

/* Drain the guest's output ring (console_ring.c checks its indexes). */
static int drain_output(struct console *c, const chaos_console_opts *opts,
			int *matched)
{
	char chunk[CHAOS_CONSOLE_OUT_RING];
	bool corrupt;
	size_t n = chaos_console_read(c->con, chunk, sizeof(chunk), &corrupt);

	if (corrupt) {
		if (!c->ring_corrupt_reported) {
			static const char msg[] =
				"\r\n[chaos: console ring indexes are corrupt; skipping]\r\n";
			chaos_write_all(opts->out_fd, msg, sizeof(msg) - 1);
			c->ring_corrupt_reported = 1;
		}
		return 1;
	}
	if (n == 0)
		return 0;
	if (chaos_write_all(opts->out_fd, chunk, n))
		return -1;
	if (console_match_feed(&c->match, opts->until, chunk, n))
		*matched = 1;
	return 1;
}

static int guest_alive(chaos_host *host, uint32_t domid)
{
	chaos_domain_info info;

	if (chaos_domain_get(host, domid, &info, NULL))
		return 0;
	return info.state != CHAOS_STATE_SHUTDOWN &&
	       info.state != CHAOS_STATE_DYING;
}

static int console_loop(chaos_host *host, uint32_t domid, struct console *c,
			const chaos_console_opts *opts, chaos_console_end *end,
			chaos_err *err)
{
	long long deadline = opts->timeout_ms >= 0 ?
			     chaos_now_ms() + opts->timeout_ms : -1;
	int in_open = opts->in_fd >= 0;

	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = chaos_console_fd(c->con), .events = POLLIN },
			{ .fd = in_open ? opts->in_fd : -1, .events = POLLIN },
		};
		int matched = 0, wait = POLL_MS;

		if (drain_output(c, opts, &matched) < 0)
			return chaos_err_set(err, errno, "cannot write console output: %s",
					     strerror(errno));
		if (matched) {
			*end = CHAOS_CONSOLE_MATCHED;
			return 0;
		}
		if (deadline >= 0) {
			long long left = deadline - chaos_now_ms();

			if (left <= 0) {
				*end = CHAOS_CONSOLE_TIMEOUT;
				return 0;
			}
			if (left < wait)
				wait = (int)left;
		}
		if (poll(fds, 2, wait) < 0 && errno != EINTR)
			return chaos_err_set(err, errno, "poll: %s", strerror(errno));
		/* Every pass, not only when the fd is readable: a console
		 * held by the event rate limit is released here. */
		while (chaos_console_next_event(host))
			;   /* one console: output is drained above */
		if (in_open && (fds[1].revents & (POLLIN | POLLHUP))) {
			char buf[256];
			ssize_t n = read(opts->in_fd, buf, sizeof(buf));

			if (n <= 0) {
				in_open = 0; /* end of input: keep showing output */
			} else {
				char *esc = opts->escape_char >= 0 ?
					    memchr(buf, opts->escape_char, (size_t)n) :
					    NULL;

				if (esc) {
					chaos_console_write(c->con, buf,
							    (size_t)(esc - buf));
					*end = CHAOS_CONSOLE_DETACHED;
					return 0;
				}
				/* A guest that does not read may drop input. */
				chaos_console_write(c->con, buf, (size_t)n);
			}
		}
		if (!guest_alive(host, domid)) {
			drain_output(c, opts, &matched);
			*end = matched ? CHAOS_CONSOLE_MATCHED :
					 CHAOS_CONSOLE_GUEST_GONE;
			return 0;
		}
	}
}

int chaos_console_run(chaos_host *host, uint32_t domid,
		      const chaos_console_opts *opts, chaos_console_end *end,
		      chaos_err *err)
{
	struct console c = { 0 };
	int rc;

	if (opts->until && strlen(opts->until) >= CONSOLE_UNTIL_MAX)
		return chaos_err_set(err, EINVAL,
				     "console: match text longer than %d bytes",
				     CONSOLE_UNTIL_MAX - 1);
	/* The ring and port the builder gave the guest, from its record. */
	if (chaos_console_open(host, domid, &c.con, err))
		return -1;
	rc = console_loop(host, domid, &c, opts, end, err);
	/* Unbinding returns the guest's port to unbound: attachable again. */
	chaos_console_close(c.con);
	return rc;
}
