/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_CHECKPOINT_H
#define CHAOS_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <chaos/api.h>
#include <chaos/domain.h>
#include <chaos/error.h>
#include <chaos/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Checkpoints: save, restore and suspend guests without XenStore
 * (migrate.h moves them between hosts). The guest is asked to
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
 * Save (domid) to the file (path): suspend it (up to
 * CHAOS_SUSPEND_TIMEOUT_MS), write its image to a fresh temporary file beside it
 * (path.XXXXXX, created exclusively), then rename it over path and sync
 * the directory.
 * Then destroy the guest, or, with (keep_running), let it go on (its
 * devices are recreated). (timing) may be NULL.
 *
 * Returns 0, or -1 with err set. On any failure after the suspend the
 * guest is resumed (the message says if that failed too) and no file is
 * left. Codes: EPERM domid is 0, ESRCH no such domain, EINVAL it is
 * paused, shut down or not a PV guest, ENODEV the host lacks noxs (the
 * guest cannot be asked to suspend), ETIMEDOUT it did not suspend in time;
 * else the failing call's errno (ENOSPC, EACCES for the file).
 */
CHAOS_API int chaos_checkpoint_save(chaos_host *host, uint32_t domid,
			       const char *path, bool keep_running,
			       chaos_save_timing *timing, chaos_err *err);

typedef struct chaos_restore_opts {
	bool paused;      /* leave the restored guest paused */
	bool unnamed;     /* do not claim the saved name (migration does later) */
	/*
	 * The bridges an incoming guest's vifs may join: this host decides,
	 * never the image. Each entry is "NAME" (a vif the image puts on
	 * NAME may go there) or "FROM=TO" (one the image puts on FROM goes
	 * on TO). A vif the image puts on a bridge no entry names is
	 * refused (EACCES); a vif with no bridge gets xendevd's default.
	 */
	const char *const *bridges;
	size_t nr_bridges;
} chaos_restore_opts;

/*
 * Constructor. Restore the guest saved in (path) as a new domain, its id
 * into (*domid), streamed from the file: its head is checked before
 * anything is created, its pages are read straight into the new domain
 * and the checksum checked before any of its state is used. The saved
 * name is claimed unless opts->unnamed. (opts) may be NULL; (name) may be
 * NULL, or CHAOS_NAME_MAX bytes that get the saved name ("" if none).
 *
 * Returns 0, or -1 with err set, and then nothing is left behind: ENOENT
 * or EACCES the file cannot be opened, EINVAL it is not a regular file or
 * not a valid image (damaged, truncated, wrong checksum), EEXIST the saved
 * name is bound to another domain (even a dead one: chaos_host_prune
 * first), ENOMEM the host lacks memory; else the failing call's errno.
 */
CHAOS_API int chaos_checkpoint_restore(chaos_host *host, const char *path,
				  const chaos_restore_opts *opts,
				  uint32_t *domid, char *name, chaos_err *err);

/* The steps, for migration and for callers that checkpoint themselves. */

/*
 * Ask (domid) through its noxs power device to suspend, and wait up to
 * (timeout_ms) until it has (it disconnected its devices and stopped with
 * SHUTDOWN_suspend). An already suspended guest is left as it is.
 *
 * Returns 0, or -1 with err set: EPERM domid is 0, ESRCH no such domain,
 * EINVAL it is paused (it could not answer), shut down or dying, ENODEV
 * the host lacks noxs, ETIMEDOUT no answer or no stop in time, EIO it
 * answered but stopped for another reason; else the failing call's errno.
 */
CHAOS_API int chaos_checkpoint_suspend(chaos_host *host, uint32_t domid,
				  unsigned int timeout_ms, chaos_err *err);
/*
 * Cancel a suspend of (domid): recreate its devices and let it go on (its
 * suspend call returns 1, "cancelled", in the guest). This is also how a
 * guest that a migration's source kept suspended on purpose (after "go"
 * without an answer) is let go on, once it is known not to run at the
 * destination.
 *
 * Returns 0, or -1 with err set: EPERM domid is 0, ESRCH no such domain,
 * EBUSY another process is saving or migrating it right now, EINVAL it
 * is not suspended; else the failing call's errno.
 */
CHAOS_API int chaos_checkpoint_resume(chaos_host *host, uint32_t domid,
				 chaos_err *err);
/*
 * Give (domid), a guest restored unnamed, the name (name), in the registry
 * and in its record. An empty name does nothing.
 *
 * Returns 0, or -1 with err set: ESRCH no such domain, ENOENT it has no
 * record (not a guest chaos built), EEXIST the name is bound to another
 * domain (even a dead one: chaos_host_prune first), EINVAL not a valid
 * name; else the failing call's errno.
 */
CHAOS_API int chaos_checkpoint_claim_name(chaos_host *host, uint32_t domid,
				     const char *name, chaos_err *err);

/* What chaos_checkpoint_recover did. */
typedef struct chaos_recover_report {
	unsigned int destroyed;  /* guests whose builder died half-way */
	unsigned int resumed;    /* guests a dead saver left suspended */
	unsigned int cleared;    /* marks of work that was done */
} chaos_recover_report;

/*
 * Finish off what chaos processes killed half-way left behind. Every
 * create, restore, save and migration marks its guest under the state
 * directory while it works; a mark that no live process holds any more
 * names a guest its builder never recorded (destroyed, its devices and
 * name with it), or one its saver left suspended (resumed). A migration's
 * source that kept the guest suspended on purpose (after "go" without an
 * answer) is left alone. Costs one directory read when there is nothing
 * to do; chaosd runs it on start and whenever a domain changes state.
 * (report) may be NULL.
 *
 * Returns 0, or -1 with err set when the state directory or the domain
 * list cannot be read; a guest that cannot be destroyed or resumed is
 * left for the next call.
 */
CHAOS_API int chaos_checkpoint_recover(chaos_host *host,
				       chaos_recover_report *report,
				       chaos_err *err);

#ifdef __cplusplus
}
#endif

#endif
