/* SPDX-License-Identifier: MIT */
/* The terminal of an attached console: raw while attached, always given back. */
#ifndef CHAOS_CLI_TTY_H
#define CHAOS_CLI_TTY_H

/*
 * Put stdin's terminal in raw mode (keys like Ctrl-C reach the guest),
 * when input is wanted and stdin is a terminal: 1 if it did, else 0.
 * Until cli_tty_restore, SIGTERM, SIGHUP, SIGINT and SIGQUIT give the
 * terminal back before they end the process as they would have: a
 * console killed by its session or a supervisor never leaves a raw
 * terminal behind.
 */
int cli_tty_raw(int input);
/* The terminal as it was before cli_tty_raw (nothing if it did not). */
void cli_tty_restore(void);

#endif
