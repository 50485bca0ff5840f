// SPDX-License-Identifier: MIT
/* chaos destroy|pause|unpause|shutdown <dom> */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include <chaos/chaos.h>
#include "commands.h"

#define SHUTDOWN_DEFAULT_TIMEOUT_S 30

enum op { OP_DESTROY, OP_PAUSE, OP_UNPAUSE };

static int simple_op(int argc, char **argv, enum op op)
{
	chaos_host *host;
	chaos_err err;
	uint32_t domid;
	int rc = 1;

	if (argc != 2) {
		cli_error("usage: chaos %s <dom>", argv[0]);
		return 2;
	}
	if (chaos_host_open(&host, &err)) {
		cli_error("%s", err.msg);
		return 1;
	}
	if (chaos_guest_resolve(host, argv[1], &domid, &err))
		goto out;
	switch (op) {
	case OP_DESTROY:
		rc = chaos_guest_destroy(host, domid, &err);
		break;
	case OP_PAUSE:
		rc = chaos_domain_pause(host, domid, &err);
		break;
	case OP_UNPAUSE:
		rc = chaos_domain_unpause(host, domid, &err);
		break;
	}
	rc = rc ? 1 : 0;
out:
	if (rc)
		cli_error("%s", err.msg);
	chaos_host_close(host);
	return rc;
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
	int force = 0, rc = 1;
	chaos_host *host;
	chaos_err err;
	uint32_t domid;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			if (cli_parse_seconds(argv[++i], &timeout_s))
				return 2;
		} else if (!strcmp(argv[i], "--force")) {
			force = 1;
		} else if (argv[i][0] == '-' || ref) {
			cli_error("%s: unexpected argument '%s'", argv[0], argv[i]);
			return 2;
		} else {
			ref = argv[i];
		}
	}
	if (!ref) {
		cli_error("usage: chaos %s <dom> [--timeout S] [--force]", argv[0]);
		return 2;
	}
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

int cmd_shutdown(int argc, char **argv)
{
	return power_op(argc, argv, CHAOS_SHUTDOWN_POWEROFF);
}

int cmd_reboot(int argc, char **argv)
{
	return power_op(argc, argv, CHAOS_SHUTDOWN_REBOOT);
}
