// SPDX-License-Identifier: MIT
/* config.json: a good bundle gives the guest's config; each bad field is
 * refused and named; oversize and deep input refused; the kernel cannot
 * lead out of the root filesystem or be anything but a regular file. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "oci.h"

#define GOOD \
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"}," \
	"\"process\":{\"args\":[\"pingresp\",\"-v\"],\"cwd\":\"/\"}," \
	"\"annotations\":{\"org.chaos.kernel\":\"/boot/k.elf\"," \
	"\"org.chaos.ip\":\"10.1.2.3\",\"org.chaos.bridge\":\"br0\"}," \
	"\"linux\":{\"resources\":{\"memory\":{\"limit\":4194305}}}}"

static int parse(const char *text, struct oci_spec *s, chaos_err *err)
{
	return oci_spec_parse(text, strlen(text), s, err);
}

static void good(void **state)
{
	struct oci_spec s;
	chaos_err err;

	(void)state;
	assert_int_equal(parse(GOOD, &s, &err), 0);
	assert_string_equal(s.root_path, "rootfs");
	assert_string_equal(s.kernel_rel, "/boot/k.elf");
	assert_string_equal(s.cmdline, "pingresp -v");
	assert_int_equal(s.memory_mib, 5);   /* 4 MiB + 1 byte, rounded up */
	assert_true(s.vif);
	assert_memory_equal(s.ip, ((uint8_t[]){ 10, 1, 2, 3 }), 4);
	assert_string_equal(s.bridge, "br0");
	assert_int_equal(s.nr_annotations, 3);
	oci_spec_free(&s);
}

static void annotations_win(void **state)
{
	struct oci_spec s;
	chaos_err err;

	(void)state;
	assert_int_equal(parse("{\"ociVersion\":\"1.1.0\",\"root\":{\"path\":\"/r\"},"
			       "\"process\":{\"args\":[\"ignored\"]},"
			       "\"annotations\":{\"org.chaos.kernel\":\"k\","
			       "\"org.chaos.memory\":\"8\",\"org.chaos.cmdline\":\"a b\"},"
			       "\"linux\":{\"resources\":{\"memory\":{\"limit\":1}}}}",
			       &s, &err), 0);
	assert_int_equal(s.memory_mib, 8);
	assert_string_equal(s.cmdline, "a b");
	assert_false(s.vif);
	oci_spec_free(&s);
	/* Neither: the default memory, no command line. */
	assert_int_equal(parse("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
			       "\"annotations\":{\"org.chaos.kernel\":\"k\"}}", &s, &err), 0);
	assert_int_equal(s.memory_mib, CHAOS_CONFIG_DEFAULT_MEMORY);
	assert_null(s.cmdline);
	oci_spec_free(&s);
}

#define K "\"annotations\":{\"org.chaos.kernel\":\"k\"}"
#define HEAD "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},"

/* An image's entrypoint is the kernel, the rest of args its command
 * line; a "network" namespace (with or without path) is the guest's. */
static void entrypoint_and_netns(void **state)
{
	struct oci_spec s;
	chaos_err err;

	(void)state;
	assert_int_equal(parse(HEAD "\"process\":{\"args\":[\"/pingresp.elf\",\"a\",\"b\"]},"
			       "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},"
			       "{\"type\":\"network\"}]}}", &s, &err), 0);
	assert_string_equal(s.kernel_rel, "/pingresp.elf");
	assert_string_equal(s.cmdline, "a b");
	assert_true(s.netns);
	assert_null(s.netns_path);
	oci_spec_free(&s);
	assert_int_equal(parse(HEAD "\"process\":{\"args\":[\"/k\"]},"
			       "\"linux\":{\"namespaces\":[{\"type\":\"network\","
			       "\"path\":\"/var/run/netns/cni-1\"}]}}", &s, &err), 0);
	assert_string_equal(s.kernel_rel, "/k");
	assert_null(s.cmdline);
	assert_string_equal(s.netns_path, "/var/run/netns/cni-1");
	oci_spec_free(&s);
	/* A pod's sandbox (CRI) needs no kernel: it makes no guest. */
	assert_int_equal(parse(HEAD "\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandbox\"},"
			       "\"process\":{\"args\":[\"/pause\"]},"
			       "\"linux\":{\"namespaces\":[{\"type\":\"network\","
			       "\"path\":\"/var/run/netns/cni-1\"}]}}", &s, &err), 0);
	assert_true(s.sandbox);
	assert_null(s.kernel_rel);
	assert_string_equal(s.netns_path, "/var/run/netns/cni-1");
	oci_spec_free(&s);
	/* No namespace: the host's network, as before. */
	assert_int_equal(parse(HEAD K "}", &s, &err), 0);
	assert_false(s.netns);
	oci_spec_free(&s);
}

static void bad_fields(void **state)
{
	static const struct { const char *text, *field; } cases[] = {
		{ "", "not valid JSON" },
		{ "{\"ociVersion\":", "not valid JSON" },
		{ "[1]", "not a JSON object" },
		{ "{\"root\":{\"path\":\"r\"}," K "}", "ociVersion" },
		{ "{\"ociVersion\":1,\"root\":{\"path\":\"r\"}," K "}", "ociVersion" },
		{ "{\"ociVersion\":\"2.0.0\",\"root\":{\"path\":\"r\"}," K "}", "ociVersion" },
		{ "{\"ociVersion\":\"1.0.2\"," K "}", "root.path" },
		{ "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"\"}," K "}", "root.path" },
		{ "{\"ociVersion\":\"1.0.2\",\"root\":\"r\"," K "}", "root.path" },
		{ HEAD "\"annotations\":{}}", "org.chaos.kernel" },
		{ HEAD "\"annotations\":[]}", "annotations" },
		{ HEAD "\"annotations\":{\"org.chaos.kernel\":7}}", "org.chaos.kernel" },
		{ HEAD "\"annotations\":{\"org.chaos.kernel\":\"k\",\"org.chaos.kernel\":\"j\"}}",
		  "given twice" },
		{ HEAD "\"annotations\":{\"org.chaos.kernel\":\"k\",\"\":\"x\"}}", "annotations" },
		{ HEAD "\"annotations\":{\"org.chaos.kernel\":\"k\",\"a\\u0001\":\"x\"}}",
		  "annotations" },
		{ HEAD "\"annotations\":{\"org.chaos.kernel\":\"k\",\"org.chaos.memory\":\"0\"}}",
		  "org.chaos.memory" },
		{ HEAD "\"annotations\":{\"org.chaos.kernel\":\"k\",\"org.chaos.memory\":\"4M\"}}",
		  "org.chaos.memory" },
		{ HEAD "\"annotations\":{\"org.chaos.kernel\":\"k\",\"org.chaos.memory\":\"99999999999\"}}",
		  "org.chaos.memory" },
		{ HEAD "\"annotations\":{\"org.chaos.kernel\":\"k\",\"org.chaos.memory\":\"-1\"}}",
		  "org.chaos.memory" },
		{ HEAD K ",\"linux\":{\"resources\":{\"memory\":{\"limit\":-1}}}}",
		  "linux.resources.memory.limit" },
		{ HEAD K ",\"linux\":{\"resources\":{\"memory\":{\"limit\":\"4M\"}}}}",
		  "linux.resources.memory.limit" },
		{ HEAD K ",\"linux\":{\"resources\":{\"memory\":{\"limit\":9223372036854775807}}}}",
		  "linux.resources.memory.limit" },
		{ HEAD K ",\"process\":[]}", "process" },
		{ HEAD K ",\"process\":{\"args\":\"a b\"}}", "process.args" },
		{ HEAD "\"process\":{\"args\":[]}}", "org.chaos.kernel" },
		{ HEAD "\"process\":{\"args\":[7]}}", "process.args[0]" },
		{ HEAD K ",\"linux\":{\"namespaces\":{}}}", "linux.namespaces" },
		{ HEAD K ",\"linux\":{\"namespaces\":[\"network\"]}}", "linux.namespaces[0]" },
		{ HEAD K ",\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":\"rel\"}]}}",
		  "linux.namespaces[0].path" },
		{ HEAD K ",\"linux\":{\"namespaces\":[{\"type\":\"network\"},{\"type\":\"network\"}]}}",
		  "linux.namespaces[1]" },
		{ HEAD "\"annotations\":{\"org.chaos.kernel\":\"k\",\"org.chaos.ip\":\"10.1.2.3\"},"
		  "\"linux\":{\"namespaces\":[{\"type\":\"network\"}]}}", "org.chaos.ip" },
		{ HEAD K ",\"process\":{\"args\":[\"a\",2]}}", "process.args[1]" },
		{ HEAD "\"annotations\":{\"org.chaos.kernel\":\"k\",\"org.chaos.ip\":\"10.1.2\"}}",
		  "org.chaos.ip" },
		{ HEAD "\"annotations\":{\"org.chaos.kernel\":\"k\",\"org.chaos.ip\":\"10.1.2.3\","
		  "\"org.chaos.bridge\":\"a-very-long-bridge-name\"}}", "org.chaos.bridge" },
		{ HEAD "\"annotations\":{\"org.chaos.kernel\":\"k\",\"org.chaos.bridge\":\"br0\"}}",
		  "org.chaos.bridge" },
	};
	struct oci_spec s;
	chaos_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(cases[i].text, &s, &err), -1);
		if (!strstr(err.msg, cases[i].field))
			fail_msg("case %zu: '%s' does not name %s", i, err.msg,
				 cases[i].field);
		assert_null(s.kernel_rel);
		assert_null(s.annotations);
	}
}

static void oversize(void **state)
{
	size_t n = OCI_SPEC_MAX + 1, args = CHAOS_CONFIG_CMDLINE_MAX;
	char *big = malloc(n + 1), *text;
	struct oci_spec s;
	chaos_err err;

	(void)state;
	assert_non_null(big);
	memset(big, ' ', n);
	big[n] = '\0';
	assert_int_equal(oci_spec_parse(big, n, &s, &err), -1);
	assert_non_null(strstr(err.msg, "larger than"));
	/* Nested too deep for yajl's recursive free. */
	for (size_t i = 0; i < 1000; i++) {
		big[i] = '[';
		big[2000 - 1 - i] = ']';
	}
	big[2000] = '\0';
	assert_int_equal(oci_spec_parse(big, 2000, &s, &err), -1);
	assert_non_null(strstr(err.msg, "nested"));
	free(big);
	/* A command line longer than a guest's. */
	text = malloc(args + 256);
	assert_non_null(text);
	snprintf(text, args + 256, HEAD K ",\"process\":{\"args\":[\"%0*d\"]}}",
		 (int)args, 0);
	assert_int_equal(parse(text, &s, &err), -1);
	assert_non_null(strstr(err.msg, "process.args"));
	free(text);
	/* A NUL inside. */
	assert_int_equal(oci_spec_parse("{}\0{}", 5, &s, &err), -1);
	assert_non_null(strstr(err.msg, "NUL"));
}

/* ---- the kernel inside the bundle's rootfs ---- */

static char bundle[64];

static void sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

static int bundle_setup(void **state)
{
	(void)state;
	snprintf(bundle, sizeof(bundle), "/tmp/test_spec.XXXXXX");
	if (!mkdtemp(bundle))
		return -1;
	sh("mkdir -p %s/rootfs/boot %s/rootfs/dir && echo k > %s/rootfs/boot/k.elf"
	   " && echo secret > %s/outside && ln -s ../../outside %s/rootfs/boot/out"
	   " && ln -s k.elf %s/rootfs/boot/in && mkfifo %s/rootfs/fifo",
	   bundle, bundle, bundle, bundle, bundle, bundle, bundle);
	return 0;
}

static int bundle_teardown(void **state)
{
	(void)state;
	sh("rm -rf %s", bundle);
	return 0;
}

static int resolve(const char *kernel, struct oci_spec *s, chaos_err *err)
{
	char text[512];
	int rc;

	snprintf(text, sizeof(text), HEAD
		 "\"annotations\":{\"org.chaos.kernel\":\"%s\"}}", kernel);
	/* HEAD's root is "r": make it this bundle's rootfs. */
	memcpy(strstr(text, "\"r\""), "\"rootfs\"", 0);
	assert_int_equal(parse(text, s, err), 0);
	free(s->root_path);
	s->root_path = strdup("rootfs");
	rc = oci_spec_resolve(bundle, s, err);
	return rc;
}

static void kernel_paths(void **state)
{
	static const struct { const char *kernel, *why; } bad[] = {
		{ "../outside", "'..'" },
		{ "boot/../../outside", "'..'" },
		{ "boot/out", "leads out" },
		{ "boot", "not a regular file" },
		{ "fifo", "not a regular file" },
		{ "boot/none", "No such file" },
		{ "/", "names no file" },
	};
	char want[128];
	struct oci_spec s;
	chaos_err err;

	(void)state;
	snprintf(want, sizeof(want), "%s/rootfs/boot/k.elf", bundle);
	assert_int_equal(resolve("/boot/k.elf", &s, &err), 0);
	assert_string_equal(s.kernel, want);
	oci_spec_free(&s);
	assert_int_equal(resolve("boot/in", &s, &err), 0);
	assert_string_equal(s.kernel, want);
	oci_spec_free(&s);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(resolve(bad[i].kernel, &s, &err), -1);
		if (!strstr(err.msg, bad[i].why))
			fail_msg("%s: '%s' does not say %s", bad[i].kernel,
				 err.msg, bad[i].why);
		oci_spec_free(&s);
	}
}

static void to_config(void **state)
{
	struct oci_spec s;
	chaos_config cfg;
	chaos_err err;

	(void)state;
	assert_int_equal(parse(GOOD, &s, &err), 0);
	s.kernel = strdup("/x/k.elf");
	assert_int_equal(oci_spec_to_config(&s, "web-1", &cfg, &err), 0);
	assert_string_equal(cfg.name, "web-1");
	assert_string_equal(cfg.kernel, "/x/k.elf");
	assert_int_equal(cfg.memory_mib, 5);
	assert_int_equal(cfg.nr_vifs, 1);
	assert_int_equal(cfg.on_reboot, CHAOS_ACTION_DESTROY);
	chaos_config_free(&cfg);
	/* Container ids that are not guest names. */
	assert_int_equal(oci_spec_to_config(&s, "a/b", &cfg, &err), -1);
	assert_int_equal(oci_spec_to_config(&s, "12345", &cfg, &err), -1);
	assert_int_equal(oci_spec_to_config(&s, "-x", &cfg, &err), -1);
	oci_spec_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good),
		cmocka_unit_test(annotations_win),
		cmocka_unit_test(entrypoint_and_netns),
		cmocka_unit_test(bad_fields),
		cmocka_unit_test(oversize),
		cmocka_unit_test_setup_teardown(kernel_paths, bundle_setup,
						bundle_teardown),
		cmocka_unit_test(to_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
