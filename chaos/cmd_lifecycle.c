// SPDX-License-Identifier: MIT
/*
 * chaos destroy|pause|unpause|shutdown|reboot <dom>
 *
 * While chaosd runs these go through it (it holds the guests' consoles
 * and applies the same rule libchaos does); otherwise, or with the global
 * --no-chaosd, libchaos does the work here. The messages and exit status
 * are the same either way.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include <chaos/chaos.h>
#include <chaos/chaosd.h>
#include "commands.h"

#define SHUTDOWN_DEFAULT_TIMEOUT_S 30

enum op { OP_DESTROY, OP_PAUSE, OP_UNPAUSE };

static int simple_via_chaosd(chaosd_conn *conn, const char *ref, enum op op,
			     chaos_err *err)
{
	switch (op) {
	case OP_DESTROY:
		return chaosd_destroy(conn, ref, err);
	case OP_PAUSE:
		return chaosd_pause(conn, ref, err);
	case OP_UNPAUSE:
		return chaosd_unpause(conn, ref, err);
	}
	return -1;
}

static int simple_direct(const char *ref, enum op op, chaos_err *err)
{
	chaos_host *host;
	uint32_t domid;
	int rc = -1;

	if (chaos_host_open(&host, err))
		return -1;
	if (chaos_guest_resolve(host, ref, &domid, err) == 0) {
		switch (op) {
		case OP_DESTROY:
			rc = chaos_guest_destroy(host, domid, err);
			break;
		case OP_PAUSE:
			rc = chaos_guest_pause(host, domid, err);
			break;
		case OP_UNPAUSE:
			rc = chaos_guest_unpause(host, domid, err);
			break;
		}
	}
	chaos_host_close(host);
	return rc;
}

static int simple_op(int argc, char **argv, enum op op)
{
	chaosd_conn *conn;
	chaos_err err;
	int rc = cli_positional_only(&argc, &argv);

	if (rc >= 0)
		return rc;
	if (argc != 2) {
		cli_error("usage: chaos %s <dom>", argv[0]);
		return 2;
	}
	conn = cli_chaosd();
	if (conn) {
		rc = simple_via_chaosd(conn, argv[1], op, &err);
		chaosd_close(conn);
	} else {
		rc = simple_direct(argv[1], op, &err);
	}
	if (rc)
		cli_error("%s", err.msg);
	return rc ? 1 : 0;
}

int cmd_destroy(int argc, char **argv)
{
	return simple_op(argc, argv, OP_DESTROY);
}

int cmd_pause(int argc, char **argv)
{
	return simple_op(argc, argv, OP_PAUSE);
}

int cmd_unpause(int argc, char **argv)
{
	return simple_op(argc, argv, OP_UNPAUSE);
}

/* Through chaosd: it waits (in a thread of its own) and applies the
 * action; --force destroys through it too. */
static int power_via_chaosd(chaosd_conn *conn, const char *ref,
			    chaos_shutdown_reason reason, long timeout_s,
			    int force)
{
	chaos_err err;
	uint32_t domid = 0;
	char id[16];

	if (chaosd_shutdown(conn, ref, reason, (unsigned int)timeout_s * 1000u,
			    true, &domid, &err) == 0)
		return 0;
	cli_error("%s", err.msg);
	if (!force || err.code != ETIMEDOUT || !domid)
		return 1;
	snprintf(id, sizeof(id), "%u", domid);
	if (chaosd_destroy(conn, id, &err)) {
		cli_error("%s", err.msg);
		return 1;
	}
	cli_error("domain %u destroyed (--force)", domid);
	return 0;
}

static int power_direct(const char *ref, chaos_shutdown_reason reason,
			long timeout_s, int force)
{
	chaos_host *host;
	chaos_err err;
	uint32_t domid;
	int rc = 1;

	if (chaos_host_open(&host, &err)) {
		cli_error("%s", err.msg);
		return 1;
	}
	if (chaos_guest_resolve(host, ref, &domid, &err)) {
		cli_error("%s", err.msg);
	} else if (chaos_guest_shutdown(host, domid, reason,
					(unsigned int)timeout_s * 1000u, &err)) {
		cli_error("%s", err.msg);
		if (force && err.code == ETIMEDOUT) {
			if (chaos_guest_destroy(host, domid, &err))
				cli_error("%s", err.msg);
			else {
				cli_error("domain %u destroyed (--force)", domid);
				rc = 0;
			}
		}
	} else {
		rc = 0;
	}
	chaos_host_close(host);
	return rc;
}

/*
 * chaos shutdown|reboot <dom> [--timeout S] [--force]: ask the guest (through
 * its noxs power device, else the hypervisor) to stop, wait for it, then
 * apply its on_poweroff / on_reboot action. --force destroys a guest that
 * does not answer in time.
 */
static int power_op(int argc, char **argv, chaos_shutdown_reason reason)
{
	const char *ref = NULL;
	long timeout_s = SHUTDOWN_DEFAULT_TIMEOUT_S;
	int force = 0, rc, c;
	chaosd_conn *conn;
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "force", no_argument, NULL, 'f' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};

	while ((c = cli_getopt(argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case 't':
			if (cli_parse_seconds(optarg, &timeout_s))
				return 2;
			break;
		case 'f':
			force = 1;
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
		cli_error("%s: unexpected argument '%s'", argv[0], argv[optind]);
		return 2;
	}
	if (!ref) {
		cli_error("usage: chaos %s <dom> [--timeout S] [--force]", argv[0]);
		return 2;
	}
	conn = cli_chaosd();
	if (conn) {
		rc = power_via_chaosd(conn, ref, reason, timeout_s, force);
		chaosd_close(conn);
		return rc;
	}
	return power_direct(ref, reason, timeout_s, force);
}

int cmd_shutdown(int argc, char **argv)
{
	return power_op(argc, argv, CHAOS_SHUTDOWN_POWEROFF);
}

int cmd_reboot(int argc, char **argv)
{
	return power_op(argc, argv, CHAOS_SHUTDOWN_REBOOT);
}
