// SPDX-License-Identifier: MIT
/* An image streamed through its checksum or MAC (ckpt.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <nettle/memops.h>

#include "ckpt/ckpt.h"

/* One read or write at most this long: progress for signals, no giant
 * single system call. */
#define IO_CHUNK (8u << 20)

int chaos_saveimg_stream_init(struct chaos_saveimg_stream *s,
			      chaos_saveimg_io io, void *ctx, chaos_err *err)
{
	memset(s, 0, sizeof(*s));
	s->io = io;
	s->ctx = ctx;
	s->ph = &s->scratch;
	s->xxh = XXH64_createState();
	if (!s->xxh || XXH64_reset(s->xxh, 0) != XXH_OK)
		return chaos_err_set(err, ENOMEM,
				     "out of memory for the image's checksum");
	return 0;
}

int chaos_saveimg_stream_key(struct chaos_saveimg_stream *s,
			     const uint8_t key[CHAOS_SAVEIMG_KEY_SIZE],
			     const uint8_t nonce[CHAOS_SAVEIMG_KEY_SIZE],
			     chaos_err *err)
{
	_Static_assert(CHAOS_SAVEIMG_KEY_SIZE == UMAC_KEY_SIZE, "UMAC key");
	_Static_assert(CHAOS_SAVEIMG_HASH_SIZE == UMAC128_DIGEST_SIZE,
		       "UMAC-128 digest");
	if (s->done)
		return chaos_err_set(err, EINVAL,
				     "image: keyed after %llu bytes",
				     (unsigned long long)s->done);
	s->umac = malloc(sizeof(*s->umac));
	if (!s->umac)
		return chaos_err_set(err, ENOMEM,
				     "out of memory for the image's MAC");
	umac128_set_key(s->umac, key);
	umac128_set_nonce(s->umac, CHAOS_SAVEIMG_KEY_SIZE, nonce);
	return 0;
}

void chaos_saveimg_stream_free(struct chaos_saveimg_stream *s)
{
	chaos_saveimg_async_stop(s);
	XXH64_freeState(s->xxh);
	s->xxh = NULL;
	if (s->umac)
		memset(s->umac, 0, sizeof(*s->umac)); /* key material */
	free(s->umac);
	s->umac = NULL;
}

static void sum_update(struct chaos_saveimg_stream *s, const void *buf,
		       size_t len)
{
	uint64_t t = chaos_now_us();

	if (s->umac)
		umac128_update(s->umac, len, buf);
	else
		XXH64_update(s->xxh, buf, len);
	chaos_lap(&s->ph->hash_us, t);
}

static void sum_digest(struct chaos_saveimg_stream *s,
		       uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE])
{
	XXH64_canonical_t c;

	if (s->umac) {
		umac128_digest(s->umac, CHAOS_SAVEIMG_HASH_SIZE, digest);
		return;
	}
	/* The unkeyed checksum is 64 bits; the rest of the field is zero. */
	XXH64_canonicalFromHash(&c, XXH64_digest(s->xxh));
	memset(digest, 0, CHAOS_SAVEIMG_HASH_SIZE);
	memcpy(digest, c.digest, sizeof(c.digest));
}

int chaos_saveimg_put(struct chaos_saveimg_stream *s, const void *buf,
		      size_t len, chaos_err *err)
{
	return chaos_saveimg_put_held(s, buf, len, NULL, err);
}

/* (ticket NULL: a plain put, the bytes copied when a thread writes.) */
int chaos_saveimg_put_held(struct chaos_saveimg_stream *s, const void *buf,
			   size_t len, uint64_t *ticket, chaos_err *err)
{
	uint64_t t;

	sum_update(s, buf, len);
	if (s->async) {
		if (chaos_saveimg_async_queue(s, buf, len, ticket != NULL,
					      ticket, err))
			return -1;
		s->done += len;
		return 0;
	}
	t = chaos_now_us();
	if (s->io(s->ctx, (void *)buf, len, err))
		return -1;
	chaos_lap(&s->ph->io_us, t);
	s->done += len;
	return 0;
}

int chaos_saveimg_get(struct chaos_saveimg_stream *s, void *buf, size_t len,
		      chaos_err *err)
{
	uint64_t t = chaos_now_us();

	if (s->io(s->ctx, buf, len, err))
		return -1;
	chaos_lap(&s->ph->io_us, t);
	sum_update(s, buf, len);
	s->done += len;
	return 0;
}

int chaos_saveimg_put_end(struct chaos_saveimg_stream *s,
			  uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE],
			  chaos_err *err)
{
	uint8_t hdr[CHAOS_SAVEIMG_RECORD_HEADER];

	chaos_saveimg_end_header(hdr);
	if (chaos_saveimg_put(s, hdr, sizeof(hdr), err))
		return -1;
	sum_digest(s, digest);
	if (s->async) {
		if (chaos_saveimg_async_queue(s, digest, CHAOS_SAVEIMG_HASH_SIZE,
					      false, NULL, err) ||
		    chaos_saveimg_flush(s, err))
			return -1;
	} else if (s->io(s->ctx, digest, CHAOS_SAVEIMG_HASH_SIZE, err)) {
		return -1;
	}
	s->done += CHAOS_SAVEIMG_HASH_SIZE;
	return 0;
}

int chaos_saveimg_get_end(struct chaos_saveimg_stream *s,
			  uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE],
			  chaos_err *err)
{
	uint8_t hdr[CHAOS_SAVEIMG_RECORD_HEADER], said[CHAOS_SAVEIMG_HASH_SIZE];

	if (chaos_saveimg_get(s, hdr, sizeof(hdr), err) ||
	    chaos_saveimg_check_end(hdr, err))
		return -1;
	sum_digest(s, digest);
	if (s->io(s->ctx, said, sizeof(said), err))
		return -1;
	s->done += sizeof(said);
	if (!memeql_sec(said, digest, sizeof(said)))
		return chaos_err_set(err, EINVAL, s->umac ?
				     "image: MAC mismatch: the image was altered or damaged on the way" :
				     "image: checksum mismatch: the image is damaged");
	return 0;
}

int chaos_saveimg_read_head(struct chaos_saveimg_stream *s, uint64_t total,
			    uint64_t max_pages, struct chaos_saveimg *img,
			    chaos_err *err)
{
	uint8_t peek[CHAOS_SAVEIMG_PEEK_SIZE], *head;
	uint64_t nr_pages;
	size_t len;

	memset(img, 0, sizeof(*img));
	if (total < sizeof(peek))
		return chaos_err_set(err, EINVAL,
				     "image: %llu bytes, too short for a saved guest",
				     (unsigned long long)total);
	/* The header and DOMAIN bound the rest: nothing big is read blind. */
	if (chaos_saveimg_get(s, peek, sizeof(peek), err) ||
	    chaos_saveimg_head_len(peek, sizeof(peek), total, &len, &nr_pages,
				   err))
		return -1;
	/* A migration peer announces what it likes: a guest this host
	 * could not hold costs it nothing here. */
	if (max_pages && nr_pages > max_pages)
		return chaos_err_set(err, ENOMEM,
				     "image: DOMAIN nr_pages %llu (%llu MiB): more than this host's free memory (%llu MiB)",
				     (unsigned long long)nr_pages,
				     (unsigned long long)(nr_pages >> 8),
				     (unsigned long long)(max_pages >> 8));
	head = malloc(len);
	if (!head)
		return chaos_err_set(err, ENOMEM, "out of memory for the image head");
	memcpy(head, peek, sizeof(peek));
	if (chaos_saveimg_get(s, head + sizeof(peek), len - sizeof(peek), err) ||
	    chaos_saveimg_decode_head(head, len, total, img, err)) {
		free(head);
		return -1;
	}
	img->owned = head;
	return 0;
}

int chaos_saveimg_fd_write(void *fdp, void *buf, size_t len, chaos_err *err)
{
	if (chaos_write_all(*(int *)fdp, buf, len))
		return chaos_err_set(err, errno, "image: write failed: %s",
				     strerror(errno));
	return 0;
}

int chaos_saveimg_fd_read(void *fdp, void *buf, size_t len, chaos_err *err)
{
	uint8_t *p = buf;
	int fd = *(int *)fdp;

	while (len) {
		ssize_t n = read(fd, p, len > IO_CHUNK ? IO_CHUNK : len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return chaos_err_set(err, errno, "image: read failed: %s",
					     strerror(errno));
		if (n == 0)
			return chaos_err_set(err, EINVAL,
					     "image: it ends early (truncated)");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
