// SPDX-License-Identifier: MIT
/* Per-domain records: round trip, strict parsing, files. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <errno.h>
#include <unistd.h>
#include <cmocka.h>

#include "state/state.h"

static chaos_domain_record sample(void)
{
	chaos_domain_record r = {
		.domid = 42, .name = "web1", .console_mfn = 0x12345,
		.console_port = 3, .start_info_mfn = 0x6789,
		.on_poweroff = 0, .on_reboot = 1,
		.on_crash = 2, .config_path = "/etc/chaos/web1.json",
		.owner = 2001, .owner_gid = 2000,
	};

	for (int i = 0; i < 16; i++)
		r.handle[i] = (uint8_t)(0xa0 + i);
	return r;
}

static void test_round_trip(void **state)
{
	chaos_domain_record in = sample(), out;
	char buf[8192];
	int n;

	(void)state;
	n = chaos_record_format(&in, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(chaos_record_parse(buf, (size_t)n, &out, NULL), 0);
	assert_memory_equal(&in, &out, sizeof(in));
	/* A XenStore guest says so; a noxs guest's record has no such line
	 * (older records read as noxs). */
	assert_null(strstr(buf, "devices"));
	in.xenstore = true;
	n = chaos_record_format(&in, buf, sizeof(buf));
	assert_true(n > 0);
	assert_non_null(strstr(buf, "devices xenstore\n"));
	assert_int_equal(chaos_record_parse(buf, (size_t)n, &out, NULL), 0);
	assert_true(out.xenstore);
}

static void expect_bad(const char *text, const char *want)
{
	chaos_domain_record r;
	chaos_err err;

	assert_int_equal(chaos_record_parse(text, strlen(text), &r, &err), -1);
	if (!strstr(err.msg, want))
		fail_msg("'%s' gave '%s', wanted '%s'", text, err.msg, want);
}

static void test_hostile(void **state)
{
	static const char handle[] = "handle a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\n";
	char big[9000];

	(void)state;
	expect_bad("domid 1\n", "missing");
	expect_bad(handle, "missing");
	expect_bad("domid 70000\nhandle a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\n", "bad domid");
	expect_bad("domid -1\nhandle a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\n", "bad domid");
	expect_bad("domid 1\nhandle a0a1\n", "bad handle");
	expect_bad("domid 1\nhandle g0a1a2a3a4a5a6a7a8a9aaabacadaeaf\n", "bad handle");
	expect_bad("domid 1\nhandle A0A1A2A3A4A5A6A7A8A9AAABACADAEAF\n", "bad handle");
	expect_bad("domid 1\ncolour red\n", "bad colour");
	expect_bad("domid\n", "no value");
	expect_bad("domid 1\non_crash 3\n", "bad on_crash");
	expect_bad("domid 1\nconfig relative/path\n", "bad config");
	expect_bad("domid 1\nconsole_port 4294967296\n", "bad console_port");
	expect_bad("domid 1\ndevices floppy\n", "bad devices");
	expect_bad("domid 1\ndevices xenstore\ndevices noxs\n", "bad devices");
	expect_bad("domid 1\nstart_info_mfn 4503599627370496\n", "bad start_info_mfn");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	expect_bad(big, "larger");
	{
		char with_nul[] = "domid 1\0\nhandle x\n";
		chaos_domain_record r;

		assert_int_equal(chaos_record_parse(with_nul, sizeof(with_nul) - 1,
						    &r, NULL), -1);
	}
}

/*
 * Audit finding 16, "the record format can be injected through a newline
 * in the config path": a path with a newline must not turn into a line of
 * its own, and a key given twice is refused.
 */
/* Audit finding 9 (ownership): a record keeps its owner; a record written
 * before owners existed still reads, as root's; a bad owner is refused. */
static void test_owner(void **state)
{
	static const char old[] =
		"domid 7\nhandle a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\nname old\n"
		"console_mfn 1\nconsole_port 2\non_poweroff 0\non_reboot 1\n"
		"on_crash 0\nconfig \n";
	chaos_domain_record r;
	char buf[8192];
	int n;

	(void)state;
	assert_int_equal(chaos_record_parse(old, strlen(old), &r, NULL), 0);
	assert_int_equal(r.owner, 0);
	assert_int_equal(r.owner_gid, 0);
	assert_string_equal(r.name, "old");
	r.owner = 2001;
	r.owner_gid = 2000;
	n = chaos_record_format(&r, buf, sizeof(buf));
	assert_true(n > 0);
	assert_non_null(strstr(buf, "owner 2001\nowner_gid 2000\n"));
	memset(&r, 0, sizeof(r));
	assert_int_equal(chaos_record_parse(buf, (size_t)n, &r, NULL), 0);
	assert_int_equal(r.owner, 2001);
	assert_int_equal(r.owner_gid, 2000);
	expect_bad("domid 1\nowner -1\n", "bad owner");
	expect_bad("domid 1\nowner 4294967295\n", "bad owner");
	expect_bad("domid 1\nowner 5\nowner 0\n", "bad owner");
	expect_bad("domid 1\nowner_gid x\n", "bad owner_gid");
}

static void test_injection(void **state)
{
	chaos_domain_record in = sample(), out;
	char buf[8192];

	(void)state;
	strcpy(in.config_path, "/tmp/a\nconsole_port 99");
	assert_int_equal(chaos_record_format(&in, buf, sizeof(buf)), -1);
	in = sample();
	strcpy(in.name, "web\rx");
	assert_int_equal(chaos_record_format(&in, buf, sizeof(buf)), -1);
	expect_bad("domid 1\nhandle a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\n"
		   "console_port 5\nconsole_port 99\n", "bad console_port");
	expect_bad("domid 1\nhandle a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\n"
		   "domid 2\n", "bad domid");
	/* Read back, a control character is refused as when written. */
	expect_bad("domid 1\nhandle a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\n"
		   "name web\0161\n", "bad name");
	in = sample();
	assert_int_equal(chaos_record_parse(buf, (size_t)chaos_record_format(
				&in, buf, sizeof(buf)), &out, NULL), 0);
}

/* A noxs guest's vifs as it has them: what a save carries, restored
 * guests included (they have no config file). */
static void test_vifs(void **state)
{
	static const char head[] =
		"domid 1\nhandle a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\n";
	static const struct { const char *lines, *want; } bad[] = {
		{ "vifs 9\n", "bad vifs" },
		{ "vifs 1\nvifs 1\n", "bad vifs" },
		{ "vifs 1\n", "do not match \"vifs 1\"" },
		{ "vif 0 mac=02:00:00:00:00:01\n", "do not match \"vifs 0\"" },
		{ "vifs 1\nvif 1 mac=02:00:00:00:00:01\n", "do not match" },
		{ "vifs 2\nvif 0 mac=02:00:00:00:00:01\n"
		  "vif 0 mac=02:00:00:00:00:02\n", "bad vif" },
		{ "vifs 1\nvif 8 mac=02:00:00:00:00:01\n", "bad vif" },
		{ "vifs 1\nvif 00 mac=02:00:00:00:00:01\n", "bad vif" },
		{ "vifs 1\nvif -0 mac=02:00:00:00:00:01\n", "bad vif" },
		{ "vifs 1\nvif 0\n", "bad vif" },
		{ "vifs 1\nvif 0 \n", "bad vif" },
		{ "vifs 1\nvif 0 mac=02:00:00:00:00\n", "bad vif" },
		{ "vifs 1\nvif 0 mac=02:00:00:00:00:0\n", "bad vif" },
		{ "vifs 1\nvif 0 mac=01:00:00:00:00:01\n", "bad vif" },
		{ "vifs 1\nvif 0 mac=00:00:00:00:00:00\n", "bad vif" },
		{ "vifs 1\nvif 0 mac=02-00-00-00-00-01\n", "bad vif" },
		{ "vifs 1\nvif 0 ip=10.0.0.2 mac=02:00:00:00:00:01\n", "bad vif" },
		{ "vifs 1\nvif 0 mac=02:00:00:00:00:01 ip=10.0.0.256\n", "bad vif" },
		{ "vifs 1\nvif 0 mac=02:00:00:00:00:01 ip=\n", "bad vif" },
		{ "vifs 1\nvif 0 mac=02:00:00:00:00:01  ip=10.0.0.2\n", "bad vif" },
		{ "vifs 1\nvif 0 mac=02:00:00:00:00:01 bridge=\n", "bad vif" },
		{ "vifs 1\nvif 0 mac=02:00:00:00:00:01 bridge=a/b\n", "bad vif" },
		{ "vifs 1\nvif 0 mac=02:00:00:00:00:01 bridge=0123456789abcdef\n",
		  "bad vif" },
		{ "vifs 1\nvif 0 mac=02:00:00:00:00:01 bridge=br0 ip=10.0.0.2\n",
		  "bad vif" },
		{ "vifs 1\nvif 0 mac=02:00:00:00:00:01 bridge=br0 x\n", "bad vif" },
		{ "vifs 1\nvif 0 mac=02:00:00:00:00:01 mtu=9000\n", "bad vif" },
	};
	chaos_domain_record in = sample(), out;
	char buf[8192], text[512];
	int n;

	(void)state;
	in.vifs_known = true;
	in.nr_vifs = 3;
	for (int i = 0; i < 3; i++) {
		in.vifs[i].mac[0] = 0x02;
		in.vifs[i].mac[5] = (uint8_t)(0xa0 + i);
		in.vifs[i].mac_set = true;
	}
	in.vifs[0].ip_set = true;
	memcpy(in.vifs[0].ip, (uint8_t[]){ 10, 10, 0, 2 }, 4);
	strcpy(in.vifs[0].bridge, "br0");
	strcpy(in.vifs[2].bridge, "br-mgmt.7");
	n = chaos_record_format(&in, buf, sizeof(buf));
	assert_true(n > 0);
	assert_non_null(strstr(buf, "vifs 3\n"
				    "vif 0 mac=02:00:00:00:00:a0 ip=10.10.0.2 bridge=br0\n"
				    "vif 1 mac=02:00:00:00:00:a1\n"
				    "vif 2 mac=02:00:00:00:00:a2 bridge=br-mgmt.7\n"));
	assert_int_equal(chaos_record_parse(buf, (size_t)n, &out, NULL), 0);
	assert_memory_equal(&in, &out, sizeof(in));
	/* None at all is said too: a record without the line is older. */
	in.nr_vifs = 0;
	n = chaos_record_format(&in, buf, sizeof(buf));
	assert_non_null(strstr(buf, "vifs 0\n"));
	assert_int_equal(chaos_record_parse(buf, (size_t)n, &out, NULL), 0);
	assert_true(out.vifs_known);
	in = sample();
	n = chaos_record_format(&in, buf, sizeof(buf));
	assert_null(strstr(buf, "vif"));
	assert_int_equal(chaos_record_parse(buf, (size_t)n, &out, NULL), 0);
	assert_false(out.vifs_known);
	/* What format would not write is refused when read. */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", head, bad[i].lines);
		expect_bad(text, bad[i].want);
	}
	/* Nor is a bad bridge written. */
	in.vifs_known = true;
	in.nr_vifs = 1;
	strcpy(in.vifs[0].bridge, "a b");
	assert_int_equal(chaos_record_format(&in, buf, sizeof(buf)), -1);
}

static void test_files(void **state)
{
	char dir[] = "/tmp/chaos-record-XXXXXX";
	chaos_domain_record in = sample(), out;
	uint8_t other[16] = { 0 };
	chaos_err err;
	char path[256];

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chaos_record_save(dir, &in, &err), 0);
	assert_int_equal(chaos_record_load(dir, 42, in.handle, &out, &err), 0);
	assert_string_equal(out.name, "web1");
	/* A record for the same id but another domain is stale. */
	assert_int_equal(chaos_record_load(dir, 42, other, &out, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_int_equal(chaos_record_load(dir, 43, NULL, &out, &err), -1);
	/* A record that names another domain than its file is refused. */
	{
		char from[256], to[256];

		snprintf(from, sizeof(from), "%s/domains/42", dir);
		snprintf(to, sizeof(to), "%s/domains/44", dir);
		assert_int_equal(link(from, to), 0);
		assert_int_equal(chaos_record_load(dir, 44, NULL, &out, &err), -1);
		assert_non_null(strstr(err.msg, "names domain 42"));
		assert_int_equal(chaos_record_remove(dir, 44, &err), 0);
	}
	assert_int_equal(chaos_record_remove(dir, 42, &err), 0);
	assert_int_equal(chaos_record_remove(dir, 42, &err), 0);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

/*
 * A record staged in two steps (a pooled shell's): the file made ahead,
 * empty and unread; written in one go by the create; put in place by the
 * commit, or dropped.
 */
static void test_staged_ahead(void **state)
{
	char dir[] = "/tmp/chaos-record-XXXXXX";
	chaos_domain_record in = sample(), out;
	chaos_err err;
	char path[256], text[8192];
	struct stat st;
	int fd, n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* The directories are made on the first one. Its storage may be
	 * allocated ahead, but the file is empty until written. */
	fd = chaos_record_stage_open(dir, 42, &err);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, 0);
	snprintf(path, sizeof(path), "%s/domains/42.tmp", dir);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(chaos_record_load(dir, 42, NULL, &out, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_int_equal(chaos_record_stage_into(fd, dir, &in, &err), 0);
	assert_int_equal(chaos_record_load(dir, 42, NULL, &out, &err), -1);
	assert_int_equal(chaos_record_commit(dir, 42, &err), 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(chaos_record_load(dir, 42, in.handle, &out, &err), 0);
	assert_string_equal(out.name, "web1");
	assert_string_equal(out.config_path, "/etc/chaos/web1.json");
	assert_int_equal(access(path, F_OK), -1);
	/* The record file holds the record and nothing after it. */
	n = chaos_record_format(&in, text, sizeof(text));
	assert_true(n > 0);
	snprintf(path, sizeof(path), "%s/domains/42", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, n);

	/* A longer file left under the staged name (a crash) is cut. */
	snprintf(path, sizeof(path), "%s/domains/46.tmp", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	memset(text, 'x', sizeof(text));
	assert_int_equal(write(fd, text, sizeof(text)), sizeof(text));
	assert_int_equal(close(fd), 0);
	in.domid = 46;
	fd = chaos_record_stage_open(dir, 46, &err);
	assert_true(fd >= 0);
	assert_int_equal(chaos_record_stage_into(fd, dir, &in, &err), 0);
	assert_int_equal(chaos_record_commit(dir, 46, &err), 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(chaos_record_load(dir, 46, in.handle, &out, &err), 0);
	snprintf(path, sizeof(path), "%s/domains/46", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, n);

	/* A record that cannot be written: nothing staged is left. */
	in.domid = 43;
	fd = chaos_record_stage_open(dir, 43, &err);
	assert_true(fd >= 0);
	snprintf(in.config_path, sizeof(in.config_path), "/etc/a\nb");
	in.config_path[6] = '\n';
	assert_int_equal(chaos_record_stage_into(fd, dir, &in, &err), -1);
	assert_int_equal(err.code, EINVAL);
	chaos_record_unstage(dir, 43);
	snprintf(path, sizeof(path), "%s/domains/43.tmp", dir);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(close(fd), 0);
	/* A write that fails (a descriptor not open for writing) drops the
	 * staged file and says which. */
	in = sample();
	in.domid = 44;
	fd = chaos_record_stage_open(dir, 44, &err);
	assert_true(fd >= 0);
	assert_int_equal(close(fd), 0);
	snprintf(path, sizeof(path), "%s/domains/44.tmp", dir);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(chaos_record_stage_into(fd, dir, &in, &err), -1);
	assert_int_equal(err.code, EBADF);
	assert_non_null(strstr(err.msg, "domains/44.tmp"));
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(close(fd), 0);
	/* A state directory that cannot be made. */
	assert_int_equal(chaos_record_stage_open("/proc/chaos-none", 45, &err),
			 -1);
	assert_non_null(strstr(err.msg, "/proc/chaos-none"));
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_injection),
		cmocka_unit_test(test_owner),
		cmocka_unit_test(test_vifs),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_staged_ahead),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
