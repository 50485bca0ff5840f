/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_MIGRATE_H
#define CHAOS_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <chaos/api.h>
#include <chaos/checkpoint.h>
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
 *
 * The file descriptors are the caller's: libchaos reads and writes them
 * but never closes them. Writes to a peer that went away raise SIGPIPE; a
 * program should ignore it (the call then fails with EPIPE). Each call
 * takes a host under host.h's rule: one thread at a time.
 */

#define CHAOS_PSK_MIN 16
#define CHAOS_PSK_MAX 4096

typedef struct chaos_migrate_key {
	uint8_t bytes[CHAOS_PSK_MAX];
	size_t len;     /* 0: no key (the transport authenticates) */
} chaos_migrate_key;

/*
 * Read a pre-shared key from the file (path) into (*key): a regular file
 * of CHAOS_PSK_MIN..CHAOS_PSK_MAX bytes, readable by its owner only. Both
 * ends must load the same key. Reentrant.
 *
 * Returns 0, or -1 with key->len 0 and err set: ENOENT or EACCES the file
 * cannot be opened, EACCES its mode lets others read it (fix: chmod 600),
 * EINVAL not a regular file, or too short or too long.
 */
CHAOS_API int chaos_migrate_key_load(const char *path, chaos_migrate_key *key,
				     chaos_err *err);

/*
 * A key as text, for a program that hands it to another (the CLI to
 * chaosd): to_hex writes key->len bytes as 2 * key->len lower-case hex
 * digits and a NUL into (out), room for 2 * CHAOS_PSK_MAX + 1; from_hex
 * reads them back into (*key). Reentrant. from_hex returns 0, or -1 with
 * key->len 0 and EINVAL: not an even number of lower-case hex digits for
 * CHAOS_PSK_MIN..CHAOS_PSK_MAX bytes. The caller wipes the text.
 */
CHAOS_API void chaos_migrate_key_to_hex(const chaos_migrate_key *key,
					char *out);
CHAOS_API int chaos_migrate_key_from_hex(const char *hex,
					 chaos_migrate_key *key,
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
	chaos_ckpt_phases phases; /* the source's share of the work */
} chaos_migrate_timing;

/*
 * Source side: migrate (domid) over (in_fd, out_fd), which reach the
 * destination's receiver (chaos_migrate_receive), authenticated with
 * (key) (NULL or len 0: the transport does it). The guest is suspended,
 * its image sent, and destroyed here only once the destination runs it.
 * (timing) may be NULL.
 *
 * Returns 0: the guest runs at the destination and the source copy is
 * gone. Or -1 with err set, saying why and whether the guest was resumed
 * here: it was, unless the destination may already run it (the message
 * then says so, and the guest is left suspended here for the operator).
 * Codes: as chaos_checkpoint_suspend() for the suspend; EACCES the peer failed
 * the key proof; EPROTO a malformed stream; ETIMEDOUT a silent peer; EPIPE
 * or ECONNRESET a closed one; else the failing call's errno.
 */
CHAOS_API int chaos_migrate_send(chaos_host *host, uint32_t domid, int in_fd,
				 int out_fd, const chaos_migrate_key *key,
				 chaos_migrate_timing *timing, chaos_err *err);
/*
 * The same, live (pre-copy): the guest runs while its memory goes out in
 * rounds and is suspended only for the last pages and its state
 * (timing->rounds and pages_resent say how it went). Until the destination
 * runs it, any failure leaves it running here. Returns as
 * chaos_migrate_send().
 */
CHAOS_API int chaos_migrate_send_live(chaos_host *host, uint32_t domid,
				      int in_fd, int out_fd,
				      const chaos_migrate_key *key,
				      chaos_migrate_timing *timing,
				      chaos_err *err);

/*
 * Constructor, destination side: receive one guest over (in_fd, out_fd)
 * with (key), restore it paused, unpause it when the source says "go",
 * and claim its name when the source has destroyed its copy. (*domid) is
 * its new id. The image is checked like a file; nothing the stream says
 * becomes a host path: no kernel, no disk (the image has none), no
 * state-directory path. (opts) may be NULL; only its bridges count: the
 * guest's vifs join only bridges this host allows (see
 * chaos_restore_opts), the guest is always restored paused and unnamed
 * until "go" and the end.
 *
 * Returns 0: the guest runs here, named. Or -1 with err set: if the
 * failure came before "go", nothing is left here (*domid 0) and the source
 * keeps the guest; after it, the guest may run here (*domid set) while
 * the source did not confirm, and the message says so. Codes: EACCES the
 * peer failed the key proof, EPROTO or EINVAL a malformed stream or image,
 * ETIMEDOUT a silent peer, EEXIST the name is taken here; else as
 * chaos_checkpoint_restore().
 */
CHAOS_API int chaos_migrate_receive(chaos_host *host, int in_fd, int out_fd,
				    const chaos_migrate_key *key,
				    const chaos_restore_opts *opts,
				    uint32_t *domid, chaos_err *err);

#ifdef __cplusplus
}
#endif

#endif
