// SPDX-License-Identifier: MIT
/* An image streamed through a hash (saveimg_stream.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <nettle/memops.h>

#include "ckpt/ckpt.h"

/* One read or write at most this long: progress for signals, no giant
 * single system call. */
#define IO_CHUNK (8u << 20)

void chaos_saveimg_stream_init(struct chaos_saveimg_stream *s,
			       chaos_saveimg_io io, void *ctx)
{
	s->io = io;
	s->ctx = ctx;
	s->done = 0;
	sha256_init(&s->sha);
}

int chaos_saveimg_put(struct chaos_saveimg_stream *s, const void *buf,
		      size_t len, chaos_err *err)
{
	sha256_update(&s->sha, len, buf);
	if (s->io(s->ctx, (void *)buf, len, err))
		return -1;
	s->done += len;
	return 0;
}

int chaos_saveimg_get(struct chaos_saveimg_stream *s, void *buf, size_t len,
		      chaos_err *err)
{
	if (s->io(s->ctx, buf, len, err))
		return -1;
	sha256_update(&s->sha, len, buf);
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
	sha256_digest(&s->sha, CHAOS_SAVEIMG_HASH_SIZE, digest);
	if (s->io(s->ctx, digest, CHAOS_SAVEIMG_HASH_SIZE, err))
		return -1;
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
	sha256_digest(&s->sha, CHAOS_SAVEIMG_HASH_SIZE, digest);
	if (s->io(s->ctx, said, sizeof(said), err))
		return -1;
	s->done += sizeof(said);
	if (!memeql_sec(said, digest, sizeof(said)))
		return chaos_err_set(err, EINVAL,
				     "image: SHA-256 checksum mismatch: the image is damaged");
	return 0;
}

int chaos_saveimg_read_head(struct chaos_saveimg_stream *s, uint64_t total,
			    struct chaos_saveimg *img, chaos_err *err)
{
	uint8_t peek[CHAOS_SAVEIMG_PEEK_SIZE], *head;
	size_t len;

	memset(img, 0, sizeof(*img));
	if (total < sizeof(peek))
		return chaos_err_set(err, EINVAL,
				     "image: %llu bytes, too short for a saved guest",
				     (unsigned long long)total);
	/* The header and DOMAIN bound the rest: nothing big is read blind. */
	if (chaos_saveimg_get(s, peek, sizeof(peek), err) ||
	    chaos_saveimg_head_len(peek, sizeof(peek), total, &len, err))
		return -1;
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
