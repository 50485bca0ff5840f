// SPDX-License-Identifier: MIT
/* kill's SIGNAL argument: names with and without SIG, any case, numbers;
 * nothing else. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "oci.h"

static void names(void **state)
{
	(void)state;
	assert_int_equal(oci_signal_parse("TERM"), SIGTERM);
	assert_int_equal(oci_signal_parse("SIGTERM"), SIGTERM);
	assert_int_equal(oci_signal_parse("sigkill"), SIGKILL);
	assert_int_equal(oci_signal_parse("Int"), SIGINT);
	assert_int_equal(oci_signal_parse("HUP"), SIGHUP);
	assert_int_equal(oci_signal_parse("USR1"), SIGUSR1);
}

static void numbers(void **state)
{
	(void)state;
	assert_int_equal(oci_signal_parse("9"), SIGKILL);
	assert_int_equal(oci_signal_parse("15"), SIGTERM);
	assert_int_equal(oci_signal_parse("1"), 1);
	assert_int_equal(oci_signal_parse("64"), SIGRTMAX);
}

static void refused(void **state)
{
	static const char *const bad[] = {
		NULL, "", "0", "65", "-9", "9x", "+9", " 9", "SIG", "TERMX",
		"KILL ", "SIGSIGTERM", "99999999999999999999", "0x9",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(oci_signal_parse(bad[i]), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test(numbers),
		cmocka_unit_test(refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
