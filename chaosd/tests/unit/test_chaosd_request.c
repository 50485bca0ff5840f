// SPDX-License-Identifier: MIT
/* chaosd requests: every op, and the validation of hostile input. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <chaos/chaosd.h>
#include "../../request.h"

static int parse(const char *text, chaosd_request *req, chaos_err *err)
{
	return chaosd_request_parse(text, strlen(text), req, err);
}

static void expect_error(const char *text, const char *fragment)
{
	chaosd_request req;
	chaos_err err = { 0 };

	if (parse(text, &req, &err) == 0) {
		chaosd_request_free(&req);
		fail_msg("accepted: %s", text);
	}
	if (!strstr(err.msg, fragment))
		fail_msg("'%s': message '%s' lacks '%s'", text, err.msg, fragment);
	/* A failed parse leaves nothing to free (and freeing is harmless). */
	chaosd_request_free(&req);
}

static void test_simple_ops(void **state)
{
	static const struct { const char *text; chaosd_op op; } cases[] = {
		{ "{\"op\":\"ping\"}", CHAOSD_OP_PING },
		{ "{\"op\":\"list\"}", CHAOSD_OP_LIST },
		{ " { \"op\" : \"pool-get\" } ", CHAOSD_OP_POOL_GET },
	};
	chaosd_request req;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(cases[i].text, &req, NULL), 0);
		assert_int_equal(req.op, cases[i].op);
		chaosd_request_free(&req);
	}
}

static void test_create(void **state)
{
	const char *text =
		"{\"op\":\"create\",\"paused\":true,\"allow_larger\":true,"
		"\"config_path\":\"/etc/chaos/web1.json\","
		"\"config\":{\"name\":\"web1\",\"kernel\":\"/k.elf\","
		"\"memory\":8,\"vcpus\":2,\"cmdline\":\"a \\\"b\\\" \\u00e9\"}}";
	chaosd_request req;
	chaos_err err = { 0 };

	(void)state;
	assert_int_equal(parse(text, &req, &err), 0);
	assert_int_equal(req.op, CHAOSD_OP_CREATE);
	assert_true(req.paused);
	assert_true(req.allow_larger);
	assert_false(req.no_pool);
	assert_string_equal(req.config_path, "/etc/chaos/web1.json");
	assert_string_equal(req.cfg.name, "web1");
	assert_string_equal(req.cfg.kernel, "/k.elf");
	assert_int_equal(req.cfg.memory_mib, 8);
	assert_int_equal(req.cfg.vcpus, 2);
	assert_string_equal(req.cfg.cmdline, "a \"b\" \xc3\xa9");
	chaosd_request_free(&req);
}

static void test_domain_ops(void **state)
{
	chaosd_request req;

	(void)state;
	assert_int_equal(parse("{\"op\":\"destroy\",\"domain\":\"web1\"}",
			       &req, NULL), 0);
	assert_int_equal(req.op, CHAOSD_OP_DESTROY);
	assert_string_equal(req.domain, "web1");
	chaosd_request_free(&req);
	assert_int_equal(parse("{\"domain\":\"17\",\"op\":\"console\"}",
			       &req, NULL), 0);
	assert_int_equal(req.op, CHAOSD_OP_CONSOLE);
	assert_string_equal(req.domain, "17");
	chaosd_request_free(&req);
	assert_int_equal(parse("{\"op\":\"pause\",\"domain\":\"web1\"}",
			       &req, NULL), 0);
	assert_int_equal(req.op, CHAOSD_OP_PAUSE);
	chaosd_request_free(&req);
	assert_int_equal(parse("{\"op\":\"unpause\",\"domain\":\"3\"}",
			       &req, NULL), 0);
	assert_int_equal(req.op, CHAOSD_OP_UNPAUSE);
	chaosd_request_free(&req);
}

static void test_shutdown(void **state)
{
	chaosd_request req;

	(void)state;
	/* Defaults: poweroff, 30 s. */
	assert_int_equal(parse("{\"op\":\"shutdown\",\"domain\":\"web1\"}",
			       &req, NULL), 0);
	assert_int_equal(req.reason, CHAOS_SHUTDOWN_POWEROFF);
	assert_int_equal(req.timeout_ms, 30000);
	chaosd_request_free(&req);
	assert_int_equal(parse("{\"op\":\"shutdown\",\"domain\":\"web1\","
			       "\"reason\":\"reboot\",\"timeout_ms\":1500}",
			       &req, NULL), 0);
	assert_int_equal(req.reason, CHAOS_SHUTDOWN_REBOOT);
	assert_int_equal(req.timeout_ms, 1500);
	chaosd_request_free(&req);
	expect_error("{\"op\":\"shutdown\",\"domain\":\"web1\","
		     "\"reason\":\"suspend\"}", "reason");
	expect_error("{\"op\":\"shutdown\",\"domain\":\"web1\","
		     "\"timeout_ms\":86400001}", "timeout_ms");
	expect_error("{\"op\":\"shutdown\",\"reason\":\"reboot\"}",
		     "domain: missing");
	assert_int_equal(parse("{\"op\":\"shutdown-status\",\"domid\":7}",
			       &req, NULL), 0);
	assert_int_equal(req.op, CHAOSD_OP_SHUTDOWN_STATUS);
	assert_int_equal(req.domid, 7);
	chaosd_request_free(&req);
	expect_error("{\"op\":\"shutdown-status\",\"domid\":0}", "domid");
	expect_error("{\"op\":\"shutdown-status\"}", "domid: missing");
	/* reason belongs to shutdown only */
	expect_error("{\"op\":\"destroy\",\"domain\":\"web1\","
		     "\"reason\":\"reboot\"}", "not a field of 'destroy'");
	expect_error("{\"op\":\"pause\"}", "domain: missing");
}

static void test_pool_set(void **state)
{
	chaosd_request req;

	(void)state;
	assert_int_equal(parse("{\"op\":\"pool-set\",\"memory_mib\":4,"
			       "\"vcpus\":1,\"size\":20}", &req, NULL), 0);
	assert_int_equal(req.memory_mib, 4);
	assert_int_equal(req.vcpus, 1);
	assert_int_equal(req.size, 20);
	assert_int_equal(req.vifs, 0);
	chaosd_request_free(&req);
	assert_int_equal(parse("{\"op\":\"pool-set\",\"memory_mib\":4,"
			       "\"vcpus\":1,\"vifs\":2,\"size\":3}", &req,
			       NULL), 0);
	assert_int_equal(req.vifs, 2);
	assert_string_equal(req.bridge, "");
	chaosd_request_free(&req);
	assert_int_equal(parse("{\"op\":\"pool-set\",\"memory_mib\":4,"
			       "\"vcpus\":1,\"vifs\":1,\"bridge\":\"br0\","
			       "\"size\":3}", &req, NULL), 0);
	assert_string_equal(req.bridge, "br0");
	chaosd_request_free(&req);
}

static void test_flavour_parse(void **state)
{
	static const char *bad[] = {
		"", "memory=4", "size=2", "memory=0,size=1", "memory=4,size=-1",
		"memory=4,size=4097", "memory=4,vcpus=0,size=1",
		"memory=4,vifs=9,size=1", "memory=4,size=1,colour=red",
		"memory=4,size", "memory=4x,size=1", "memory=99999999999999999999,size=1",
		"memory=4,size=1,bridge=br0", "memory=4,vifs=1,size=1,bridge=",
		"memory=4,vifs=1,size=1,bridge=b/r", "memory=4,vifs=1,size=1,bridge=..",
		"memory=4,vifs=1,size=1,bridge=abcdefghijklmnop",
	};
	chaosd_flavour f;
	chaos_err err;
	char longspec[200];

	(void)state;
	assert_int_equal(chaosd_flavour_parse("memory=4,size=20", &f, &err), 0);
	assert_int_equal(f.memory_mib, 4);
	assert_int_equal(f.vcpus, 1);
	assert_int_equal(f.vifs, 0);
	assert_int_equal(f.size, 20);
	assert_int_equal(chaosd_flavour_parse("vifs=2,size=0,vcpus=3,memory=8",
					      &f, &err), 0);
	assert_int_equal(f.memory_mib, 8);
	assert_int_equal(f.vcpus, 3);
	assert_int_equal(f.vifs, 2);
	assert_int_equal(f.size, 0);
	assert_string_equal(f.bridge, "");
	assert_int_equal(chaosd_flavour_parse("memory=4,vifs=1,bridge=xenbr0,size=5",
					      &f, &err), 0);
	assert_int_equal(f.vifs, 1);
	assert_string_equal(f.bridge, "xenbr0");
	assert_int_equal(f.size, 5);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(chaosd_flavour_parse(bad[i], &f, &err), -1);
		assert_int_equal(err.code, EINVAL);
		assert_non_null(strstr(err.msg, "pool:"));
	}
	memset(longspec, 'a', sizeof(longspec) - 1);
	longspec[sizeof(longspec) - 1] = '\0';
	assert_int_equal(chaosd_flavour_parse(longspec, &f, &err), -1);
	assert_non_null(strstr(err.msg, "too long"));
}

static void test_rejects(void **state)
{
	char deep[200];

	(void)state;
	expect_error("", "bytes");
	expect_error("nonsense", "not JSON");
	expect_error("{", "not JSON");
	expect_error("[1]", "expected an object");
	expect_error("\"ping\"", "expected an object");
	expect_error("{}", "op: missing");
	expect_error("{\"op\":1}", "op: expected a string");
	expect_error("{\"op\":\"reboot-host\"}", "op: unknown");
	expect_error("{\"op\":\"ping\",\"x\":1}", "x: not a field of 'ping'");
	expect_error("{\"op\":\"create\"}", "config: missing");
	expect_error("{\"op\":\"create\",\"config\":\"{}\"}", "config: expected an object");
	expect_error("{\"op\":\"create\",\"config\":{\"memory\":4}}", "kernel");
	expect_error("{\"op\":\"create\",\"config\":{\"kernel\":\"/k\",\"memory\":-1}}",
		     "memory");
	expect_error("{\"op\":\"create\",\"config\":{\"kernel\":\"/k\"},\"config\":{\"kernel\":\"/k\"}}",
		     "config: given twice");
	expect_error("{\"op\":\"create\",\"config\":{\"kernel\":\"/k\"},\"paused\":1}",
		     "paused: expected true or false");
	expect_error("{\"op\":\"create\",\"config\":{\"kernel\":\"/k\"},\"config_path\":\"rel.json\"}",
		     "config_path");
	expect_error("{\"op\":\"pool-set\",\"memory_mib\":4,\"vifs\":9,\"size\":1}",
		     "vifs");
	expect_error("{\"op\":\"pool-set\",\"memory_mib\":4,\"vifs\":-1,\"size\":1}",
		     "vifs");
	expect_error("{\"op\":\"pool-set\",\"memory_mib\":4,\"vcpus\":1,\"bridge\":\"br0\",\"size\":1}",
		     "bridge: a flavour without vifs");
	expect_error("{\"op\":\"pool-set\",\"memory_mib\":4,\"vcpus\":1,\"vifs\":1,\"bridge\":\"a:b\",\"size\":1}",
		     "bridge: ");
	expect_error("{\"op\":\"pool-set\",\"memory_mib\":4,\"vcpus\":1,\"vifs\":1,\"bridge\":7,\"size\":1}",
		     "bridge: expected a string");
	expect_error("{\"op\":\"pool-set\",\"memory_mib\":4,\"vcpus\":1,\"vifs\":1,\"bridge\":\"\",\"size\":1}",
		     "bridge: ");
	expect_error("{\"op\":\"destroy\"}", "domain: missing");
	expect_error("{\"op\":\"destroy\",\"domain\":5}", "domain: expected");
	expect_error("{\"op\":\"destroy\",\"domain\":\"../x\"}", "domain: not");
	expect_error("{\"op\":\"destroy\",\"domain\":\"123456\"}", "domain: not");
	expect_error("{\"op\":\"pool-set\",\"memory_mib\":4,\"vcpus\":1}", "size: missing");
	expect_error("{\"op\":\"pool-set\",\"memory_mib\":0,\"vcpus\":1,\"size\":1}",
		     "memory_mib: expected an integer");
	expect_error("{\"op\":\"pool-set\",\"memory_mib\":4,\"vcpus\":1,\"size\":4097}",
		     "size: expected an integer");
	expect_error("{\"op\":\"pool-set\",\"memory_mib\":4.5,\"vcpus\":1,\"size\":1}",
		     "memory_mib");
	expect_error("{\"op\":\"pool-set\",\"memory_mib\":99999999999999999999999,\"vcpus\":1,\"size\":1}",
		     "memory_mib");
	expect_error("{\"op\":\"ping\"} trailing", "not JSON");
	memset(deep, '[', 100);
	memset(deep + 100, ']', 99);
	deep[199] = '\0';
	expect_error(deep, "nested deeper");
}

static void test_nul_and_size(void **state)
{
	chaosd_request req;
	chaos_err err = { 0 };
	char *big;

	(void)state;
	assert_int_equal(chaosd_request_parse("{\"op\":\"ping\"}\0", 14, &req,
					      &err), -1);
	assert_non_null(strstr(err.msg, "NUL"));
	big = malloc(CHAOSD_FRAME_MAX + 1);
	assert_non_null(big);
	memset(big, ' ', CHAOSD_FRAME_MAX + 1);
	assert_int_equal(chaosd_request_parse(big, CHAOSD_FRAME_MAX + 1, &req,
					      &err), -1);
	free(big);
}

/* Not a fuzzer, but every prefix of a valid request must fail cleanly. */
static void test_prefixes(void **state)
{
	const char *text =
		"{\"op\":\"create\",\"config\":{\"kernel\":\"/k\",\"memory\":4,"
		"\"vifs\":[{\"bridge\":\"br0\"}]}}";
	chaosd_request req;

	(void)state;
	for (size_t n = 1; n < strlen(text); n++) {
		assert_int_equal(chaosd_request_parse(text, n, &req, NULL), -1);
		chaosd_request_free(&req);
	}
}

/* Checkpoints: their fields, the key as hex, the bridges, the fd counts. */
static void test_checkpoints(void **state)
{
	chaosd_request req;
	chaos_err err = { 0 };
	size_t min, max;
	char text[512];

	(void)state;
	assert_int_equal(parse("{\"op\":\"save\",\"domain\":\"web1\","
			       "\"keep_running\":true}", &req, &err), 0);
	assert_int_equal(req.op, CHAOSD_OP_SAVE);
	assert_string_equal(req.domain, "web1");
	assert_true(req.keep_running);
	chaosd_request_free(&req);
	assert_int_equal(parse("{\"op\":\"restore\",\"paused\":true,"
			       "\"bridges\":[\"br0\",\"xenbr0=br1\"]}", &req,
			       &err), 0);
	assert_true(req.paused);
	assert_int_equal(req.nr_bridges, 2);
	assert_string_equal(req.bridges[1], "xenbr0=br1");
	assert_string_equal(req.config_path, "");
	chaosd_request_free(&req);
	/* The config a restored guest restarts from (the library checks it
	 * with the client's rights). */
	assert_int_equal(parse("{\"op\":\"restore\",\"config_path\":"
			       "\"/etc/chaos/web1.json\"}", &req, &err), 0);
	assert_string_equal(req.config_path, "/etc/chaos/web1.json");
	chaosd_request_free(&req);
	assert_int_equal(parse("{\"op\":\"migrate-receive\",\"config_path\":"
			       "\"/etc/chaos/web1.json\"}", &req, &err), 0);
	assert_string_equal(req.config_path, "/etc/chaos/web1.json");
	chaosd_request_free(&req);
	assert_int_equal(parse("{\"op\":\"migrate-receive\",\"disks\":"
			       "[\"/img/a.raw\",\"/old/b=/img/b\"]}", &req,
			       &err), 0);
	assert_int_equal(req.nr_disks, 2);
	assert_string_equal(req.disks[1], "/old/b=/img/b");
	chaosd_request_free(&req);
	assert_int_equal(req.nr_disks, 0);
	assert_int_equal(parse("{\"op\":\"resume\",\"domain\":\"7\"}", &req,
			       &err), 0);
	chaosd_request_free(&req);
	snprintf(text, sizeof(text),
		 "{\"key\":\"%s\",\"op\":\"migrate-send\",\"domain\":\"web1\","
		 "\"live\":true}",
		 "000102030405060708090a0b0c0d0e0f10");
	assert_int_equal(parse(text, &req, &err), 0);
	assert_true(req.live);
	assert_int_equal(req.key.len, 17);
	assert_int_equal(req.key.bytes[16], 0x10);
	chaosd_request_free(&req);
	/* The key is wiped with the request. */
	assert_int_equal(req.key.len, 0);
	assert_int_equal(req.key.bytes[16], 0);
	assert_int_equal(parse("{\"op\":\"migrate-receive\"}", &req, &err), 0);
	assert_int_equal(req.key.len, 0);
	chaosd_request_free(&req);

	expect_error("{\"op\":\"save\"}", "domain: missing");
	expect_error("{\"op\":\"save\",\"domain\":\"a\",\"live\":true}",
		     "live: not a field of 'save'");
	expect_error("{\"op\":\"restore\",\"bridges\":[\"=x\"]}", "bridges");
	expect_error("{\"op\":\"restore\",\"bridges\":\"br0\"}", "bridges");
	expect_error("{\"op\":\"restore\",\"disks\":[\"img/a\"]}", "disks");
	expect_error("{\"op\":\"restore\",\"disks\":[\"/a\",7]}", "disks");
	expect_error("{\"op\":\"save\",\"domain\":\"a\",\"disks\":[\"/a\"]}",
		     "disks: not a field of 'save'");
	expect_error("{\"op\":\"restore\",\"path\":\"/etc/shadow\"}",
		     "path: not a field of 'restore'");
	expect_error("{\"op\":\"restore\",\"config_path\":\"web1.json\"}",
		     "config_path: expected an absolute path");
	expect_error("{\"op\":\"migrate-receive\",\"config_path\":7}",
		     "config_path: expected a string");
	expect_error("{\"op\":\"save\",\"domain\":\"a\",\"config_path\":\"/a\"}",
		     "config_path: not a field of 'save'");
	expect_error("{\"op\":\"migrate-send\",\"domain\":\"a\",\"key\":\"0011\"}",
		     "key: expected");
	expect_error("{\"op\":\"migrate-receive\",\"key\":"
		     "\"000102030405060708090a0b0c0d0e0fZZ\"}", "hex");

	chaosd_op_fds(CHAOSD_OP_SAVE, &min, &max);
	assert_true(min == 1 && max == 1);
	chaosd_op_fds(CHAOSD_OP_MIGRATE_RECEIVE, &min, &max);
	assert_true(min == 1 && max == 2);
	chaosd_op_fds(CHAOSD_OP_DESTROY, &min, &max);
	assert_true(min == 0 && max == 0);
}

/* Protocol version 2: hello, info, subscribe take no fields; network-list
 * needs a domain, stats may have one. */
static void test_version2_ops(void **state)
{
	static const struct { const char *text; chaosd_op op; } cases[] = {
		{ "{\"op\":\"hello\"}", CHAOSD_OP_HELLO },
		{ "{\"op\":\"info\"}", CHAOSD_OP_INFO },
		{ "{\"op\":\"subscribe\"}", CHAOSD_OP_SUBSCRIBE },
		{ "{\"op\":\"stats\"}", CHAOSD_OP_STATS },
	};
	chaosd_request req;
	size_t min, max;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(cases[i].text, &req, NULL), 0);
		assert_int_equal(req.op, cases[i].op);
		assert_string_equal(req.domain, "");
		chaosd_request_free(&req);
		chaosd_op_fds(cases[i].op, &min, &max);
		assert_true(min == 0 && max == 0);
	}
	assert_int_equal(parse("{\"op\":\"stats\",\"domain\":\"web1\"}", &req,
			       NULL), 0);
	assert_string_equal(req.domain, "web1");
	chaosd_request_free(&req);
	assert_int_equal(parse("{\"domain\":\"12\",\"op\":\"network-list\"}",
			       &req, NULL), 0);
	assert_int_equal(req.op, CHAOSD_OP_NETWORK_LIST);
	assert_string_equal(req.domain, "12");
	chaosd_request_free(&req);
	assert_string_equal(chaosd_op_name(CHAOSD_OP_SUBSCRIBE), "subscribe");

	expect_error("{\"op\":\"network-list\"}", "domain: missing");
	expect_error("{\"op\":\"hello\",\"version\":2}",
		     "version: not a field of 'hello'");
	expect_error("{\"op\":\"subscribe\",\"domain\":\"a\"}",
		     "domain: not a field of 'subscribe'");
	expect_error("{\"op\":\"info\",\"domain\":\"a\"}",
		     "domain: not a field of 'info'");
	expect_error("{\"op\":\"stats\",\"domain\":7}", "domain: expected");
	expect_error("{\"op\":\"stats\",\"domain\":\"123456\"}",
		     "domain: not a guest name or domain id");
	expect_error("{\"op\":\"network-list\",\"domain\":\"a/b\"}",
		     "domain: not a guest name or domain id");
	expect_error("{\"op\":\"Hello\"}", "op: unknown operation");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_ops),
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_domain_ops),
		cmocka_unit_test(test_shutdown),
		cmocka_unit_test(test_pool_set),
		cmocka_unit_test(test_flavour_parse),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_nul_and_size),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_checkpoints),
		cmocka_unit_test(test_version2_ops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
