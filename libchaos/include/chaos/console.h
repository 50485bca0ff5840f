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
 * (ring_mfn) and (remote_port) are the ones the builder gave the guest
 * (kept in the domain's record). Blocks; the host is used only to check
 * that the guest still runs. On return the console is detached again.
 *
 * Returns 0 with *end set, or -1 with err set: EINVAL opts->until is 256
 * bytes or longer; the errno of mapping the ring or of binding its event
 * channel (which fails while another console, such as chaosd's, is
 * attached); or that of a failed write to out_fd (EPIPE, unless SIGPIPE
 * is ignored, kills the process instead).
 */
CHAOS_API int chaos_console_run(chaos_host *host, uint32_t domid,
				uint64_t ring_mfn, uint32_t remote_port,
				const chaos_console_opts *opts,
				chaos_console_end *end, chaos_err *err);

/*
 * The ring alone, for a backend that maps and binds consoles itself (chaosd
 * keeps many on one event channel handle). (ring_page) is the guest's
 * mapped console page. The guest writes the indexes at any time; bad ones
 * are never trusted as lengths. These calls neither block nor notify the
 * guest (the caller does, on its event channel). One thread at a time per
 * ring; different rings are independent.
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
