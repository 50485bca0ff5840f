// SPDX-License-Identifier: MIT
/*
 * A subscriber's event queue (chaosd/event_queue.c): bounded, in order,
 * and never silent about what it could not keep.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../event_queue.h"

static chaosd_event ev(uint64_t seq)
{
	chaosd_event e = { .type = CHAOSD_EVENT_CREATED, .seq = seq,
			   .time_ms = 1000 + seq, .domid = (uint32_t)seq };

	return e;
}

static void test_in_order(void **state)
{
	struct event_queue q;
	chaosd_event out;

	(void)state;
	assert_int_equal(event_queue_init(&q, 4), 0);
	assert_false(event_queue_pending(&q));
	assert_false(event_queue_pop(&q, &out));
	/* Around the ring several times. */
	for (uint64_t s = 1; s <= 10; s++) {
		chaosd_event e = ev(s);

		event_queue_push(&q, &e);
		assert_true(event_queue_pending(&q));
		assert_true(event_queue_pop(&q, &out));
		assert_int_equal(out.seq, s);
		assert_int_equal(out.type, CHAOSD_EVENT_CREATED);
	}
	assert_false(event_queue_pop(&q, &out));
	event_queue_free(&q);
}

/* A full queue counts what it drops; the subscriber learns how many and
 * where, ahead of anything newer. */
static void test_overflow_said_before_newer(void **state)
{
	struct event_queue q;
	chaosd_event out, e;

	(void)state;
	assert_int_equal(event_queue_init(&q, 4), 0);
	for (uint64_t s = 1; s <= 10; s++) {
		e = ev(s);
		event_queue_push(&q, &e);
	}
	/* 1..4 kept, 5..10 lost. */
	assert_true(event_queue_pop(&q, &out));
	assert_int_equal(out.seq, 1);
	e = ev(11);
	event_queue_push(&q, &e);  /* room for the overflow note only */
	for (uint64_t s = 2; s <= 4; s++) {
		assert_true(event_queue_pop(&q, &out));
		assert_int_equal(out.seq, s);
	}
	assert_true(event_queue_pop(&q, &out));
	assert_int_equal(out.type, CHAOSD_EVENT_OVERFLOW);
	assert_int_equal(out.lost, 6);
	assert_int_equal(out.seq, 10);  /* the last one lost */
	assert_int_equal(out.time_ms, 1010);
	/* 11 came when only the note fitted: a new loss, said again. */
	assert_true(event_queue_pop(&q, &out));
	assert_int_equal(out.type, CHAOSD_EVENT_OVERFLOW);
	assert_int_equal(out.lost, 1);
	assert_int_equal(out.seq, 11);
	assert_false(event_queue_pop(&q, &out));
	e = ev(12);
	event_queue_push(&q, &e);
	assert_true(event_queue_pop(&q, &out));
	assert_int_equal(out.seq, 12);
	event_queue_free(&q);
}

/* Seq numbers plus the lost counts account for every event pushed. */
static void test_nothing_unaccounted(void **state)
{
	struct event_queue q;
	chaosd_event out, e;
	uint64_t seen = 0, lost = 0, next = 1;

	(void)state;
	assert_int_equal(event_queue_init(&q, 8), 0);
	for (int round = 0; round < 100; round++) {
		/* Bursts larger than the queue, drains of varying size. */
		for (int k = 0; k < (round % 13) + 1; k++) {
			e = ev(next++);
			event_queue_push(&q, &e);
		}
		for (int k = 0; k < round % 5 && event_queue_pop(&q, &out); k++) {
			if (out.type == CHAOSD_EVENT_OVERFLOW)
				lost += out.lost;
			else
				seen++;
		}
	}
	while (event_queue_pop(&q, &out)) {
		if (out.type == CHAOSD_EVENT_OVERFLOW)
			lost += out.lost;
		else
			seen++;
	}
	assert_true(lost > 0);
	assert_int_equal(seen + lost, next - 1);
	event_queue_free(&q);
}

static void test_tiny_capacity(void **state)
{
	struct event_queue q;
	chaosd_event out, e;

	(void)state;
	/* Asked for less than 2: still room for a note and one event. */
	assert_int_equal(event_queue_init(&q, 0), 0);
	assert_int_equal(q.cap, 2);
	for (uint64_t s = 1; s <= 3; s++) {
		e = ev(s);
		event_queue_push(&q, &e);
	}
	assert_true(event_queue_pop(&q, &out));
	assert_int_equal(out.seq, 1);
	assert_true(event_queue_pop(&q, &out));
	assert_int_equal(out.seq, 2);
	assert_true(event_queue_pop(&q, &out));
	assert_int_equal(out.type, CHAOSD_EVENT_OVERFLOW);
	assert_int_equal(out.lost, 1);
	assert_false(event_queue_pop(&q, &out));
	event_queue_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_overflow_said_before_newer),
		cmocka_unit_test(test_nothing_unaccounted),
		cmocka_unit_test(test_tiny_capacity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
