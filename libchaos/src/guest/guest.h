/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_GUEST_LAYER_H
#define CHAOS_GUEST_LAYER_H

/*
 * Layer guest: Guests: create (whole, or in a pooled shell), destroy, resolve, shut down; their vifs.
 * Internal to libchaos: declarations grouped by the file that defines them.
 */

#include <stdint.h>
#include <sys/stat.h>
#include <chaos/guest.h>
#include <chaos/config.h>
#include <chaos/kernel.h>
#include "state/state.h"

#include "build/build.h"

/* ---- guest.c ---- */

/* Destroy a domain and forget it (record, name) whatever its kind, for
 * the library's own callers (reap, restart, save, migrate); Domain-0 is
 * still refused. Front ends use chaos_guest_destroy. */
int guest_destroy_any(chaos_host *host, uint32_t domid, chaos_err *err);

/*
 * 0 if name ("" is always free) can be claimed: unbound, or bound to a
 * domain that is gone or dying (that stale entry is dropped). Fails with
 * EEXIST naming the holder otherwise. Call before the registry claim.
 */
int guest_name_free(chaos_host *host, const char *name, chaos_err *err);
/*
 * The config a restored guest restarts from (path, as the restorer: as):
 * it parses, with as's rights, and names the guest (name, "" unnamed), or
 * EINVAL naming both. Its absolute path into out, as a create remembers
 * its own. 0 or -1.
 */
int guest_restart_config(const char *path, const chaos_cred *as,
			 const char *name, char out[CHAOS_RECORD_PATH_MAX],
			 chaos_err *err);

/* ---- xs_list.c ---- */

/* The vbds and vifs of domid from its backend entries (*out: free()). */
struct chaos_disk_info;
struct chaos_vif_info;
int chaos_xs_disk_list(chaos_host *host, uint32_t domid,
		       struct chaos_disk_info **out, size_t *count,
		       chaos_err *err);
int chaos_xs_vif_list(chaos_host *host, uint32_t domid,
		      struct chaos_vif_info **out, size_t *count,
		      chaos_err *err);

/* ---- block.c ---- */

/* Does chaos serve (domid)'s devices through XenStore (its record)? For
 * the caller who has already looked the domain up: its handle. */
bool guest_is_xenstore(chaos_host *host, uint32_t domid,
		       const uint8_t handle[16]);

/* ---- xenstore.c ---- */

struct chaos_disk_target;
/* Is a guest of cfg with kernel img served through XenStore? (its
 * "devices", or for "auto" whether the kernel is Linux) */
bool guest_wants_xenstore(const chaos_config *cfg,
			  const struct chaos_image *img);
/* Before anything is made: xenstored answers, no disk is in use. */
int guest_xenstore_check(chaos_host *host, const chaos_config *cfg,
			 const struct chaos_disk_target *targets,
			 chaos_err *err);
/* After the shell, before its boot: the store channel (for dom0). */
int guest_xenstore_channel(chaos_host *host, struct chaos_shell *shell,
			   chaos_err *err);
/* After the boot, before the unpause: grants, entries, introduction,
 * and every backend set up. Nothing of it is left on failure. */
int guest_xenstore_attach(chaos_host *host, const chaos_config *cfg,
			  const struct chaos_shell *shell,
			  uint64_t console_mfn,
			  const struct chaos_disk_target *targets,
			  chaos_err *err);

/* ---- kernel.c ---- */

/* What identifies a file's content without reading it. */
struct chaos_file_id {
	uint64_t dev, ino;
	int64_t size, mtime_s, mtime_ns, ctime_s, ctime_ns;
};

struct stat;
void chaos_file_id_of(const struct stat *st, struct chaos_file_id *id);
/* The most a kernel for a guest of memory_mib MiB may decompress to. */
size_t chaos_kernel_limit(uint64_t memory_mib);
/* k's parsed image (owned by k). */
const struct chaos_image *chaos_kernel_image(const chaos_kernel *k);

/* ---- policy.c ---- */

/* chaos_guest_policy_for a live domain: (info) read by the caller (NULL
 * for Domain-0), its record read here. */
int guest_allowed_for(chaos_host *host, uint32_t caller, uint32_t domid,
		      const chaos_domain_info *info, const char *verb,
		      chaos_err *err);
/* Whose rights a restart of rec's guest opens its files with: its owner,
 * the owner's primary group, and its groups from the group database. */
int guest_cred_of_record(const chaos_domain_record *rec, chaos_cred *out);
/* chaos_check_readable_regular for a file opened with (as)'s rights, its
 * stat in st; none asked for root, who reads any regular file. */
int guest_check_readable(const chaos_cred *as, const char *path,
			 const struct stat *st, const char *what,
			 chaos_err *err);
/* chaos_fscred_enter for (as); NULL switches nothing. */
int guest_fscred_enter(const chaos_cred *as, struct chaos_fscred_saved *saved,
		       chaos_err *err);

/* ---- vifs.c ---- */

/*
 * Give a new (still paused) guest the vifs its config asks for: MACs
 * generated where missing, one noxs vif device each (the first precreated
 * exist already, unconfigured, in a pooled shell: they are configured),
 * and, when xendevd runs, a wait until each is on its bridge so the
 * guest's first packets are not lost (not when attached: every vif is
 * one of those, whose net device xendevd put on its bridge already). Devices are removed by the caller's
 * rollback on failure. With timing, the time from *mark (the end of the
 * step before, chaos_now_us()) goes to devices_us and *mark moves on;
 * timing and mark may both be NULL. With assigned, the vifs as made (MACs
 * assigned for domid) are copied there, cfg->nr_vifs of them.
 */
int chaos_guest_add_vifs(chaos_host *host, const chaos_config *cfg,
			 uint32_t domid, unsigned int precreated,
			 bool attached, chaos_create_timing *timing,
			 uint64_t *mark, chaos_config_vif *assigned,
			 chaos_err *err);

#endif
