// SPDX-License-Identifier: MIT
/* chaos create <cfg> [-p|--paused] [-c|--console] [--timing] */
#include <stdio.h>
#include <string.h>

#include <chaos/chaos.h>
#include "commands.h"

static void print_timing(const chaos_create_timing *t, uint64_t config_us)
{
	printf("timing_us parse=%llu domain=%llu memory=%llu load=%llu "
	       "pagetables=%llu devices=%llu unpause=%llu total=%llu\n",
	       (unsigned long long)(t->parse_us + config_us),
	       (unsigned long long)t->domain_us,
	       (unsigned long long)t->memory_us,
	       (unsigned long long)t->load_us,
	       (unsigned long long)t->pagetables_us,
	       (unsigned long long)t->devices_us,
	       (unsigned long long)t->unpause_us,
	       (unsigned long long)(t->total_us + config_us));
}

int cmd_create(int argc, char **argv)
{
	const char *path = NULL;
	int console = 0, timing_wanted = 0, rc = 1;
	chaos_create_opts opts = { 0 };
	chaos_create_timing timing;
	chaos_config cfg;
	chaos_host *host;
	chaos_err err;
	uint32_t domid;
	uint64_t t0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-p") || !strcmp(argv[i], "--paused"))
			opts.paused = true;
		else if (!strcmp(argv[i], "-c") || !strcmp(argv[i], "--console"))
			console = 1;
		else if (!strcmp(argv[i], "--timing"))
			timing_wanted = 1;
		else if (argv[i][0] == '-' || path) {
			cli_error("create: unexpected argument '%s'", argv[i]);
			return 2;
		} else {
			path = argv[i];
		}
	}
	if (!path) {
		cli_error("usage: chaos create <config.json> [-p] [-c] [--timing]");
		return 2;
	}
	t0 = cli_now_us();
	if (chaos_config_parse_file(path, &cfg, &err)) {
		cli_error("%s", err.msg);
		return 1;
	}
	t0 = cli_now_us() - t0;
	opts.config_path = path;
	if (chaos_host_open(&host, &err)) {
		cli_error("%s", err.msg);
		goto out_cfg;
	}
	if (chaos_guest_create(host, &cfg, &opts, &domid, &timing, &err)) {
		cli_error("%s", err.msg);
		goto out_host;
	}
	printf("created domain %u%s%s%s\n", domid, cfg.name[0] ? " (" : "",
	       cfg.name, cfg.name[0] ? ")" : "");
	if (timing_wanted)
		print_timing(&timing, t0);
	fflush(stdout);
	rc = 0;
	if (console)
		rc = cli_console(host, domid, NULL, -1, 1);
out_host:
	chaos_host_close(host);
out_cfg:
	chaos_config_free(&cfg);
	return rc;
}
