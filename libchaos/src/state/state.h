/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_STATE_LAYER_H
#define CHAOS_STATE_LAYER_H

/*
 * Layer state: Files under the state directory (/run/chaos): the name registry and per-domain records. No Xen.
 * Internal to libchaos: declarations grouped by the file that defines them.
 */

#include "config/config.h"

/* Xen's DOMID_FIRST_RESERVED (public/xen.h): ids from here on are never
 * guests. Spelled out so this layer needs no Xen header. */
#define CHAOS_DOMID_FIRST_RESERVED 0x7FF0U

/* ---- busy.c ---- */

/*
 * Mark the guest with handle as being worked on by this process (an
 * flock the kernel drops when the process dies): the fd, or -1 with
 * EBUSY when another live process holds the mark.
 */
int chaos_busy_take(const char *state_dir, const uint8_t handle[16],
		    chaos_err *err);
/* Done: the mark is removed (fd < 0 does nothing). */
void chaos_busy_release(const char *state_dir, const uint8_t handle[16],
			int fd);
/* Done, but the guest stays as it is on purpose (a migration's source
 * after GO with no answer): the mark becomes "<handle>.kept", which
 * recovery leaves alone, until chaos_busy_unkeep (an explicit resume). */
void chaos_busy_keep(const char *state_dir, const uint8_t handle[16], int fd);
void chaos_busy_unkeep(const char *state_dir, const uint8_t handle[16]);
/* 1 if a live process holds handle's mark. */
int chaos_busy_held(const char *state_dir, const uint8_t handle[16]);
/* Up to max handles whose mark no live process holds (its owner died):
 * their count, or -1 with errno. */
int chaos_busy_orphans(const char *state_dir, uint8_t (*handles)[16],
		       size_t max);


#endif
