// SPDX-License-Identifier: MIT
/*
 * Audit finding 17, "restore and migration take vif bridges (and MACs)
 * from the image": the host decides which bridges an incoming guest's
 * vifs join (chaos_ckpt_place_vifs, before anything is built).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ckpt/ckpt.h"

static struct chaos_saveimg_config two_vifs(const char *b0, const char *b1)
{
	struct chaos_saveimg_config c;

	memset(&c, 0, sizeof(c));
	c.nr_vifs = 2;
	snprintf(c.vifs[0].bridge, sizeof(c.vifs[0].bridge), "%s", b0);
	snprintf(c.vifs[1].bridge, sizeof(c.vifs[1].bridge), "%s", b1);
	return c;
}

static void test_refused_unless_allowed(void **state)
{
	struct chaos_saveimg_config c = two_vifs("br-mgmt", "");
	chaos_restore_opts opts = { 0 };
	chaos_err err;

	(void)state;
	assert_int_equal(chaos_ckpt_place_vifs(&c, NULL, &err), -1);
	assert_int_equal(err.code, EACCES);
	assert_non_null(strstr(err.msg, "vif 0: the image puts it on bridge 'br-mgmt'"));
	assert_int_equal(chaos_ckpt_place_vifs(&c, &opts, &err), -1);
	{
		const char *allow[] = { "br0", "br-mgm", "br-mgmtx=br0" };

		opts.bridges = allow;
		opts.nr_bridges = 3;
		assert_int_equal(chaos_ckpt_place_vifs(&c, &opts, &err), -1);
		assert_int_equal(err.code, EACCES);
	}
}

static void test_allowed_and_mapped(void **state)
{
	struct chaos_saveimg_config c = two_vifs("br0", "br-mgmt");
	const char *list[] = { "br0", "br-mgmt=br1" };
	chaos_restore_opts opts = { .bridges = list, .nr_bridges = 2 };
	chaos_err err;

	(void)state;
	assert_int_equal(chaos_ckpt_place_vifs(&c, &opts, &err), 0);
	assert_string_equal(c.vifs[0].bridge, "br0");
	assert_string_equal(c.vifs[1].bridge, "br1");
	/* No bridge named: the host's default, nothing to allow. */
	c = two_vifs("", "");
	assert_int_equal(chaos_ckpt_place_vifs(&c, NULL, &err), 0);
}

static void test_bad_target(void **state)
{
	struct chaos_saveimg_config c = two_vifs("br0", "");
	const char *list[] = { "br0=../x" };
	chaos_restore_opts opts = { .bridges = list, .nr_bridges = 1 };
	chaos_err err;

	(void)state;
	assert_int_equal(chaos_ckpt_place_vifs(&c, &opts, &err), -1);
	assert_int_equal(err.code, EINVAL);
	list[0] = "br0=";
	assert_int_equal(chaos_ckpt_place_vifs(&c, &opts, &err), -1);
	list[0] = "br0=a-very-long-bridge-name";
	assert_int_equal(chaos_ckpt_place_vifs(&c, &opts, &err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused_unless_allowed),
		cmocka_unit_test(test_allowed_and_mapped),
		cmocka_unit_test(test_bad_target),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
