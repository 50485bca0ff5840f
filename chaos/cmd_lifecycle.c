// SPDX-License-Identifier: MIT
/* chaos destroy|pause|unpause|shutdown <dom> */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include <chaos/chaos.h>
#include <xen/sched.h>
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
 * chaos shutdown <dom> [--timeout S]: the hypervisor shuts the domain down,
 * then the guest's on_poweroff action is applied.
 */
int cmd_shutdown(int argc, char **argv)
{
	const char *ref = NULL;
	long timeout_s = SHUTDOWN_DEFAULT_TIMEOUT_S;
	chaos_host *host;
	chaos_err err;
	uint32_t domid;
	int rc = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			if (cli_parse_seconds(argv[++i], &timeout_s))
				return 2;
		} else if (argv[i][0] == '-' || ref) {
			cli_error("shutdown: unexpected argument '%s'", argv[i]);
			return 2;
		} else {
			ref = argv[i];
		}
	}
	if (!ref) {
		cli_error("usage: chaos shutdown <dom> [--timeout S]");
		return 2;
	}
	if (chaos_host_open(&host, &err)) {
		cli_error("%s", err.msg);
		return 1;
	}
	if (chaos_guest_resolve(host, ref, &domid, &err) ||
	    chaos_guest_shutdown(host, domid, SHUTDOWN_poweroff,
				 (unsigned int)timeout_s * 1000u, &err))
		cli_error("%s", err.msg);
	else
		rc = 0;
	chaos_host_close(host);
	return rc;
}
