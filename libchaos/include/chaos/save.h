/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_SAVE_H
#define CHAOS_SAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <chaos/domain.h>
#include <chaos/error.h>
#include <chaos/host.h>

/*
 * Save, restore and migrate guests without XenStore. The guest is asked to
 * suspend through its noxs power device (it disconnects its devices and
 * stops with SHUTDOWN_suspend); its memory, page tables (made
 * machine-independent), vCPUs and the part of its config that may travel
 * (name, memory, vCPUs, actions, vifs: never a kernel path or a host disk)
 * become an image (docs/image-format.md). A restore builds a new domain
 * from it with the builder's own steps (shell, power device, vifs).
 */

#define CHAOS_SUSPEND_TIMEOUT_MS 10000u

/* Where the time of a save went, in microseconds. */
typedef struct chaos_save_timing {
	uint64_t suspend_us;   /* request to SHUTDOWN_suspend */
	uint64_t capture_us;   /* vCPUs, page types, memory into the image */
	uint64_t write_us;     /* the image to its file */
	uint64_t finish_us;    /* destroy, or resume with --keep-running */
	uint64_t total_us;
} chaos_save_timing;

/*
 * Save domid to path (written as path.tmp, then renamed). Then destroy it,
 * or, with keep_running, let it go on (its devices are recreated). On any
 * failure after the suspend, the guest is resumed. timing may be NULL.
 */
int chaos_guest_save(chaos_host *host, uint32_t domid, const char *path,
		     bool keep_running, chaos_save_timing *timing,
		     chaos_err *err);

typedef struct chaos_restore_opts {
	bool paused;      /* leave the restored guest paused */
	bool unnamed;     /* do not claim the saved name (migration does later) */
} chaos_restore_opts;

/*
 * Restore the guest saved in path, streamed from the file: its head is
 * checked before anything is created, its pages are read straight into
 * the new domain and the checksum checked before any of its state is
 * used; any failure leaves nothing behind.
 * opts may be NULL; name (may be NULL, CHAOS_NAME_MAX bytes) gets the
 * saved name.
 */
int chaos_guest_restore(chaos_host *host, const char *path,
			const chaos_restore_opts *opts, uint32_t *domid,
			char *name, chaos_err *err);

/* The steps, for migration. */

/* Ask the guest to suspend and wait until it has (SHUTDOWN_suspend). */
int chaos_guest_suspend(chaos_host *host, uint32_t domid,
			unsigned int timeout_ms, chaos_err *err);
/* Cancel a suspend: recreate the devices, the guest goes on (returns 1
 * from its suspend call). */
int chaos_guest_resume(chaos_host *host, uint32_t domid, chaos_err *err);
/* Give a restored, unnamed guest its name. */
int chaos_guest_claim_name(chaos_host *host, uint32_t domid, const char *name,
			   chaos_err *err);
#endif
