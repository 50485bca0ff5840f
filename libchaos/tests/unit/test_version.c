// SPDX-License-Identifier: MIT
/* The library reports the version of the headers it was built with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <chaos/chaos.h>

static void test_runtime_matches_headers(void **state)
{
	(void)state;
	assert_int_equal(chaos_version_number(), CHAOS_VERSION_NUMBER);
	assert_string_equal(chaos_version(), CHAOS_VERSION);
}

/* "major.minor.patch" and the number say the same thing. */
static void test_string_matches_number(void **state)
{
	unsigned int major, minor, patch;

	(void)state;
	assert_int_equal(sscanf(chaos_version(), "%u.%u.%u", &major, &minor,
				&patch), 3);
	assert_true(minor < 1000 && patch < 1000);
	assert_int_equal(chaos_version_number(),
			 (int)(major * 1000000 + minor * 1000 + patch));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runtime_matches_headers),
		cmocka_unit_test(test_string_matches_number),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
