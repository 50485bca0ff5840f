// SPDX-License-Identifier: MIT
/* Domain state mapping and the list/info output formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <xenctrl.h>
#include <yajl/yajl_tree.h>

#include <chaos/chaos.h>

#include "hyp/hyp.h"

static void test_state_from_flags(void **state)
{
	(void)state;
	assert_int_equal(chaos_domain_state_from_flags(XEN_DOMINF_running),
			 CHAOS_STATE_RUNNING);
	assert_int_equal(chaos_domain_state_from_flags(0), CHAOS_STATE_BLOCKED);
	assert_int_equal(chaos_domain_state_from_flags(XEN_DOMINF_blocked),
			 CHAOS_STATE_BLOCKED);
	assert_int_equal(chaos_domain_state_from_flags(XEN_DOMINF_paused |
						       XEN_DOMINF_running),
			 CHAOS_STATE_PAUSED);
	assert_int_equal(chaos_domain_state_from_flags(XEN_DOMINF_shutdown |
						       XEN_DOMINF_paused),
			 CHAOS_STATE_SHUTDOWN);
	assert_int_equal(chaos_domain_state_from_flags(XEN_DOMINF_dying |
						       XEN_DOMINF_shutdown),
			 CHAOS_STATE_DYING);
	assert_string_equal(chaos_domain_state_name(CHAOS_STATE_PAUSED), "paused");
	assert_string_equal(chaos_domain_state_name((chaos_domain_state)99),
			    "unknown");
}

static void test_display_name(void **state)
{
	chaos_domain_info d = { 0 };

	(void)state;
	assert_string_equal(chaos_domain_display_name(&d), "Domain-0");
	d.domid = 7;
	assert_string_equal(chaos_domain_display_name(&d), "(unnamed)");
	strcpy(d.name, "web1");
	assert_string_equal(chaos_domain_display_name(&d), "web1");
}

static chaos_domain_info sample[2] = {
	{ .domid = 0, .state = CHAOS_STATE_RUNNING, .mem_kib = 1024 * 1024,
	  .max_mem_kib = 1024 * 1024, .vcpus = 2, .cpu_time_ns = 12500000000ull },
	{ .domid = 3, .name = "noop\"quoted\\", .state = CHAOS_STATE_PAUSED,
	  .mem_kib = 4096, .max_mem_kib = 8192, .vcpus = 1, .cpu_time_ns = 0 },
};

static void test_list_text(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	assert_int_equal(chaos_format_list_text(f, sample, 2), 0);
	fclose(f);
	assert_non_null(strstr(buf, "Name"));
	assert_non_null(strstr(buf, "Domain-0"));
	/* Columns: name, id, MiB, vcpus, state, seconds. */
	assert_non_null(strstr(buf, "    0    1024     2 running       12.5\n"));
	assert_non_null(strstr(buf, "    3       4     1 paused         0.0\n"));
	free(buf);
}

static void test_list_json(void **state)
{
	const char *id_path[] = { "id", NULL };
	const char *name_path[] = { "name", NULL };
	const char *mem_path[] = { "memory_mib", NULL };
	const char *state_path[] = { "state", NULL };
	char errbuf[128], *json;
	chaos_err err;
	yajl_val tree, second;

	(void)state;
	assert_int_equal(chaos_format_list_json(sample, 2, &json, &err), 0);
	tree = yajl_tree_parse(json, errbuf, sizeof(errbuf));
	assert_non_null(tree);
	assert_true(YAJL_IS_ARRAY(tree));
	assert_int_equal(tree->u.array.len, 2);
	second = tree->u.array.values[1];
	assert_int_equal(YAJL_GET_INTEGER(yajl_tree_get(second, id_path,
							yajl_t_number)), 3);
	assert_string_equal(YAJL_GET_STRING(yajl_tree_get(second, name_path,
							  yajl_t_string)),
			    "noop\"quoted\\");
	assert_int_equal(YAJL_GET_INTEGER(yajl_tree_get(second, mem_path,
							yajl_t_number)), 4);
	assert_string_equal(YAJL_GET_STRING(yajl_tree_get(second, state_path,
							  yajl_t_string)),
			    "paused");
	yajl_tree_free(tree);
	free(json);
}

static void test_list_json_empty(void **state)
{
	char errbuf[128], *json;
	yajl_val tree;

	(void)state;
	assert_int_equal(chaos_format_list_json(NULL, 0, &json, NULL), 0);
	tree = yajl_tree_parse(json, errbuf, sizeof(errbuf));
	assert_non_null(tree);
	assert_true(YAJL_IS_ARRAY(tree));
	assert_int_equal(tree->u.array.len, 0);
	yajl_tree_free(tree);
	free(json);
}

static void test_info_formats(void **state)
{
	chaos_host_info info = {
		.xen_major = 4, .xen_minor = 17, .xen_extra = ".7",
		.xen_caps = "xen-3.0-x86_64", .nr_cpus = 2, .cpu_mhz = 2000,
		.total_kib = 3 << 20, .free_kib = 2 << 20, .outstanding_kib = 1024,
		.usable_kib = (2 << 20) - 1024,
	};
	const char *ver_path[] = { "xen_version", NULL };
	char *buf = NULL, *json, errbuf[128];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	yajl_val tree;

	(void)state;
	assert_int_equal(chaos_format_info_text(f, &info), 0);
	fclose(f);
	assert_non_null(strstr(buf, "xen_version        : 4.17.7\n"));
	assert_non_null(strstr(buf, "free_memory        : 2048 MiB\n"));
	assert_non_null(strstr(buf, "guest_usable_memory: 2047 MiB\n"));
	free(buf);

	assert_int_equal(chaos_format_info_json(&info, &json, NULL), 0);
	tree = yajl_tree_parse(json, errbuf, sizeof(errbuf));
	assert_non_null(tree);
	assert_string_equal(YAJL_GET_STRING(yajl_tree_get(tree, ver_path,
							  yajl_t_string)),
			    "4.17.7");
	yajl_tree_free(tree);
	free(json);
}

static void test_err_clear(void **state)
{
	chaos_err err = { .code = 5, .msg = "old" };

	(void)state;
	chaos_err_clear(&err);
	assert_int_equal(err.code, 0);
	assert_string_equal(err.msg, "");
	chaos_err_clear(NULL);
}

/* JSON depth before a tree parse: brackets in strings (escaped quotes
 * too) do not count, stray closers do not go below zero. */
static void test_json_depth(void **state)
{
	static const struct { const char *text; size_t depth; } cases[] = {
		{ "", 0 },
		{ "7", 0 },
		{ "{}", 1 },
		{ "{\"a\":[1,{\"b\":[]}]}", 4 },
		{ "\"[[[[\"", 0 },
		{ "[\"\\\"[[\"]", 1 },
		{ "]]]]}}[[", 2 },
		{ "[[[", 3 },
	};
	char deep[2001];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (chaos_json_depth(cases[i].text, strlen(cases[i].text)) !=
		    cases[i].depth)
			fail_msg("case %zu: '%s'", i, cases[i].text);
	memset(deep, '[', 1000);
	memset(deep + 1000, ']', 1000);
	deep[2000] = '\0';
	assert_int_equal(chaos_json_depth(deep, 2000), 1000);
	/* Only len bytes are read. */
	assert_int_equal(chaos_json_depth(deep, 10), 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_from_flags),
		cmocka_unit_test(test_display_name),
		cmocka_unit_test(test_list_text),
		cmocka_unit_test(test_list_json),
		cmocka_unit_test(test_list_json_empty),
		cmocka_unit_test(test_info_formats),
		cmocka_unit_test(test_err_clear),
		cmocka_unit_test(test_json_depth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
