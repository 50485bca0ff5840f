/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_CLI_COMMANDS_H
#define CHAOS_CLI_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <chaos/host.h>
#include <chaos/chaosd.h>
#include <chaos/checkpoint.h>

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
int cmd_create(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_unpause(int argc, char **argv);
int cmd_shutdown(int argc, char **argv);
int cmd_reboot(int argc, char **argv);
int cmd_console(int argc, char **argv);
int cmd_network_list(int argc, char **argv);
int cmd_block_list(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_restore(int argc, char **argv);
void cli_print_phases(const chaos_ckpt_phases *p);
int cmd_migrate(int argc, char **argv);
int cmd_migrate_receive(int argc, char **argv);
int cmd_pool(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_events(int argc, char **argv);

/* Set by the global option --no-chaosd: do the work here, not in chaosd. */
extern bool cli_no_chaosd;

/*
 * A connection to chaosd when it runs (and --no-chaosd was not given),
 * else NULL: the command then does the work itself. While chaosd runs,
 * every command that changes a guest goes through it (one front door).
 */
chaosd_conn *cli_chaosd(void);

/*
 * getopt_long over a subcommand's arguments (argv[0] is its name); an
 * option it does not know, or one missing its value, is reported as
 * "chaos: <command>: unexpected argument '...'" and returns '?'. Every
 * subcommand lists CLI_OPT_HELP and answers 'h' by returning CLI_HELP,
 * for which main prints the command's usage from its table and exits 0.
 */
struct option;
int cli_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts);
#define CLI_OPT_HELP { "help", no_argument, NULL, 'h' }
#define CLI_HELP 1000

/*
 * For subcommands without options of their own: answers -h/--help
 * (CLI_HELP) and consumes "--". Returns -1 to go on, with *argv shifted so
 * that (*argv)[0] is still the name and the positional arguments follow;
 * else the status to return.
 */
int cli_positional_only(int *argc, char ***argv);

/* Print "chaos: <msg>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Finish what chaos processes killed half-way left (half-built guests,
 * guests left suspended), saying so on stderr if there was anything.
 * The commands that change guests run it first when chaosd does not.
 */
void cli_recover(chaos_host *host);

/*
 * --bridge NAME or --bridge FROM=TO (restore, migrate-receive): which
 * bridges an incoming guest's vifs may join here. Appends to list (at
 * most CLI_BRIDGES_MAX); prints the error itself.
 */
#define CLI_BRIDGES_MAX 16
int cli_add_bridge(const char **list, size_t *count, const char *arg);
/* Add --disk's PATH or FROM=TO (absolute paths) to list (at most
 * CHAOS_CONFIG_DISKS_MAX); -1 after saying why. */
int cli_add_disk(const char **list, size_t *count, const char *arg);
/* --config FILE (restore, migrate-receive): what the restored guest
 * restarts from, made absolute into out for opts; -1 after saying why. */
int cli_config_arg(const char *arg, char out[CHAOS_CONFIG_PATH_MAX],
		   chaos_restore_opts *opts);

/* A whole number of seconds, 0 to one day; prints the error itself. */
int cli_parse_seconds(const char *text, long *out);

/* Attach to domid's console directly until detached (see chaos console). */
int cli_console(chaos_host *host, uint32_t domid, const char *until,
		long timeout_ms, int input);
/* The same through chaosd (ref: a name or id); -1 when chaosd does not
 * run, else the exit status. */
int cli_console_chaosd(const char *ref, const char *until, long timeout_ms,
		       int input);

#endif
