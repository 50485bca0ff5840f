// SPDX-License-Identifier: MIT
/* chaos: command dispatch and usage. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <chaos/chaos.h>
#include "commands.h"

static const struct chaos_command commands[] = {
	{ "info", "[--json]", "show the hypervisor version, CPUs and memory",
	  cmd_info },
	{ "list", "[--json]", "list domains", cmd_list },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("chaos: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *out)
{
	fprintf(out, "usage: chaos <command> [args]\n\ncommands:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(out, "  %-8s %-24s %s\n", commands[i].name,
			commands[i].args, commands[i].summary);
	fprintf(out, "\nchaos --version prints the version.\n");
}

int main(int argc, char **argv)
{
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
