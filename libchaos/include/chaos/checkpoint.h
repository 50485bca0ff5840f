/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_CHECKPOINT_H
#define CHAOS_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <chaos/api.h>
#include <chaos/domain.h>
#include <chaos/error.h>
#include <chaos/guest.h>
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
 * (name, memory, vCPUs, actions, vifs; a XenStore guest's disk paths,
 * which the restoring host must allow: never a kernel path) become an
 * image (docs/image-format.md). A restore builds a new domain
 * from it with the builder's own steps (shell, power device, vifs).
 */

#define CHAOS_SUSPEND_TIMEOUT_MS 10000u
/* A guest served through XenStore (a stock Linux kernel) freezes its
 * processes and devices first: it gets as long as xl gives it. */
#define CHAOS_SUSPEND_XS_TIMEOUT_MS 60000u

/*
 * Where a checkpoint's work went, phase by phase (microseconds), and what
 * it moved: filled by saves, restores and migrations for callers that
 * profile them (`--timing`). Phases that do not apply stay 0.
 */
typedef struct chaos_ckpt_phases {
	uint64_t state_us;     /* vCPUs, start info, p2m: read, or set on restore */
	uint64_t types_us;     /* page types from the hypervisor */
	uint64_t alloc_us;     /* restore: the new domain and its memory */
	uint64_t map_us;       /* guest memory mapped and unmapped */
	uint64_t scan_us;      /* pages looked at: all-zero or not, copied */
	uint64_t hash_us;      /* the image's checksum or MAC */
	uint64_t canon_us;     /* page tables and p2m made machine-independent,
				  or back to this host's frames */
	uint64_t io_us;        /* the image written or read */
	uint64_t pin_us;       /* restore: page tables pinned (Xen validates) */
	uint64_t devices_us;   /* restore: devices, records, unpause */
	uint64_t pages;        /* the guest's pages */
	uint64_t zero_pages;   /* of them all-zero: no bytes in the image */
	uint64_t image_bytes;  /* the image's size */
} chaos_ckpt_phases;

/* Where the time of a save went, in microseconds. */
typedef struct chaos_save_timing {
	uint64_t suspend_us;   /* request to SHUTDOWN_suspend */
	uint64_t capture_us;   /* vCPUs, page types, memory into the image */
	uint64_t write_us;     /* the image synced and renamed into place */
	uint64_t finish_us;    /* destroy, or resume with --keep-running */
	uint64_t total_us;
	chaos_ckpt_phases phases; /* inside capture_us */
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

/*
 * The same onto the caller's (fd), open for writing (a file, a pipe, a
 * socket), from its current position: the image is written as it is
 * captured and, when (fd) is a regular file, synced before the guest is
 * destroyed or resumed. (fd) stays the caller's (never closed). This is
 * how a process that does not own the path saves (chaosd is handed the
 * descriptor of a file its client made with chaos_checkpoint_file_begin).
 *
 * Returns as chaos_checkpoint_save(); also EBADF (fd) is not open for
 * writing (checked before the guest is touched). On failure after the
 * suspend the guest is resumed and what reached (fd) is the caller's to
 * throw away.
 */
CHAOS_API int chaos_checkpoint_save_fd(chaos_host *host, uint32_t domid,
				       int fd, bool keep_running,
				       chaos_save_timing *timing,
				       chaos_err *err);

/*
 * A file for a save, made as chaos_checkpoint_save makes its own: begin
 * creates a fresh "(path).XXXXXX" beside (path), exclusively, mode 0600
 * (never following or truncating what is there), its name into (tmp,
 * tmp_len) and returns its descriptor (close-on-exec). Once the image is
 * in it, commit syncs and closes (fd), renames (tmp) over (path) and
 * syncs the directory. Reentrant; no host needed.
 *
 * begin returns the fd, or -1 with err set: ENAMETOOLONG, else mkostemp's
 * errno (EACCES, ENOENT for the directory). commit returns 0, or -1 with
 * err set and (fd) closed, the temporary file then left in place with
 * the image (the guest it holds may be gone): the message names it. A
 * caller that gives up before commit closes (fd) and unlinks (tmp).
 */
CHAOS_API int chaos_checkpoint_file_begin(const char *path, char *tmp,
					  size_t tmp_len, chaos_err *err);
CHAOS_API int chaos_checkpoint_file_commit(int fd, const char *tmp,
					   const char *path, chaos_err *err);

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
	/* Who restores: that uid owns the guest (chaos_guest_info.owner).
	 * NULL: the calling process's real uid. */
	const chaos_cred *as;
	/* NULL, or filled with where the restore's time went. */
	chaos_ckpt_phases *phases;
	/*
	 * The disks an incoming guest (one served through XenStore) may be
	 * given: this host decides, never the image. Each entry is "PATH"
	 * (a disk the image serves from PATH is served from it here too) or
	 * "FROM=TO" (one the image serves from FROM is served from TO, an
	 * absolute path). A disk no entry names is refused (EACCES) before
	 * anything is built.
	 */
	const char *const *disks;
	size_t nr_disks;
	/*
	 * The config file the restored guest restarts from when a restart
	 * action or `chaos reboot` rebuilds it (an image holds no kernel),
	 * read with (as)'s rights: it must parse and name the guest the
	 * image holds (EINVAL), checked before anything is built (a live
	 * stream: once its config has come). NULL: none; a restart then
	 * fails with "its config path is unknown".
	 */
	const char *config_path;
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

/*
 * Constructor. The same from the caller's (fd), a regular file open for
 * reading, from its current position to its end (chaosd is handed the
 * descriptor its client opened). (fd) stays the caller's. Messages name
 * it "the image". Returns as chaos_checkpoint_restore(); EINVAL also when
 * (fd) is not a regular file.
 */
CHAOS_API int chaos_checkpoint_restore_fd(chaos_host *host, int fd,
					  const chaos_restore_opts *opts,
					  uint32_t *domid, char *name,
					  chaos_err *err);

/* The steps, for migration and for callers that checkpoint themselves. */

/*
 * Ask (domid) through its noxs power device to suspend (a guest served
 * through XenStore: through its control/shutdown node, taken back if it
 * does not stop in time), and wait up to (timeout_ms) until it has (it
 * disconnected its devices and stopped with SHUTDOWN_suspend); a XenStore
 * guest gets at least CHAOS_SUSPEND_XS_TIMEOUT_MS. An already suspended
 * guest is left as it is.
 *
 * Returns 0, or -1 with err set: EPERM domid is 0, ESRCH no such domain,
 * EINVAL it is paused (it could not answer), shut down or dying, ENODEV
 * the host lacks noxs (for a noxs guest), ETIMEDOUT no answer or no stop in time, EIO it
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
	/* guests whose builder died half-way, or that a dead migration
	 * destination received and was never told "go" for */
	unsigned int destroyed;
	/* guests a dead saver left suspended, or a dead destination left
	 * paused after "go" */
	unsigned int resumed;
	unsigned int cleared;    /* marks of work that was done */
} chaos_recover_report;

/*
 * Finish off what chaos processes killed half-way left behind. Every
 * create, restore, save and migration marks its guest under the state
 * directory while it works; a mark that no live process holds any more
 * names a guest its builder never recorded (destroyed, its devices and
 * name with it), or one its saver left suspended (resumed). A migration
 * has one copy of the guest on each side, and "go" decides which is the
 * guest: a destination's copy is destroyed if its receiver died before
 * "go" (the source resumes its own), and run and given its name after it
 * (the name once no live domain holds it: the source's copy may, until
 * it is destroyed; until then the mark is left for the next call). A
 * source's copy suspended after "go" is left alone, whether its sender
 * kept it so or died: the destination may be running the guest. Costs
 * one directory read when there is nothing to do; chaosd runs it on start
 * and whenever a domain changes state. (report) may be NULL.
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
