// SPDX-License-Identifier: MIT
/*
 * Whether a pooled shell's domain is still the shell, from a domain list
 * (chaos_shell_listed): chaosd drops the shells someone else destroyed
 * (`xl destroy` of a shell's id), and must never drop a live one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <chaos/shell.h>

#include "build/build.h"

static void dom(chaos_domain_info *d, uint32_t domid, uint8_t mark,
		chaos_domain_state state)
{
	memset(d, 0, sizeof(*d));
	d->domid = domid;
	d->state = state;
	memset(d->handle, mark, sizeof(d->handle));
}

static void test_listed(void **state)
{
	struct chaos_shell shell = { .domid = 7 };
	chaos_domain_info doms[5];

	(void)state;
	memset(shell.handle, 0xa7, sizeof(shell.handle));
	dom(&doms[0], 0, 0, CHAOS_STATE_RUNNING);
	dom(&doms[1], 3, 0xa3, CHAOS_STATE_PAUSED);
	dom(&doms[2], 7, 0xa7, CHAOS_STATE_PAUSED);
	dom(&doms[3], 9, 0xa9, CHAOS_STATE_RUNNING);
	dom(&doms[4], 12, 0xac, CHAOS_STATE_BLOCKED);
	/* There, as itself: at any place in the sorted list. */
	assert_true(chaos_shell_listed(&shell, doms, 5));
	assert_true(chaos_shell_listed(&shell, doms + 2, 1));
	assert_true(chaos_shell_listed(&shell, doms + 1, 4));
	assert_true(chaos_shell_listed(&shell, doms, 3));
	/* Destroyed and still dying (chaosd's mapping keeps it so). */
	doms[2].state = CHAOS_STATE_DYING;
	assert_false(chaos_shell_listed(&shell, doms, 5));
	/* Gone, and its id another domain's since. */
	dom(&doms[2], 7, 0xb7, CHAOS_STATE_RUNNING);
	assert_false(chaos_shell_listed(&shell, doms, 5));
	/* Gone. */
	doms[2] = doms[3];
	doms[3] = doms[4];
	assert_false(chaos_shell_listed(&shell, doms, 4));
	assert_false(chaos_shell_listed(&shell, doms, 0));
	/* First and last places. */
	shell.domid = 0;
	memset(shell.handle, 0, sizeof(shell.handle));
	assert_true(chaos_shell_listed(&shell, doms, 4));
	shell.domid = 12;
	memset(shell.handle, 0xac, sizeof(shell.handle));
	assert_true(chaos_shell_listed(&shell, doms, 4));
	assert_false(chaos_shell_listed(&shell, doms, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
