/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_CONSOLE_H
#define CHAOS_CONSOLE_H

/*
 * Guest consoles, attached from dom0 without xenconsoled or XenStore: a
 * whole session (chaos_console_run), and the ring alone for a backend that
 * keeps many consoles itself. While chaosd runs it holds every chaos
 * guest's console; reach one through it with chaosd_console_attach
 * (chaosd.h) instead.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <chaos/api.h>
#include <chaos/error.h>
#include <chaos/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A guest's PV console, attached directly: dom0 maps the guest's console
 * ring and binds its event channel, with no xenconsoled and no XenStore.
 * Detaching unbinds, which returns the guest's port to the unbound state so
 * the console can be attached again later.
 */

#define CHAOS_CONSOLE_ESCAPE 0x1d /* Ctrl-] */

typedef struct chaos_console_opts {
	int in_fd;            /* keystrokes for the guest, or -1 for none */
	int out_fd;           /* where guest output goes */
	int escape_char;      /* byte on in_fd that detaches, or -1 */
	const char *until;    /* stop once the output contains this, or NULL */
	int timeout_ms;       /* give up after this long, or -1 for never */
} chaos_console_opts;

typedef enum chaos_console_end {
	CHAOS_CONSOLE_DETACHED,  /* escape key, or end of input with no guest */
	CHAOS_CONSOLE_MATCHED,   /* `until` was seen */
	CHAOS_CONSOLE_TIMEOUT,   /* timeout_ms passed */
	CHAOS_CONSOLE_GUEST_GONE,/* the domain shut down or was destroyed */
} chaos_console_end;

/*
 * Attach to the console of (domid) and copy its output to opts->out_fd and
 * opts->in_fd to it until one of the ends above, which goes to (*end).
 * The ring and event channel are the ones the builder gave the guest
 * (kept in its record). Blocks; the host is used only to check that the
 * guest still runs. On return the console is detached again.
 *
 * Returns 0 with *end set, or -1 with err set: EINVAL opts->until is 256
 * bytes or longer; as chaos_console_open() (ENOENT: not a guest chaos
 * built); the errno of mapping the ring or of binding its event
 * channel (which fails while another console, such as chaosd's, is
 * attached); or that of a failed write to out_fd (EPIPE, unless SIGPIPE
 * is ignored, kills the process instead).
 */
CHAOS_API int chaos_console_run(chaos_host *host, uint32_t domid,
				const chaos_console_opts *opts,
				chaos_console_end *end, chaos_err *err);

/*
 * A console's backend end, for a program that serves consoles itself
 * (chaosd holds every guest's): the guest's ring mapped and its event
 * channel bound, as the builder gave them to the guest (kept in its
 * record). Closing unbinds, which returns the guest's port to the unbound
 * state, so the console can be attached again (by chaos console, or by the
 * next backend).
 *
 * A console belongs to the host it was opened on and to that host's
 * thread. All consoles of one host share one event channel handle: one fd
 * to poll for all of them, and chaos_console_next_event says which one a
 * notification was for. Close a host's consoles before the host.
 */
typedef struct chaos_console chaos_console;

/*
 * Attach to domid's console. ENOENT: domid is not a guest chaos built
 * (no record, so no known console); ESRCH: no such domain; otherwise why
 * the ring could not be mapped or the channel bound (EBUSY and the like:
 * another console holds it).
 */
CHAOS_API int chaos_console_open(chaos_host *host, uint32_t domid,
				 chaos_console **out, chaos_err *err);
/* Unbind and unmap; NULL is fine. */
CHAOS_API void chaos_console_close(chaos_console *con);

/*
 * The fd to poll (POLLIN) for notifications, the same for every console of
 * the host and valid until the host is closed. When it is readable, call
 * chaos_console_next_event until it returns NULL.
 */
CHAOS_API int chaos_console_fd(const chaos_console *con);
/*
 * The next console of host that was notified, with the notification
 * acknowledged (so the fd can wake the caller again); NULL once none is
 * pending. Read and write that console: the guest produced output or made
 * room for input.
 *
 * Events are rate limited, as xenconsoled does: a console notified more
 * than CHAOS_CONSOLE_EVENTS_MAX times within CHAOS_CONSOLE_PERIOD_MS is
 * still returned, but its notifications are not acknowledged until the
 * period is over, so a guest that floods its channel cannot make its
 * backend spin. The first call after that returns the console again with
 * its notifications acknowledged. So call this at least every
 * CHAOS_CONSOLE_PERIOD_MS while consoles are held, even when the fd stays
 * quiet.
 */
#define CHAOS_CONSOLE_EVENTS_MAX  30
#define CHAOS_CONSOLE_PERIOD_MS   200
CHAOS_API chaos_console *chaos_console_next_event(chaos_host *host);

/*
 * Take up to cap bytes of the guest's output (at most one ring's worth,
 * what does not fit stays in the ring) and tell the guest there is room
 * again. *corrupt: the guest's indexes were impossible and the ring was
 * skipped (0 returned).
 */
CHAOS_API size_t chaos_console_read(chaos_console *con, char *buf,
				    size_t cap, bool *corrupt);
/* Give the guest up to len bytes of input and notify it; returns how many
 * fit (a guest that does not read its input gets no more). */
CHAOS_API size_t chaos_console_write(chaos_console *con, const char *buf,
				     size_t len);

/*
 * The ring alone (what chaos_console_read and chaos_console_write use on
 * the mapped page). ring_page is the guest's mapped console page. The
 * guest writes the indexes at any time; bad ones are never trusted as
 * lengths. These calls neither block nor notify the guest (the caller
 * does, on its event channel). One thread at a time per ring; different
 * rings are independent.
 */
#define CHAOS_CONSOLE_OUT_RING 2048   /* bytes of output the ring holds */

/*
 * Take up to (cap) bytes of the guest's output into (buf), at most one
 * ring's worth; what does not fit stays in the ring.
 *
 * Returns the number of bytes taken (0: nothing new). (*corrupt) is set
 * when the indexes were impossible: the ring's contents were then skipped
 * and 0 returned.
 */
CHAOS_API size_t chaos_console_ring_read(void *ring_page, char *buf, size_t cap,
					 bool *corrupt);
/* Give the guest up to (len) bytes of input from (buf). Returns how many
 * fit (0 when the ring is full or its indexes are impossible). */
CHAOS_API size_t chaos_console_ring_write(void *ring_page, const char *buf,
					  size_t len);

#ifdef __cplusplus
}
#endif

#endif
