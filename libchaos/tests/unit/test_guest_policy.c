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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
