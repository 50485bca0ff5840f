/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_CLI_COMMANDS_H
#define CHAOS_CLI_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <chaos/host.h>
#include <chaos/chaosd.h>

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
int cmd_save(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_migrate_receive(int argc, char **argv);
int cmd_pool(int argc, char **argv);
int cmd_resume(int argc, char **argv);

/* Set by the global option --no-chaosd: do the work here, not in chaosd. */
extern bool cli_no_chaosd;

/*
 * A connection to chaosd when it runs (and --no-chaosd was not given),
 * else NULL: the command then does the work itself. While chaosd runs,
 * every command that changes a guest goes through it (one front door).
 */
chaosd_conn *cli_chaosd(void);

/* Print "chaos: <msg>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Monotonic microseconds, for --timing. */
uint64_t cli_now_us(void);

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
