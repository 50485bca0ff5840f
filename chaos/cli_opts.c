// SPDX-License-Identifier: MIT
/* Option parsing shared by the subcommands: getopt_long, so "--opt=value",
 * "--" and bundled short options work everywhere, with the CLI's own
 * message for an option it does not know. */
#include <getopt.h>
#include <stdio.h>

#include "commands.h"

int cli_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts)
{
	int c;

	opterr = 0;
	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c == '?' || c == ':')
		cli_error("%s: unexpected argument '%s'", argv[0],
			  argv[optind - 1]);
	return c;
}

int cli_positional_only(int *argc, char ***argv)
{
	static const struct option longopts[] = {
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	int c = cli_getopt(*argc, *argv, "h", longopts);

	if (c == 'h')
		return CLI_HELP;
	if (c != -1)
		return 2;
	/* The name stays in front of what is left. */
	(*argv)[optind - 1] = (*argv)[0];
	*argc -= optind - 1;
	*argv += optind - 1;
	return -1;
}
