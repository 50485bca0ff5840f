/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_CONSOLE_H
#define CHAOS_CONSOLE_H

#include <stdint.h>
#include <chaos/error.h>
#include <chaos/host.h>

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
int chaos_console_run(chaos_host *host, uint32_t domid, uint64_t ring_mfn,
		      uint32_t remote_port, const chaos_console_opts *opts,
		      chaos_console_end *end, chaos_err *err);

#endif
