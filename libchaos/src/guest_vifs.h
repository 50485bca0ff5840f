/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_GUEST_VIFS_H
#define CHAOS_GUEST_VIFS_H

#include <stdint.h>
#include <chaos/build.h>
#include <chaos/config.h>

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
