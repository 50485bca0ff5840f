// SPDX-License-Identifier: MIT
/* chaos info [--json] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/chaos.h>
#include "commands.h"

/* Through chaosd when it runs (one front door), else here. */
static int info_get(chaos_host_info *info, chaos_err *err)
{
	chaosd_conn *conn = cli_chaosd();
	chaos_host *host;
	int rc;

	if (conn) {
		rc = chaosd_info(conn, info, err);
		chaosd_close(conn);
		return rc;
	}
	if (chaos_host_open(&host, err))
		return -1;
	rc = chaos_host_get_info(host, info, err);
	chaos_host_close(host);
	return rc;
}

int cmd_info(int argc, char **argv)
{
	chaos_host_info info;
	chaos_err err;
	int json = 0, c;
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};

	while ((c = cli_getopt(argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			return CLI_HELP;
		default:
			return 2;
		}
	}
	if (optind < argc) {
		cli_error("info: unknown argument '%s'", argv[optind]);
		return 2;
	}
	if (info_get(&info, &err)) {
		cli_error("%s", err.msg);
		return 1;
	}
	if (json) {
		char *text;

		if (chaos_format_info_json(&info, &text, &err)) {
			cli_error("%s", err.msg);
			return 1;
		}
		puts(text);
		free(text);
		return 0;
	}
	return chaos_format_info_text(stdout, &info) ? 1 : 0;
}
