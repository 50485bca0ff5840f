// SPDX-License-Identifier: MIT
/* Unit tests: vif names, the config file, the completion request line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../config.h"
#include "../../ctl.h"
#include "../../vifname.h"

static void test_vif_names(void **state)
{
	unsigned d, n;

	(void)state;
	assert_true(xd_is_vif_name("vif1.0", &d, &n));
	assert_int_equal(d, 1);
	assert_int_equal(n, 0);
	assert_true(xd_is_vif_name("vif32751.65535", &d, &n));
	assert_int_equal(d, 32751);
	assert_int_equal(n, 65535);
	assert_true(xd_is_vif_name("vif0.0", NULL, NULL));
	assert_false(xd_is_vif_name("vif32752.0", NULL, NULL));  /* DOMID_FIRST_RESERVED */
	assert_false(xd_is_vif_name("vif1.65536", NULL, NULL));
	assert_false(xd_is_vif_name("vif1.0-emu", NULL, NULL));
	assert_false(xd_is_vif_name("vif01.0", NULL, NULL));
	assert_false(xd_is_vif_name("vif1.00", NULL, NULL));
	assert_false(xd_is_vif_name("vif.0", NULL, NULL));
	assert_false(xd_is_vif_name("vif1.", NULL, NULL));
	assert_false(xd_is_vif_name("vif1", NULL, NULL));
	assert_false(xd_is_vif_name("vif-1.0", NULL, NULL));
	assert_false(xd_is_vif_name("eth0", NULL, NULL));
	assert_false(xd_is_vif_name("", NULL, NULL));
	assert_false(xd_is_vif_name("vif99999999999.0", NULL, NULL));
}

static int parse(struct xd_config *cfg, const char *text, char *err)
{
	xd_config_defaults(cfg);
	return xd_config_parse(cfg, text, strlen(text), err, 256);
}

static void test_config_ok(void **state)
{
	struct xd_config cfg;
	char err[256] = "";
	const char *text =
		"# comment\n"
		"\n"
		"default-bridge br0   # trailing comment\n"
		"bridge vif1.* br1\n"
		"\tbridge  vif2[0-9].*\tovs0\r\n"
		"ovsdb-socket none\n"
		"control-socket /run/x.sock\n"
		"control-group chaos";

	(void)state;
	assert_int_equal(parse(&cfg, text, err), 0);
	assert_string_equal(cfg.default_bridge, "br0");
	assert_int_equal(cfg.nrules, 2);
	assert_string_equal(cfg.rules[1].pattern, "vif2[0-9].*");
	assert_string_equal(cfg.rules[1].bridge, "ovs0");
	assert_string_equal(cfg.ovsdb_socket, "");
	assert_string_equal(cfg.control_socket, "/run/x.sock");
	assert_string_equal(cfg.control_group, "chaos");

	assert_string_equal(xd_config_bridge_for(&cfg, "vif1.3", NULL), "br1");
	assert_string_equal(xd_config_bridge_for(&cfg, "vif23.0", ""), "ovs0");
	assert_string_equal(xd_config_bridge_for(&cfg, "vif3.0", NULL), "br0");
	assert_string_equal(xd_config_bridge_for(&cfg, "vif1.3", "brX"),
			    "brX");
	cfg.default_bridge[0] = '\0';
	assert_null(xd_config_bridge_for(&cfg, "vif3.0", NULL));
}

static void expect_error(const char *text, const char *needle)
{
	struct xd_config cfg;
	char err[256] = "";

	assert_int_equal(parse(&cfg, text, err), -1);
	if (!strstr(err, needle))
		fail_msg("error '%s' lacks '%s'", err, needle);
}

static void test_config_errors(void **state)
{
	char big[700];

	(void)state;
	expect_error("default-bridge\n", "line 1: default-bridge takes");
	expect_error("\ndefault-bridge a b\n", "line 2");
	expect_error("default-bridge abcdefghijklmnop\n", "bad bridge name");
	expect_error("default-bridge a/b\n", "bad bridge name");
	expect_error("bridge vif*\n", "takes a vif pattern");
	expect_error("bridge vif* b:r\n", "bad bridge name");
	expect_error("colour blue\n", "unknown key 'colour'");
	expect_error("control-socket relative\n", "absolute");
	expect_error("ovsdb-socket rel\n", "bad ovsdb-socket");
	expect_error("a b c d e\n", "too many words");
	expect_error("control-group a:b\n", "control-group");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	expect_error(big, "longer than");
	{
		struct xd_config cfg;
		char err[256];
		const char nul[] = "default-bridge br0\0x\n";

		xd_config_defaults(&cfg);
		assert_int_equal(xd_config_parse(&cfg, nul, sizeof(nul) - 1,
						 err, sizeof(err)), -1);
		assert_non_null(strstr(err, "NUL"));
	}
	{
		struct xd_config cfg;
		char err[256], text[64 * 20 + 64] = "";

		for (int i = 0; i < 65; i++)
			strcat(text, "bridge v* b\n");
		xd_config_defaults(&cfg);
		assert_int_equal(xd_config_parse(&cfg, text, strlen(text),
						 err, sizeof(err)), -1);
		assert_non_null(strstr(err, "more than 64"));
	}
}

static void test_config_load(void **state)
{
	struct xd_config cfg;
	char err[256];

	(void)state;
	xd_config_defaults(&cfg);
	assert_int_equal(xd_config_load(&cfg, "/nonexistent/xendevd.conf",
					err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/xendevd.conf"));
}

static void test_ifname(void **state)
{
	(void)state;
	assert_true(xd_valid_ifname("br0"));
	assert_true(xd_valid_ifname("abcdefghijklmno"));
	assert_false(xd_valid_ifname("abcdefghijklmnop"));
	assert_false(xd_valid_ifname(""));
	assert_false(xd_valid_ifname(".."));
	assert_false(xd_valid_ifname("a b"));
	assert_false(xd_valid_ifname("a\x7f"));
}

static void test_ctl_request(void **state)
{
	char ifname[IFNAMSIZ], err[64];
	unsigned t = 1;

	(void)state;
	assert_int_equal(xd_ctl_parse_request("wait vif3.0 5000", ifname, &t,
					      err, sizeof(err)), 0);
	assert_string_equal(ifname, "vif3.0");
	assert_int_equal(t, 5000);
	assert_int_equal(xd_ctl_parse_request("wait vif3.0 0", ifname, &t,
					      err, sizeof(err)), 0);
	assert_int_equal(t, 0);
	assert_int_equal(xd_ctl_parse_request("wait vif3.0 600000", ifname,
					      &t, err, sizeof(err)), 0);
	assert_int_equal(xd_ctl_parse_request("wait vif3.0 600001", ifname,
					      &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "timeout above"));
	assert_int_equal(xd_ctl_parse_request("wait vif3.0 99999999999999999",
					      ifname, &t, err, sizeof(err)),
			 -1);
	assert_int_equal(xd_ctl_parse_request("wait eth0 10", ifname, &t, err,
					      sizeof(err)), -1);
	assert_string_equal(err, "bad vif name");
	assert_int_equal(xd_ctl_parse_request("wait vif3.0", ifname, &t, err,
					      sizeof(err)), -1);
	assert_string_equal(err, "bad timeout");
	assert_int_equal(xd_ctl_parse_request("wait vif3.0 -1", ifname, &t,
					      err, sizeof(err)), -1);
	assert_int_equal(xd_ctl_parse_request("wait vif3.0 10 x", ifname, &t,
					      err, sizeof(err)), -1);
	assert_int_equal(xd_ctl_parse_request("wait vif3.0000000000000000 1",
					      ifname, &t, err, sizeof(err)),
			 -1);
	assert_int_equal(xd_ctl_parse_request("WAIT vif3.0 1", ifname, &t,
					      err, sizeof(err)), -1);
	assert_string_equal(err, "unknown request");
	assert_int_equal(xd_ctl_parse_request("", ifname, &t, err,
					      sizeof(err)), -1);
}

static void test_ctl_peer(void **state)
{
	(void)state;
	assert_true(xd_ctl_peer_allowed(0, 0, false, 0));
	assert_true(xd_ctl_peer_allowed(0, 1234, true, 77));
	assert_false(xd_ctl_peer_allowed(1000, 1000, false, 0));
	assert_true(xd_ctl_peer_allowed(1000, 77, true, 77));
	/* uid 65534 (nobody) is in no group 4242 */
	assert_false(xd_ctl_peer_allowed(65534, 65534, true, 4242));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vif_names),
		cmocka_unit_test(test_config_ok),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_config_load),
		cmocka_unit_test(test_ifname),
		cmocka_unit_test(test_ctl_request),
		cmocka_unit_test(test_ctl_peer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
