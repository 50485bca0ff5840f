/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_GUEST_H
#define CHAOS_GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <chaos/api.h>
#include <chaos/config.h>
#include <chaos/error.h>
#include <chaos/domain.h>
#include <chaos/host.h>
#include <chaos/shell.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Guests: create one from a config, destroy it, find it by name or id,
 * shut it down, and save, restore or suspend it (checkpoints, below).
 * A guest chaos builds has a record (console, actions) and, if named, an
 * entry in the name registry, both under the host's state directory
 * (chaos_host_set_state_dir); every process managing the same guests must
 * use the same one. All calls follow host.h's rule: one thread at a time
 * per host. They never destroy Domain-0 (EPERM).
 */

/* Where the time of one create went, in microseconds. */
typedef struct chaos_create_timing {
	uint64_t parse_us;      /* reading and checking kernel and ramdisk */
	uint64_t domain_us;     /* creating the domain and its vCPUs */
	uint64_t memory_us;     /* populating its memory */
	uint64_t load_us;       /* copying kernel and ramdisk in */
	uint64_t pagetables_us; /* p2m, page tables, start_info, vCPU state */
	uint64_t devices_us;    /* console channel, devices */
	uint64_t unpause_us;    /* names, record, unpause */
	uint64_t total_us;
} chaos_create_timing;

typedef struct chaos_create_opts {
	bool paused;               /* stay paused even if cfg says otherwise */
	const char *config_path;   /* remembered for restarts; may be NULL */
} chaos_create_opts;

/*
 * Constructor. Build and start a guest from (cfg): a new domain with its
 * memory, vCPUs (pinned if cfg says so), kernel, ramdisk, console and
 * devices, its name claimed and its record written, then unpaused unless
 * cfg->paused or opts->paused. cfg is validated first and not changed.
 * When cfg has vifs, noxs is needed and create waits up to 10 s for
 * xendevd to put each on its bridge (unless xendevd does not run).
 * (opts) and (timing) may be NULL; (*domid) gets the new domain's id.
 *
 * Returns 0, or -1 with err set, and then nothing is left: no domain, no
 * name, no record. Codes: EINVAL a bad config, a kernel that is no PV
 * image, or CPUs the host lacks; EEXIST the name belongs to a running
 * domain; ENOENT or EACCES the kernel or ramdisk cannot be opened; EFBIG
 * either is too large; ENODEV vifs without noxs; ETIMEDOUT xendevd did
 * not attach a vif in time; ENOMEM the host lacks memory; else the
 * failing call's errno. The guest lives on after the process: destroy it
 * with chaos_guest_destroy().
 */
CHAOS_API int chaos_guest_create(chaos_host *host, const chaos_config *cfg,
				 const chaos_create_opts *opts, uint32_t *domid,
				 chaos_create_timing *timing, chaos_err *err);

/* What chaos keeps about a guest it built, beyond the hypervisor's view. */
typedef struct chaos_guest_info {
	uint32_t domid;
	char name[CHAOS_NAME_MAX];          /* "" if unnamed */
	enum chaos_domain_kind kind;        /* GUEST, or SHELL for a pooled one */
	chaos_config_action on_poweroff;
	chaos_config_action on_reboot;
	chaos_config_action on_crash;
	char config_path[CHAOS_CONFIG_PATH_MAX]; /* absolute, or "" */
} chaos_guest_info;

/*
 * Fill (*out) with what chaos keeps about (domid): its name, kind, actions
 * and config path, from its record (bound to the domain's handle, so an
 * earlier domain's leftover never counts).
 *
 * Returns 0, or -1 with err set: ESRCH no such domain, ENOENT the domain
 * is not a guest chaos built (a foreign domain, a pooled shell not yet
 * used, or a domain whose record is gone); else the hypercall's errno.
 */
CHAOS_API int chaos_guest_get(chaos_host *host, uint32_t domid,
			      chaos_guest_info *out, chaos_err *err);

/*
 * Destructor. Destroy (domid) and forget it: remove its devices, destroy
 * the domain and wait (up to 10 s) for its memory, then remove its record
 * and release its name. Works on any domain but Domain-0, including one
 * chaos did not build.
 *
 * Returns 0, or -1 with err set: EPERM domid is 0, ESRCH no such domain,
 * ETIMEDOUT destroyed but still dying after 10 s; else the hypercall's
 * errno. Once the domain is gone, failing to forget it is not an error.
 */
CHAOS_API int chaos_guest_destroy(chaos_host *host, uint32_t domid,
				  chaos_err *err);

/*
 * The domain id of a live domain given by reference (ref): a guest name
 * ("web1") or a domain id in decimal ("7"; "0" is Domain-0), into
 * (*domid).
 *
 * Returns 0, or -1 with err set: ESRCH no such domain, or no live domain
 * has that name (a name whose domain is gone counts as none); EINVAL ref
 * is neither a valid name nor an id in range.
 */
CHAOS_API int chaos_guest_resolve(chaos_host *host, const char *ref,
				  uint32_t *domid, chaos_err *err);

/*
 * Apply a shut-down guest's action for its shutdown reason (on_poweroff,
 * on_reboot, on_crash; a crash or watchdog uses on_crash): destroy,
 * restart from its config file (a new domain under the same name), or
 * preserve (nothing). A suspended guest is left for save or resume. This
 * is what a reaper calls when a guest stops.
 *
 * Returns 0, or -1 with err set: ESRCH no such domain, EINVAL it is not
 * shut down, ENOENT it has no record (not a guest chaos built) or, to
 * restart, no config path; else as chaos_guest_destroy() and
 * chaos_guest_create() (the config file is read again: it may have
 * changed or gone).
 */
CHAOS_API int chaos_guest_reap(chaos_host *host, uint32_t domid,
			       chaos_err *err);

/*
 * Ask (domid) to power off or reboot, for (reason): through its noxs power
 * device when it has one, so the guest runs its own shutdown code, else
 * through the hypervisor (an immediate stop). Wait up to (timeout_ms) in
 * all for it to shut down, then apply its action (chaos_guest_reap).
 *
 * Returns 0, or -1 with err set: EPERM domid is 0, ESRCH no such domain,
 * ETIMEDOUT the guest did not stop in time (it runs on: destroy it, or
 * wait more); else as chaos_guest_reap().
 */
CHAOS_API int chaos_guest_shutdown(chaos_host *host, uint32_t domid,
				   chaos_shutdown_reason reason,
				   unsigned int timeout_ms, chaos_err *err);

/*
 * Constructor. chaos_guest_create, in a prepared shell (shell.h) instead
 * of a new domain, which saves most of a create's time. The config must
 * fit (*shell): memory and vCPUs at most the shell's (the guest gets the
 * shell's memory), and exactly as many vifs as the shell was made with.
 *
 * Returns 0: the shell has become the guest, and *shell is NULL (freed).
 * Or -1 with err set, as chaos_guest_create, plus EINVAL when the config
 * does not fit or *shell is NULL; then *shell is NULL if the shell was
 * used (freed, its domain destroyed), or unchanged if the failure came
 * before it was touched (bad config, unreadable kernel, name taken): the
 * caller may reuse it, and still owns it.
 */
CHAOS_API int chaos_guest_create_in_shell(chaos_host *host,
					  const chaos_config *cfg,
					  const chaos_create_opts *opts,
					  chaos_shell **shell, uint32_t *domid,
					  chaos_create_timing *timing,
					  chaos_err *err);

/* ---- Checkpoints ------------------------------------------------------ */

/*
 * Save, restore and suspend guests without XenStore (migrate.h moves them
 * between hosts). The guest is asked to
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
 * CHAOS_SUSPEND_TIMEOUT_MS), write its image as path.tmp, then rename it.
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
CHAOS_API int chaos_guest_save(chaos_host *host, uint32_t domid,
			       const char *path, bool keep_running,
			       chaos_save_timing *timing, chaos_err *err);

typedef struct chaos_restore_opts {
	bool paused;      /* leave the restored guest paused */
	bool unnamed;     /* do not claim the saved name (migration does later) */
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
CHAOS_API int chaos_guest_restore(chaos_host *host, const char *path,
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
CHAOS_API int chaos_guest_suspend(chaos_host *host, uint32_t domid,
				  unsigned int timeout_ms, chaos_err *err);
/*
 * Cancel a suspend of (domid): recreate its devices and let it go on (its
 * suspend call returns 1, "cancelled", in the guest).
 *
 * Returns 0, or -1 with err set: ESRCH no such domain, EINVAL it is not
 * suspended; else the failing call's errno.
 */
CHAOS_API int chaos_guest_resume(chaos_host *host, uint32_t domid,
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
CHAOS_API int chaos_guest_claim_name(chaos_host *host, uint32_t domid,
				     const char *name, chaos_err *err);

#ifdef __cplusplus
}
#endif

#endif
