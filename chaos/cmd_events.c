// SPDX-License-Identifier: MIT
/*
 * chaos events [--json] [--count N] [--timeout S]
 *
 * Subscribe to chaosd's events and print one line per event as it comes:
 * "seq type domid name reason" (or with --json the event's JSON, one per
 * line), until N events were printed, S seconds passed without one, or
 * chaosd goes. Needs chaosd.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/chaos.h>
#include <chaos/chaosd.h>
#include "commands.h"

static int print_event(const chaosd_event *ev, bool json)
{
	chaos_err err;
	char *text;
	size_t len;

	if (json) {
		if (chaosd_event_encode(ev, &text, &len, &err)) {
			cli_error("events: %s", err.msg);
			return -1;
		}
		printf("%s\n", text);
		free(text);
	} else if (ev->type == CHAOSD_EVENT_OVERFLOW) {
		printf("%" PRIu64 " overflow lost=%" PRIu64 "\n", ev->seq, ev->lost);
	} else {
		printf("%" PRIu64 " %s %u %s %s\n", ev->seq,
		       chaosd_event_type_name(ev->type), ev->domid,
		       ev->name[0] ? ev->name : "-",
		       ev->reason[0] ? ev->reason : "-");
	}
	/* A reader at the other end of a pipe sees each event at once. */
	fflush(stdout);
	return 0;
}

int cmd_events(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	long count = -1, timeout_s = -1;
	bool json = false;
	chaosd_conn *conn;
	chaos_err err;
	char *end;
	int opt, rc = 0;

	while ((opt = cli_getopt(argc, argv, "h", longopts)) != -1) {
		switch (opt) {
		case 'h':
			return CLI_HELP;
		case 'j':
			json = true;
			break;
		case 'c':
			errno = 0;
			count = strtol(optarg, &end, 10);
			if (errno || *end || count < 1) {
				cli_error("events: --count: expected a positive number");
				return 2;
			}
			break;
		case 't':
			if (cli_parse_seconds(optarg, &timeout_s))
				return 2;
			break;
		default:
			cli_error("usage: chaos events [--json] [--count N] [--timeout S]");
			return 2;
		}
	}
	if (optind != argc) {
		cli_error("usage: chaos events [--json] [--count N] [--timeout S]");
		return 2;
	}
	if (cli_no_chaosd || chaosd_connect(NULL, &conn, &err)) {
		cli_error("events: chaosd is not running (events come from it)");
		return 1;
	}
	if (chaosd_subscribe(conn, &err)) {
		cli_error("events: %s", err.msg);
		chaosd_close(conn);
		return 1;
	}
	for (long n = 0; count < 0 || n < count; n++) {
		chaosd_event ev;

		if (chaosd_event_next(conn, timeout_s < 0 ? -1 :
				      (int)(timeout_s * 1000), &ev, &err)) {
			if (err.code != ETIMEDOUT) {
				cli_error("events: %s", err.msg);
				rc = 1;
			}
			break;
		}
		if (print_event(&ev, json)) {
			rc = 1;
			break;
		}
	}
	chaosd_close(conn);
	return rc;
}
