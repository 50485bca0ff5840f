// SPDX-License-Identifier: MIT
/* state.json: what is written reads back the same; a damaged or hostile
 * file is refused with the field named, never half-read. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "oci.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_state.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/state.json", dir);
	unlink(path);
	return rmdir(dir);
}

static void put(const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/state.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void round_trip(void **state)
{
	struct oci_annotation ann[2] = {
		{ "org.chaos.kernel", "/boot/k\"\\\n.elf" },
		{ "x", "" },
	};
	struct oci_state in = {
		.id = "web-1", .bundle = "/var/b", .pid = 4242,
		.pid_start = 123456789012ULL, .domid = 17, .status = "created",
		.created = "2026-12-03T12:00:00Z", .nr_annotations = 2,
		.annotations = ann,
	}, out;
	chaos_err err;

	(void)state;
	assert_int_equal(oci_state_write(dir, &in, &err), 0);
	assert_int_equal(oci_state_read(dir, &out, &err), 0);
	assert_string_equal(out.id, "web-1");
	assert_string_equal(out.bundle, "/var/b");
	assert_int_equal(out.pid, 4242);
	assert_true(out.pid_start == 123456789012ULL);
	assert_int_equal(out.domid, 17);
	assert_string_equal(out.status, "created");
	assert_string_equal(out.created, "2026-12-03T12:00:00Z");
	assert_int_equal(out.nr_annotations, 2);
	assert_string_equal(out.annotations[0].value, "/boot/k\"\\\n.elf");
	assert_string_equal(out.annotations[1].key, "x");
	oci_state_free(&out);
}

#define GOOD_TAIL "\"created\":\"t\",\"bundle\":\"/b\",\"pidStart\":1,\"domid\":3}"

static void bad_files(void **state)
{
	static const struct { const char *text, *field; } cases[] = {
		{ "", "not valid JSON" },
		{ "[]", "not a JSON object" },
		{ "{\"status\":\"created\",\"pid\":5," GOOD_TAIL, "id" },
		{ "{\"id\":\"a/b\",\"status\":\"created\",\"pid\":5," GOOD_TAIL, "id" },
		{ "{\"id\":\"a\",\"status\":\"paused\",\"pid\":5," GOOD_TAIL, "status" },
		{ "{\"id\":\"a\",\"status\":\"created\",\"pid\":0," GOOD_TAIL, "pid" },
		{ "{\"id\":\"a\",\"status\":\"created\",\"pid\":\"5\"," GOOD_TAIL, "pid" },
		{ "{\"id\":\"a\",\"status\":\"created\",\"pid\":99999999999," GOOD_TAIL, "pid" },
		{ "{\"id\":\"a\",\"status\":\"created\",\"pid\":5,\"created\":\"t\","
		  "\"bundle\":\"/b\",\"pidStart\":1,\"domid\":-1}", "domid" },
		{ "{\"id\":\"a\",\"status\":\"created\",\"pid\":5,\"annotations\":[],"
		  GOOD_TAIL, "annotations" },
		{ "{\"id\":\"a\",\"status\":\"created\",\"pid\":5,\"annotations\":{\"k\":1},"
		  GOOD_TAIL, "annotations" },
		{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
		  "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "nested" },
	};
	struct oci_state out;
	chaos_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put(cases[i].text);
		assert_int_equal(oci_state_read(dir, &out, &err), -1);
		if (!strstr(err.msg, cases[i].field))
			fail_msg("case %zu: '%s' does not name %s", i, err.msg,
				 cases[i].field);
		assert_null(out.bundle);
	}
}

static void oversize(void **state)
{
	char *big = malloc(OCI_STATE_MAX + 2);
	struct oci_state out;
	chaos_err err;

	(void)state;
	assert_non_null(big);
	memset(big, ' ', OCI_STATE_MAX + 1);
	big[OCI_STATE_MAX + 1] = '\0';
	put(big);
	free(big);
	assert_int_equal(oci_state_read(dir, &out, &err), -1);
	assert_non_null(strstr(err.msg, "larger than"));
}

static void printed(void **state)
{
	struct oci_state st = { .id = "c1", .bundle = "/b", .pid = 9,
				.created = "t" };
	char buf[512] = { 0 };
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	(void)state;
	assert_non_null(f);
	assert_int_equal(oci_state_print(&st, "stopped", f), 0);
	fclose(f);
	assert_non_null(strstr(buf, "\"ociVersion\":\"" OCI_VERSION "\""));
	assert_non_null(strstr(buf, "\"status\":\"stopped\""));
	assert_non_null(strstr(buf, "\"pid\":9"));
	assert_non_null(strstr(buf, "\"annotations\":{}"));
	/* The record's own keys stay out of the OCI state. */
	assert_null(strstr(buf, "domid"));
}

/* A container id that is a chaos name is the guest's name; a longer one
 * (Kubernetes's 64 hex digits) gets a name of its own, the same each
 * time, different for different ids. */
static void guest_names(void **state)
{
	static const char *k8s_a =
		"3f2a9c1e5b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a";
	static const char *k8s_b =
		"3f2a9c1e5b7d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4b";
	char a[CHAOS_NAME_MAX], a2[CHAOS_NAME_MAX], b[CHAOS_NAME_MAX];
	chaos_err err;

	(void)state;
	oci_guest_name("web1", a);
	assert_string_equal(a, "web1");
	oci_guest_name(k8s_a, a);
	oci_guest_name(k8s_a, a2);
	oci_guest_name(k8s_b, b);
	assert_string_equal(a, a2);
	assert_string_not_equal(a, b);
	assert_int_equal(strlen(a), 36);
	assert_memory_equal(a, "oci-", 4);
	assert_int_equal(chaos_config_check_name(a, &err), 0);
	/* All digits is no chaos name either. */
	oci_guest_name("12345", b);
	assert_memory_equal(b, "oci-", 4);
}

static void liveness(void **state)
{
	unsigned long long start;

	(void)state;
	assert_int_equal(oci_pid_start(getpid(), &start), 0);
	assert_true(oci_pid_alive(getpid(), start));
	assert_false(oci_pid_alive(getpid(), start + 1));
	assert_false(oci_pid_alive(0, 0));
	assert_false(oci_pid_alive(INT_MAX, start));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_files, setup, teardown),
		cmocka_unit_test_setup_teardown(oversize, setup, teardown),
		cmocka_unit_test(printed),
		cmocka_unit_test(guest_names),
		cmocka_unit_test(liveness),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
