/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_MIGRATE_WIRE_H
#define CHAOS_MIGRATE_WIRE_H

/*
 * The migration stream: messages of a 16-byte header (type, zero, length)
 * and a payload, each read with a time limit and a per-type size limit.
 * Plus the pre-shared-key handshake. No Xen here.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <chaos/error.h>
#include <chaos/migrate.h>

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
	CHAOS_MIG_IMAGE_PART = 9, /* a piece of a live stream (image version 2) */
};

#define CHAOS_MIG_F_PSK 1u

/* Who computes a MAC (so no message can be replayed as another). */
enum chaos_mig_role {
	CHAOS_MIG_SENDER = 1,
	CHAOS_MIG_RECEIVER = 2,
	CHAOS_MIG_IMAGE_DIGEST = 3,
};

struct chaos_mig {
	int in, out;
	enum chaos_mig_role role;
	const chaos_migrate_key *key;  /* NULL or len 0: no key */
	uint8_t nonce_mine[CHAOS_MIG_NONCE], nonce_peer[CHAOS_MIG_NONCE];
	bool authed;	/* both proved the key: control messages are MAC'd */
	/* Sealed messages so far each way: in their MAC, so none replays. */
	uint64_t sealed_sent, sealed_received;
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
/* The image's MAC: over the nonces and its SHA-256 (its last 32 bytes). */
void chaos_mig_image_mac(const struct chaos_mig *m,
			 const uint8_t digest[CHAOS_MIG_MAC],
			 uint8_t out[CHAOS_MIG_MAC]);

/*
 * A message streamed out: its header, then len bytes through
 * chaos_mig_write (an image stream's io). Control messages are sealed
 * whole by chaos_mig_send, never streamed.
 */
int chaos_mig_send_header(struct chaos_mig *m, uint32_t type, uint64_t len,
			  chaos_err *err);
int chaos_mig_write(void *m, void *buf, size_t len, chaos_err *err);

#endif
