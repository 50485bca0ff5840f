// SPDX-License-Identifier: MIT
/* chaos network-list <dom>: a guest's vifs (through chaosd when it runs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/chaos.h>
#include <chaos/chaosd.h>
#include "commands.h"

static int vifs_get(const char *ref, chaos_vif_info **vifs, size_t *n,
		    chaos_err *err)
{
	chaosd_conn *conn = cli_chaosd();
	chaos_host *host;
	uint32_t domid;
	int rc;

	if (conn) {
		rc = chaosd_network_list(conn, ref, vifs, n, err);
		chaosd_close(conn);
		return rc;
	}
	if (chaos_host_open(&host, err))
		return -1;
	rc = chaos_guest_resolve(host, ref, &domid, err) ||
	     chaos_network_list(host, domid, vifs, n, err) ? -1 : 0;
	chaos_host_close(host);
	return rc;
}

int cmd_network_list(int argc, char **argv)
{
	chaos_vif_info *vifs;
	chaos_err err;
	size_t n;
	int rc = cli_positional_only(&argc, &argv);

	if (rc >= 0)
		return rc;
	if (argc != 2) {
		cli_error("usage: chaos network-list <dom>");
		return 2;
	}
	if (vifs_get(argv[1], &vifs, &n, &err)) {
		cli_error("%s", err.msg);
		return 1;
	}
	printf("%-4s %-12s %-17s %-15s %-15s %-12s %s\n", "Idx", "Interface",
	       "MAC", "IPv4", "Bridge", "Backend", "Frontend");
	for (size_t i = 0; i < n; i++)
		printf("%-4u %-12s %-17s %-15s %-15s %-12s %s\n", vifs[i].devid,
		       vifs[i].ifname, vifs[i].mac[0] ? vifs[i].mac : "-",
		       vifs[i].ip[0] ? vifs[i].ip : "-",
		       vifs[i].bridge[0] ? vifs[i].bridge : "-",
		       vifs[i].backend, vifs[i].frontend);
	free(vifs);
	return 0;
}
