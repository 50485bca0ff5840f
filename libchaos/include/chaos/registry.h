/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_REGISTRY_H
#define CHAOS_REGISTRY_H

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
 * Internal: this header leaves the public API. New code resolves names
 * with chaos_guest_resolve() and chaos_guest_get() (guest.h) and drops
 * stale ones with chaos_host_prune() (host.h).
 */

#include <stddef.h>
#include <stdint.h>
#include <chaos/api.h>
#include <chaos/error.h>
#include <chaos/domain.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CHAOS_REGISTRY_DEFAULT_DIR "/run/chaos/names"

typedef struct chaos_registry chaos_registry;

/*
 * Constructor. Open (creating it and its parents if needed, mode 0700) the
 * directory dir, or CHAOS_REGISTRY_DEFAULT_DIR when dir is NULL. A handle
 * holds the lock's file description: do not share one across fork(), open
 * another. A handle is not thread-safe.
 */
CHAOS_API int chaos_registry_open(const char *dir, chaos_registry **out,
				  chaos_err *err);
/* Destructor: close (reg); NULL is allowed. */
CHAOS_API void chaos_registry_close(chaos_registry *reg);

/* Called with one line per ignored directory entry; NULL turns it off. */
typedef void chaos_registry_warn_fn(void *ctx, const char *msg);
CHAOS_API void chaos_registry_set_warn(chaos_registry *reg,
				       chaos_registry_warn_fn *fn, void *ctx);

/*
 * Bind name to (domid, handle). Fails with code EEXIST if a valid entry holds
 * the name, even one whose domain is gone: prune first. An invalid file in
 * the name's place is replaced (a directory there is an error). domid must
 * be a guest's (1 to 0x7fef).
 */
CHAOS_API int chaos_registry_claim(chaos_registry *reg, const char *name,
				   uint32_t domid, const uint8_t handle[16],
				   chaos_err *err);

/* The binding of name; code ENOENT if there is none (or it is invalid). */
CHAOS_API int chaos_registry_lookup(chaos_registry *reg, const char *name,
				    uint32_t *domid, uint8_t handle[16],
				    chaos_err *err);

/*
 * Like lookup, but also checks the binding against the live domains (from
 * chaos_domain_list): a binding whose (domid, handle) is not live fails
 * with code ESTALE and is left in place for prune.
 */
CHAOS_API int chaos_registry_lookup_live(chaos_registry *reg, const char *name,
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
CHAOS_API int chaos_registry_name_of(chaos_registry *reg, uint32_t domid,
				     const uint8_t handle[16], char *name,
				     size_t len);

/* Remove the binding of name; code ENOENT if there was none. */
CHAOS_API int chaos_registry_release(chaos_registry *reg, const char *name,
				     chaos_err *err);

/*
 * Remove the binding of name only if it is still exactly (domid, handle),
 * e.g. a stale one found by a lookup, so that a binding another process
 * made meanwhile is kept: code EBUSY then, ENOENT if there is none.
 */
CHAOS_API int chaos_registry_release_if(chaos_registry *reg, const char *name,
					uint32_t domid,
					const uint8_t handle[16],
					chaos_err *err);

/*
 * Drop entries whose (domid, handle) is not among the live domains, and
 * temporary files left by a crashed writer. Invalid files are left alone
 * (and reported to the warning hook).
 */
CHAOS_API int chaos_registry_prune(chaos_registry *reg,
				   const chaos_domain_info *live, size_t count,
				   chaos_err *err);

#ifdef __cplusplus
}
#endif

#endif
