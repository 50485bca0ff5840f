// SPDX-License-Identifier: MIT
/* chaos block-list <dom>: a guest's disks (through chaosd when it runs). */
#include <stdio.h>
#include <stdlib.h>

#include <chaos/chaos.h>
#include <chaos/chaosd.h>
#include "commands.h"

static const char *state_name(int state)
{
	static const char *const names[] = {
		"-", "Initialising", "InitWait", "Initialised", "Connected",
		"Closing", "Closed", "Reconfiguring", "Reconfigured",
	};

	if (state < 0 || (size_t)state >= sizeof(names) / sizeof(*names))
		return "?";
	return names[state];
}

static int disks_get(const char *ref, chaos_disk_info **disks, size_t *n,
		     chaos_err *err)
{
	chaosd_conn *conn = cli_chaosd();
	chaos_host *host;
	uint32_t domid;
	int rc;

	if (conn) {
		rc = chaosd_block_list(conn, ref, disks, n, err);
		chaosd_close(conn);
		return rc;
	}
	if (chaos_host_open(&host, err))
		return -1;
	rc = chaos_guest_resolve(host, ref, &domid, err) ||
	     chaos_block_list(host, domid, disks, n, err) ? -1 : 0;
	chaos_host_close(host);
	return rc;
}

int cmd_block_list(int argc, char **argv)
{
	chaos_disk_info *disks = NULL;
	chaos_err err;
	size_t n = 0;
	int rc = cli_positional_only(&argc, &argv);

	if (rc >= 0)
		return rc;
	if (argc != 2) {
		cli_error("usage: chaos block-list <dom>");
		return 2;
	}
	if (disks_get(argv[1], &disks, &n, &err)) {
		cli_error("%s", err.msg);
		return 1;
	}
	printf("%-6s %-6s %-4s %-12s %-12s %-12s %s\n", "Vdev", "Devid",
	       "Mode", "Device", "Backend", "Frontend", "Target");
	for (size_t i = 0; i < n; i++)
		printf("%-6s %-6u %-4s %-12s %-12s %-12s %s\n",
		       disks[i].vdev[0] ? disks[i].vdev : "-", disks[i].devid,
		       disks[i].mode, disks[i].device[0] ? disks[i].device : "-",
		       state_name(disks[i].be_state),
		       state_name(disks[i].fe_state), disks[i].target);
	free(disks);
	return 0;
}
