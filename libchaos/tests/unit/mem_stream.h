/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_TEST_MEM_STREAM_H
#define CHAOS_TEST_MEM_STREAM_H

/* An image stream over a buffer in memory, both ways, for the tests. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt/ckpt.h"

struct mem_stream {
	uint8_t *buf;
	size_t len, at, cap;
};

static inline int mem_write(void *ctx, void *buf, size_t len, chaos_err *err)
{
	struct mem_stream *m = ctx;

	if (m->len + len > m->cap) {
		size_t cap = (m->len + len) * 2;
		uint8_t *p = realloc(m->buf, cap);

		if (!p)
			return chaos_err_set(err, ENOMEM, "out of memory");
		m->buf = p;
		m->cap = cap;
	}
	memcpy(m->buf + m->len, buf, len);
	m->len += len;
	return 0;
}

static inline int mem_read(void *ctx, void *buf, size_t len, chaos_err *err)
{
	struct mem_stream *m = ctx;

	if (len > m->len - m->at)
		return chaos_err_set(err, EINVAL, "image: it ends early (truncated)");
	memcpy(buf, m->buf + m->at, len);
	m->at += len;
	return 0;
}

#endif
