/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_CONSOLE_H
#define CHAOS_CONSOLE_H

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
 * Run the console until one of the ends above. ring_mfn and remote_port are
 * the ones the builder gave the guest (kept in the domain's record).
 */
CHAOS_API int chaos_console_run(chaos_host *host, uint32_t domid,
				uint64_t ring_mfn, uint32_t remote_port,
				const chaos_console_opts *opts,
				chaos_console_end *end, chaos_err *err);

/*
 * The ring alone, for a backend that maps and binds consoles itself (chaosd
 * keeps many on one event channel handle). ring_page is the guest's mapped
 * console page. The guest writes the indexes at any time; bad ones are
 * never trusted as lengths.
 */
#define CHAOS_CONSOLE_OUT_RING 2048   /* bytes of output the ring holds */

/*
 * Take up to cap bytes of the guest's output (at most one ring's worth);
 * what does not fit stays in the ring. *corrupt: the indexes were
 * impossible, the ring was skipped (0 returned).
 */
CHAOS_API size_t chaos_console_ring_read(void *ring_page, char *buf, size_t cap,
					 bool *corrupt);
/* Give the guest up to len bytes of input; returns how many fit. */
CHAOS_API size_t chaos_console_ring_write(void *ring_page, const char *buf,
					  size_t len);

#ifdef __cplusplus
}
#endif

#endif
