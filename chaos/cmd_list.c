// SPDX-License-Identifier: MIT
/* chaos list [--json] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/chaos.h>
#include "commands.h"

int cmd_list(int argc, char **argv)
{
	chaos_host *host;
	chaos_domain_info *doms;
	size_t count;
	chaos_err err;
	int json = 0, rc = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else {
			cli_error("list: unknown argument '%s'", argv[i]);
			return 2;
		}
	}
	if (chaos_host_open(&host, &err)) {
		cli_error("%s", err.msg);
		return 1;
	}
	if (chaos_domain_list(host, &doms, &count, &err)) {
		cli_error("%s", err.msg);
		chaos_host_close(host);
		return 1;
	}
	chaos_host_close(host);
	if (json) {
		char *text;

		if (chaos_format_list_json(doms, count, &text, &err)) {
			cli_error("%s", err.msg);
			rc = 1;
		} else {
			puts(text);
			free(text);
		}
	} else if (chaos_format_list_text(stdout, doms, count)) {
		rc = 1;
	}
	free(doms);
	return rc;
}
