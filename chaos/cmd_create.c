// SPDX-License-Identifier: MIT
/*
 * chaos create <cfg> [-p|--paused] [-c|--console] [--timing]
 *              [--no-chaosd] [--allow-larger]
 *
 * When chaosd runs, the create goes through it (and takes a prepared shell
 * if one fits); otherwise, or with --no-chaosd, libchaos builds the guest
 * here in one go.
 */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/chaos.h>
#include <chaos/chaosd.h>
#include "abs_path.h"
#include "commands.h"

/* Room left in a request frame for the fields around the config. */
#define CONFIG_TEXT_MAX (CHAOSD_FRAME_MAX - PATH_MAX - 256)

/* The CLI's own part of a create through chaosd, beside chaosd's. */
struct cli_timing {
	uint64_t config_us;	/* reading and checking the config file */
	uint64_t connect_us;	/* connecting to chaosd */
	uint64_t request_us;	/* the create request, sent to answer read */
};

static void print_timing(const chaos_create_timing *t,
			 const struct cli_timing *cli, const char *via)
{
	printf("timing_us parse=%llu domain=%llu memory=%llu load=%llu "
	       "pagetables=%llu devices=%llu unpause=%llu total=%llu "
	       "config=%llu",
	       (unsigned long long)t->parse_us,
	       (unsigned long long)t->domain_us,
	       (unsigned long long)t->memory_us,
	       (unsigned long long)t->load_us,
	       (unsigned long long)t->pagetables_us,
	       (unsigned long long)t->devices_us,
	       (unsigned long long)t->unpause_us,
	       (unsigned long long)t->total_us,
	       (unsigned long long)cli->config_us);
	if (via[0])
		printf(" connect=%llu request=%llu",
		       (unsigned long long)cli->connect_us,
		       (unsigned long long)cli->request_us);
	printf("%s\n", via);
}

/*
 * Create through chaosd. 0: created; 1: chaosd refused (error printed);
 * -1: chaosd is not there or cannot take this config: create locally.
 */
static int via_chaosd(const char *path, const chaos_config *cfg, bool paused,
		      bool allow_larger, chaosd_create_result *res,
		      struct cli_timing *cli)
{
	char abs[PATH_MAX], *text;
	chaosd_conn *c;
	chaos_err err;
	size_t len;
	uint64_t t0, t1;
	int rc;

	/* chaosd resolves paths from its own directory, not ours. */
	if (cfg->kernel[0] != '/' || (cfg->ramdisk && cfg->ramdisk[0] != '/'))
		return -1;
	/* chaosd takes the config as JSON, whatever file it came from. */
	if (cli_absolute_path(path, NULL, abs, sizeof(abs)) ||
	    chaos_config_to_json(cfg, &text, &err))
		return -1;
	len = strlen(text);
	if (len > CONFIG_TEXT_MAX) {
		free(text);
		return -1;
	}
	t0 = chaos_clock_us();
	if (chaosd_connect(NULL, &c, &err)) {
		free(text);
		return -1;
	}
	/* One clock read ends the connect and starts the request. */
	t1 = chaos_clock_us();
	cli->connect_us = t1 - t0;
	t0 = t1;
	rc = chaosd_create(c, text, len, abs, paused, allow_larger, res, &err);
	cli->request_us = chaos_clock_us() - t0;
	chaosd_close(c);
	free(text);
	if (rc) {
		cli_error("%s", err.msg);
		return 1;
	}
	return 0;
}

int cmd_create(int argc, char **argv)
{
	const char *path = NULL;
	int console = 0, timing_wanted = 0, rc = 1, sent;
	bool use_chaosd = !cli_no_chaosd, allow_larger = false;
	chaos_create_opts opts = { 0 };
	chaosd_create_result res;
	chaos_create_timing timing;
	struct cli_timing cli = { 0 };
	chaos_config cfg;
	chaos_host *host = NULL;
	chaos_err err;
	uint32_t domid;
	uint64_t t0;
	int c;
	static const struct option longopts[] = {
		{ "paused", no_argument, NULL, 'p' },
		{ "console", no_argument, NULL, 'c' },
		{ "timing", no_argument, NULL, 'T' },
		{ "no-chaosd", no_argument, NULL, 'N' },
		{ "allow-larger", no_argument, NULL, 'L' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};

	while ((c = cli_getopt(argc, argv, "pch", longopts)) != -1) {
		switch (c) {
		case 'p':
			opts.paused = true;
			break;
		case 'c':
			console = 1;
			break;
		case 'T':
			timing_wanted = 1;
			break;
		case 'N':
			use_chaosd = false;
			break;
		case 'L':
			allow_larger = true;
			break;
		case 'h':
			return CLI_HELP;
		default:
			return 2;
		}
	}
	if (optind < argc)
		path = argv[optind++];
	if (optind < argc) {
		cli_error("create: unexpected argument '%s'", argv[optind]);
		return 2;
	}
	if (!path) {
		cli_error("usage: chaos create <config.json> [-p] [-c] [--timing] [--no-chaosd] [--allow-larger]");
		return 2;
	}
	t0 = chaos_clock_us();
	if (chaos_config_parse_file(path, &cfg, &err)) {
		cli_error("%s", err.msg);
		return 1;
	}
	cli.config_us = chaos_clock_us() - t0;
	opts.config_path = path;
	sent = use_chaosd ?
	       via_chaosd(path, &cfg, opts.paused, allow_larger, &res, &cli) :
	       -1;
	if (sent == 1)
		goto out_cfg;
	/* A create through chaosd needs no hypervisor access here. */
	if (sent != 0 && chaos_host_open(&host, &err)) {
		cli_error("%s", err.msg);
		goto out_cfg;
	}
	if (sent != 0)
		cli_recover(host);
	if (sent == 0) {
		domid = res.domid;
		timing = res.timing;
	} else if (chaos_guest_create(host, &cfg, &opts, &domid, &timing,
				      &err)) {
		cli_error("%s", err.msg);
		goto out_host;
	}
	printf("created domain %u%s%s%s\n", domid, cfg.name[0] ? " (" : "",
	       cfg.name, cfg.name[0] ? ")" : "");
	if (timing_wanted)
		print_timing(&timing, &cli, sent ? "" :
			     res.pooled ? " via=pool" : " via=chaosd");
	fflush(stdout);
	rc = 0;
	if (console) {
		char id[16];

		snprintf(id, sizeof(id), "%u", domid);
		rc = cli_console_chaosd(id, NULL, -1, 1);
		if (rc < 0 && !host && chaos_host_open(&host, &err)) {
			cli_error("%s", err.msg);
			rc = 1;
		} else if (rc < 0) {
			rc = cli_console(host, domid, NULL, -1, 1);
		}
	}
out_host:
	chaos_host_close(host);
out_cfg:
	chaos_config_free(&cfg);
	return rc;
}
