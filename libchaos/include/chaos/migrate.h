/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_MIGRATE_H
#define CHAOS_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <chaos/api.h>
#include <chaos/error.h>
#include <chaos/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Migration: a guest's image (docs/image-format.md) sent over a byte
 * stream to `chaos migrate-receive` on the destination, which restores it
 * paused; only when the destination says it restored does the source say
 * "go"; the destination unpauses and says "running"; only then is the
 * source copy destroyed. Before "go", any failure (refusal, a dead peer,
 * a timeout) resumes the guest on the source. docs/cli.md has the wire
 * protocol.
 *
 * The stream is authenticated by its transport (ssh), or, over plain TCP,
 * by a pre-shared key: both ends prove knowledge of it over fresh nonces
 * (HMAC-SHA256) before the source suspends anything, and the image's
 * checksum is bound to that session with the key.
 */

#define CHAOS_PSK_MIN 16
#define CHAOS_PSK_MAX 4096

typedef struct chaos_migrate_key {
	uint8_t bytes[CHAOS_PSK_MAX];
	size_t len;     /* 0: no key (the transport authenticates) */
} chaos_migrate_key;

/* A key file: CHAOS_PSK_MIN..CHAOS_PSK_MAX bytes, readable by its owner
 * only. */
CHAOS_API int chaos_migrate_key_load(const char *path, chaos_migrate_key *key,
				     chaos_err *err);

typedef struct chaos_migrate_timing {
	uint64_t suspend_us;    /* request to suspended */
	uint64_t capture_us;    /* image made */
	uint64_t transfer_us;   /* image sent, destination restored it */
	uint64_t downtime_us;   /* suspended to running at the destination */
	uint64_t total_us;
	/* A live migration's rounds (the final one included) and the pages
	 * sent more than once (written again while it ran). */
	uint32_t rounds;
	uint64_t pages_resent;
} chaos_migrate_timing;

/*
 * Source side: migrate domid over (in_fd, out_fd), which reach the
 * destination's receiver. 0: the guest runs at the destination and the
 * source copy is gone. -1: err says why, and whether the guest was
 * resumed here (it was, unless the destination may already run it).
 */
CHAOS_API int chaos_migrate_send(chaos_host *host, uint32_t domid, int in_fd,
				 int out_fd, const chaos_migrate_key *key,
				 chaos_migrate_timing *timing, chaos_err *err);
/*
 * The same, live (pre-copy): the guest runs while its memory goes out in
 * rounds and is suspended only for the last pages and its state. Until
 * the destination runs it, any failure leaves it running here.
 */
CHAOS_API int chaos_migrate_send_live(chaos_host *host, uint32_t domid,
				      int in_fd, int out_fd,
				      const chaos_migrate_key *key,
				      chaos_migrate_timing *timing,
				      chaos_err *err);

/*
 * Destination side: receive one guest. *domid is its new id. The image
 * is checked like a file; nothing the stream says becomes a host path:
 * no kernel, no disk (the image has none), no state-directory path.
 */
CHAOS_API int chaos_migrate_receive(chaos_host *host, int in_fd, int out_fd,
				    const chaos_migrate_key *key,
				    uint32_t *domid, chaos_err *err);

#ifdef __cplusplus
}
#endif

#endif
