// SPDX-License-Identifier: MIT
/*
 * A XenStore guest's image names the paths its disks were served from;
 * the host decides which of them an incoming guest gets, or where they
 * are here (chaos_ckpt_place_disks, before anything is built), as it does
 * for bridges (test_place_vifs.c).
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

/* Two disks: xvda from a, xvdb (read-only) from b. */
static void two_disks(struct chaos_saveimg_devices *d, const char *a,
		      const char *b)
{
	const char *targets[] = { a, b };
	chaos_config cfg;
	chaos_err err;

	chaos_config_init(&cfg);
	cfg.nr_disks = 2;
	strcpy(cfg.disks[0].vdev, "xvda");
	strcpy(cfg.disks[1].vdev, "xvdb");
	assert_int_equal(chaos_config_parse_vdev("xvda", &cfg.disks[0].devid, NULL), 0);
	assert_int_equal(chaos_config_parse_vdev("xvdb", &cfg.disks[1].devid, NULL), 0);
	cfg.disks[1].readonly = true;
	cfg.disks[1].kind = CHAOS_DISK_BLOCK;
	assert_int_equal(chaos_saveimg_devices_pack(d, true, &cfg, targets, &err), 0);
}

static const char *target(const struct chaos_saveimg_devices *d,
			  unsigned int i, char *out, size_t len)
{
	chaos_config cfg;
	chaos_err err;

	chaos_config_init(&cfg);
	assert_int_equal(chaos_saveimg_devices_unpack(d, &cfg, &err), 0);
	snprintf(out, len, "%s", cfg.disks[i].target);
	chaos_config_free(&cfg);
	return out;
}

static void test_refused_unless_allowed(void **state)
{
	struct chaos_saveimg_devices d;
	chaos_restore_opts opts = { 0 };
	const char *near[] = { "/img/a.raw.old", "/img/a", "/img/a.rawx=/x" };
	chaos_err err;

	(void)state;
	two_disks(&d, "/img/a.raw", "/dev/sdb");
	assert_int_equal(chaos_ckpt_place_disks(&d, NULL, &err), -1);
	assert_int_equal(err.code, EACCES);
	assert_string_equal(err.msg,
			    "disk xvda: the image serves it from /img/a.raw; allow that here (--disk /img/a.raw) or map it (--disk /img/a.raw=PATH)");
	assert_int_equal(chaos_ckpt_place_disks(&d, &opts, &err), -1);
	/* Near misses are misses. */
	opts.disks = near;
	opts.nr_disks = 3;
	assert_int_equal(chaos_ckpt_place_disks(&d, &opts, &err), -1);
	assert_int_equal(err.code, EACCES);
	/* The first allowed, the second not: refused, naming the second. */
	near[0] = "/img/a.raw";
	assert_int_equal(chaos_ckpt_place_disks(&d, &opts, &err), -1);
	assert_non_null(strstr(err.msg, "disk xvdb: the image serves it from /dev/sdb"));
}

static void test_allowed_and_mapped(void **state)
{
	struct chaos_saveimg_devices d;
	const char *list[] = { "/dev/sdb=/dev/mapper/vg-guest", "/img/a.raw" };
	chaos_restore_opts opts = { .disks = list, .nr_disks = 2 };
	char t[256];
	chaos_err err;

	(void)state;
	two_disks(&d, "/img/a.raw", "/dev/sdb");
	assert_int_equal(chaos_ckpt_place_disks(&d, &opts, &err), 0);
	assert_string_equal(target(&d, 0, t, sizeof(t)), "/img/a.raw");
	assert_string_equal(target(&d, 1, t, sizeof(t)), "/dev/mapper/vg-guest");
	/* The rest of each disk stays as it was. */
	assert_int_equal(d.disks[1].readonly, 1);
	assert_int_equal(d.disks[1].kind, CHAOS_DISK_BLOCK);
	assert_string_equal(d.disks[1].vdev, "xvdb");
	assert_int_equal(chaos_saveimg_devices_check(&d, &err), 0);
}

static void test_mapped_to_relative_refused(void **state)
{
	struct chaos_saveimg_devices d;
	const char *list[] = { "/img/a.raw=img/b.raw", "/dev/sdb" };
	chaos_restore_opts opts = { .disks = list, .nr_disks = 2 };
	chaos_err err;

	(void)state;
	two_disks(&d, "/img/a.raw", "/dev/sdb");
	assert_int_equal(chaos_ckpt_place_disks(&d, &opts, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_string_equal(err.msg, "disk xvda: 'img/b.raw' is not an absolute path");
}

/* A noxs image, or one without disks, needs nothing allowed. */
static void test_nothing_to_place(void **state)
{
	struct chaos_saveimg_devices d;
	chaos_config cfg;
	chaos_err err;

	(void)state;
	chaos_config_init(&cfg);
	assert_int_equal(chaos_saveimg_devices_pack(&d, false, &cfg, NULL, &err), 0);
	assert_int_equal(chaos_ckpt_place_disks(&d, NULL, &err), 0);
	assert_int_equal(chaos_saveimg_devices_pack(&d, true, &cfg, NULL, &err), 0);
	assert_int_equal(chaos_ckpt_place_disks(&d, NULL, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused_unless_allowed),
		cmocka_unit_test(test_allowed_and_mapped),
		cmocka_unit_test(test_mapped_to_relative_refused),
		cmocka_unit_test(test_nothing_to_place),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
