/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_CHAOS_H
#define CHAOS_CHAOS_H

/*
 * libchaos: a lightweight Xen toolstack. Include this one header and link
 * with -lchaos (docs/api.md). chaosd's client, <chaos/chaosd.h>, is
 * included separately.
 *
 * Stability: the API and ABI are unstable before 1.0: they may change in
 * any release, and the soname (libchaos.so.0) changes with any
 * incompatible change. Check at run time which library you got with
 * chaos_version_number() (version.h).
 *
 * The rules every header follows:
 *   - Errors: a call that can fail returns 0 or -1 and fills a chaos_err
 *     (error.h); each declaration's "Returns" paragraph says which codes
 *     a caller can act on.
 *   - Threads: a chaos_host is used by one thread at a time; open one per
 *     thread. Functions without a host are reentrant unless stated.
 *   - Ownership: what a call allocates for the caller is freed with the
 *     call its comment names (free() for plain arrays and strings).
 *     Constructors and destructors are marked as such.
 *   - The symbols: only what these headers declare is exported; nothing
 *     needs a Xen header.
 */

#include <chaos/version.h>
#include <chaos/clock.h>
#include <chaos/error.h>
#include <chaos/host.h>
#include <chaos/domain.h>
#include <chaos/config.h>
#include <chaos/console.h>
#include <chaos/watch.h>
#include <chaos/shell.h>
#include <chaos/guest.h>
#include <chaos/kernel.h>
#include <chaos/checkpoint.h>
#include <chaos/device.h>
#include <chaos/xendevd.h>
#include <chaos/migrate.h>
#include <chaos/format.h>
#include <chaos/stats.h>
#include <chaos/network.h>
#include <chaos/block.h>

#endif
