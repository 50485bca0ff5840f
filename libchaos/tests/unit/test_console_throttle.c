// SPDX-License-Identifier: MIT
/*
 * Audit finding 10: a guest flooding its console event channel burned a
 * dom0 CPU, because every notification was acknowledged at once. The rate
 * limit (dev/console_throttle.c) lets CHAOS_CONSOLE_EVENTS_MAX events
 * through per CHAOS_CONSOLE_PERIOD_MS, then holds the port masked until
 * the period is over.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dev/dev.h"

#define T0 1000000LL

static void test_quiet_guest_never_held(void **state)
{
	struct console_throttle t = { 0 };

	(void)state;
	/* One event every 10 ms is 20 per period: always acknowledged. */
	for (long long now = T0; now < T0 + 10000; now += 10)
		assert_true(console_throttle_event(&t, now));
	assert_false(t.masked);
	assert_false(console_throttle_release(&t, T0 + 20000));
}

static void test_flood_held_until_the_period_ends(void **state)
{
	struct console_throttle t = { 0 };

	(void)state;
	for (int i = 0; i < CHAOS_CONSOLE_EVENTS_MAX; i++)
		assert_true(console_throttle_event(&t, T0 + i % 3));
	/* One more within the period: held. */
	assert_false(console_throttle_event(&t, T0 + 5));
	assert_true(t.masked);
	/* Held means held, whatever else arrives. */
	assert_false(console_throttle_event(&t, T0 + CHAOS_CONSOLE_PERIOD_MS + 1));
	/* Not before the period's end. */
	assert_false(console_throttle_release(&t, T0 + CHAOS_CONSOLE_PERIOD_MS - 1));
	assert_true(console_throttle_release(&t, T0 + CHAOS_CONSOLE_PERIOD_MS));
	assert_false(t.masked);
	/* Released once only. */
	assert_false(console_throttle_release(&t, T0 + 10 * CHAOS_CONSOLE_PERIOD_MS));
}

static void test_flood_rate_is_bounded(void **state)
{
	struct console_throttle t = { 0 };
	unsigned int acked = 0;

	(void)state;
	/* A guest notifying every 10 us for 10 s: whoever serves the console
	 * polls the release at least every period, as console.h asks. */
	for (long long us = 0; us < 10LL * 1000 * 1000; us += 10) {
		long long now = T0 + us / 1000;

		if (console_throttle_release(&t, now))
			acked++;
		if (console_throttle_event(&t, now))
			acked++;
	}
	/* At most the allowance (plus the releasing event) per period. */
	assert_true(acked <= (10000 / CHAOS_CONSOLE_PERIOD_MS + 1) *
			     (CHAOS_CONSOLE_EVENTS_MAX + 1));
	assert_true(acked >= 10000 / CHAOS_CONSOLE_PERIOD_MS *
			     CHAOS_CONSOLE_EVENTS_MAX / 2);
}

static void test_new_period_new_allowance(void **state)
{
	struct console_throttle t = { 0 };

	(void)state;
	for (int i = 0; i < CHAOS_CONSOLE_EVENTS_MAX; i++)
		assert_true(console_throttle_event(&t, T0));
	/* The allowance used up, but the period is over: a fresh one. */
	for (int i = 0; i < CHAOS_CONSOLE_EVENTS_MAX; i++)
		assert_true(console_throttle_event(&t, T0 + CHAOS_CONSOLE_PERIOD_MS));
	assert_false(t.masked);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quiet_guest_never_held),
		cmocka_unit_test(test_flood_held_until_the_period_ends),
		cmocka_unit_test(test_flood_rate_is_bounded),
		cmocka_unit_test(test_new_period_new_allowance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
