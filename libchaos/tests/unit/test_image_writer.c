// SPDX-License-Identifier: MIT
/*
 * An image written by a thread of its own (ckpt/image_writer.c): the same
 * bytes and checksum as a stream that writes itself, held bytes written
 * before their ticket is done, and a failed write reported by every
 * later call without hanging.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ckpt/ckpt.h"
#include "mem_stream.h"

#define PIECE 8192u
#define PIECES 64u

/* A writer that fails from its fail_at'th write on (0: never). */
struct failing {
	struct mem_stream m;
	unsigned int writes, fail_at;
};

static int failing_write(void *ctx, void *buf, size_t len, chaos_err *err)
{
	struct failing *f = ctx;

	if (f->fail_at && ++f->writes >= f->fail_at)
		return chaos_err_set(err, ENOSPC, "image: write failed: %s",
				     strerror(ENOSPC));
	return mem_write(&f->m, buf, len, err);
}

static void fill(uint8_t *p, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 31u + seed * 7u);
}

/* Pieces, every other one held, then the END; into m. */
static void write_image(struct mem_stream *m, bool threaded,
			uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE])
{
	static uint8_t pieces[PIECES][PIECE];
	struct chaos_saveimg_stream s;
	uint64_t ticket = 0;
	chaos_err err;

	assert_int_equal(chaos_saveimg_stream_init(&s, mem_write, m, &err), 0);
	if (threaded)
		assert_int_equal(chaos_saveimg_stream_async(&s, &err), 0);
	for (unsigned int i = 0; i < PIECES; i++) {
		fill(pieces[i], PIECE, i);
		if (i % 2)
			assert_int_equal(chaos_saveimg_put(&s, pieces[i], PIECE,
							   &err), 0);
		else
			assert_int_equal(chaos_saveimg_put_held(&s, pieces[i],
								PIECE, &ticket,
								&err), 0);
	}
	assert_int_equal(chaos_saveimg_wait(&s, ticket, &err), 0);
	assert_int_equal(chaos_saveimg_put_end(&s, digest, &err), 0);
	assert_int_equal(s.done, m->len);
	chaos_saveimg_stream_free(&s);
}

static void test_same_bytes(void **state)
{
	uint8_t d1[CHAOS_SAVEIMG_HASH_SIZE], d2[CHAOS_SAVEIMG_HASH_SIZE];
	struct mem_stream plain = { 0 }, threaded = { 0 };

	(void)state;
	write_image(&plain, false, d1);
	write_image(&threaded, true, d2);
	assert_int_equal(plain.len, threaded.len);
	assert_memory_equal(plain.buf, threaded.buf, plain.len);
	assert_memory_equal(d1, d2, sizeof(d1));
	free(plain.buf);
	free(threaded.buf);
}

/* Once wait says a held piece is written, it may change or go. */
static void test_held_written_before_ticket(void **state)
{
	struct chaos_saveimg_stream s;
	struct mem_stream m = { 0 };
	uint8_t *held = malloc(PIECE), want[PIECE];
	uint64_t ticket = 0;
	chaos_err err;

	(void)state;
	assert_non_null(held);
	fill(held, PIECE, 3);
	memcpy(want, held, PIECE);
	assert_int_equal(chaos_saveimg_stream_init(&s, mem_write, &m, &err), 0);
	assert_int_equal(chaos_saveimg_stream_async(&s, &err), 0);
	assert_int_equal(chaos_saveimg_put_held(&s, held, PIECE, &ticket, &err), 0);
	assert_true(ticket > 0);
	assert_int_equal(chaos_saveimg_wait(&s, ticket, &err), 0);
	memset(held, 0xee, PIECE);
	free(held);
	assert_int_equal(chaos_saveimg_flush(&s, &err), 0);
	assert_int_equal(m.len, PIECE);
	assert_memory_equal(m.buf, want, PIECE);
	chaos_saveimg_stream_free(&s);
	free(m.buf);
}

static void test_write_failure(void **state)
{
	struct failing f = { .fail_at = 5 };
	struct chaos_saveimg_stream s;
	uint8_t piece[PIECE] = { 1 }, digest[CHAOS_SAVEIMG_HASH_SIZE];
	chaos_err err;
	int rc = 0;

	(void)state;
	assert_int_equal(chaos_saveimg_stream_init(&s, failing_write, &f, &err), 0);
	assert_int_equal(chaos_saveimg_stream_async(&s, &err), 0);
	/* Puts may still be taken until the writer has failed... */
	for (unsigned int i = 0; i < 100 && !rc; i++)
		rc = chaos_saveimg_put(&s, piece, sizeof(piece), &err);
	/* ...and the end never succeeds after it. */
	if (!rc)
		rc = chaos_saveimg_put_end(&s, digest, &err);
	assert_int_equal(rc, -1);
	assert_int_equal(err.code, ENOSPC);
	assert_non_null(strstr(err.msg, "write failed"));
	assert_int_equal(chaos_saveimg_flush(&s, &err), -1);
	chaos_saveimg_stream_free(&s);
	free(f.m.buf);
}

/* Freed with writes still queued (a failure elsewhere): nothing leaks,
 * nothing hangs. */
static void test_free_with_queue(void **state)
{
	struct chaos_saveimg_stream s;
	struct mem_stream m = { 0 };
	uint8_t piece[PIECE] = { 2 };
	chaos_err err;

	(void)state;
	assert_int_equal(chaos_saveimg_stream_init(&s, mem_write, &m, &err), 0);
	assert_int_equal(chaos_saveimg_stream_async(&s, &err), 0);
	for (unsigned int i = 0; i < PIECES; i++)
		assert_int_equal(chaos_saveimg_put(&s, piece, sizeof(piece), &err), 0);
	chaos_saveimg_stream_free(&s);
	assert_null(s.async);
	free(m.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_bytes),
		cmocka_unit_test(test_held_written_before_ticket),
		cmocka_unit_test(test_write_failure),
		cmocka_unit_test(test_free_with_queue),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
