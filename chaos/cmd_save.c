// SPDX-License-Identifier: MIT
/*
 * chaos save <dom> <file> [--keep-running] [--timing]
 * chaos restore <file> [--paused]
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <chaos/chaos.h>
#include "commands.h"

static void print_save_timing(const chaos_save_timing *t)
{
	printf("suspend  %8.3f ms\ncapture  %8.3f ms\nwrite    %8.3f ms\n"
	       "finish   %8.3f ms\ntotal    %8.3f ms\n",
	       t->suspend_us / 1000.0, t->capture_us / 1000.0,
	       t->write_us / 1000.0, t->finish_us / 1000.0,
	       t->total_us / 1000.0);
}

int cmd_save(int argc, char **argv)
{
	const char *ref = NULL, *path = NULL;
	bool keep_running = false, timing = false;
	chaos_save_timing t;
	chaos_host *host;
	chaos_err err;
	uint32_t domid;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--keep-running"))
			keep_running = true;
		else if (!strcmp(argv[i], "--timing"))
			timing = true;
		else if (argv[i][0] == '-' || (ref && path))
			goto usage;
		else if (!ref)
			ref = argv[i];
		else
			path = argv[i];
	}
	if (!ref || !path)
		goto usage;
	if (chaos_host_open(&host, &err)) {
		cli_error("%s", err.msg);
		return 1;
	}
	if (chaos_guest_resolve(host, ref, &domid, &err) == 0 &&
	    chaos_checkpoint_save(host, domid, path, keep_running, &t, &err) == 0)
		rc = 0;
	if (rc)
		cli_error("%s", err.msg);
	else if (timing)
		print_save_timing(&t);
	chaos_host_close(host);
	return rc;
usage:
	cli_error("usage: chaos save <dom> <file> [--keep-running] [--timing]");
	return 2;
}

int cmd_restore(int argc, char **argv)
{
	const char *bridges[CLI_BRIDGES_MAX];
	chaos_restore_opts opts = { .bridges = bridges };
	const char *path = NULL;
	char name[CHAOS_NAME_MAX];
	chaos_host *host;
	chaos_err err;
	uint32_t domid;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--paused") || !strcmp(argv[i], "-p"))
			opts.paused = true;
		else if (!strcmp(argv[i], "--bridge") && i + 1 < argc) {
			if (cli_add_bridge(bridges, &opts.nr_bridges, argv[++i]))
				return 2;
		} else if (argv[i][0] == '-' || path)
			goto usage;
		else
			path = argv[i];
	}
	if (!path)
		goto usage;
	if (chaos_host_open(&host, &err)) {
		cli_error("%s", err.msg);
		return 1;
	}
	cli_recover(host);
	if (chaos_checkpoint_restore(host, path, &opts, &domid, name, &err) == 0) {
		rc = 0;
		printf("restored %s as domain %u%s\n", name[0] ? name : "(unnamed)",
		       domid, opts.paused ? " (paused)" : "");
	} else {
		cli_error("%s", err.msg);
	}
	chaos_host_close(host);
	return rc;
usage:
	cli_error("usage: chaos restore <file> [--paused] [--bridge NAME[=NEW]]...");
	return 2;
}

/*
 * chaos resume <dom>: let a suspended guest go on, for one a save or a
 * migration left suspended (a migration's source keeps it so when the
 * destination did not answer after "go": check the guest does not run
 * there first).
 */
int cmd_resume(int argc, char **argv)
{
	chaos_host *host;
	chaos_err err;
	uint32_t domid;
	int rc = 1;

	if (argc != 2 || argv[1][0] == '-') {
		cli_error("usage: chaos resume <dom>");
		return 2;
	}
	if (chaos_host_open(&host, &err)) {
		cli_error("%s", err.msg);
		return 1;
	}
	if (chaos_guest_resolve(host, argv[1], &domid, &err) ||
	    chaos_checkpoint_resume(host, domid, &err))
		cli_error("%s", err.msg);
	else {
		printf("resumed domain %u\n", domid);
		rc = 0;
	}
	chaos_host_close(host);
	return rc;
}
