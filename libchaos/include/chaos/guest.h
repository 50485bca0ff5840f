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
 * shut it down (checkpoint.h saves, restores and suspends them).
 * A guest chaos builds has a record (console, actions) and, if named, an
 * entry in the name registry, both under the host's state directory
 * (chaos_host_set_state_dir); every process managing the same guests must
 * use the same one. All calls follow host.h's rule: one thread at a time
 * per host. They never destroy Domain-0 (EPERM).
 */

/*
 * A user, as a daemon acting for a client sees it (SO_PEERCRED and
 * SO_PEERGROUPS): its uid, primary gid and supplementary groups.
 */
#define CHAOS_CRED_GROUPS_MAX 256
typedef struct chaos_cred {
	uint32_t uid;
	uint32_t gid;
	size_t ngroups;
	uint32_t groups[CHAOS_CRED_GROUPS_MAX];
} chaos_cred;

typedef struct chaos_create_opts {
	bool paused;               /* stay paused even if cfg says otherwise */
	const char *config_path;   /* remembered for restarts; may be NULL */
	/*
	 * Whom the guest is for (NULL: the calling process's real uid). That
	 * uid owns the guest (chaos_guest_info.owner), and the kernel, the
	 * ramdisk and config_path are opened with its rights, never the
	 * process's: a daemon running as root builds a client's guest only
	 * from files the client could read itself (also on every restart).
	 */
	const chaos_cred *as;
	/*
	 * A kernel already read (kernel.h; NULL: none). Used instead of
	 * reading cfg's kernel again when it was read from that same path
	 * and the file, opened with as's rights, is still the same file;
	 * otherwise the file is read as usual.
	 */
	const struct chaos_kernel *kernel;
	/*
	 * The caller found (kernel) current for (as) just before this call
	 * (chaos_kernel_is_current, or it has just read it with as's
	 * rights): the library does not look at the file again. A daemon
	 * that checks for its own cache anyway saves the second look.
	 */
	bool kernel_checked;
} chaos_create_opts;

/*
 * Constructor. Build and start a guest from (cfg): a new domain with its
 * memory, vCPUs (pinned if cfg says so), kernel, ramdisk, console and
 * devices, its name claimed and its record written, then unpaused unless
 * cfg->paused or opts->paused. cfg is validated first and not changed.
 * A noxs guest's vifs need noxs, and create waits up to 10 s for xendevd
 * to put each on its bridge (unless xendevd does not run). A guest served
 * through XenStore (cfg->devices, or "auto" and a Linux kernel) needs
 * xenstored: chaos introduces it and writes its vif and vbd entries for
 * dom0's netback and blkback, and waits up to 20 s for xendevd to set
 * each backend up (bridge; loop device for a file-backed disk).
 * (opts) and (timing) may be NULL; (*domid) gets the new domain's id.
 *
 * Returns 0, or -1 with err set, and then nothing is left: no domain, no
 * name, no record. Codes: EINVAL a bad config, a kernel that is no PV
 * image, or CPUs the host lacks; EEXIST the name belongs to a running
 * domain; ENOENT or EACCES the kernel or ramdisk cannot be opened; EFBIG
 * either is too large; ENODEV vifs without noxs; ETIMEDOUT xendevd did
 * not attach a vif or set up a backend in time; EIO it refused one (its
 * hotplug-error in the message); EBUSY a disk is in use by another guest
 * where one side writes; ECONNREFUSED or ENOENT xenstored is not running; ENOMEM the host lacks memory; else the
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
	uint32_t owner;                     /* uid that created it (0 root) */
} chaos_guest_info;

/*
 * Fill (*out) with what chaos keeps about (domid): its name, kind, actions,
 * config path and owner, from its record (bound to the domain's handle, so an
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
 * and release its name. Works on any domain chaos_guest_check allows:
 * not Domain-0, not an unused shell of chaosd's pool; a domain chaos did
 * not build is allowed.
 *
 * Returns 0, or -1 with err set: EPERM refused by chaos_guest_check,
 * ESRCH no such domain,
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
 * is neither a valid name nor an id in range; EPERM it is an unused shell
 * of chaosd's pool. Domain-0 resolves; each action refuses it.
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
 * through the hypervisor (an immediate stop); a guest served through
 * XenStore gets the request in its control/shutdown, as under xl. Wait up to (timeout_ms) in
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
 * does not fit or *shell is NULL, and ESRCH when the shell's domain was
 * destroyed by someone else (dying or gone, e.g. `xl destroy` of a pooled
 * shell): then nothing is wrong with the request, and a create elsewhere
 * (another shell, chaos_guest_create) may succeed; EXDEV when the guest's
 * devices are served through XenStore (config "devices", or a Linux
 * kernel): a shell serves noxs guests only, chaos_guest_create builds it.
 * *shell is NULL if the
 * shell was used (freed, its domain destroyed), or unchanged if the
 * failure came before it was touched (bad config, unreadable kernel, name
 * taken): the caller may reuse it, and still owns it.
 */
CHAOS_API int chaos_guest_create_in_shell(chaos_host *host,
					  const chaos_config *cfg,
					  const chaos_create_opts *opts,
					  chaos_shell **shell, uint32_t *domid,
					  chaos_create_timing *timing,
					  chaos_err *err);

/*
 * Which domains a front end may act on, the same rule for every front end
 * (the CLI, chaosd, a library user). Domain-0: never. A pooled shell not
 * yet used (kind CHAOS_KIND_SHELL without a record): never; it belongs to
 * chaosd's pool (chaos_shell_reclaim is the way to destroy a leftover
 * one). Guests chaos built and foreign domains (built by xl or another
 * toolstack): yes. (verb) ("destroy", "pause", ...) goes into the
 * message. Pure: decides from its arguments only; reentrant.
 *
 * Returns 0, or -1 with err set to EPERM.
 */
CHAOS_API int chaos_guest_policy(uint32_t domid, enum chaos_domain_kind kind,
				 bool has_record, const char *verb,
				 chaos_err *err);

/* What a domain is to chaos: Domain-0, a guest chaos built (it has a
 * record; built in one go or in a pooled shell), a pooled shell not yet
 * used, or a foreign domain. */
typedef enum chaos_guest_class {
	CHAOS_CLASS_DOM0,
	CHAOS_CLASS_GUEST,
	CHAOS_CLASS_SHELL,
	CHAOS_CLASS_FOREIGN,
} chaos_guest_class;

/* The class of (domid) from its handle's (kind) and whether it
 * (has_record). Pure; reentrant. */
CHAOS_API chaos_guest_class chaos_guest_classify(uint32_t domid,
						  enum chaos_domain_kind kind,
						  bool has_record);
/* The class of a listed domain (d), its record looked up on (host). */
CHAOS_API chaos_guest_class chaos_guest_class_of(chaos_host *host,
						  const chaos_domain_info *d);
/* "dom0", "guest", "shell" or "foreign": the "kind" key of list JSON.
 * A static string; reentrant. */
CHAOS_API const char *chaos_guest_class_name(chaos_guest_class c);

/*
 * Ownership: chaos_guest_policy as seen by the user (caller) a front end
 * acts for (chaosd: its client's uid). Root (caller 0) gets exactly
 * chaos_guest_policy. Anyone else may act only on guests chaos built whose
 * (owner), the uid that created them, is (caller): Domain-0, pooled
 * shells, foreign domains and other users' guests are refused, the
 * message naming the domain (and its (name), if not NULL or "") and the
 * owner. Pure; reentrant.
 *
 * Returns 0, or -1 with err set to EPERM.
 */
CHAOS_API int chaos_guest_policy_for(uint32_t caller, uint32_t domid,
				     const char *name,
				     enum chaos_domain_kind kind,
				     bool has_record, uint32_t owner,
				     const char *verb, chaos_err *err);

/* Whether (caller) sees a domain of class (c) owned by (owner) in a list:
 * root sees every domain, anyone else only its own guests. Pure. */
CHAOS_API bool chaos_guest_visible(uint32_t caller, chaos_guest_class c,
				   uint32_t owner);

/* The class of a listed domain (d), as chaos_guest_class_of, and its
 * owner into (*owner): the record's for a guest (0 for a record written
 * before owners existed), 0 for anything else. */
CHAOS_API chaos_guest_class chaos_guest_owner_of(chaos_host *host,
						  const chaos_domain_info *d,
						  uint32_t *owner);

/*
 * Keep in (doms) only what (caller) may see (chaos_guest_visible), in
 * order, and set (*count) to how many. For a daemon's list.
 */
CHAOS_API void chaos_guest_filter_visible(chaos_host *host, uint32_t caller,
					  chaos_domain_info *doms,
					  size_t *count);

/*
 * chaos_guest_policy_for the live domain (domid), its handle and record
 * read.
 *
 * Returns 0, or -1 with err set: EPERM refused, ESRCH no such domain.
 */
CHAOS_API int chaos_guest_check_for(chaos_host *host, uint32_t caller,
				    uint32_t domid, const char *verb,
				    chaos_err *err);

/*
 * chaos_guest_policy for the live domain (domid), its handle and record
 * read (chaos_guest_check_for with caller root).
 *
 * Returns 0, or -1 with err set: EPERM refused, ESRCH no such domain.
 */
CHAOS_API int chaos_guest_check(chaos_host *host, uint32_t domid,
				const char *verb, chaos_err *err);

/*
 * Pause or unpause (domid), refusing what chaos_guest_check refuses.
 *
 * Returns 0, or -1 with err set: EPERM refused, ESRCH no such domain;
 * else the hypercall's errno.
 */
CHAOS_API int chaos_guest_pause(chaos_host *host, uint32_t domid,
				chaos_err *err);
CHAOS_API int chaos_guest_unpause(chaos_host *host, uint32_t domid,
				  chaos_err *err);

/*
 * The first half of chaos_guest_shutdown: ask (domid) to power off or
 * reboot for (reason) and wait up to (timeout_ms) until it has stopped,
 * without applying its action (for a daemon that reaps in its own
 * thread).
 *
 * Returns 0, or -1 with err set as chaos_guest_shutdown (ETIMEDOUT: it did
 * not answer or stop in time).
 */
CHAOS_API int chaos_guest_stop(chaos_host *host, uint32_t domid,
			       chaos_shutdown_reason reason,
			       unsigned int timeout_ms, chaos_err *err);

#ifdef __cplusplus
}
#endif

#endif
