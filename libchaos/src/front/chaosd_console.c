// SPDX-License-Identifier: MIT
/*
 * A guest's console through chaosd, once chaosd_console_attach has turned
 * the connection into a stream (docs/chaosd-protocol.md): guest output
 * from chaosd, keystrokes to it. Ends as chaos_console_run does.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <chaos/chaosd.h>
#include <chaos/console.h>

#include "front/front.h"

int chaosd_console_run(chaosd_conn *conn, const chaos_console_opts *opts,
		       chaos_console_end *end, chaos_err *err)
{
	long long deadline = opts->timeout_ms >= 0 ?
			     chaos_now_ms() + opts->timeout_ms : -1;
	struct console_match match = { .seen_len = 0 };
	int fd = chaosd_conn_fd(conn), in_open = opts->in_fd >= 0;

	if (opts->until && strlen(opts->until) >= CONSOLE_UNTIL_MAX)
		return chaos_err_set(err, EINVAL,
				     "console: match text longer than %d bytes",
				     CONSOLE_UNTIL_MAX - 1);
	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = in_open ? opts->in_fd : -1, .events = POLLIN },
		};
		int wait = -1;
		char buf[4096];
		ssize_t n;

		if (deadline >= 0) {
			long long left = deadline - chaos_now_ms();

			if (left <= 0) {
				*end = CHAOS_CONSOLE_TIMEOUT;
				return 0;
			}
			wait = left > 60000 ? 60000 : (int)left;
		}
		if (poll(fds, 2, wait) < 0) {
			if (errno == EINTR)
				continue;
			return chaos_err_set(err, errno, "poll: %s",
					     strerror(errno));
		}
		if (fds[0].revents) {
			n = read(fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				/* chaosd closes when the guest stopped (or
				 * when chaosd itself stops). */
				*end = CHAOS_CONSOLE_GUEST_GONE;
				return 0;
			}
			if (chaos_write_all(opts->out_fd, buf, (size_t)n))
				return chaos_err_set(err, errno,
						     "cannot write console output: %s",
						     strerror(errno));
			if (console_match_feed(&match, opts->until, buf,
					       (size_t)n)) {
				*end = CHAOS_CONSOLE_MATCHED;
				return 0;
			}
		}
		if (in_open && (fds[1].revents & (POLLIN | POLLHUP))) {
			char *esc;

			/* Small reads: the escape key is seen at once. */
			n = read(opts->in_fd, buf, 256);
			if (n <= 0) {
				in_open = 0;  /* end of input: keep showing output */
				continue;
			}
			esc = opts->escape_char >= 0 ?
			      memchr(buf, opts->escape_char, (size_t)n) : NULL;
			if (esc)
				n = esc - buf;
			if (n > 0 && chaos_write_all(fd, buf, (size_t)n))
				return chaos_err_set(err, errno,
						     "chaosd: console input: %s",
						     strerror(errno));
			if (esc) {
				*end = CHAOS_CONSOLE_DETACHED;
				return 0;
			}
		}
	}
}
