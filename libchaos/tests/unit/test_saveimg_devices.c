// SPDX-License-Identifier: MIT
/*
 * The DEVICES record (ckpt/image_devices.c): a XenStore guest's three
 * disks packed, through a saved image and a live stream's state, and
 * unpacked into a config that validates; what pack refuses; then each of
 * the decoder's checks on a hostile record, the message naming the field.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ckpt/ckpt.h"
#include "cpu_fixture.h"
#include "mem_stream.h"

#define PAGES 256 /* 1 MiB */
#define PT_PFN 10
#define SI_PFN 3

/* Absolute, as resolved at create; the config's own may be relative. */
static const char *const targets[] = {
	"/srv/guests/web/root.img", "/dev/vg0/web-data", "/srv/guests/web/swap",
};

/* File rw xvda, block ro xvdb, auto rw xvdc. */
static void three_disks(chaos_config *cfg)
{
	static const struct {
		const char *target, *vdev;
		chaos_config_disk_kind kind;
		bool readonly;
	} d[] = {
		{ "root.img", "xvda", CHAOS_DISK_FILE, false },
		{ "/dev/vg0/web-data", "xvdb", CHAOS_DISK_BLOCK, true },
		{ "swap", "xvdc", CHAOS_DISK_AUTO, false },
	};
	chaos_err err;

	chaos_config_init(cfg);
	cfg->devices = CHAOS_DEVICES_XENSTORE;
	for (size_t i = 0; i < 3; i++) {
		chaos_config_disk *k = &cfg->disks[i];

		k->target = strdup(d[i].target);
		assert_non_null(k->target);
		k->kind = d[i].kind;
		k->readonly = d[i].readonly;
		strcpy(k->vdev, d[i].vdev);
		assert_int_equal(chaos_config_parse_vdev(k->vdev, &k->devid, &err), 0);
	}
	cfg->nr_disks = 3;
}

static void packed(struct chaos_saveimg_devices *d)
{
	chaos_config cfg;
	chaos_err err;

	three_disks(&cfg);
	assert_int_equal(chaos_saveimg_devices_pack(d, true, &cfg, targets, &err), 0);
	chaos_config_free(&cfg);
}

/* The config unpacked from d is cfg's, with the absolute targets. */
static void expect_unpacked(const struct chaos_saveimg_devices *d)
{
	chaos_config want, got;
	chaos_err err;

	three_disks(&want);
	chaos_config_init(&got);
	assert_int_equal(chaos_saveimg_devices_unpack(d, &got, &err), 0);
	assert_int_equal(got.devices, CHAOS_DEVICES_XENSTORE);
	assert_int_equal(got.nr_disks, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(got.disks[i].target, targets[i]);
		assert_int_equal(got.disks[i].kind, want.disks[i].kind);
		assert_int_equal(got.disks[i].readonly, want.disks[i].readonly);
		assert_string_equal(got.disks[i].vdev, want.disks[i].vdev);
		assert_int_equal(got.disks[i].devid, want.disks[i].devid);
	}
	/* What it unpacks is a config the rest of chaos accepts. */
	got.kernel = strdup("/k");
	assert_non_null(got.kernel);
	if (chaos_config_validate(&got, &err))
		fail_msg("unpacked config: %s", err.msg);
	chaos_config_free(&got);
	chaos_config_free(&want);
}

/* A guest's state with d as its DEVICES record (types, vCPU, p2m frame
 * in the caller's storage). */
static void state(struct chaos_saveimg *img, struct chaos_saveimg_vcpu *vcpu,
		  uint64_t *frame, uint8_t *types,
		  const struct chaos_saveimg_devices *d)
{
	memset(img, 0, sizeof(*img));
	memset(vcpu, 0, sizeof(*vcpu));
	img->nr_pages = PAGES;
	img->start_info_pfn = SI_PFN;
	img->nr_vcpus = 1;
	strcpy(img->cfg.name, "web");
	img->cfg.memory_mib = 1;
	img->cfg.vcpus = 1;
	img->dev = *d;
	fx_cpu_state(&img->cpu);
	vcpu->online = CHAOS_SAVEIMG_VCPU_ONLINE;
	vcpu->ctx.flags = VGCF_online;
	vcpu->ctx.ctrlreg[3] = (uint64_t)PT_PFN << 12;
	img->vcpus = vcpu;
	*frame = 7;
	img->nr_p2m_frames = 1;
	img->p2m_frames = frame;
	memset(types, CHAOS_PAGE_DATA, PAGES);
	types[PT_PFN] = 4 | CHAOS_PAGE_PINNED;
	img->types = types;
}

/* pack -> a version 6 image (no page with bytes) -> read -> unpack. */
static void test_roundtrip_image(void **st)
{
	struct chaos_saveimg img, back;
	struct chaos_saveimg_vcpu vcpu;
	struct chaos_saveimg_devices d;
	struct chaos_saveimg_stream out, in;
	struct mem_stream m = { 0 };
	uint8_t types[PAGES], map[PAGES / 8] = { 0 };
	uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE];
	size_t head = chaos_saveimg_head_size(PAGES, 1);
	uint8_t *buf = malloc(head);
	uint64_t frame;
	chaos_err err;

	(void)st;
	assert_non_null(buf);
	packed(&d);
	state(&img, &vcpu, &frame, types, &d);
	img.present_map = map;
	assert_int_equal(chaos_saveimg_stream_init(&out, mem_write, &m, &err), 0);
	assert_int_equal(chaos_saveimg_encode_head(buf, head, &img, &err), 0);
	assert_int_equal(chaos_saveimg_put(&out, buf, head, &err), 0);
	assert_int_equal(chaos_saveimg_put(&out, types, sizeof(types), &err), 0);
	assert_int_equal(chaos_saveimg_put(&out, map, sizeof(map), &err), 0);
	assert_int_equal(chaos_saveimg_put_end(&out, digest, &err), 0);
	chaos_saveimg_stream_free(&out);
	free(buf);
	assert_int_equal(m.len, chaos_saveimg_size_with(PAGES, 1, 0));

	assert_int_equal(chaos_saveimg_stream_init(&in, mem_read, &m, &err), 0);
	if (chaos_saveimg_read_head(&in, m.len, 0, &back, &err) ||
	    chaos_saveimg_get_end(&in, digest, &err))
		fail_msg("%s", err.msg);
	chaos_saveimg_stream_free(&in);
	assert_memory_equal(&back.dev, &d, sizeof(d));
	expect_unpacked(&back.dev);
	chaos_saveimg_free(&back);
	free(m.buf);
}

/* pack -> a live stream's state -> decode -> unpack. */
static void test_roundtrip_state(void **st)
{
	struct chaos_saveimg img, back;
	struct chaos_saveimg_vcpu vcpu;
	struct chaos_saveimg_devices d;
	uint8_t types[PAGES];
	size_t len = chaos_saveimg_state_size(PAGES, 1);
	uint8_t *buf = malloc(len);
	uint64_t frame;
	chaos_err err;

	(void)st;
	assert_non_null(buf);
	packed(&d);
	state(&img, &vcpu, &frame, types, &d);
	assert_int_equal(chaos_saveimg_encode_state(buf, len, &img, &err), 0);
	if (chaos_saveimg_decode_state(buf, len, PAGES, 1, &back, &err))
		fail_msg("%s", err.msg);
	assert_memory_equal(&back.dev, &d, sizeof(d));
	expect_unpacked(&back.dev);
	chaos_saveimg_free(&back);
	free(buf);
}

/* A noxs guest: no disks, and unpacked as such. */
static void test_noxs(void **st)
{
	struct chaos_saveimg_devices d;
	chaos_config cfg;
	chaos_err err;

	(void)st;
	chaos_config_init(&cfg);
	assert_int_equal(chaos_saveimg_devices_pack(&d, false, &cfg, NULL, &err), 0);
	assert_int_equal(d.devices, CHAOS_SAVEIMG_DEVICES_NOXS);
	assert_int_equal(d.nr_disks, 0);
	cfg.devices = CHAOS_DEVICES_AUTO;
	assert_int_equal(chaos_saveimg_devices_unpack(&d, &cfg, &err), 0);
	assert_int_equal(cfg.devices, CHAOS_DEVICES_NOXS);
	assert_int_equal(cfg.nr_disks, 0);
	chaos_config_free(&cfg);
}

/* An image or a state whose DEVICES record nobody filled is not made. */
static void test_encode_unfilled(void **st)
{
	struct chaos_saveimg img;
	struct chaos_saveimg_vcpu vcpu;
	struct chaos_saveimg_devices zero;
	uint8_t types[PAGES], map[PAGES / 8] = { 0 };
	size_t head = chaos_saveimg_head_size(PAGES, 1);
	size_t len = chaos_saveimg_state_size(PAGES, 1);
	uint8_t *buf = malloc(head > len ? head : len);
	uint64_t frame;
	chaos_err err;

	(void)st;
	assert_non_null(buf);
	memset(&zero, 0, sizeof(zero));
	state(&img, &vcpu, &frame, types, &zero);
	img.present_map = map;
	assert_int_equal(chaos_saveimg_encode_head(buf, head, &img, &err), -1);
	assert_non_null(strstr(err.msg, "image: DEVICES devices 0 is neither"));
	assert_int_equal(chaos_saveimg_encode_state(buf, len, &img, &err), -1);
	assert_non_null(strstr(err.msg, "image: DEVICES devices 0 is neither"));
	free(buf);
}

static void expect_pack_error(bool xenstore, chaos_config *cfg,
			      const char *const *t, int code, const char *text)
{
	struct chaos_saveimg_devices d;
	chaos_err err;

	assert_int_equal(chaos_saveimg_devices_pack(&d, xenstore, cfg, t, &err), -1);
	assert_int_equal(err.code, code);
	if (!strstr(err.msg, text))
		fail_msg("expected \"%s\", got \"%s\"", text, err.msg);
}

static void test_pack_refused(void **st)
{
	const char *t[3] = { targets[0], NULL, targets[2] };
	char *longer = malloc(2000);
	chaos_config cfg;

	(void)st;
	assert_non_null(longer);
	three_disks(&cfg);
	expect_pack_error(false, &cfg, targets, EINVAL,
			  "a noxs guest with 3 disks");
	/* Two paths of 1999 bytes do not fit 3576 bytes together. */
	memset(longer, 'x', 1999);
	longer[0] = '/';
	longer[1999] = '\0';
	t[1] = longer;
	t[2] = longer;
	expect_pack_error(true, &cfg, t, E2BIG, "disks[2].target (1999 bytes) does not fit");
	/* The config's own, relative target is not what the record holds. */
	expect_pack_error(true, &cfg, (const char *const[]){ "root.img", targets[1], targets[2] },
			  EINVAL, "disks[0].target is not an absolute path");
	chaos_config_free(&cfg);
	free(longer);
}

/* A good record with one thing changed, refused naming the field. */
static void refused(const struct chaos_saveimg_devices *d, const char *text)
{
	chaos_err err;

	assert_int_equal(chaos_saveimg_devices_check(d, &err), -1);
	assert_int_equal(err.code, EINVAL);
	if (!strstr(err.msg, text))
		fail_msg("expected \"%s\", got \"%s\"", text, err.msg);
	assert_non_null(strstr(err.msg, "image: DEVICES "));
}

static void test_check_devices(void **st)
{
	struct chaos_saveimg_devices d;

	(void)st;
	packed(&d);
	d.devices = 0;
	refused(&d, "DEVICES devices 0 is neither noxs (1) nor xenstore (2)");
	d.devices = 3;
	refused(&d, "DEVICES devices 3 is neither");
}

static void test_check_reserved(void **st)
{
	struct chaos_saveimg_devices d;

	(void)st;
	packed(&d);
	d.reserved[5] = 1;
	refused(&d, "DEVICES reserved bytes not zero");
}

static void test_check_nr_disks(void **st)
{
	struct chaos_saveimg_devices d;

	(void)st;
	packed(&d);
	d.nr_disks = CHAOS_CONFIG_DISKS_MAX + 1;
	refused(&d, "DEVICES nr_disks 17 is more than 16");
}

static void test_check_noxs_disks(void **st)
{
	struct chaos_saveimg_devices d;

	(void)st;
	packed(&d);
	d.devices = CHAOS_SAVEIMG_DEVICES_NOXS;
	refused(&d, "DEVICES nr_disks 3 for a noxs guest");
}

static void test_check_unused_slot(void **st)
{
	struct chaos_saveimg_devices d;

	(void)st;
	packed(&d);
	d.disks[15].reserved[7] = 1;
	refused(&d, "DEVICES unused disks[15] not zero");
	d.disks[15].reserved[7] = 0;
	/* One disk fewer: its slot is no longer unused-and-zero. */
	d.nr_disks = 2;
	refused(&d, "DEVICES unused disks[2] not zero");
}

static void test_check_kind(void **st)
{
	struct chaos_saveimg_devices d;

	(void)st;
	packed(&d);
	d.disks[1].kind = CHAOS_DISK_BLOCK + 1;
	refused(&d, "DEVICES disks[1].kind 3 is unknown");
}

static void test_check_readonly(void **st)
{
	struct chaos_saveimg_devices d;

	(void)st;
	packed(&d);
	d.disks[0].readonly = 2;
	refused(&d, "DEVICES disks[0].readonly is 2");
}

static void test_check_disk_reserved(void **st)
{
	struct chaos_saveimg_devices d;

	(void)st;
	packed(&d);
	d.disks[2].reserved[0] = 0x80;
	refused(&d, "DEVICES disks[2] reserved bytes not zero");
}

static void test_check_vdev_terminated(void **st)
{
	struct chaos_saveimg_devices d;

	(void)st;
	packed(&d);
	memset(d.disks[1].vdev, 'a', sizeof(d.disks[1].vdev));
	refused(&d, "DEVICES disks[1].vdev is not terminated");
}

static void test_check_vdev_after_nul(void **st)
{
	struct chaos_saveimg_devices d;

	(void)st;
	packed(&d);
	d.disks[1].vdev[CHAOS_CONFIG_VDEV_MAX - 1] = 'x';
	refused(&d, "DEVICES disks[1].vdev has bytes after its end");
}

static void test_check_vdev_name(void **st)
{
	struct chaos_saveimg_devices d;

	(void)st;
	packed(&d);
	strcpy(d.disks[1].vdev, "xvdq9z");
	refused(&d, "DEVICES disks[1].vdev \"xvdq9z\" is not a disk name");
	memset(d.disks[1].vdev, 0, sizeof(d.disks[1].vdev));
	refused(&d, "DEVICES disks[1].vdev \"\" is not a disk name");
	/* Unprintable bytes are not echoed as they are. */
	strcpy(d.disks[1].vdev, "xvd\n\x1b");
	refused(&d, "DEVICES disks[1].vdev \"xvd??\" is not a disk name");
}

static void test_check_devid(void **st)
{
	struct chaos_saveimg_devices d;

	(void)st;
	packed(&d);
	d.disks[0].devid = 202 << 8 | 1 << 4; /* xvdb's */
	refused(&d, "DEVICES disks[0].devid 0xca10 is not \"xvda\"'s (0xca00)");
}

static void test_check_same_vdev(void **st)
{
	struct chaos_saveimg_devices d;

	(void)st;
	packed(&d);
	strcpy(d.disks[2].vdev, "xvda");
	d.disks[2].devid = d.disks[0].devid;
	refused(&d, "DEVICES disks[2].vdev \"xvda\" is disks[0]'s too");
}

static void test_check_target_short(void **st)
{
	struct chaos_saveimg_devices d;

	(void)st;
	packed(&d);
	d.disks[0].target_len = 1;
	refused(&d, "DEVICES disks[0].target_len 1 is too short");
}

static void test_check_target_absolute(void **st)
{
	struct chaos_saveimg_devices d;

	(void)st;
	packed(&d);
	/* disks[1]'s "/dev/..." made "dev/...". */
	d.targets[d.disks[0].target_len + 1u] = 'd';
	refused(&d, "DEVICES disks[1].target is not an absolute path");
}

static void test_check_target_nul(void **st)
{
	struct chaos_saveimg_devices d;

	(void)st;
	packed(&d);
	d.targets[4] = '\0';
	refused(&d, "DEVICES disks[0].target has a NUL within its 24 bytes");
}

static void test_check_target_unterminated(void **st)
{
	struct chaos_saveimg_devices d;

	(void)st;
	packed(&d);
	d.disks[0].target_len--;
	refused(&d, "DEVICES disks[0].target is not followed by a NUL");
}

static void test_check_target_past_end(void **st)
{
	struct chaos_saveimg_devices d;

	(void)st;
	packed(&d);
	d.disks[2].target_len = (uint16_t)sizeof(d.targets);
	refused(&d, "DEVICES disks[2].target_len 3576 runs past targets[]");
	/* Exactly the room left, with no byte for its NUL. */
	d.disks[2].target_len = (uint16_t)(sizeof(d.targets) -
					   d.disks[0].target_len - 1 -
					   d.disks[1].target_len - 1);
	refused(&d, "DEVICES disks[2].target_len 3533 runs past targets[] (3533 bytes left)");
}

static void test_check_targets_tail(void **st)
{
	struct chaos_saveimg_devices d;

	(void)st;
	packed(&d);
	d.targets[sizeof(d.targets) - 1] = 'x';
	refused(&d, "DEVICES targets has bytes after the last target's NUL");
	d.targets[sizeof(d.targets) - 1] = '\0';
	/* A noxs guest's targets[] is all zero too. */
	memset(&d, 0, sizeof(d));
	d.devices = CHAOS_SAVEIMG_DEVICES_NOXS;
	d.targets[0] = '/';
	refused(&d, "DEVICES targets has bytes after the last target's NUL (at byte 0)");
}

/* Unpack checks what it is given: nothing of a bad record is taken. */
static void test_unpack_checks(void **st)
{
	struct chaos_saveimg_devices d;
	chaos_config cfg;
	chaos_err err;

	(void)st;
	packed(&d);
	d.disks[2].target_len = 3600;
	chaos_config_init(&cfg);
	assert_int_equal(chaos_saveimg_devices_unpack(&d, &cfg, &err), -1);
	assert_non_null(strstr(err.msg, "disks[2].target_len 3600 runs past"));
	assert_int_equal(cfg.nr_disks, 0);
	assert_null(cfg.disks[0].target);
	assert_int_equal(cfg.devices, CHAOS_DEVICES_AUTO);
	chaos_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_image),
		cmocka_unit_test(test_roundtrip_state),
		cmocka_unit_test(test_noxs),
		cmocka_unit_test(test_encode_unfilled),
		cmocka_unit_test(test_pack_refused),
		cmocka_unit_test(test_check_devices),
		cmocka_unit_test(test_check_reserved),
		cmocka_unit_test(test_check_nr_disks),
		cmocka_unit_test(test_check_noxs_disks),
		cmocka_unit_test(test_check_unused_slot),
		cmocka_unit_test(test_check_kind),
		cmocka_unit_test(test_check_readonly),
		cmocka_unit_test(test_check_disk_reserved),
		cmocka_unit_test(test_check_vdev_terminated),
		cmocka_unit_test(test_check_vdev_after_nul),
		cmocka_unit_test(test_check_vdev_name),
		cmocka_unit_test(test_check_devid),
		cmocka_unit_test(test_check_same_vdev),
		cmocka_unit_test(test_check_target_short),
		cmocka_unit_test(test_check_target_absolute),
		cmocka_unit_test(test_check_target_nul),
		cmocka_unit_test(test_check_target_unterminated),
		cmocka_unit_test(test_check_target_past_end),
		cmocka_unit_test(test_check_targets_tail),
		cmocka_unit_test(test_unpack_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
