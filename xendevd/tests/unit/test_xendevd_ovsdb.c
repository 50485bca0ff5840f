// SPDX-License-Identifier: MIT
/* Unit tests: OVSDB JSON-RPC framing, requests and replies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../ovsdb_json.h"

static void test_framing(void **state)
{
	(void)state;
	assert_int_equal(xd_json_object_len("", 0), 0);
	assert_int_equal(xd_json_object_len("  ", 2), 0);
	assert_int_equal(xd_json_object_len("{\"a\":1}{", 8), 7);
	assert_int_equal(xd_json_object_len("\n{\"a\":[1,{}]}", 13), 13);
	assert_int_equal(xd_json_object_len("{\"a\":\"}\"", 8), 0);
	assert_int_equal(xd_json_object_len("{\"a\":\"\\\"}\"}", 11), 11);
	assert_int_equal(xd_json_object_len("[1]", 3), -1);
	/* Mismatched brackets are yajl_tree_parse's to refuse. */
	assert_int_equal(xd_json_object_len("}{", 2), -1);
	assert_int_equal(xd_json_object_len("{\"a\":", 5), 0);
}

/*
 * fuzz/README.md, ovsdb finding: a reply nested 300000 deep overflowed the
 * stack in yajl_tree_free and killed xendevd. Deeper than
 * XD_JSON_DEPTH_MAX is refused before it is parsed.
 */
static void test_deep_nesting(void **state)
{
	char buf[2 * (XD_JSON_DEPTH_MAX + 1) + 1];
	size_t n = 0;

	(void)state;
	buf[n++] = '{';
	for (int i = 1; i < XD_JSON_DEPTH_MAX; i++)
		buf[n++] = '[';
	for (int i = 1; i < XD_JSON_DEPTH_MAX; i++)
		buf[n++] = ']';
	buf[n++] = '}';
	assert_int_equal(xd_json_object_len(buf, n), (long)n);
	n = 0;
	buf[n++] = '{';
	for (int i = 0; i < XD_JSON_DEPTH_MAX; i++)
		buf[n++] = '[';
	assert_int_equal(xd_json_object_len(buf, n), -1);
}

static yajl_val parse(const char *s)
{
	char err[128];
	yajl_val v = yajl_tree_parse(s, err, sizeof(err));

	if (!v)
		fail_msg("bad JSON (%s): %s", err, s);
	return v;
}

static void test_requests(void **state)
{
	char *r;
	yajl_val v;

	(void)state;
	r = xd_ovsdb_req_lookup(7, "br\"0", "vif1.0");
	assert_non_null(r);
	v = parse(r);
	assert_non_null(strstr(r, "\"method\":\"transact\""));
	assert_non_null(strstr(r, "\"id\":7"));
	assert_non_null(strstr(r, "br\\\"0"));  /* escaped, not injected */
	yajl_tree_free(v);
	free(r);

	r = xd_ovsdb_req_add(8, "ovs0", "vif1.0", NULL);
	v = parse(r);
	assert_non_null(strstr(r, "\"op\":\"wait\""));
	assert_non_null(strstr(r, "\"named-uuid\",\"xdport\""));
	yajl_tree_free(v);
	free(r);

	r = xd_ovsdb_req_add(9, "ovs0", "vif1.0", "0e0b-uuid");
	v = parse(r);
	assert_non_null(strstr(r, "[\"ports\",\"delete\",[\"uuid\",\"0e0b-uuid\"]]"));
	assert_null(strstr(r, "\"insert\",\"table\""));
	yajl_tree_free(v);
	free(r);

	r = xd_ovsdb_req_del(10, "abc");
	v = parse(r);
	assert_non_null(strstr(r, "\"includes\""));
	yajl_tree_free(v);
	free(r);

	v = parse("{\"id\":\"echo\",\"method\":\"echo\",\"params\":[\"x\"]}");
	r = xd_ovsdb_echo_reply(v);
	assert_string_equal(r, "{\"id\":\"echo\",\"result\":[\"x\"],"
			    "\"error\":null}");
	free(r);
	yajl_tree_free(v);
}

static void lookup(const char *json, int ret, bool br, bool on,
		   const char *uuid)
{
	struct xd_ovsdb_lookup l;
	char err[256] = "";
	yajl_val v = parse(json);

	assert_int_equal(xd_ovsdb_parse_lookup(v, &l, err, sizeof(err)), ret);
	if (ret == 0) {
		assert_int_equal(l.bridge_exists, br);
		assert_int_equal(l.port_on_bridge, on);
		assert_string_equal(l.port_uuid, uuid);
	}
	yajl_tree_free(v);
}

static void test_lookup_replies(void **state)
{
	(void)state;
	lookup("{\"id\":1,\"error\":null,\"result\":[{\"rows\":[]},"
	       "{\"rows\":[]}]}", 0, false, false, "");
	lookup("{\"id\":1,\"error\":null,\"result\":[{\"rows\":[{\"ports\":"
	       "[\"set\",[]]}]},{\"rows\":[]}]}", 0, true, false, "");
	lookup("{\"id\":1,\"error\":null,\"result\":[{\"rows\":[{\"ports\":"
	       "[\"uuid\",\"u1\"]}]},{\"rows\":[{\"_uuid\":[\"uuid\",\"u1\"]}]}]}",
	       0, true, true, "u1");
	lookup("{\"id\":1,\"error\":null,\"result\":[{\"rows\":[{\"ports\":"
	       "[\"set\",[[\"uuid\",\"u0\"],[\"uuid\",\"u2\"]]]}]},"
	       "{\"rows\":[{\"_uuid\":[\"uuid\",\"u2\"]}]}]}",
	       0, true, true, "u2");
	lookup("{\"id\":1,\"error\":null,\"result\":[{\"rows\":[{\"ports\":"
	       "[\"set\",[[\"uuid\",\"u0\"]]]}]},"
	       "{\"rows\":[{\"_uuid\":[\"uuid\",\"u9\"]}]}]}",
	       0, true, false, "u9");
	/* Hostile or broken replies. */
	lookup("{\"id\":1,\"error\":\"unknown database\",\"result\":null}",
	       -1, 0, 0, "");
	lookup("{\"id\":1,\"error\":null}", -1, 0, 0, "");
	lookup("{\"id\":1,\"error\":null,\"result\":[{\"rows\":[]}]}",
	       -1, 0, 0, "");
	lookup("{\"id\":1,\"error\":null,\"result\":[{\"rows\":[]},"
	       "{\"rows\":[{\"_uuid\":5}]}]}", -1, 0, 0, "");
	lookup("{\"id\":1,\"error\":null,\"result\":[{\"rows\":[]},"
	       "{\"rows\":[{\"_uuid\":[\"uuid\",\"0123456789012345678901234"
	       "567890123456789\"]}]}]}", -1, 0, 0, "");
	lookup("{\"id\":1,\"error\":null,\"result\":[{\"rows\":[{\"ports\":"
	       "[\"set\",7]}]},{\"rows\":[{\"_uuid\":[\"uuid\",\"u9\"]}]}]}",
	       0, true, false, "u9");
}

static void test_check_reply(void **state)
{
	char err[256];
	yajl_val v;

	(void)state;
	v = parse("{\"id\":2,\"error\":null,\"result\":[{},{\"uuid\":[\"uuid\","
		  "\"x\"]},{\"count\":1}]}");
	assert_int_equal(xd_ovsdb_check_reply(v, err, sizeof(err)), 0);
	yajl_tree_free(v);
	v = parse("{\"id\":2,\"error\":null,\"result\":[{\"error\":"
		  "\"timed out\",\"details\":\"wait\"},null]}");
	assert_int_equal(xd_ovsdb_check_reply(v, err, sizeof(err)), -1);
	assert_string_equal(err, "ovsdb operation 0: timed out: wait");
	yajl_tree_free(v);
	v = parse("{\"id\":2,\"error\":7}");
	assert_int_equal(xd_ovsdb_check_reply(v, err, sizeof(err)), -1);
	yajl_tree_free(v);
}

static int nports;

static void count_port(const char *name, const char *uuid, void *arg)
{
	(void)arg;
	assert_true(name[0] && uuid[0]);
	nports++;
}

static void test_ports(void **state)
{
	char err[256], *r;
	yajl_val v;

	(void)state;
	r = xd_ovsdb_req_ports(3);
	v = parse(r);
	yajl_tree_free(v);
	free(r);
	v = parse("{\"id\":3,\"error\":null,\"result\":[{\"rows\":["
		  "{\"name\":\"vif1.0\",\"_uuid\":[\"uuid\",\"a\"]},"
		  "{\"name\":\"br0\",\"_uuid\":[\"uuid\",\"b\"]},"
		  "{\"name\":7,\"_uuid\":[\"uuid\",\"c\"]},"
		  "{\"name\":\"vif2.0\"},"
		  "{\"name\":\"0123456789abcdefXX\",\"_uuid\":[\"uuid\",\"d\"]},"
		  "5]}]}");
	nports = 0;
	assert_int_equal(xd_ovsdb_parse_ports(v, count_port, NULL, err,
					      sizeof(err)), 0);
	assert_int_equal(nports, 2);
	yajl_tree_free(v);
	v = parse("{\"id\":3,\"error\":null,\"result\":[]}");
	assert_int_equal(xd_ovsdb_parse_ports(v, count_port, NULL, err,
					      sizeof(err)), -1);
	yajl_tree_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_lookup_replies),
		cmocka_unit_test(test_check_reply),
		cmocka_unit_test(test_ports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
