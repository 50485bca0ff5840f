// SPDX-License-Identifier: MIT
/* chaos console <dom> [--until TEXT] [--timeout S] [--no-input] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <chaos/chaos.h>
#include "commands.h"

int cli_console(chaos_host *host, uint32_t domid, const char *until,
		long timeout_ms, int input)
{
	chaos_console_opts opts = {
		.in_fd = input ? STDIN_FILENO : -1,
		.out_fd = STDOUT_FILENO,
		.escape_char = CHAOS_CONSOLE_ESCAPE,
		.until = until,
		.timeout_ms = (int)timeout_ms,
	};
	struct termios saved, raw;
	int tty = input && isatty(STDIN_FILENO);
	chaos_domain_record rec;
	chaos_domain_info info;
	chaos_console_end end;
	chaos_err err;
	int rc;

	if (chaos_domain_get(host, domid, &info, &err) ||
	    chaos_record_load(chaos_host_state_dir(host), domid, info.handle,
			      &rec, &err)) {
		cli_error("%s", err.msg);
		return 1;
	}
	if (tty) {
		/* Raw, so keys like Ctrl-C reach the guest; Ctrl-] detaches. */
		tcgetattr(STDIN_FILENO, &saved);
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		fprintf(stderr, "[chaos: console of domain %u; Ctrl-] detaches]\r\n",
			domid);
	}
	rc = chaos_console_run(host, domid, rec.console_mfn, rec.console_port,
			       &opts, &end, &err);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	if (rc) {
		cli_error("%s", err.msg);
		return 1;
	}
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

int cmd_console(int argc, char **argv)
{
	const char *ref = NULL, *until = NULL;
	long timeout_s = -1;
	int input = 1, rc = 1;
	chaos_host *host;
	chaos_err err;
	uint32_t domid;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--until") && i + 1 < argc) {
			until = argv[++i];
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			if (cli_parse_seconds(argv[++i], &timeout_s))
				return 2;
		} else if (!strcmp(argv[i], "--no-input")) {
			input = 0;
		} else if (argv[i][0] == '-' || ref) {
			cli_error("console: unexpected argument '%s'", argv[i]);
			return 2;
		} else {
			ref = argv[i];
		}
	}
	if (!ref) {
		cli_error("usage: chaos console <dom> [--until TEXT] [--timeout S] [--no-input]");
		return 2;
	}
	if (chaos_host_open(&host, &err)) {
		cli_error("%s", err.msg);
		return 1;
	}
	if (chaos_guest_resolve(host, ref, &domid, &err))
		cli_error("%s", err.msg);
	else
		rc = cli_console(host, domid, until,
				 timeout_s < 0 ? -1 : timeout_s * 1000, input);
	chaos_host_close(host);
	return rc;
}
