/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_GUEST_LAYER_H
#define CHAOS_GUEST_LAYER_H

/*
 * Layer guest: Guests: create (whole, or in a pooled shell), destroy, resolve, shut down; their vifs.
 * Internal to libchaos: declarations grouped by the file that defines them.
 */

#include <stdint.h>
#include <chaos/guest.h>
#include <chaos/config.h>

#include "build/build.h"

/* ---- guest.c ---- */

/* Destroy a domain and forget it (record, name) whatever its kind, for
 * the library's own callers (reap, restart, save, migrate); Domain-0 is
 * still refused. Front ends use chaos_guest_destroy. */
int guest_destroy_any(chaos_host *host, uint32_t domid, chaos_err *err);

/* ---- vifs.c ---- */

/*
 * Give a new (still paused) guest the vifs its config asks for: MACs
 * generated where missing, one noxs vif device each (the first precreated
 * exist already, unconfigured, in a pooled shell: they are configured),
 * and, when xendevd runs, a wait until each is on its bridge so the
 * guest's first packets are not lost. Devices are removed by the caller's
 * rollback on failure.
 */
int chaos_guest_add_vifs(chaos_host *host, const chaos_config *cfg,
			 uint32_t domid, unsigned int precreated,
			 chaos_create_timing *timing, chaos_err *err);

#endif
