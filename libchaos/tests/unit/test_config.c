// SPDX-License-Identifier: MIT
/* Unit tests for the guest config parser and MAC generation. */
#include <errno.h>
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

#include <chaos/config.h>

/* Pinned outputs of the documented MAC rule (docs/config.md). */
#define WEB0_MAC "0a:fc:95:1b:af:98"
#define WEB1_MAC "0a:fc:95:1b:af:99"

#define FULL_CONFIG \
	"{\n" \
	"  \"name\": \"web-1\",\n" \
	"  \"kernel\": \"/guests/noop.gz\",\n" \
	"  \"ramdisk\": \"/guests/initrd\",\n" \
	"  \"cmdline\": \"console=hvc0 quiet\",\n" \
	"  \"memory\": 64,\n" \
	"  \"vcpus\": 2,\n" \
	"  \"cpus\": \"0-3,6\",\n" \
	"  \"on_poweroff\": \"preserve\",\n" \
	"  \"on_reboot\": \"destroy\",\n" \
	"  \"on_crash\": \"restart\",\n" \
	"  \"paused\": true,\n" \
	"  \"vifs\": [\n" \
	"    {\"mac\": \"02:16:3E:00:00:01\", \"ip\": \"10.0.0.2\"," \
	" \"bridge\": \"br0\"},\n" \
	"    {}\n" \
	"  ]\n" \
	"}\n"

static int parse(const char *text, chaos_config *cfg, chaos_err *err)
{
	return chaos_config_parse_buffer(text, strlen(text), "t.json", cfg,
					 err);
}

/* The parse fails and the message is exactly want. */
static void expect_exact(const char *text, const char *want)
{
	chaos_config cfg;
	chaos_err err = { 0 };

	if (parse(text, &cfg, &err) == 0)
		fail_msg("parsed but expected: %s\n  input: %s", want, text);
	if (strcmp(err.msg, want))
		fail_msg("got:  %s\nwant: %s", err.msg, want);
	/* A failed parse leaves defaults and nothing to free. */
	assert_null(cfg.kernel);
	assert_int_equal(cfg.memory_mib, CHAOS_CONFIG_DEFAULT_MEMORY);
}

/* The parse fails and the message contains want. */
static void expect_err_len(const char *text, size_t len, const char *want)
{
	chaos_config cfg;
	chaos_err err = { 0 };

	if (chaos_config_parse_buffer(text, len, "t.json", &cfg, &err) == 0)
		fail_msg("parsed but expected: %s\n  input: %.200s", want,
			 text);
	if (!strstr(err.msg, want))
		fail_msg("got:  %s\nwant: ...%s...", err.msg, want);
	assert_null(strchr(err.msg, '\n'));
	assert_null(cfg.kernel);
}

static void expect_err(const char *text, const char *want)
{
	expect_err_len(text, strlen(text), want);
}

/* {"kernel": "/k", <member>} must fail with a message containing want. */
static void member_err(const char *member, const char *want)
{
	char text[8192];

	snprintf(text, sizeof(text), "{\"kernel\": \"/k\", %s}", member);
	expect_err(text, want);
}

static void member_ok(const char *member, chaos_config *cfg)
{
	char text[8192];
	chaos_err err = { 0 };

	snprintf(text, sizeof(text), "{\"kernel\": \"/k\", %s}", member);
	if (parse(text, cfg, &err) < 0)
		fail_msg("%s\n  input: %s", err.msg, text);
}

static void test_defaults(void **state)
{
	chaos_config cfg;
	chaos_err err = { 0 };

	(void)state;
	assert_int_equal(parse("{\"kernel\": \"/k\"}", &cfg, &err), 0);
	assert_string_equal(cfg.kernel, "/k");
	assert_string_equal(cfg.name, "");
	assert_null(cfg.ramdisk);
	assert_null(cfg.cmdline);
	assert_int_equal(cfg.memory_mib, 32);
	assert_int_equal(cfg.vcpus, 1);
	assert_false(cfg.cpus_set);
	assert_int_equal(cfg.on_poweroff, CHAOS_ACTION_DESTROY);
	assert_int_equal(cfg.on_reboot, CHAOS_ACTION_RESTART);
	assert_int_equal(cfg.on_crash, CHAOS_ACTION_DESTROY);
	assert_false(cfg.paused);
	assert_int_equal(cfg.nr_vifs, 0);
	assert_int_equal(chaos_config_validate(&cfg, &err), 0);
	chaos_config_free(&cfg);
	chaos_config_free(NULL);
}

static void test_full(void **state)
{
	chaos_config cfg;
	chaos_err err = { 0 };
	static const uint8_t mac0[6] = { 0x02, 0x16, 0x3e, 0, 0, 1 };

	(void)state;
	if (parse(FULL_CONFIG, &cfg, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(cfg.name, "web-1");
	assert_string_equal(cfg.kernel, "/guests/noop.gz");
	assert_string_equal(cfg.ramdisk, "/guests/initrd");
	assert_string_equal(cfg.cmdline, "console=hvc0 quiet");
	assert_int_equal(cfg.memory_mib, 64);
	assert_int_equal(cfg.vcpus, 2);
	assert_true(cfg.cpus_set);
	for (unsigned int c = 0; c < CHAOS_CONFIG_CPUS_MAX + 8; c++)
		assert_int_equal(chaos_config_cpu_isset(&cfg, c),
				 c <= 3 || c == 6);
	assert_int_equal(cfg.on_poweroff, CHAOS_ACTION_PRESERVE);
	assert_int_equal(cfg.on_reboot, CHAOS_ACTION_DESTROY);
	assert_int_equal(cfg.on_crash, CHAOS_ACTION_RESTART);
	assert_true(cfg.paused);
	assert_int_equal(cfg.nr_vifs, 2);
	assert_true(cfg.vifs[0].mac_set);
	assert_memory_equal(cfg.vifs[0].mac, mac0, 6);
	assert_true(cfg.vifs[0].ip_set);
	assert_int_equal(cfg.vifs[0].ip[0], 10);
	assert_int_equal(cfg.vifs[0].ip[3], 2);
	assert_string_equal(cfg.vifs[0].bridge, "br0");
	assert_false(cfg.vifs[1].mac_set);
	assert_false(cfg.vifs[1].ip_set);
	assert_string_equal(cfg.vifs[1].bridge, "");
	assert_int_equal(chaos_config_validate(&cfg, &err), 0);
	assert_string_equal(chaos_config_action_name(cfg.on_crash), "restart");
	chaos_config_free(&cfg);
	assert_null(cfg.kernel);
}

static void test_position(void **state)
{
	(void)state;
	expect_exact("{\n  \"name\": \"noop\",\n  \"kernel\": \"/k\",\n"
		     "  \"memory\": -5\n}\n",
		     "t.json:4:13: memory: expected an integer from 1 to "
		     "1048576, got -5");
	/* Columns count characters, not bytes. */
	expect_exact("{\"cmdline\": \"\xc3\xa9\xc3\xa9\", \"vcpus\": 0}",
		     "t.json:1:28: vcpus: expected an integer from 1 to 128, "
		     "got 0");
	expect_exact("{\"kernel\": \"/k\" \"x\": 1}",
		     "t.json:1:17: invalid JSON: after key and value, inside "
		     "map, I expect ',' or '}'");
	expect_exact("{\"kernel\": \"/k\",,}",
		     "t.json:1:17: invalid JSON: invalid object key (must be a "
		     "string)");
	expect_exact("{\"kernel\": \"/k\"}\n\n  x",
		     "t.json:3:3: invalid JSON: trailing garbage");
	expect_exact("{\"kernel\": \"/k\"",
		     "t.json:1:16: invalid JSON: unexpected end of input");
	expect_exact("\n\n{\"memory\": 5}",
		     "t.json:3:1: kernel: required key is missing");
	expect_exact("{\"kernel\": \"/k\",\n \"kernel\": \"/j\"}",
		     "t.json:2:2: kernel: duplicate key (first at 1:2)");
	expect_exact("{\"kernel\": \"/k\", \"memroy\": 5}",
		     "t.json:1:18: memroy: unknown key");
	expect_exact("{\"kernel\": \"/k\", \"vifs\": [{}, {\"mac\": 5}]}",
		     "t.json:1:39: vifs[1].mac: expected a string, got 5");
	expect_exact("{\"kernel\": \"/k\", \"cpus\": [0, 1, \"2\"]}",
		     "t.json:1:33: cpus[2]: expected a CPU number from 0 to "
		     "1023, got \"2\"");
}

static void test_wrong_types(void **state)
{
	static const struct {
		const char *member, *want;
	} cases[] = {
		{ "\"name\": 5", "name: expected a string, got 5" },
		{ "\"name\": null", "name: expected a string, got null" },
		{ "\"ramdisk\": true",
		  "ramdisk: expected a path (a string), got true" },
		{ "\"cmdline\": [\"a\"]",
		  "cmdline: expected a string, got an array" },
		{ "\"memory\": \"64\"",
		  "memory: expected an integer from 1 to 1048576, got \"64\"" },
		{ "\"memory\": {}",
		  "memory: expected an integer from 1 to 1048576, got an object" },
		{ "\"vcpus\": false",
		  "vcpus: expected an integer from 1 to 128, got false" },
		{ "\"cpus\": 3",
		  "cpus: expected an array of CPU numbers or a string like "
		  "\"0-3,6\", got 3" },
		{ "\"cpus\": [[1]]",
		  "cpus[0]: expected a CPU number from 0 to 1023, got an array" },
		{ "\"on_poweroff\": 1",
		  "on_poweroff: expected \"destroy\", \"restart\" or "
		  "\"preserve\", got 1" },
		{ "\"on_reboot\": null", "on_reboot: expected \"destroy\"" },
		{ "\"on_crash\": {}", "on_crash: expected \"destroy\"" },
		{ "\"paused\": 1", "paused: expected true or false, got 1" },
		{ "\"paused\": \"yes\"",
		  "paused: expected true or false, got \"yes\"" },
		{ "\"vifs\": {}",
		  "vifs: expected an array of vif objects, got an object" },
		{ "\"vifs\": [[]]", "vifs[0]: expected a vif object, got an array" },
		{ "\"vifs\": [{\"ip\": 10}]",
		  "vifs[0].ip: expected a string, got 10" },
		{ "\"vifs\": [{\"bridge\": {}}]",
		  "vifs[0].bridge: expected a string, got an object" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		member_err(cases[i].member, cases[i].want);
	expect_err("{\"kernel\": 7}", "t.json:1:12: kernel: expected a path");
	expect_err("[]", "t.json:1:1: expected a JSON object at the top level, "
		   "got an array");
	expect_err("5", "expected a JSON object at the top level, got 5");
	expect_err("\"x\"", "got \"x\"");
	expect_err("null", "got null");
}

static void test_ranges(void **state)
{
	static const struct {
		const char *member, *want;
	} cases[] = {
		{ "\"memory\": 0", "memory: expected an integer from 1 to 1048576, got 0" },
		{ "\"memory\": 1048577", "got 1048577" },
		{ "\"memory\": 1.5", "got 1.5" },
		{ "\"memory\": 1e3", "got 1e3" },
		{ "\"memory\": 64.0", "got 64.0" },
		{ "\"memory\": -0", "got -0" },
		{ "\"memory\": 99999999999999999999999999999999999999",
		  "got 999999999999999999999999..." },
		{ "\"memory\": 18446744073709551617", "memory: expected" },
		{ "\"vcpus\": 0", "vcpus: expected an integer from 1 to 128, got 0" },
		{ "\"vcpus\": 129", "got 129" },
		{ "\"vcpus\": -1", "got -1" },
		{ "\"on_crash\": \"reboot\"",
		  "on_crash: expected \"destroy\", \"restart\" or \"preserve\", "
		  "got \"reboot\"" },
		{ "\"on_crash\": \"Destroy\"", "got \"Destroy\"" },
		{ "\"on_crash\": \"destroy \"", "got \"destroy \"" },
		{ "\"name\": \"\"", "name: expected 1 to 63 characters, got 0" },
		{ "\"name\": \"1234\"", "name: \"1234\": must not be all digits" },
		{ "\"name\": \"-x\"", "name: \"-x\": must not start with" },
		{ "\"name\": \".x\"", "must not start with '.' or '-'" },
		{ "\"name\": \"..\"", "must not start with '.' or '-'" },
		/* A guest named like the control domain (found by tests kept
		 * outside the tree): xl users would act on the wrong one. */
		{ "\"name\": \"Domain-0\"",
		  "name: \"Domain-0\": reserved for the control domain" },
		{ "\"name\": \"domain-0\"", "reserved for the control domain" },
		{ "\"name\": \"a b\"", "name: \"a b\": only A-Z a-z 0-9 _ . -" },
		{ "\"name\": \"a/b\"", "only A-Z" },
		{ "\"name\": \"\xc3\xa9t\xc3\xa9\"",
		  "name: \"\\xc3\\xa9t\\xc3\\xa9\": only A-Z" },
		{ "\"kernel\": \"\"", "kernel: duplicate key" },
		{ "\"ramdisk\": \"\"",
		  "ramdisk: expected a path of 1 to 4095 bytes, got 0 bytes" },
	};
	char big[6000], member[6100];
	chaos_config cfg;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		member_err(cases[i].member, cases[i].want);
	expect_err("{\"kernel\": \"\"}", "kernel: expected a path of 1 to 4095");

	/* Name: 63 characters fit, 64 do not. */
	memset(big, 'n', 64);
	big[63] = '\0';
	snprintf(member, sizeof(member), "\"name\": \"%s\"", big);
	member_ok(member, &cfg);
	assert_int_equal(strlen(cfg.name), 63);
	chaos_config_free(&cfg);
	big[63] = 'n';
	big[64] = '\0';
	snprintf(member, sizeof(member), "\"name\": \"%s\"", big);
	member_err(member, "name: expected 1 to 63 characters, got 64");

	/* cmdline: 1023 bytes fit, 1024 do not. */
	memset(big, 'c', 1024);
	big[1023] = '\0';
	snprintf(member, sizeof(member), "\"cmdline\": \"%s\"", big);
	member_ok(member, &cfg);
	assert_int_equal(strlen(cfg.cmdline), 1023);
	chaos_config_free(&cfg);
	big[1023] = 'c';
	big[1024] = '\0';
	snprintf(member, sizeof(member), "\"cmdline\": \"%s\"", big);
	member_err(member, "cmdline: expected at most 1023 bytes, got 1024 bytes");

	/* Paths: 4095 bytes fit, 4096 do not. */
	memset(big, 'p', 4096);
	big[4095] = '\0';
	snprintf(member, sizeof(member), "\"ramdisk\": \"%s\"", big);
	member_ok(member, &cfg);
	assert_int_equal(strlen(cfg.ramdisk), 4095);
	chaos_config_free(&cfg);
	big[4095] = 'p';
	big[4096] = '\0';
	snprintf(member, sizeof(member), "\"ramdisk\": \"%s\"", big);
	member_err(member, "ramdisk: expected a path of 1 to 4095 bytes, got "
		   "4096 bytes");

	/* Bounds that are accepted. */
	member_ok("\"memory\": 1048576, \"vcpus\": 128, \"name\": \"a1.b_c-\"",
		  &cfg);
	assert_int_equal(cfg.memory_mib, 1048576);
	assert_int_equal(cfg.vcpus, 128);
	chaos_config_free(&cfg);
	member_ok("\"memory\": 1, \"vcpus\": 1, \"paused\": false, "
		  "\"name\": \"0x1\"", &cfg);
	assert_int_equal(cfg.memory_mib, 1);
	assert_false(cfg.paused);
	chaos_config_free(&cfg);
}

static void test_unknown_and_duplicate(void **state)
{
	(void)state;
	member_err("\"Memory\": 5", "t.json:1:18: Memory: unknown key");
	member_err("\"\": 5", "\"\": unknown key");
	member_err("\"a b\": 5", "\"a b\": unknown key");
	member_err("\"vifs\": [{\"mac\": \"02:00:00:00:00:01\", \"mtu\": 1500}]",
		   "vifs[0].mtu: unknown key");
	member_err("\"memory\": 5, \"memory\": 5",
		   "t.json:1:31: memory: duplicate key (first at 1:18)");
	member_err("\"cpus\": [1], \"cpus\": \"1\"", "cpus: duplicate key");
	member_err("\"vifs\": [], \"vifs\": []", "vifs: duplicate key");
	member_err("\"vifs\": [{\"ip\": \"10.0.0.1\", \"ip\": \"10.0.0.1\"}]",
		   "vifs[0].ip: duplicate key (first at 1:28)");
	/* Each vif has its own set of keys. */
	{
		chaos_config cfg;

		member_ok("\"vifs\": [{\"ip\": \"10.0.0.1\"}, "
			  "{\"ip\": \"10.0.0.2\"}]", &cfg);
		assert_int_equal(cfg.nr_vifs, 2);
		chaos_config_free(&cfg);
	}
	/* A key that is a huge string is shown cut short. */
	{
		size_t n = 100000;
		char *text = malloc(n + 32);

		assert_non_null(text);
		strcpy(text, "{\"");
		memset(text + 2, 'k', n);
		strcpy(text + 2 + n, "\": 1}");
		expect_err(text, "t.json:1:2: \"kkkkkkkkkkkkkkkkkkkkkkkkkkk"
			   "kkkkkkkkkkkk...\": unknown key");
		free(text);
	}
}

static void test_truncated(void **state)
{
	const char *full = FULL_CONFIG;
	size_t len = strlen(full);
	chaos_config cfg;
	chaos_err err = { 0 };

	(void)state;
	/* Every strict prefix fails with one line; none crashes or leaks. */
	for (size_t n = 0; n < len - 1; n++) {
		if (chaos_config_parse_buffer(full, n, "t.json", &cfg, &err) == 0)
			fail_msg("prefix of %zu bytes parsed", n);
		assert_null(strchr(err.msg, '\n'));
		assert_non_null(strstr(err.msg, "t.json"));
	}
	/* The full text minus its final newline is complete JSON. */
	assert_int_equal(chaos_config_parse_buffer(full, len - 1, "t.json", &cfg,
						   &err), 0);
	chaos_config_free(&cfg);
	expect_err("{\"kernel\": \"/k", "unexpected end of input");
	expect_err("{\"kernel\": \"/k\", \"memory\": 1", "unexpected end of input");
	expect_err("{\"kernel\": \"/k\", \"vifs\": [{", "unexpected end of input");
	expect_err("", "t.json: empty, expected a JSON object");
	expect_err(" \n\t ", "t.json: empty, expected a JSON object");
}

static void test_trailing_garbage(void **state)
{
	(void)state;
	expect_err("{\"kernel\": \"/k\"} x", "t.json:1:18: invalid JSON: trailing garbage");
	expect_err("{\"kernel\": \"/k\"}{}", "t.json:1:17: invalid JSON: trailing garbage");
	expect_err("{\"kernel\": \"/k\"}]", "trailing garbage");
	expect_err("{\"kernel\": \"/k\"} // comment", "invalid JSON");
	expect_err("/* c */ {\"kernel\": \"/k\"}", "invalid JSON");
	expect_err_len("{\"kernel\": \"/k\"}\0", 17, "t.json:1:17: invalid JSON");
	expect_err("{\"kernel\": \"/k\",}", "invalid JSON");
}

static void test_deep_nesting(void **state)
{
	size_t n = 200000;
	char *text = malloc(n + 64);

	(void)state;
	assert_non_null(text);
	memset(text, '[', n);
	text[n] = '\0';
	expect_err(text, "t.json:1:1: expected a JSON object at the top level, got an array");
	memset(text, '{', n);
	expect_err(text, "invalid JSON");
	strcpy(text, "{\"kernel\": \"/k\", \"cpus\": ");
	memset(text + strlen(text), '[', n);
	text[n + 20] = '\0';
	expect_err(text, "t.json:1:27: cpus[0]: expected a CPU number from 0 "
		   "to 1023, got an array");
	strcpy(text, "{\"kernel\": \"/k\", \"vifs\": [{\"mac\": ");
	memset(text + strlen(text), '{', n);
	text[n + 20] = '\0';
	expect_err(text, "vifs[0].mac: expected a string, got an object");
	strcpy(text, "{\"x\": ");
	memset(text + strlen(text), '[', n);
	text[n] = '\0';
	expect_err(text, "x: unknown key");
	free(text);
}

static void test_huge_and_size(void **state)
{
	size_t n = CHAOS_CONFIG_FILE_MAX;
	char *text = malloc(n + 2);
	chaos_config cfg;
	chaos_err err = { 0 };

	(void)state;
	assert_non_null(text);
	/* A 1 MiB cmdline string: within the file limit, over the key's. */
	strcpy(text, "{\"kernel\": \"/k\", \"cmdline\": \"");
	memset(text + strlen(text), 'x', n - 40);
	strcpy(text + n - 40 + 29, "\"}");
	expect_err(text, "cmdline: expected at most 1023 bytes, got 1048536 bytes");
	/* Over 1 MiB: refused before parsing. */
	memset(text, ' ', n + 1);
	memcpy(text, "{\"kernel\": \"/k\"}", 16);
	assert_int_equal(chaos_config_parse_buffer(text, n + 1, "big.json",
						   &cfg, &err), -1);
	assert_string_equal(err.msg, "big.json: larger than 1 MiB (1048577 bytes)");
	assert_int_equal(err.code, EFBIG);
	/* Exactly 1 MiB is fine. */
	assert_int_equal(chaos_config_parse_buffer(text, n, "big.json", &cfg,
						   &err), 0);
	chaos_config_free(&cfg);
	free(text);
}

static void test_utf8_and_nul(void **state)
{
	chaos_config cfg;

	(void)state;
	member_err("\"cmdline\": \"a\xff\"", "t.json:1:31: not valid UTF-8");
	member_err("\"cmdline\": \"\xc3\"", "t.json:1:30: not valid UTF-8");
	member_err("\"cmdline\": \"\xed\xa0\x80\"", "not valid UTF-8");
	member_err("\"cmdline\": \"\xc0\x80\"", "not valid UTF-8");
	member_err("\"cmdline\": \"\xe0\x80\xaf\"", "not valid UTF-8");
	member_err("\"cmdline\": \"\xf4\x90\x80\x80\"", "not valid UTF-8");
	member_err("\"cmdline\": \"\xf8\x88\x80\x80\x80\"", "not valid UTF-8");
	member_err("\"\xfe\": 1", "t.json:1:19: not valid UTF-8");
	expect_err("\n\xff{\"kernel\": \"/k\"}", "t.json:2:1: not valid UTF-8");
	expect_err("{\"kernel\": \"/k\"} \xe2\x82", "t.json:1:18: not valid UTF-8");
	/* Lone surrogates written as escapes. */
	member_err("\"cmdline\": \"\\ud800\"",
		   "t.json:1:29: invalid JSON: \\u escapes with an unpaired "
		   "surrogate");
	member_err("\"cmdline\": \"\\udc00x\"", "invalid JSON");
	member_err("\"\\ud800\": 1", "invalid JSON");
	member_err("\"cmdline\": \"\\ud800\\u0041\"", "unpaired surrogate");
	member_err("\"cmdline\": \"\\\\\\ud800\"", "unpaired surrogate");
	member_ok("\"cmdline\": \"\\\\ud800\"", &cfg);
	assert_string_equal(cfg.cmdline, "\\ud800");
	chaos_config_free(&cfg);
	expect_err("\xef\xbb\xbf{\"kernel\": \"/k\"}",
		   "t.json:1:1: a byte order mark is not allowed");
	member_err("\"cmdline\": \"a\tb\"", "invalid JSON: invalid character inside string");
	/* NUL bytes: raw ones are not JSON; escaped ones are refused. */
	expect_err_len("{\"kernel\": \"/k\0\"}", 17, "t.json:1:15: invalid JSON");
	expect_err_len("{\"kernel\"\0: \"/k\"}", 17, "invalid JSON");
	expect_err("{\"kernel\": \"/k\\u0000x\"}", "t.json:1:12: kernel: path contains a NUL byte");
	member_err("\"ramdisk\": \"\\u0000\"", "ramdisk: path contains a NUL byte");
	member_err("\"cmdline\": \"a\\u0000\"", "cmdline: contains a NUL byte");
	member_err("\"name\": \"a\\u0000b\"", "name: \"a\\x00b\": only A-Z");
	member_err("\"vifs\": [{\"bridge\": \"br\\u00000\"}]", "vifs[0].bridge: \"br\\x000\"");
	member_err("\"mem\\u0000ory\": 1", "\"mem\\x00ory\": unknown key");
	/* Escapes that decode to valid text are fine. */
	member_ok("\"cmdline\": \"a\\tb \\u00e9 \\ud83d\\ude00\"", &cfg);
	assert_string_equal(cfg.cmdline, "a\tb \xc3\xa9 \xf0\x9f\x98\x80");
	chaos_config_free(&cfg);
}

static void test_cpus(void **state)
{
	chaos_config cfg;

	(void)state;
	member_ok("\"cpus\": [1, 5, 1023, 5]", &cfg);
	assert_true(cfg.cpus_set);
	for (unsigned int c = 0; c < CHAOS_CONFIG_CPUS_MAX; c++)
		assert_int_equal(chaos_config_cpu_isset(&cfg, c),
				 c == 1 || c == 5 || c == 1023);
	chaos_config_free(&cfg);
	member_ok("\"cpus\": \"0-1023\"", &cfg);
	for (unsigned int c = 0; c < CHAOS_CONFIG_CPUS_MAX; c++)
		assert_true(chaos_config_cpu_isset(&cfg, c));
	chaos_config_free(&cfg);
	member_ok("\"cpus\": \"7,2-3,3-3\"", &cfg);
	for (unsigned int c = 0; c < 16; c++)
		assert_int_equal(chaos_config_cpu_isset(&cfg, c),
				 c == 2 || c == 3 || c == 7);
	chaos_config_free(&cfg);
	member_err("\"cpus\": []", "t.json:1:27: cpus: the CPU list is empty");
	member_err("\"cpus\": \"\"", "cpus: \"\": the CPU list is empty");
	member_err("\"cpus\": [1024]", "cpus[0]: expected a CPU number from 0 to 1023, got 1024");
	member_err("\"cpus\": [0, -1]", "cpus[1]: expected a CPU number from 0 to 1023, got -1");
	member_err("\"cpus\": [1.0]", "got 1.0");
	member_err("\"cpus\": [null]", "got null");
	member_err("\"cpus\": \"3-1\"", "cpus: \"3-1\": range 3-1 is reversed");
	member_err("\"cpus\": \"0-1024\"", "cpus: \"0-1024\": CPU numbers go from 0 to 1023");
	member_err("\"cpus\": \"99999999999999999999\"", "CPU numbers go from 0 to 1023");
	static const char *const bad[] = {
		"\"1,,2\"", "\"a\"", "\"1-\"", "\"-1\"", "\" 1\"", "\"1 \"",
		"\"1,\"", "\",1\"", "\"1-2-3\"", "\"0x1\"", "\"1;2\"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char member[64];

		snprintf(member, sizeof(member), "\"cpus\": %s", bad[i]);
		member_err(member, "expected CPU numbers and ranges like \"0-3,6\"");
	}
}

static void test_vifs(void **state)
{
	chaos_config cfg;
	char member[2048];
	size_t o;

	(void)state;
	/* Eight vifs fit, nine do not. */
	o = (size_t)snprintf(member, sizeof(member), "\"vifs\": [{}");
	for (int i = 1; i < 8; i++)
		o += (size_t)snprintf(member + o, sizeof(member) - o, ", {}");
	snprintf(member + o, sizeof(member) - o, "]");
	member_ok(member, &cfg);
	assert_int_equal(cfg.nr_vifs, 8);
	chaos_config_free(&cfg);
	snprintf(member + o, sizeof(member) - o, ", {}]");
	member_err(member, "t.json:1:59: vifs: at most 8 vifs are allowed");
	member_ok("\"vifs\": []", &cfg);
	assert_int_equal(cfg.nr_vifs, 0);
	chaos_config_free(&cfg);

	member_ok("\"vifs\": [{\"mac\": \"aa:bb:cc:dd:ee:ff\", \"ip\": \"192.168.255.1\","
		  " \"bridge\": \"xenbr-0123456.x\"}]", &cfg);
	assert_int_equal(cfg.vifs[0].mac[0], 0xaa);
	assert_int_equal(cfg.vifs[0].mac[5], 0xff);
	assert_int_equal(cfg.vifs[0].ip[0], 192);
	assert_int_equal(cfg.vifs[0].ip[2], 255);
	assert_string_equal(cfg.vifs[0].bridge, "xenbr-0123456.x");
	chaos_config_free(&cfg);
	/* A globally administered unicast MAC is the user's choice. */
	member_ok("\"vifs\": [{\"mac\": \"00:16:3e:12:34:56\"}]", &cfg);
	chaos_config_free(&cfg);

	static const struct {
		const char *vif, *want;
	} cases[] = {
		{ "{\"mac\": \"01:00:5e:00:00:01\"}",
		  "vifs[0].mac: \"01:00:5e:00:00:01\": a multicast address" },
		{ "{\"mac\": \"ff:ff:ff:ff:ff:ff\"}", "a multicast address" },
		{ "{\"mac\": \"00:00:00:00:00:00\"}", "the all-zero address is not allowed" },
		{ "{\"mac\": \"02:00:00:00:00\"}", "expected six hex octets" },
		{ "{\"mac\": \"02:00:00:00:00:01:02\"}", "expected six hex octets" },
		{ "{\"mac\": \"02-00-00-00-00-01\"}", "expected six hex octets" },
		{ "{\"mac\": \"2:0:0:0:0:1\"}", "expected six hex octets" },
		{ "{\"mac\": \"02:00:00:00:00:0g\"}", "expected six hex octets" },
		{ "{\"mac\": \"02:00:00:00:00:01 \"}", "expected six hex octets" },
		{ "{\"mac\": \"\"}", "expected six hex octets" },
		{ "{\"ip\": \"10.0.0.256\"}",
		  "vifs[0].ip: \"10.0.0.256\": expected a dotted IPv4 address" },
		{ "{\"ip\": \"10.0.0\"}", "expected a dotted IPv4" },
		{ "{\"ip\": \"10.0.0.1.2\"}", "expected a dotted IPv4" },
		{ "{\"ip\": \"10.0.0.01\"}", "expected a dotted IPv4" },
		{ "{\"ip\": \"10..0.1\"}", "expected a dotted IPv4" },
		{ "{\"ip\": \" 10.0.0.1\"}", "expected a dotted IPv4" },
		{ "{\"ip\": \"10.0.0.1/24\"}", "expected a dotted IPv4" },
		{ "{\"ip\": \"1000.0.0.1\"}", "expected a dotted IPv4" },
		{ "{\"ip\": \"::1\"}", "expected a dotted IPv4" },
		{ "{\"ip\": \"\"}", "expected a dotted IPv4" },
		{ "{\"ip\": \"0.0.0.0\"}", "not a unicast address a guest can use" },
		{ "{\"ip\": \"255.255.255.255\"}", "not a unicast address" },
		{ "{\"ip\": \"224.0.0.1\"}", "not a unicast address" },
		{ "{\"bridge\": \"\"}",
		  "vifs[0].bridge: \"\": an interface name has 1 to 15 bytes" },
		{ "{\"bridge\": \"0123456789abcdef\"}", "an interface name has 1 to 15 bytes" },
		{ "{\"bridge\": \"br/0\"}",
		  "vifs[0].bridge: \"br/0\": an interface name has no '/'" },
		{ "{\"bridge\": \"br 0\"}", "an interface name has no" },
		{ "{\"bridge\": \"br:0\"}", "an interface name has no" },
		{ "{\"bridge\": \"br\\n\"}", "an interface name has no" },
		{ "{\"bridge\": \".\"}", "not a valid interface name" },
		{ "{\"bridge\": \"..\"}", "not a valid interface name" },
		{ "{\"mac\": \"02:00:00:00:00:01\"}, {\"mac\": \"02:00:00:00:00:01\"}",
		  "t.json:1:65: vifs[1].mac: same MAC as vifs[0]" },
		{ "5", "vifs[0]: expected a vif object, got 5" },
		{ "{}, \"x\"", "vifs[1]: expected a vif object, got \"x\"" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		snprintf(member, sizeof(member), "\"vifs\": [%s]", cases[i].vif);
		member_err(member, cases[i].want);
	}
}

static int mac_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 6);
}

static void test_generate_mac(void **state)
{
	size_t names = 20000, n = 0;
	uint8_t (*macs)[6] = malloc(names * 8 * sizeof(*macs));
	uint8_t a[6], b[6];
	char name[32], text[18];

	(void)state;
	assert_non_null(macs);
	for (size_t i = 0; i < names; i++) {
		snprintf(name, sizeof(name), "guest-%zu", i);
		for (unsigned int idx = 0; idx < 8; idx++) {
			chaos_config_generate_mac(name, 999, idx, macs[n]);
			chaos_config_generate_mac(name, 5, idx, a);
			/* Deterministic; the domid does not matter when named. */
			assert_memory_equal(macs[n], a, 6);
			assert_int_equal(macs[n][0] & 0x01, 0); /* unicast */
			assert_int_equal(macs[n][0] & 0x02, 0x02); /* local */
			assert_int_equal(macs[n][0] & 0x04, 0); /* by name */
			assert_int_equal(macs[n][5] & 7, idx);
			n++;
		}
	}
	/* Unique over all names and indexes. */
	qsort(macs, n, sizeof(*macs), mac_cmp);
	for (size_t i = 1; i < n; i++)
		if (!memcmp(macs[i - 1], macs[i], 6))
			fail_msg("MAC collision at %zu", i);
	free(macs);

	/* By domid: unique outright, and apart from the by-name ones. */
	chaos_config_generate_mac(NULL, 0x7fef, 7, a);
	chaos_config_format_mac(a, text);
	assert_string_equal(text, "06:00:00:7f:ef:07");
	chaos_config_generate_mac("", 1, 0, b);
	chaos_config_format_mac(b, text);
	assert_string_equal(text, "06:00:00:00:01:00");

	/* Pinned: the rule is an interface, it must never change. */
	chaos_config_generate_mac("web", 0, 0, a);
	chaos_config_format_mac(a, text);
	assert_string_equal(text, WEB0_MAC);
	chaos_config_generate_mac("web", 0, 1, a);
	chaos_config_format_mac(a, text);
	assert_string_equal(text, WEB1_MAC);
}

static void test_assign_macs(void **state)
{
	chaos_config cfg;
	chaos_err err = { 0 };
	uint8_t want[6];

	(void)state;
	member_ok("\"vifs\": [{}, {\"mac\": \"02:00:00:00:00:09\"}, {}]", &cfg);
	assert_int_equal(chaos_config_assign_macs(&cfg, 42, &err), 0);
	chaos_config_generate_mac(NULL, 42, 0, want);
	assert_memory_equal(cfg.vifs[0].mac, want, 6);
	assert_int_equal(cfg.vifs[1].mac[5], 9);
	chaos_config_generate_mac(NULL, 42, 2, want);
	assert_memory_equal(cfg.vifs[2].mac, want, 6);
	for (int i = 0; i < 3; i++)
		assert_true(cfg.vifs[i].mac_set);
	chaos_config_free(&cfg);

	member_ok("\"name\": \"web\", \"vifs\": [{}]", &cfg);
	assert_int_equal(chaos_config_assign_macs(&cfg, 42, &err), 0);
	chaos_config_generate_mac("web", 0, 0, want);
	assert_memory_equal(cfg.vifs[0].mac, want, 6);
	chaos_config_free(&cfg);

	/* An explicit MAC equal to a generated one is caught. */
	member_ok("\"vifs\": [{}, {\"mac\": \"06:00:00:00:2a:00\"}]", &cfg);
	assert_int_equal(chaos_config_assign_macs(&cfg, 42, &err), -1);
	assert_string_equal(err.msg, "vifs[1].mac: 06:00:00:00:2a:00 is also the MAC of vifs[0]");
	chaos_config_free(&cfg);
}

static void test_parse_mac_api(void **state)
{
	uint8_t mac[6];
	chaos_err err = { 0 };

	(void)state;
	assert_int_equal(chaos_config_parse_mac("02:AB:cd:00:00:01", mac, &err), 0);
	assert_int_equal(mac[1], 0xab);
	assert_int_equal(chaos_config_parse_mac("03:00:00:00:00:01", mac, &err), -1);
	assert_non_null(strstr(err.msg, "multicast"));
}

static void test_validate(void **state)
{
	chaos_config cfg;
	chaos_err err = { 0 };

	(void)state;
	chaos_config_init(&cfg);
	assert_int_equal(chaos_config_validate(&cfg, &err), -1);
	assert_string_equal(err.msg, "kernel: required key is missing");
	cfg.kernel = strdup("/k");
	assert_non_null(cfg.kernel);
	assert_int_equal(chaos_config_validate(&cfg, &err), 0);

	snprintf(cfg.name, sizeof(cfg.name), "42");
	assert_int_equal(chaos_config_validate(&cfg, &err), -1);
	assert_string_equal(err.msg, "name: \"42\": must not be all digits "
			    "(it would look like a domain id)");
	snprintf(cfg.name, sizeof(cfg.name), "ok");

	cfg.memory_mib = 0;
	assert_int_equal(chaos_config_validate(&cfg, &err), -1);
	assert_string_equal(err.msg, "memory: expected an integer from 1 to 1048576, got 0");
	cfg.memory_mib = 16;

	cfg.vcpus = 200;
	assert_int_equal(chaos_config_validate(&cfg, &err), -1);
	assert_string_equal(err.msg, "vcpus: expected an integer from 1 to 128, got 200");
	cfg.vcpus = 1;

	cfg.cpus_set = true;
	assert_int_equal(chaos_config_validate(&cfg, &err), -1);
	assert_string_equal(err.msg, "cpus: the CPU list is empty");
	chaos_config_cpu_set(&cfg, 3);
	assert_true(chaos_config_cpu_isset(&cfg, 3));
	assert_int_equal(chaos_config_validate(&cfg, &err), 0);

	cfg.on_crash = (chaos_config_action)7;
	assert_int_equal(chaos_config_validate(&cfg, &err), -1);
	assert_string_equal(err.msg, "on_crash: unknown action");
	cfg.on_crash = CHAOS_ACTION_PRESERVE;

	cfg.nr_vifs = 2;
	snprintf(cfg.vifs[1].bridge, sizeof(cfg.vifs[1].bridge), "a/b");
	assert_int_equal(chaos_config_validate(&cfg, &err), -1);
	assert_string_equal(err.msg, "vifs[1].bridge: \"a/b\": an interface "
			    "name has no '/', ':', whitespace or control "
			    "characters");
	snprintf(cfg.vifs[1].bridge, sizeof(cfg.vifs[1].bridge), "br0");
	cfg.vifs[0].ip_set = true;
	assert_int_equal(chaos_config_validate(&cfg, &err), -1);
	assert_string_equal(err.msg, "vifs[0].ip: \"0.0.0.0\": not a unicast "
			    "address a guest can use");
	cfg.vifs[0].ip[0] = 10;
	cfg.vifs[0].mac_set = true;
	cfg.vifs[0].mac[0] = 1;
	assert_int_equal(chaos_config_validate(&cfg, &err), -1);
	assert_string_equal(err.msg, "vifs[0].mac: must be a unicast, non-zero address");
	cfg.vifs[0].mac[0] = 2;
	assert_int_equal(chaos_config_validate(&cfg, &err), 0);

	cfg.nr_vifs = 9;
	assert_int_equal(chaos_config_validate(&cfg, &err), -1);
	cfg.nr_vifs = 0;

	cfg.cmdline = malloc(2000);
	assert_non_null(cfg.cmdline);
	memset(cfg.cmdline, 'x', 1999);
	cfg.cmdline[1999] = '\0';
	assert_int_equal(chaos_config_validate(&cfg, &err), -1);
	assert_string_equal(err.msg, "cmdline: expected at most 1023 bytes, got 1999 bytes");
	chaos_config_free(&cfg);

	assert_int_equal(chaos_config_check_name("web-1", &err), 0);
	assert_int_equal(chaos_config_check_name("007", &err), -1);
	assert_int_equal(chaos_config_check_name(NULL, NULL), -1);
	assert_int_equal(chaos_config_check_name("", &err), -1);
	assert_string_equal(err.msg, "name: expected 1 to 63 characters, got 0");

	assert_int_equal(chaos_config_check_bridge("xenbr0", &err), 0);
	assert_int_equal(chaos_config_check_bridge("br.0-a_b", &err), 0);
	assert_int_equal(chaos_config_check_bridge(NULL, NULL), -1);
	assert_int_equal(chaos_config_check_bridge(NULL, &err), -1);
	assert_string_equal(err.msg, "bridge: missing");
	assert_int_equal(chaos_config_check_bridge("", &err), -1);
	assert_non_null(strstr(err.msg, "bridge: "));
	assert_int_equal(chaos_config_check_bridge("..", &err), -1);
	assert_int_equal(chaos_config_check_bridge("br 0", &err), -1);
	assert_int_equal(chaos_config_check_bridge("a:b", &err), -1);
	assert_int_equal(chaos_config_check_bridge("a/b", &err), -1);
	assert_int_equal(chaos_config_check_bridge("abcdefghijklmnop", &err),
			 -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "bridge: "));
}

/* "devices": which path serves the guest; emitted only when set. */
static void test_devices(void **state)
{
	chaos_config cfg;
	chaos_err err = { 0 };
	char *json = NULL;

	(void)state;
	member_ok("\"name\": \"d\"", &cfg);
	assert_int_equal(cfg.devices, CHAOS_DEVICES_AUTO);
	chaos_config_free(&cfg);
	member_ok("\"devices\": \"xenstore\"", &cfg);
	assert_int_equal(cfg.devices, CHAOS_DEVICES_XENSTORE);
	assert_int_equal(chaos_config_to_json(&cfg, &json, &err), 0);
	assert_non_null(strstr(json, "\"devices\":\"xenstore\""));
	free(json);
	chaos_config_free(&cfg);
	member_ok("\"devices\": \"noxs\"", &cfg);
	assert_int_equal(cfg.devices, CHAOS_DEVICES_NOXS);
	chaos_config_free(&cfg);
	member_err("\"devices\": \"xs\"",
		   "devices: expected \"auto\", \"noxs\" or \"xenstore\", got \"xs\"");
	member_err("\"devices\": 1", "devices: expected");
	/* Parsed, then refused by the create's validation. */
	member_ok("\"devices\": \"noxs\", \"disks\": [{\"target\": \"/d.img\", \"vdev\": \"xvda\"}]",
		  &cfg);
	assert_int_equal(chaos_config_validate(&cfg, &err), -1);
	assert_non_null(strstr(err.msg, "disks: a noxs guest has no block devices"));
	chaos_config_free(&cfg);
	assert_string_equal(chaos_config_devices_name(CHAOS_DEVICES_XENSTORE),
			    "xenstore");
	assert_string_equal(chaos_config_devices_name((chaos_config_devices)9),
			    "unknown");
	chaos_config_init(&cfg);
	cfg.devices = (chaos_config_devices)7;
	cfg.kernel = strdup("/k");
	assert_int_equal(chaos_config_validate(&cfg, &err), -1);
	assert_non_null(strstr(err.msg, "devices: unknown value"));
	chaos_config_free(&cfg);
}

static void test_files(void **state)
{
	char dir[] = "/tmp/chaos-config-test.XXXXXX";
	char path[128];
	chaos_config cfg;
	chaos_err err = { 0 };
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/noop.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\n  \"kernel\": \"/k\",\n  \"vcpus\": 3,\n  \"memory\": true\n}\n", f);
	fclose(f);
	assert_int_equal(chaos_config_parse_file(path, &cfg, &err), -1);
	{
		char want[256];

		snprintf(want, sizeof(want), "%s:4:13: memory: expected an "
			 "integer from 1 to 1048576, got true", path);
		assert_string_equal(err.msg, want);
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(FULL_CONFIG, f);
	fclose(f);
	assert_int_equal(chaos_config_parse_file(path, &cfg, &err), 0);
	assert_int_equal(cfg.vcpus, 2);
	chaos_config_free(&cfg);

	/* Larger than the first buffer: read whole, the config at its end. */
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 200 * 1024; i += 64)
		fputs("                                                                ", f);
	fputs("{\"kernel\": \"/k\", \"vcpus\": 3}", f);
	fclose(f);
	assert_int_equal(chaos_config_parse_file(path, &cfg, &err), 0);
	assert_int_equal(cfg.vcpus, 3);
	chaos_config_free(&cfg);

	/* Over 1 MiB on disk. */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"kernel\": \"/k\"}", f);
	for (int i = 0; i < CHAOS_CONFIG_FILE_MAX; i += 64)
		fputs("                                                                ", f);
	fclose(f);
	assert_int_equal(chaos_config_parse_file(path, &cfg, &err), -1);
	assert_int_equal(err.code, EFBIG);
	assert_non_null(strstr(err.msg, "larger than 1 MiB"));
	unlink(path);

	assert_int_equal(chaos_config_parse_file(path, &cfg, &err), -1);
	assert_non_null(strstr(err.msg, "noop.json: cannot open: No such file"));
	assert_int_equal(chaos_config_parse_file(dir, &cfg, &err), -1);
	assert_non_null(strstr(err.msg, ": not a regular file"));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(chaos_config_parse_file(path, &cfg, &err), -1);
	assert_non_null(strstr(err.msg, "fifo: not a regular file"));
	unlink(path);
	assert_int_equal(chaos_config_parse_file("/dev/null", &cfg, &err), -1);
	assert_string_equal(err.msg, "/dev/null: not a regular file");
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_position),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_unknown_and_duplicate),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_trailing_garbage),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_huge_and_size),
		cmocka_unit_test(test_utf8_and_nul),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_vifs),
		cmocka_unit_test(test_generate_mac),
		cmocka_unit_test(test_assign_macs),
		cmocka_unit_test(test_parse_mac_api),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
