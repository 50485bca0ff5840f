/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_MIGRATE_LAYER_H
#define CHAOS_MIGRATE_LAYER_H

/*
 * Layer migrate: Migration: the authenticated wire, the session, live pre-copy at both ends.
 * Internal to libchaos: declarations grouped by the file that defines them.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <chaos/error.h>
#include <chaos/migrate.h>
#include <chaos/guest.h>
#include <chaos/checkpoint.h>

#include "ckpt/ckpt.h"

/* ---- wire.c ---- */

/*
 * The migration stream: messages of a 16-byte header (type, zero, length)
 * and a payload, each read with a time limit and a per-type size limit.
 * Plus the pre-shared-key handshake. No Xen here.
 */


#define CHAOS_MIG_VERSION 1
#define CHAOS_MIG_NONCE 32
#define CHAOS_MIG_MAC 32
#define CHAOS_MIG_TEXT_MAX 512

enum chaos_mig_type {
	CHAOS_MIG_HELLO = 1,     /* u32 version, u32 flags, nonce */
	CHAOS_MIG_AUTH = 2,      /* mac over both nonces and the role */
	CHAOS_MIG_IMAGE = 3,     /* the image */
	CHAOS_MIG_IMAGE_MAC = 4, /* mac over the nonces and the image hash */
	CHAOS_MIG_STATUS = 5,    /* i32 code (0 or -errno), text */
	CHAOS_MIG_GO = 6,
	CHAOS_MIG_RUNNING = 7,
	CHAOS_MIG_DONE = 8,
	CHAOS_MIG_IMAGE_PART = 9, /* a piece of a live stream (image version 11) */
};

#define CHAOS_MIG_F_PSK 1u

/* Who computes a MAC (so no message can be replayed as another). */
enum chaos_mig_role {
	CHAOS_MIG_SENDER = 1,
	CHAOS_MIG_RECEIVER = 2,
	CHAOS_MIG_IMAGE_DIGEST = 3,
	CHAOS_MIG_IMAGE_KEY = 4,
};

struct chaos_mig {
	int in, out;
	enum chaos_mig_role role;
	const chaos_migrate_key *key;  /* NULL or len 0: no key */
	uint8_t nonce_mine[CHAOS_MIG_NONCE], nonce_peer[CHAOS_MIG_NONCE];
	bool authed;	/* both proved the key: control messages are MAC'd */
	/* Sealed messages so far each way: in their MAC, so none replays. */
	uint64_t sealed_sent, sealed_received;
	/* The last receive failed on the peer's own STATUS (MAC'd with a
	 * key): the only failure after GO that lets the source resume. */
	bool peer_refused;
	/* This side's busy mark on the guest (-1: none yet): noted at "go",
	 * so that recovery knows which copy is the guest if we die. */
	int mark;
};

int chaos_mig_send(struct chaos_mig *m, uint32_t type, const void *payload,
		   uint64_t len, chaos_err *err);
/*
 * Receive one message of type want (a STATUS instead is turned into err
 * with the peer's text); payload malloc'd (max bytes at most).
 */
int chaos_mig_recv(struct chaos_mig *m, uint32_t want, uint64_t max,
		   unsigned int timeout_ms, uint8_t **payload, uint64_t *len,
		   chaos_err *err);
/*
 * A streamed message's header only: of type want1 or want2 (anything else,
 * a STATUS included, is an error as chaos_mig_recv gives it), at most max
 * bytes; its payload is then read with chaos_mig_read.
 */
int chaos_mig_recv_stream(struct chaos_mig *m, uint32_t want1, uint32_t want2,
			  uint64_t max, unsigned int timeout_ms,
			  uint32_t *type, uint64_t *len, chaos_err *err);
int chaos_mig_read(struct chaos_mig *m, void *buf, size_t len,
		   unsigned int timeout_ms, chaos_err *err);
/* Tell the peer how it went (0 or -errno, text). */
int chaos_mig_status(struct chaos_mig *m, int code, const char *text);

/* HELLO both ways, then with a key AUTH both ways. */
int chaos_mig_handshake(struct chaos_mig *m, unsigned int timeout_ms,
			chaos_err *err);
/* The image's MAC: over the nonces and the image stream's own MAC. */
void chaos_mig_image_mac(const struct chaos_mig *m,
			 const uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE],
			 uint8_t out[CHAOS_MIG_MAC]);
/*
 * With a key, the image stream is keyed from the session (UMAC key and
 * nonce derived from the pre-shared key and both nonces); without one it
 * keeps its checksum (the transport, ssh, authenticates it).
 */
int chaos_mig_key_stream(const struct chaos_mig *m,
			 struct chaos_saveimg_stream *s, chaos_err *err);

/*
 * A message streamed out: its header, then len bytes through
 * chaos_mig_write (an image stream's io). Control messages are sealed
 * whole by chaos_mig_send, never streamed.
 */
int chaos_mig_send_header(struct chaos_mig *m, uint32_t type, uint64_t len,
			  chaos_err *err);
int chaos_mig_write(void *m, void *buf, size_t len, chaos_err *err);

/* ---- session.c, image_in.c, live_recv.c ---- */

/* What migrate.c shares with the live (pre-copy) migration's two ends. */



/* The destination builds the domain before answering. */
#define CHAOS_MIG_RESTORE_TIMEOUT_MS 120000u
#define CHAOS_MIG_STEP_TIMEOUT_MS 30000u
/* One IMAGE_PART at most: a batch of pages with its record header. */
#define CHAOS_MIG_PART_MAX (64u << 20)

/* The image as it comes off the stream, hashed (chaos_saveimg_get). */
struct chaos_mig_image_in {
	struct chaos_saveimg_stream stream;
	struct chaos_mig *m;
	uint64_t left;	/* bytes of the current message still to read */
	bool parts;	/* IMAGE_PARTs follow one another (a live stream) */
};

int chaos_mig_image_in_init(struct chaos_mig_image_in *in,
			    struct chaos_mig *m, uint64_t first_len,
			    bool parts, chaos_err *err);
void chaos_mig_image_in_free(struct chaos_mig_image_in *in);
/* A chaos_image_check: nothing left over, then the IMAGE_MAC (with a key). */
int chaos_mig_check_image_mac(void *ctx,
			      const uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE],
			      chaos_err *err);

/* Destination of a live migration (live_receive.c): as a restore,
 * the busy mark handed over as by chaos_restore_finish. */
int chaos_live_receive(chaos_host *host, struct chaos_mig_image_in *in,
		       const chaos_restore_opts *opts, uint32_t *domid,
		       char *name, int *mark, chaos_err *err);

/* ---- live_send.c ---- */

struct chaos_live_stats {
	uint32_t rounds;	/* the final one included */
	uint64_t pages_sent;
	uint64_t pages_resent;	/* beyond one of each */
	bool suspended;		/* the guest is suspended (resume it on failure) */
	uint64_t stop_us;	/* when the suspend was asked for */
	uint64_t suspended_us;	/* when it was done */
	chaos_ckpt_phases phases; /* where the work went */
};

/*
 * The live stream of domid out on m as IMAGE_PARTs (live_send.c); digest
 * gets its SHA-256 (for the IMAGE_MAC). On failure stats->suspended says
 * whether the guest must be resumed; log-dirty mode is off either way.
 */
int chaos_live_send(chaos_host *host, uint32_t domid, struct chaos_mig *m,
		    struct chaos_live_stats *stats,
		    uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE], chaos_err *err);

#endif
