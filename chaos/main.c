// SPDX-License-Identifier: MIT
/* chaos: command dispatch and usage. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/chaos.h>
#include "commands.h"

static const struct chaos_command commands[] = {
	{ "info", "[--json]", "show the hypervisor version, CPUs and memory",
	  cmd_info },
	{ "list", "[-l] [--json]", "list domains (-l: with devices)",
	  cmd_list },
	{ "create", "<cfg> [-p] [-c] [--timing] [--no-chaosd]",
	  "create a guest (through chaosd when it runs)", cmd_create },
	{ "destroy", "<dom>", "destroy a guest at once", cmd_destroy },
	{ "pause", "<dom>", "pause a guest", cmd_pause },
	{ "unpause", "<dom>", "unpause a guest", cmd_unpause },
	{ "shutdown", "<dom> [--timeout S] [--force]",
	  "shut a guest down, then apply its on_poweroff", cmd_shutdown },
	{ "reboot", "<dom> [--timeout S] [--force]",
	  "reboot a guest (its on_reboot action)", cmd_reboot },
	{ "console", "<dom> [--until T] [--timeout S] [--no-input]",
	  "attach to a guest's console (Ctrl-] detaches)", cmd_console },
	{ "network-list", "<dom>", "list a guest's vifs", cmd_network_list },
	{ "save", "<dom> <file> [--keep-running] [--timing]",
	  "save a guest to a file (then destroy it)", cmd_save },
	{ "restore", "<file> [--paused] [--bridge B[=NEW]]", "restore a saved guest",
	  cmd_restore },
	{ "resume", "<dom>", "let a guest a save or migration left suspended go on",
	  cmd_resume },
	{ "migrate", "<dom> <host> [-s SSHCMD] [--port P --psk-file F]",
	  "move a guest to another host", cmd_migrate },
	{ "migrate-receive", "[--listen P --psk-file F] [--bridge B[=NEW]]",
	  "the destination's end of chaos migrate", cmd_migrate_receive },
	{ "pool", "[set memory=M,vcpus=V,size=N]",
	  "show or set chaosd's shell pools", cmd_pool },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: chaos <command> [args]\n\ncommands:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(out, "  %-12s %-44s %s\n", commands[i].name,
			commands[i].args, commands[i].summary);
	fprintf(out, "\nWhile chaosd runs, commands that change a guest (create, destroy,\n"
		"pause, unpause, shutdown, reboot) and console go through it;\n"
		"chaos --no-chaosd <command> does the work here instead.\n"
		"chaos --version prints the version.\n");
}

int main(int argc, char **argv)
{
	while (argc >= 2 && !strcmp(argv[1], "--no-chaosd")) {
		cli_no_chaosd = true;
		argv++;
		argc--;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("chaos %s\n", CHAOS_VERSION);
		return 0;
	}
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	cli_error("unknown command '%s' (see chaos --help)", argv[1]);
	return 2;
}
