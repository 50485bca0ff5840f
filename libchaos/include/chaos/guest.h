/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_GUEST_H
#define CHAOS_GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <chaos/config.h>
#include <chaos/error.h>
#include <chaos/domain.h>
#include <chaos/host.h>
#include <chaos/shell.h>

/*
 * Guests: create one from a config, destroy it, find it by name or id.
 * A guest chaos builds has a record (console, actions) and, if named, an
 * entry in the name registry, both under the host's state directory.
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

/* Build and start a guest. On failure nothing is left: no domain, no name,
 * no record. opts and timing may be NULL. */
int chaos_guest_create(chaos_host *host, const chaos_config *cfg,
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
 * Fill *out for domid. -1 with ESRCH when there is no such domain, ENOENT
 * when the domain is not a guest chaos built (a foreign domain, a pooled
 * shell not yet used, or a domain whose record is gone).
 */
int chaos_guest_get(chaos_host *host, uint32_t domid, chaos_guest_info *out,
		    chaos_err *err);

/* Destroy a guest and forget it (record, name). Refuses what
 * chaos_guest_check refuses. */
int chaos_guest_destroy(chaos_host *host, uint32_t domid, chaos_err *err);

/* "web1" or "7": the domain id of a live domain. A pooled shell not yet
 * used is refused (EPERM); Domain-0 resolves, and each action refuses it. */
int chaos_guest_resolve(chaos_host *host, const char *ref, uint32_t *domid,
			chaos_err *err);

/*
 * Apply a shut-down guest's action for its shutdown reason (on_poweroff,
 * on_reboot, on_crash): destroy, restart from its config, or preserve.
 */
int chaos_guest_reap(chaos_host *host, uint32_t domid, chaos_err *err);

/* Ask the guest to power off or reboot (through its power device when it
 * has one, else the hypervisor), wait up to timeout_ms for it, then reap
 * it. */
int chaos_guest_shutdown(chaos_host *host, uint32_t domid,
			 chaos_shutdown_reason reason,
			 unsigned int timeout_ms, chaos_err *err);

/*
 * chaos_guest_create, in a prepared shell instead of a new domain. The
 * config must fit it (memory and vCPUs at most the shell's; the guest
 * gets the shell's memory). On success the shell has become the guest and
 * *shell is NULL. On failure *shell is NULL if the shell was used (its
 * domain is destroyed), or unchanged if the failure came before it was
 * touched (bad config, unreadable kernel, name taken): it may be reused.
 */
int chaos_guest_create_in_shell(chaos_host *host, const chaos_config *cfg,
				const chaos_create_opts *opts,
				chaos_shell **shell, uint32_t *domid,
				chaos_create_timing *timing, chaos_err *err);

/*
 * Which domains a front end may act on, the same rule for every front end
 * (the CLI, chaosd, a library user). Domain-0: never. A pooled shell not
 * yet used (kind CHAOS_KIND_SHELL without a record): never; it belongs to
 * chaosd's pool (chaos_shell_reclaim is the way to destroy a leftover
 * one). Guests chaos built and foreign domains (built by xl or another
 * toolstack): yes. verb ("destroy", "pause", ...) goes into the message.
 * 0, or -1 with EPERM. Pure: decides from its arguments only.
 */
int chaos_guest_policy(uint32_t domid, enum chaos_domain_kind kind,
		       bool has_record, const char *verb, chaos_err *err);
/* What a domain is to chaos: Domain-0, a guest chaos built (it has a
 * record; built in one go or in a pooled shell), a pooled shell not yet
 * used, or a foreign domain. */
typedef enum chaos_guest_class {
	CHAOS_CLASS_DOM0,
	CHAOS_CLASS_GUEST,
	CHAOS_CLASS_SHELL,
	CHAOS_CLASS_FOREIGN,
} chaos_guest_class;

/* Pure: from the domain id, its handle's kind and whether it has a record. */
chaos_guest_class chaos_guest_classify(uint32_t domid,
					enum chaos_domain_kind kind,
					bool has_record);
/* The same for a listed domain (its record looked up). */
chaos_guest_class chaos_guest_class_of(chaos_host *host,
				       const chaos_domain_info *d);
/* "dom0", "guest", "shell" or "foreign": the "kind" key of list JSON. */
const char *chaos_guest_class_name(chaos_guest_class c);

/* chaos_guest_policy for a live domain (its handle and record read). */
int chaos_guest_check(chaos_host *host, uint32_t domid, const char *verb,
		      chaos_err *err);

/* Pause or unpause a guest (refusing what chaos_guest_check refuses). */
int chaos_guest_pause(chaos_host *host, uint32_t domid, chaos_err *err);
int chaos_guest_unpause(chaos_host *host, uint32_t domid, chaos_err *err);

/*
 * The first half of chaos_guest_shutdown: ask the guest to power off or
 * reboot and wait up to timeout_ms until it has stopped, without applying
 * its action (for a daemon that reaps in its own thread). Errors as
 * chaos_guest_shutdown's (ETIMEDOUT: it did not answer or stop in time).
 */
int chaos_guest_stop(chaos_host *host, uint32_t domid,
		     chaos_shutdown_reason reason, unsigned int timeout_ms,
		     chaos_err *err);


/* ---- Checkpoints ------------------------------------------------------ */

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
