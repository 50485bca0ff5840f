// SPDX-License-Identifier: MIT
/*
 * Audit finding 15: chaosd restarted a guest that crashes at boot for
 * ever. The back-off (chaosd/restart_limit.c) allows RESTART_LIMIT
 * restarts within RESTART_WINDOW_MS and refuses the next.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "../../restart_limit.h"

#define T0 5000000LL

static void test_too_fast_refused(void **state)
{
	struct restart_history h = { 0 };

	(void)state;
	for (int i = 0; i < RESTART_LIMIT; i++)
		assert_true(restart_history_allow(&h, T0 + i * 100));
	assert_false(restart_history_allow(&h, T0 + RESTART_LIMIT * 100));
	/* Refused is refused for the rest of the window... */
	assert_false(restart_history_allow(&h, T0 + RESTART_WINDOW_MS - 1));
	/* ...then the oldest restart has left it. */
	assert_true(restart_history_allow(&h, T0 + RESTART_WINDOW_MS));
}

static void test_slow_restarts_go_on(void **state)
{
	struct restart_history h = { 0 };

	(void)state;
	/* One restart every window/LIMIT: LIMIT within a window at most. */
	for (int i = 0; i < 100; i++)
		assert_true(restart_history_allow(&h, T0 +
			i * (RESTART_WINDOW_MS / RESTART_LIMIT)));
}

static void test_never_more_than_the_limit_in_a_window(void **state)
{
	struct restart_history h = { 0 };
	long long allowed[1000];
	int n = 0;

	(void)state;
	/* A guest crashing every 700 ms for 10 minutes. */
	for (long long t = T0; t < T0 + 600000; t += 700)
		if (restart_history_allow(&h, t))
			allowed[n++] = t;
	for (int i = RESTART_LIMIT; i < n; i++)
		assert_true(allowed[i] - allowed[i - RESTART_LIMIT] >=
			    RESTART_WINDOW_MS);
	assert_true(n >= 600000 / RESTART_WINDOW_MS * RESTART_LIMIT);
}

static void test_guests_by_name(void **state)
{
	struct restart_limit l = { 0 };
	char name[16];

	(void)state;
	for (int i = 0; i < RESTART_LIMIT; i++) {
		assert_true(restart_limit_allow(&l, "a", T0 + i));
		assert_true(restart_limit_allow(&l, "b", T0 + i));
	}
	assert_false(restart_limit_allow(&l, "a", T0 + 10));
	assert_false(restart_limit_allow(&l, "b", T0 + 10));
	assert_true(restart_limit_allow(&l, "c", T0 + 10));
	/* Forgotten (the guest went): a new guest of that name starts
	 * afresh. */
	restart_limit_forget(&l, "a");
	assert_true(restart_limit_allow(&l, "a", T0 + 11));
	assert_false(restart_limit_allow(&l, "b", T0 + 11));
	/* Many guests, each quiet long enough, do not pile up. */
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "g%d", i);
		assert_true(restart_limit_allow(&l, name,
						T0 + 2 * RESTART_WINDOW_MS * (i + 1)));
	}
	assert_true(l.n <= 2);
	restart_limit_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_too_fast_refused),
		cmocka_unit_test(test_slow_restarts_go_on),
		cmocka_unit_test(test_never_more_than_the_limit_in_a_window),
		cmocka_unit_test(test_guests_by_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
