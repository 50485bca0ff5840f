// SPDX-License-Identifier: MIT
/* The PV console ring, read and written from dom0 directly. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include <xen/io/console.h>
#include <xenevtchn.h>
#include <chaos/console.h>
#include <chaos/domain.h>

#define POLL_MS 100
#define UNTIL_MAX 256

struct console {
	struct xencons_interface *ring;
	xenevtchn_handle *xce;
	evtchn_port_t local_port;
	int ring_corrupt_reported;
	/* The tail of the output seen so far, for `until` across reads. */
	char seen[2 * UNTIL_MAX];
	size_t seen_len;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Remember output so `until` can match across chunk boundaries. */
static int note_output(struct console *c, const char *buf, size_t len,
		       const char *until)
{
	size_t ulen, keep;

	if (!until)
		return 0;
	ulen = strlen(until);
	for (size_t i = 0; i < len; i++) {
		if (c->seen_len == sizeof(c->seen)) {
			keep = ulen;
			memmove(c->seen, c->seen + c->seen_len - keep, keep);
			c->seen_len = keep;
		}
		c->seen[c->seen_len++] = buf[i];
		if (c->seen_len >= ulen &&
		    !memcmp(c->seen + c->seen_len - ulen, until, ulen))
			return 1;
	}
	return 0;
}

/*
 * Drain the guest's output ring. The indexes are written by the guest and
 * therefore untrusted: a producer more than a ring ahead is a corrupt ring,
 * which we resynchronise instead of reading out of bounds.
 */
static int drain_output(struct console *c, const chaos_console_opts *opts,
			int *matched)
{
	XENCONS_RING_IDX cons = c->ring->out_cons;
	XENCONS_RING_IDX prod = __atomic_load_n(&c->ring->out_prod,
						__ATOMIC_ACQUIRE);
	char chunk[sizeof(c->ring->out)];
	size_t n = 0;

	if ((XENCONS_RING_IDX)(prod - cons) > sizeof(c->ring->out)) {
		if (!c->ring_corrupt_reported) {
			static const char msg[] =
				"\r\n[chaos: console ring indexes are corrupt; skipping]\r\n";
			write_all(opts->out_fd, msg, sizeof(msg) - 1);
			c->ring_corrupt_reported = 1;
		}
		__atomic_store_n(&c->ring->out_cons, prod, __ATOMIC_RELEASE);
		return 1;
	}
	while (cons != prod)
		chunk[n++] = c->ring->out[MASK_XENCONS_IDX(cons++, c->ring->out)];
	__atomic_store_n(&c->ring->out_cons, cons, __ATOMIC_RELEASE);
	if (n == 0)
		return 0;
	if (write_all(opts->out_fd, chunk, n))
		return -1;
	if (note_output(c, chunk, n, opts->until))
		*matched = 1;
	return 1;
}

/* Copy keystrokes into the guest's input ring; returns bytes accepted. */
static size_t push_input(struct console *c, const char *buf, size_t len)
{
	XENCONS_RING_IDX prod = c->ring->in_prod;
	XENCONS_RING_IDX cons = __atomic_load_n(&c->ring->in_cons,
						__ATOMIC_ACQUIRE);
	size_t done = 0;

	if ((XENCONS_RING_IDX)(prod - cons) > sizeof(c->ring->in))
		cons = prod - sizeof(c->ring->in); /* guest lied: treat as full */
	while (done < len && (XENCONS_RING_IDX)(prod - cons) < sizeof(c->ring->in))
		c->ring->in[MASK_XENCONS_IDX(prod++, c->ring->in)] = buf[done++];
	__atomic_store_n(&c->ring->in_prod, prod, __ATOMIC_RELEASE);
	return done;
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
			     now_ms() + opts->timeout_ms : -1;
	int in_open = opts->in_fd >= 0;

	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = xenevtchn_fd(c->xce), .events = POLLIN },
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
			long long left = deadline - now_ms();

			if (left <= 0) {
				*end = CHAOS_CONSOLE_TIMEOUT;
				return 0;
			}
			if (left < wait)
				wait = (int)left;
		}
		if (poll(fds, 2, wait) < 0 && errno != EINTR)
			return chaos_err_set(err, errno, "poll: %s", strerror(errno));
		if (fds[0].revents & POLLIN) {
			xenevtchn_port_or_error_t p = xenevtchn_pending(c->xce);

			if (p >= 0)
				xenevtchn_unmask(c->xce, (evtchn_port_t)p);
		}
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
					push_input(c, buf, (size_t)(esc - buf));
					xenevtchn_notify(c->xce, c->local_port);
					*end = CHAOS_CONSOLE_DETACHED;
					return 0;
				}
				/* A guest that does not read may drop input. */
				push_input(c, buf, (size_t)n);
			}
		}
		/* Tell the guest there is room again (and maybe input). */
		xenevtchn_notify(c->xce, c->local_port);
		if (!guest_alive(host, domid)) {
			drain_output(c, opts, &matched);
			*end = matched ? CHAOS_CONSOLE_MATCHED :
					 CHAOS_CONSOLE_GUEST_GONE;
			return 0;
		}
	}
}

int chaos_console_run(chaos_host *host, uint32_t domid, uint64_t ring_mfn,
		      uint32_t remote_port, const chaos_console_opts *opts,
		      chaos_console_end *end, chaos_err *err)
{
	struct console c = { 0 };
	xenforeignmemory_handle *fmem;
	xen_pfn_t mfn = (xen_pfn_t)ring_mfn;
	xenevtchn_port_or_error_t local;
	int map_err = 0, rc;

	if (opts->until && strlen(opts->until) >= UNTIL_MAX)
		return chaos_err_set(err, EINVAL,
				     "console: match text longer than %d bytes",
				     UNTIL_MAX - 1);
	fmem = xenforeignmemory_open(NULL, 0);
	if (!fmem)
		return chaos_err_set(err, errno, "cannot open foreign memory: %s",
				     strerror(errno));
	c.ring = xenforeignmemory_map(fmem, domid, PROT_READ | PROT_WRITE, 1,
				      &mfn, &map_err);
	if (!c.ring || map_err) {
		rc = chaos_err_set(err, map_err ? -map_err : errno,
				   "cannot map the console ring of domain %u",
				   domid);
		goto out_fmem;
	}
	c.xce = xenevtchn_open(NULL, 0);
	if (!c.xce) {
		rc = chaos_err_set(err, errno, "cannot open event channels: %s",
				   strerror(errno));
		goto out_unmap;
	}
	local = xenevtchn_bind_interdomain(c.xce, domid, remote_port);
	if (local < 0) {
		rc = chaos_err_set(err, errno,
				   "cannot bind console event channel %u of domain %u"
				   " (is another console attached?): %s",
				   remote_port, domid, strerror(errno));
		goto out_xce;
	}
	c.local_port = (evtchn_port_t)local;
	rc = console_loop(host, domid, &c, opts, end, err);
	xenevtchn_unbind(c.xce, c.local_port);
out_xce:
	xenevtchn_close(c.xce);
out_unmap:
	if (c.ring)
		xenforeignmemory_unmap(fmem, c.ring, 1);
out_fmem:
	xenforeignmemory_close(fmem);
	return rc;
}
