/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_HYP_LAYER_H
#define CHAOS_HYP_LAYER_H

/*
 * Layer hyp: The hypervisor: the host handle, domain listing and operations.
 * Internal to libchaos: declarations grouped by the file that defines them.
 */

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xentoollog.h>
#include <chaos/domain.h>
#include <chaos/error.h>

#include "state/state.h"

/* ---- host.c ---- */

/* Records the last message from the Xen libraries instead of printing it. */
struct chaos_quiet_logger {
	xentoollog_logger vtable;
	char last[256];
};

struct chaos_registry;
struct chaos_console;
typedef struct xencall_handle xencall_handle;

struct chaos_host {
	xc_interface *xch;
	xenforeignmemory_handle *fmem;
	struct chaos_quiet_logger log;
	char state_dir[256];              /* CHAOS_STATE_DIR unless set */
	struct chaos_registry *registry;  /* opened on first use */
	xencall_handle *xcall;            /* noxs hypercalls, on first use */
	int noxs_fd;                      /* /dev/noxs, -1 until first use */
	int noxs_state;                   /* 0 unknown, 1 available, -1 not */
	/* Consoles this host is the backend of (dev/console_backend.c): one
	 * event channel handle for all of them, opened on first use and
	 * closed with the host. */
	xenevtchn_handle *console_xce;
	struct chaos_console *consoles;
	/* Consoles whose port is left masked by the event rate limit, and
	 * the earliest time one of them may be released. */
	unsigned int consoles_masked;
	long long console_release_ms;
};

/* Make q a logger that keeps the Xen libraries' last error in q->last
 * (chaos_err_xen appends it) instead of printing it. */
void chaos_quiet_logger_init(struct chaos_quiet_logger *q);

/* The host's name registry, opened (and its directory made) on first use. */
int chaos_host_registry(struct chaos_host *host, chaos_err *err);

/* Like chaos_err_set, appending the Xen library's last message if any. */
int chaos_err_xen(chaos_err *err, struct chaos_host *host, int code,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ---- domain_state.c ---- */

/* A domain handle chaos made: bytes 0-4 "chaos", byte 5 the kind
 * (chaos_domain_handle_kind reads it back). */
#define CHAOS_HANDLE_MAGIC "chaos"
#define CHAOS_HANDLE_MAGIC_LEN 5

/* Map the hypervisor's XEN_DOMINF_* flags to one state. */
chaos_domain_state chaos_domain_state_from_flags(uint32_t flags);

#endif
