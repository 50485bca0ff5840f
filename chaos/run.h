/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_CLI_RUN_H
#define CHAOS_CLI_RUN_H

/* chaos run: a guest in the foreground (cmd_run.c, docs/cli.md). */

#include <stdbool.h>
#include <stddef.h>
#include <chaos/chaos.h>

/* How the guest ended, as chaos run's exit status. */
enum run_exit {
	RUN_EXIT_POWEROFF = 0,    /* it powered off (after SIGTERM too) */
	RUN_EXIT_ERROR = 1,       /* chaos could not create or follow it */
	RUN_EXIT_USAGE = 2,
	RUN_EXIT_REBOOT = 3,      /* it asked to reboot: run it again */
	RUN_EXIT_CRASH = 4,       /* it crashed (or its watchdog fired) */
	RUN_EXIT_DESTROYED = 5,   /* someone else destroyed it */
	RUN_EXIT_MOVED = 6,       /* saved or migrated away: it lives on */
	RUN_EXIT_KILLED = 137,    /* destroyed by us: no shutdown in time */
};

/* The three on_* actions of a parsed config set to destroy. */
void run_config_actions(chaos_config *cfg);
/* The exit status for an end's reason (an event's: "poweroff", "crash",
 * "destroy", ...), or RUN_EXIT_KILLED when (killed). */
int run_status_for(const char *reason, bool killed);

#endif
