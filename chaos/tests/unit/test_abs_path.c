// SPDX-License-Identifier: MIT
/* abs_path.c: config paths made absolute as chaosd records them. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "abs_path.h"

static void expect(const char *path, const char *cwd, const char *want)
{
	char out[PATH_MAX];

	assert_int_equal(cli_absolute_path(path, cwd, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void test_absolute_as_given(void **state)
{
	(void)state;
	expect("/etc/chaos/web.json", "/home/u", "/etc/chaos/web.json");
	/* Not resolved: links and ".." are the kernel's, at each open. */
	expect("/a/../b/./c.json", "/home/u", "/a/../b/./c.json");
}

static void test_relative_after_cwd(void **state)
{
	(void)state;
	expect("web.json", "/home/u", "/home/u/web.json");
	expect("./web.json", "/home/u", "/home/u/web.json");
	expect(".//./cfg/web.json", "/home/u", "/home/u/cfg/web.json");
	expect("../web.json", "/home/u", "/home/u/../web.json");
	expect("web.json", "/", "/web.json");
	expect("./", "/home/u", "/home/u/.");
}

static void test_process_cwd(void **state)
{
	char cwd[PATH_MAX], want[PATH_MAX + 16], out[PATH_MAX];

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(want, sizeof(want), "%s%sx.json", cwd,
		 strcmp(cwd, "/") ? "/" : "");
	assert_int_equal(cli_absolute_path("x.json", NULL, out, sizeof(out)),
			 0);
	assert_string_equal(out, want);
}

static void test_refusals(void **state)
{
	char small[8];

	(void)state;
	errno = 0;
	assert_int_equal(cli_absolute_path("", "/", small, sizeof(small)), -1);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_int_equal(cli_absolute_path("/long/path.json", "/", small,
					   sizeof(small)), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	errno = 0;
	assert_int_equal(cli_absolute_path("x.json", "/home/u", small,
					   sizeof(small)), -1);
	assert_int_equal(errno, ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absolute_as_given),
		cmocka_unit_test(test_relative_after_cwd),
		cmocka_unit_test(test_process_cwd),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
