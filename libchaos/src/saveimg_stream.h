/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_SAVEIMG_STREAM_H
#define CHAOS_SAVEIMG_STREAM_H

/*
 * An image on its way to or from a file descriptor or a migration stream,
 * hashed as it goes: no second pass over the image, no copy of it in
 * memory. The writer ends with the END record and the SHA-256; the reader
 * checks them.
 */

#include <stddef.h>
#include <stdint.h>
#include <nettle/sha2.h>
#include <chaos/error.h>

#include "saveimg.h"

typedef int (*chaos_saveimg_io)(void *ctx, void *buf, size_t len,
				chaos_err *err);

struct chaos_saveimg_stream {
	chaos_saveimg_io io;	/* writes, or reads exactly, len bytes */
	void *ctx;
	struct sha256_ctx sha;
	uint64_t done;		/* bytes through io so far */
};

void chaos_saveimg_stream_init(struct chaos_saveimg_stream *s,
			       chaos_saveimg_io io, void *ctx);
/* Out (writer) or in (reader), hashed. */
int chaos_saveimg_put(struct chaos_saveimg_stream *s, const void *buf,
		      size_t len, chaos_err *err);
int chaos_saveimg_get(struct chaos_saveimg_stream *s, void *buf, size_t len,
		      chaos_err *err);
/* The END record and the SHA-256 of everything before it, out or in and
 * checked; digest gets it. */
int chaos_saveimg_put_end(struct chaos_saveimg_stream *s,
			  uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE],
			  chaos_err *err);
int chaos_saveimg_get_end(struct chaos_saveimg_stream *s,
			  uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE],
			  chaos_err *err);

/*
 * Version 1, read side: the head and the page types of an image of total
 * bytes (the file's size, or what the migration stream announced) from
 * the stream, every field checked (chaos_saveimg_decode_head). img owns
 * what it points into (chaos_saveimg_free). The pages follow in the
 * stream, then the END record (chaos_saveimg_get_end).
 */
int chaos_saveimg_read_head(struct chaos_saveimg_stream *s, uint64_t total,
			    struct chaos_saveimg *img, chaos_err *err);

/* io for a file descriptor: write all, or read exactly (EOF is an error). */
int chaos_saveimg_fd_write(void *fdp, void *buf, size_t len, chaos_err *err);
int chaos_saveimg_fd_read(void *fdp, void *buf, size_t len, chaos_err *err);

#endif
