/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_STATE_LAYER_H
#define CHAOS_STATE_LAYER_H

/*
 * Layer state: Files under the state directory (/run/chaos): the name registry and per-domain records. No Xen.
 * Internal to libchaos: declarations grouped by the file that defines them.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <chaos/error.h>

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
/*
 * What the holder of a mark is at, for whoever finishes its work if it
 * dies: a short line (at most CHAOS_BUSY_NOTE_MAX - 1 bytes) in the mark
 * file, replacing the last. No note means "building or checkpointing",
 * as before notes existed. 0, or -1 with errno.
 */
#define CHAOS_BUSY_NOTE_MAX 96
int chaos_busy_note(int fd, const char *note);
/* The note of a mark held through fd ("" if none) into buf. */
void chaos_busy_read_note(int fd, char buf[CHAOS_BUSY_NOTE_MAX]);
/* Let go of a mark whose work is not finished, leaving it for a later
 * recovery (which sees it orphaned and takes it up again). */
void chaos_busy_leave(int fd);
/* The guest with handle is gone: its kept mark, and a mark no live
 * process holds, go too (a live holder's stays). */
void chaos_busy_forget(const char *state_dir, const uint8_t handle[16]);
/* 1 if a live process holds handle's mark. */
int chaos_busy_held(const char *state_dir, const uint8_t handle[16]);
/* Up to max handles whose mark no live process holds (its owner died):
 * their count, or -1 with errno. */
int chaos_busy_orphans(const char *state_dir, uint8_t (*handles)[16],
		       size_t max);
/* Up to max handles with a kept mark: their count, or -1 with errno. */
int chaos_busy_kept(const char *state_dir, uint8_t (*handles)[16],
		    size_t max);

/* ---- record.c ---- */

/*
 * What chaos remembers about a guest it built, beyond what the hypervisor
 * knows: where its console is, what to do when it stops, and where its
 * config came from. One small file per domain under <state>/domains/,
 * bound to the domain's handle so a record never outlives its domain's id.
 *
 * Internal: front ends read a guest's record through chaos_guest_get()
 * (guest.h).
 */

#define CHAOS_RECORD_PATH_MAX 4096

typedef struct chaos_domain_record {
	uint32_t domid;
	uint8_t handle[16];
	char name[CHAOS_NAME_MAX];
	uint64_t console_mfn;
	uint32_t console_port;
	/* Where the guest's start info is (0: unknown): how a live migration
	 * finds the p2m list of a running guest. */
	uint64_t start_info_mfn;
	int on_poweroff;              /* chaos_action values (config.h) */
	int on_reboot;
	int on_crash;
	char config_path[CHAOS_RECORD_PATH_MAX]; /* absolute, or "" */
	/* Who created it and its primary group: a restart reopens its files
	 * with those rights. A record without them (older) is root's. */
	uint32_t owner;
	uint32_t owner_gid;
	/* Its devices are served through XenStore (dom0's netback and
	 * blkback), not noxs. Written as "devices xenstore"; absent: noxs. */
	bool xenstore;
	/*
	 * A noxs guest's vifs as it has them (MACs assigned, bridges as
	 * placed): what a save carries, whatever its config file says by
	 * then. Written as "vifs N" and N "vif" lines. vifs_known false:
	 * a record from before them (its config path tells) or a XenStore
	 * guest's (its backends tell).
	 */
	bool vifs_known;
	uint8_t nr_vifs;
	chaos_config_vif vifs[CHAOS_CONFIG_VIFS_MAX];
} chaos_domain_record;

/* Write (rec) as the record of rec->domid. 0 or -1. */
int chaos_record_save(const char *state_dir,
		      const chaos_domain_record *rec, chaos_err *err);
/*
 * chaos_record_save in two steps, for a builder that must not record a
 * guest before it runs yet wants little work after: stage writes the
 * record beside its place (nobody reads it there), commit puts it in
 * place (one rename), unstage drops a staged record that is not to be.
 * A commit that fails drops it too. Each 0 or -1 (unstage: nothing).
 */
int chaos_record_stage(const char *state_dir,
		       const chaos_domain_record *rec, chaos_err *err);
/*
 * Stage in two steps too, the first ahead (a pooled shell's): open
 * creates domid's staged file, empty, and returns its descriptor (or
 * -1); stage_into writes rec into it (an empty one, once), with one
 * system call. The descriptor is the caller's to close; commit and
 * unstage work as for chaos_record_stage.
 */
int chaos_record_stage_open(const char *state_dir, uint32_t domid,
			    chaos_err *err);
int chaos_record_stage_into(int fd, const char *state_dir,
			    const chaos_domain_record *rec, chaos_err *err);
int chaos_record_commit(const char *state_dir, uint32_t domid,
			chaos_err *err);
void chaos_record_unstage(const char *state_dir, uint32_t domid);
/*
 * Load domid's record. With a non-NULL handle, a record whose handle
 * differs (a dead domain's leftover) is reported as missing (ENOENT).
 */
int chaos_record_load(const char *state_dir, uint32_t domid,
		      const uint8_t *handle, chaos_domain_record *rec,
		      chaos_err *err);
/* Remove domid's record; none is not an error. 0 or -1. */
int chaos_record_remove(const char *state_dir, uint32_t domid,
			chaos_err *err);

/* Parse/format one record (exposed for tests). */
int chaos_record_parse(const char *text, size_t len,
		       chaos_domain_record *rec, chaos_err *err);
int chaos_record_format(const chaos_domain_record *rec, char *buf,
			size_t len);

/* ---- registry.c ---- */

/*
 * Guest names. chaos is a short-lived process, so the binding name ->
 * (domain id, domain handle) lives in a state directory that outlives it:
 * one small file per name, replaced atomically (temporary file + rename),
 * with changes serialised by flock() on the directory. The handle is the
 * hypervisor's per-domain UUID: an entry whose id was reused by another
 * domain no longer matches it, so it is recognised as stale.
 *
 * Files in the directory that are not valid entries (garbage, symlinks,
 * oversized files, other file types) are never followed or trusted: they
 * are ignored, and the reason goes to the warning hook if one is set.
 * Names follow chaos_config_check_name().
 *
 * Internal: front ends resolve names with chaos_guest_resolve() and
 * chaos_guest_get() (guest.h) and drop stale ones with chaos_host_prune()
 * (host.h).
 */

#define CHAOS_REGISTRY_DEFAULT_DIR "/run/chaos/names"

typedef struct chaos_registry chaos_registry;

/*
 * Constructor. Open (creating it and its parents if needed, mode 0700) the
 * directory dir, or CHAOS_REGISTRY_DEFAULT_DIR when dir is NULL. A handle
 * holds the lock's file description: do not share one across fork(), open
 * another. A handle is not thread-safe.
 */
int chaos_registry_open(const char *dir, chaos_registry **out,
			chaos_err *err);
/* Destructor: close (reg); NULL is allowed. */
void chaos_registry_close(chaos_registry *reg);

/* Called with one line per ignored directory entry; NULL turns it off. */
typedef void chaos_registry_warn_fn(void *ctx, const char *msg);
void chaos_registry_set_warn(chaos_registry *reg,
			     chaos_registry_warn_fn *fn, void *ctx);

/*
 * Bind name to (domid, handle). Fails with code EEXIST if a valid entry holds
 * the name, even one whose domain is gone: prune first. An invalid file in
 * the name's place is replaced (a directory there is an error). domid must
 * be a guest's (1 to 0x7fef).
 */
int chaos_registry_claim(chaos_registry *reg, const char *name,
			 uint32_t domid, const uint8_t handle[16],
			 chaos_err *err);

/* The binding of name; code ENOENT if there is none (or it is invalid). */
int chaos_registry_lookup(chaos_registry *reg, const char *name,
			  uint32_t *domid, uint8_t handle[16],
			  chaos_err *err);

/*
 * Like lookup, but also checks the binding against the live domains (from
 * chaos_domain_list): a binding whose (domid, handle) is not live, or
 * whose domain is dying, fails with code ESTALE and is left for prune.
 */
int chaos_registry_lookup_live(chaos_registry *reg, const char *name,
			       const chaos_domain_info *live,
			       size_t count, uint32_t *domid,
			       chaos_err *err);

/*
 * The name bound to exactly (domid, handle), into name (len bytes, at least
 * CHAOS_NAME_MAX is always enough). Returns 0, or -1 if there is none or it
 * does not fit. Reads the whole directory once per registry handle and
 * answers from that snapshot (kept up to date with this handle's own
 * claims and releases), so listing many domains stays cheap.
 */
int chaos_registry_name_of(chaos_registry *reg, uint32_t domid,
			   const uint8_t handle[16], char *name,
			   size_t len);

/* Remove the binding of name; code ENOENT if there was none. */
int chaos_registry_release(chaos_registry *reg, const char *name,
			   chaos_err *err);

/*
 * Remove the binding of name only if it is still exactly (domid, handle),
 * e.g. a stale one found by a lookup, so that a binding another process
 * made meanwhile is kept: code EBUSY then, ENOENT if there is none.
 */
int chaos_registry_release_if(chaos_registry *reg, const char *name,
			      uint32_t domid,
			      const uint8_t handle[16],
			      chaos_err *err);

/*
 * Drop entries whose (domid, handle) is not among the live domains or
 * whose domain is dying, and temporary files left by a crashed writer. Invalid files are left alone
 * (and reported to the warning hook).
 */
int chaos_registry_prune(chaos_registry *reg,
			 const chaos_domain_info *live, size_t count,
			 chaos_err *err);

#endif
