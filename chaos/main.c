// SPDX-License-Identifier: MIT
/* chaos: command dispatch and usage. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/chaos.h>
#include "commands.h"

static const struct chaos_command commands[] = {
	{ "info", "[--json]", "show the hypervisor version, CPUs and memory",
	  cmd_info },
	{ "list", "[-l|--long] [--json]", "list domains (-l: with devices)",
	  cmd_list },
	{ "create", "<cfg> [-p] [-c] [--timing] [--no-chaosd] [--allow-larger]",
	  "create a guest (through chaosd when it runs)", cmd_create },
	{ "destroy", "<dom>", "destroy a guest at once", cmd_destroy },
	{ "pause", "<dom>", "pause a guest", cmd_pause },
	{ "unpause", "<dom>", "unpause a guest", cmd_unpause },
	{ "shutdown", "<dom> [--timeout S] [--force]",
	  "shut a guest down, then apply its on_poweroff", cmd_shutdown },
	{ "reboot", "<dom> [--timeout S] [--force]",
	  "reboot a guest (its on_reboot action)", cmd_reboot },
	{ "console", "<dom> [--until TEXT] [--timeout S] [--no-input]",
	  "attach to a guest's console (Ctrl-] detaches)", cmd_console },
	{ "network-list", "<dom>", "list a guest's vifs", cmd_network_list },
	{ "block-list", "<dom>", "list a guest's disks", cmd_block_list },
	{ "save", "<dom> <file> [--keep-running] [--timing]",
	  "save a guest to a file (then destroy it)", cmd_save },
	{ "restore", "<file> [-p|--paused] [--timing] [--bridge B[=NEW]]... [--disk P[=NEW]]...", "restore a saved guest",
	  cmd_restore },
	{ "resume", "<dom>", "let a guest a save or migration left suspended go on",
	  cmd_resume },
	{ "migrate", "<dom> <host> [--live] [-s SSHCMD] [--port P --psk-file F] [--timing]",
	  "move a guest to another host", cmd_migrate },
	{ "migrate-receive", "[--listen P --psk-file F] [--bridge B[=NEW]]... [--disk P[=NEW]]...",
	  "the destination's end of chaos migrate", cmd_migrate_receive },
	{ "pool", "[set memory=M,vcpus=V,vifs=K[,bridge=B],size=N]",
	  "show or set chaosd's shell pools", cmd_pool },
	{ "run", "<cfg> [--stop-timeout S] [--no-console] [--paused]",
	  "run a guest in the foreground; exit status: how it ended", cmd_run },
	{ "top", "[--json] [--delay S] [--iterations N]",
	  "live view of guests and their statistics", cmd_top },
	{ "events", "[--json] [--count N] [--timeout S]",
	  "print chaosd's events as they come", cmd_events },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: chaos <command> [args]\n\ncommands:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(out, "  %-12s %-44s %s\n", commands[i].name,
			commands[i].args, commands[i].summary);
	fprintf(out, "\nWhile chaosd runs, commands that change a guest (create, destroy,\n"
		"pause, unpause, shutdown, reboot, save, restore, resume, migrate,\n"
		"migrate-receive) and console go through it (files and transports\n"
		"are opened here and handed over); chaos --no-chaosd <command>\n"
		"does the work here instead.\n"
		"chaos --version prints the version; chaos <command> --help (or\n"
		"chaos help <command>) a command's own usage.\n");
}

/* One command's usage, on stdout (its --help). */
static int cli_usage(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(name, commands[i].name)) {
			printf("usage: chaos %s %s\n  %s\n", name,
			       commands[i].args, commands[i].summary);
			return 0;
		}
	usage(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option global[] = {
		{ "no-chaosd", no_argument, NULL, 'n' },
		{ "version", no_argument, NULL, 'V' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* Global options stop at the command ("+"): its own come after. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", global, NULL)) != -1) {
		switch (c) {
		case 'n':
			cli_no_chaosd = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("chaos %s\n", CHAOS_VERSION);
			return 0;
		default:
			cli_error("unexpected argument '%s' (see chaos --help)",
				  argv[optind - 1]);
			return 2;
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	/* The subcommand parses its arguments afresh. */
	optind = 0;
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc > 2)
			return cli_usage(argv[2]);
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name)) {
			int rc = commands[i].run(argc - 1, argv + 1);

			return rc == CLI_HELP ? cli_usage(argv[1]) : rc;
		}
	cli_error("unknown command '%s' (see chaos --help)", argv[1]);
	return 2;
}
