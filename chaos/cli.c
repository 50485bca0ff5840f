// SPDX-License-Identifier: MIT
/* Helpers every subcommand shares: errors, chaosd, argument parsing. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/checkpoint.h>

#include "abs_path.h"
#include "commands.h"

bool cli_no_chaosd;

chaosd_conn *cli_chaosd(void)
{
	chaosd_conn *conn;
	chaos_err err;

	if (cli_no_chaosd || chaosd_connect(NULL, &conn, &err))
		return NULL;
	return conn;
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("chaos: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_parse_seconds(const char *text, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < 0 || v > 86400) {
		cli_error("'%s' is not a number of seconds (0 to 86400)", text);
		return -1;
	}
	*out = v;
	return 0;
}

void cli_recover(chaos_host *host)
{
	chaos_recover_report rep;
	chaos_err err;

	if (chaos_checkpoint_recover(host, &rep, &err)) {
		cli_error("recovery: %s", err.msg);
		return;
	}
	if (rep.destroyed || rep.resumed)
		cli_error("recovered after a killed chaos process: %u half-built guest(s) destroyed, %u suspended guest(s) resumed",
			  rep.destroyed, rep.resumed);
}

int cli_add_bridge(const char **list, size_t *count, const char *arg)
{
	if (*count == CLI_BRIDGES_MAX) {
		cli_error("--bridge: at most %d", CLI_BRIDGES_MAX);
		return -1;
	}
	if (!*arg || *arg == '=') {
		cli_error("--bridge '%s': NAME or FROM=TO", arg);
		return -1;
	}
	list[(*count)++] = arg;
	return 0;
}

int cli_config_arg(const char *arg, char out[CHAOS_CONFIG_PATH_MAX],
		   chaos_restore_opts *opts)
{
	if (opts->config_path) {
		cli_error("--config: given twice");
		return -1;
	}
	if (!*arg || cli_absolute_path(arg, NULL, out, CHAOS_CONFIG_PATH_MAX)) {
		cli_error("--config '%s': %s", arg,
			  *arg ? strerror(errno) : "an empty path");
		return -1;
	}
	opts->config_path = out;
	return 0;
}

int cli_add_disk(const char **list, size_t *count, const char *arg)
{
	if (*count == CHAOS_CONFIG_DISKS_MAX) {
		cli_error("--disk: at most %d", CHAOS_CONFIG_DISKS_MAX);
		return -1;
	}
	if (*arg != '/') {
		cli_error("--disk '%s': PATH or FROM=TO, absolute paths", arg);
		return -1;
	}
	list[(*count)++] = arg;
	return 0;
}
