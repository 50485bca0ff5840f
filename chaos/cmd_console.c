// SPDX-License-Identifier: MIT
/*
 * chaos console <dom> [--until TEXT] [--timeout S] [--no-input]
 *
 * Through chaosd when it runs (it holds every chaos guest's console and
 * logs it), else directly: map the ring and bind the channel here.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <chaos/chaos.h>
#include <chaos/chaosd.h>
#include "commands.h"
#include "tty.h"

/* Raw mode, so keys like Ctrl-C reach the guest; Ctrl-] detaches. */
static int tty_raw(int input, uint32_t domid)
{
	if (!cli_tty_raw(input))
		return 0;
	fprintf(stderr, "[chaos: console of domain %u; Ctrl-] detaches]\r\n",
		domid);
	return 1;
}

/* The exit status for how a console session ended. */
static int console_status(chaos_console_end end, uint32_t domid,
			  const char *until, long timeout_ms)
{
	switch (end) {
	case CHAOS_CONSOLE_TIMEOUT:
		cli_error("console: %s not seen within %ld ms",
			  until ? until : "end", timeout_ms);
		return 1;
	case CHAOS_CONSOLE_GUEST_GONE:
		if (until) {
			cli_error("console: domain %u stopped before %s was seen",
				  domid, until);
			return 1;
		}
		return 0;
	default:
		return 0;
	}
}

static chaos_console_opts console_opts(const char *until, long timeout_ms,
				       int input)
{
	chaos_console_opts opts = {
		.in_fd = input ? STDIN_FILENO : -1,
		.out_fd = STDOUT_FILENO,
		.escape_char = CHAOS_CONSOLE_ESCAPE,
		.until = until,
		.timeout_ms = (int)timeout_ms,
	};

	return opts;
}

int cli_console_chaosd(const char *ref, const char *until, long timeout_ms,
		       int input)
{
	chaos_console_opts opts = console_opts(until, timeout_ms, input);
	chaos_console_end end;
	chaosd_conn *conn;
	chaos_err err;
	uint32_t domid;
	int tty, rc;

	if (!(conn = cli_chaosd()))
		return -1;  /* no chaosd: attach directly */
	if (chaosd_console_attach(conn, ref, &domid, &err)) {
		chaosd_close(conn);
		cli_error("%s", err.msg);
		return 1;
	}
	tty = tty_raw(input, domid);
	rc = chaosd_console_run(conn, &opts, &end, &err);
	if (tty)
		cli_tty_restore();
	chaosd_close(conn);
	if (rc) {
		cli_error("%s", err.msg);
		return 1;
	}
	/* A closed stream is a stopped guest, or a chaosd that went away. */
	if (end == CHAOS_CONSOLE_GUEST_GONE && until) {
		cli_error("console: chaosd ended the stream (domain %u stopped, or chaosd did) before %s was seen",
			  domid, until);
		return 1;
	}
	return console_status(end, domid, until, timeout_ms);
}

int cli_console(chaos_host *host, uint32_t domid, const char *until,
		long timeout_ms, int input)
{
	chaos_console_opts opts = console_opts(until, timeout_ms, input);
	chaos_console_end end;
	chaos_guest_info guest;
	chaos_err err;
	int tty, rc;

	/* Only a guest chaos built has a console chaos knows: say so before
	 * the terminal goes raw. */
	if (chaos_guest_get(host, domid, &guest, &err)) {
		cli_error("%s", err.msg);
		return 1;
	}
	tty = tty_raw(input, domid);
	rc = chaos_console_run(host, domid, &opts, &end, &err);
	if (tty)
		cli_tty_restore();
	if (rc) {
		cli_error("%s", err.msg);
		return 1;
	}
	return console_status(end, domid, until, timeout_ms);
}

int cmd_console(int argc, char **argv)
{
	const char *ref = NULL, *until = NULL;
	long timeout_s = -1;
	int input = 1, rc = 1;
	chaos_host *host;
	chaos_err err;
	uint32_t domid;
	int c;
	static const struct option longopts[] = {
		{ "until", required_argument, NULL, 'u' },
		{ "timeout", required_argument, NULL, 't' },
		{ "no-input", no_argument, NULL, 'n' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};

	while ((c = cli_getopt(argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case 'u':
			until = optarg;
			break;
		case 't':
			if (cli_parse_seconds(optarg, &timeout_s))
				return 2;
			break;
		case 'n':
			input = 0;
			break;
		case 'h':
			return CLI_HELP;
		default:
			return 2;
		}
	}
	if (optind < argc)
		ref = argv[optind++];
	if (optind < argc) {
		cli_error("console: unexpected argument '%s'", argv[optind]);
		return 2;
	}
	if (!ref) {
		cli_error("usage: chaos console <dom> [--until TEXT] [--timeout S] [--no-input]");
		return 2;
	}
	rc = cli_console_chaosd(ref, until,
				timeout_s < 0 ? -1 : timeout_s * 1000, input);
	if (rc >= 0)
		return rc;
	rc = 1;
	if (chaos_host_open(&host, &err)) {
		cli_error("%s", err.msg);
		return 1;
	}
	if (chaos_guest_resolve(host, ref, &domid, &err) ||
	    chaos_guest_check(host, domid, "touch", &err))
		cli_error("%s", err.msg);
	else
		rc = cli_console(host, domid, until,
				 timeout_s < 0 ? -1 : timeout_s * 1000, input);
	chaos_host_close(host);
	return rc;
}
