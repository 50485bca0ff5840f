// SPDX-License-Identifier: MIT
/* chaos info [--json] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/chaos.h>
#include "commands.h"

int cmd_info(int argc, char **argv)
{
	chaos_host *host;
	chaos_host_info info;
	chaos_err err;
	int json = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else {
			cli_error("info: unknown argument '%s'", argv[i]);
			return 2;
		}
	}
	if (chaos_host_open(&host, &err)) {
		cli_error("%s", err.msg);
		return 1;
	}
	if (chaos_host_get_info(host, &info, &err)) {
		cli_error("%s", err.msg);
		chaos_host_close(host);
		return 1;
	}
	chaos_host_close(host);
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
