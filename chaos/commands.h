/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_CLI_COMMANDS_H
#define CHAOS_CLI_COMMANDS_H

/*
 * Each subcommand is one function taking the arguments after its name
 * (argv[0] is the subcommand). It returns the process exit status.
 */
struct chaos_command {
	const char *name;
	const char *args;
	const char *summary;
	int (*run)(int argc, char **argv);
};

int cmd_info(int argc, char **argv);
int cmd_list(int argc, char **argv);

/* Print "chaos: <msg>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
