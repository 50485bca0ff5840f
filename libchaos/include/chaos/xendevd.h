/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_XENDEVD_H
#define CHAOS_XENDEVD_H

#include <stddef.h>

#include <chaos/api.h>
#include <chaos/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Waiting for xendevd to put a vif on its bridge, so a guest is unpaused
 * only once its network is plugged in. The protocol (docs/xendevd.md) is one
 * line each way on a Unix stream socket:
 *   "wait vif<domid>.<devid> <timeout_ms>\n" ->
 *   "attached <bridge>\n" | "timeout\n" | "error <reason>\n"
 * These calls take no host and are reentrant: each opens its own
 * connection. They block up to the timeout (plus a short grace).
 */

#define CHAOS_XENDEVD_SOCKET "/run/xendevd.sock"
#define CHAOS_XENDEVD_MAX_TIMEOUT_MS 600000u

/*
 * Wait up to (timeout_ms), at most CHAOS_XENDEVD_MAX_TIMEOUT_MS, for
 * vif<domid>.<devid> to be attached to a bridge. (socket_path) NULL means
 * CHAOS_XENDEVD_SOCKET.
 *
 * Returns 0 and, if (bridge) is not NULL, the bridge name in it
 * (bridge_len bytes, 16 always suffice). Or -1 with err set: ETIMEDOUT not
 * attached in time, ENOENT or ECONNREFUSED xendevd not running, EACCES not
 * allowed, EIO xendevd's "error <reason>", EPROTO a malformed answer,
 * EINVAL a bad vif or timeout, ENOSPC bridge_len too small.
 */
CHAOS_API int chaos_xendevd_wait(const char *socket_path, unsigned domid,
				 unsigned devid, unsigned timeout_ms,
				 char *bridge, size_t bridge_len,
				 chaos_err *err);

/* The same for an interface name (ifname), e.g. "vif3.0": at most 15
 * characters, no spaces. */
CHAOS_API int chaos_xendevd_wait_ifname(const char *socket_path,
					const char *ifname, unsigned timeout_ms,
					char *bridge, size_t bridge_len,
					chaos_err *err);

#ifdef __cplusplus
}
#endif

#endif
