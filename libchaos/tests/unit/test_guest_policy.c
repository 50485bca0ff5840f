// SPDX-License-Identifier: MIT
/* Which domains a front end may touch: the rule every front end shares. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <chaos/guest.h>

static void test_classify(void **state)
{
	(void)state;
	/* Domain-0 is Domain-0 whatever its handle says. */
	assert_int_equal(chaos_guest_classify(0, CHAOS_KIND_FOREIGN, false),
			 CHAOS_CLASS_DOM0);
	assert_int_equal(chaos_guest_classify(0, CHAOS_KIND_SHELL, true),
			 CHAOS_CLASS_DOM0);
	/* A shell without a record waits in a pool; with one it is a guest
	 * (a pooled create keeps the shell's handle). */
	assert_int_equal(chaos_guest_classify(5, CHAOS_KIND_SHELL, false),
			 CHAOS_CLASS_SHELL);
	assert_int_equal(chaos_guest_classify(5, CHAOS_KIND_SHELL, true),
			 CHAOS_CLASS_GUEST);
	/* A guest built in one go is a guest, record or not. */
	assert_int_equal(chaos_guest_classify(6, CHAOS_KIND_GUEST, true),
			 CHAOS_CLASS_GUEST);
	assert_int_equal(chaos_guest_classify(6, CHAOS_KIND_GUEST, false),
			 CHAOS_CLASS_GUEST);
	/* xl's domains. */
	assert_int_equal(chaos_guest_classify(7, CHAOS_KIND_FOREIGN, false),
			 CHAOS_CLASS_FOREIGN);
	assert_string_equal(chaos_guest_class_name(CHAOS_CLASS_DOM0), "dom0");
	assert_string_equal(chaos_guest_class_name(CHAOS_CLASS_GUEST), "guest");
	assert_string_equal(chaos_guest_class_name(CHAOS_CLASS_SHELL), "shell");
	assert_string_equal(chaos_guest_class_name(CHAOS_CLASS_FOREIGN),
			    "foreign");
}

static void test_policy(void **state)
{
	chaos_err err = { 0 };

	(void)state;
	assert_int_equal(chaos_guest_policy(0, CHAOS_KIND_FOREIGN, false,
					    "destroy", &err), -1);
	assert_int_equal(err.code, EPERM);
	assert_string_equal(err.msg, "refusing to destroy Domain-0");
	assert_int_equal(chaos_guest_policy(0, CHAOS_KIND_GUEST, true, "pause",
					    &err), -1);
	assert_string_equal(err.msg, "refusing to pause Domain-0");

	assert_int_equal(chaos_guest_policy(12, CHAOS_KIND_SHELL, false,
					    "destroy", &err), -1);
	assert_int_equal(err.code, EPERM);
	assert_non_null(strstr(err.msg, "domain 12"));
	assert_non_null(strstr(err.msg, "unused shell"));

	assert_int_equal(chaos_guest_policy(12, CHAOS_KIND_SHELL, true,
					    "destroy", NULL), 0);
	assert_int_equal(chaos_guest_policy(13, CHAOS_KIND_GUEST, true,
					    "shut down", NULL), 0);
	assert_int_equal(chaos_guest_policy(13, CHAOS_KIND_GUEST, false,
					    "destroy", NULL), 0);
	/* Foreign domains: allowed, as before (chaos destroy works on xl's). */
	assert_int_equal(chaos_guest_policy(14, CHAOS_KIND_FOREIGN, false,
					    "destroy", NULL), 0);
	/* A NULL err is fine on refusal too. */
	assert_int_equal(chaos_guest_policy(0, CHAOS_KIND_FOREIGN, false,
					    "destroy", NULL), -1);
}

/*
 * Audit finding 9: a client that is not root acts on its own guests only.
 * Root's rule is unchanged; anyone else is refused Domain-0, shells,
 * foreign domains (xl's), guests without a record and other users'
 * guests, and the message names the domain and the owner.
 */
static void test_policy_for(void **state)
{
	chaos_err err = { 0 };

	(void)state;
	/* Root: exactly chaos_guest_policy, whoever owns the guest. */
	assert_int_equal(chaos_guest_policy_for(0, 13, "web1", CHAOS_KIND_GUEST,
						true, 2001, "destroy", &err), 0);
	assert_int_equal(chaos_guest_policy_for(0, 14, NULL, CHAOS_KIND_FOREIGN,
						false, 0, "destroy", &err), 0);
	assert_int_equal(chaos_guest_policy_for(0, 0, NULL, CHAOS_KIND_FOREIGN,
						false, 0, "destroy", &err), -1);
	assert_string_equal(err.msg, "refusing to destroy Domain-0");

	/* The owner. */
	assert_int_equal(chaos_guest_policy_for(2001, 13, "web1",
						CHAOS_KIND_GUEST, true, 2001,
						"pause", &err), 0);
	assert_int_equal(chaos_guest_policy_for(2001, 12, "web2",
						CHAOS_KIND_SHELL, true, 2001,
						"destroy", &err), 0);

	/* Someone else's guest: refused, naming domain, name and owner. */
	assert_int_equal(chaos_guest_policy_for(2002, 13, "web1",
						CHAOS_KIND_GUEST, true, 2001,
						"destroy", &err), -1);
	assert_int_equal(err.code, EPERM);
	assert_string_equal(err.msg,
			    "refusing to destroy domain 13 ('web1'): it belongs to uid 2001, not to you (uid 2002)");
	/* Root's guests too (and records from before owners: owner 0). */
	assert_int_equal(chaos_guest_policy_for(2002, 13, "", CHAOS_KIND_GUEST,
						true, 0, "pause", &err), -1);
	assert_string_equal(err.msg,
			    "refusing to pause domain 13: it belongs to uid 0, not to you (uid 2002)");

	/* Foreign domains and guests without a record: root's only. */
	assert_int_equal(chaos_guest_policy_for(2001, 14, NULL,
						CHAOS_KIND_FOREIGN, false, 0,
						"destroy", &err), -1);
	assert_int_equal(err.code, EPERM);
	assert_non_null(strstr(err.msg, "domain 14"));
	assert_non_null(strstr(err.msg, "only root"));
	assert_int_equal(chaos_guest_policy_for(2001, 15, NULL, CHAOS_KIND_GUEST,
						false, 2001, "shut down", &err),
			 -1);
	assert_non_null(strstr(err.msg, "refusing to shut down domain 15"));

	/* Domain-0 and unused shells: the same words as for root. */
	assert_int_equal(chaos_guest_policy_for(2001, 0, NULL, CHAOS_KIND_FOREIGN,
						false, 0, "destroy", &err), -1);
	assert_string_equal(err.msg, "refusing to destroy Domain-0");
	assert_int_equal(chaos_guest_policy_for(2001, 12, NULL, CHAOS_KIND_SHELL,
						false, 2001, "destroy", &err),
			 -1);
	assert_non_null(strstr(err.msg, "unused shell"));
}

/* Audit finding 9: lists show a client that is not root its own guests
 * only. */
static void test_visible(void **state)
{
	(void)state;
	assert_true(chaos_guest_visible(0, CHAOS_CLASS_DOM0, 0));
	assert_true(chaos_guest_visible(0, CHAOS_CLASS_SHELL, 0));
	assert_true(chaos_guest_visible(0, CHAOS_CLASS_FOREIGN, 0));
	assert_true(chaos_guest_visible(0, CHAOS_CLASS_GUEST, 2001));
	assert_true(chaos_guest_visible(2001, CHAOS_CLASS_GUEST, 2001));
	assert_false(chaos_guest_visible(2001, CHAOS_CLASS_GUEST, 2002));
	assert_false(chaos_guest_visible(2001, CHAOS_CLASS_GUEST, 0));
	assert_false(chaos_guest_visible(2001, CHAOS_CLASS_DOM0, 0));
	assert_false(chaos_guest_visible(2001, CHAOS_CLASS_SHELL, 0));
	assert_false(chaos_guest_visible(2001, CHAOS_CLASS_FOREIGN, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_policy_for),
		cmocka_unit_test(test_visible),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
