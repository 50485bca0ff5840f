// SPDX-License-Identifier: MIT
/* chaos pool [set memory=M,vcpus=V,vifs=K[,bridge=B],size=N]: chaosd's
 * shell pools. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/chaos.h>
#include <chaos/chaosd.h>
#include "commands.h"

static int show(chaosd_conn *c)
{
	chaosd_flavour *fl;
	size_t n;
	bool larger;
	chaos_err err;

	if (chaosd_pool_get(c, &fl, &n, &larger, &err)) {
		cli_error("%s", err.msg);
		return 1;
	}
	printf("%-10s %5s %5s %5s %5s %s\n", "Memory", "VCPUs", "Vifs",
	       "Size", "Ready", "Bridge");
	for (size_t i = 0; i < n; i++)
		printf("%-10llu %5u %5u %5u %5u %s\n",
		       (unsigned long long)fl[i].memory_mib, fl[i].vcpus,
		       fl[i].vifs, fl[i].size, fl[i].ready,
		       fl[i].bridge[0] ? fl[i].bridge : "-");
	printf("allow_larger: %s\n", larger ? "yes" : "no");
	free(fl);
	return 0;
}

int cmd_pool(int argc, char **argv)
{
	chaosd_flavour want = { 0 };
	chaosd_conn *c;
	chaos_err err;
	int rc = cli_positional_only(&argc, &argv);

	if (rc >= 0)
		return rc;
	rc = 0;
	if (argc == 3 && !strcmp(argv[1], "set")) {
		if (chaosd_flavour_parse(argv[2], &want, &err)) {
			cli_error("%s", err.msg);
			return 2;
		}
	} else if (argc != 1) {
		cli_error("usage: chaos pool [set memory=M,vcpus=V,vifs=K[,bridge=B],size=N]");
		return 2;
	}
	if (chaosd_connect(NULL, &c, &err)) {
		cli_error("%s (is chaosd running?)", err.msg);
		return 1;
	}
	if (argc == 1) {
		rc = show(c);
	} else if (chaosd_pool_set(c, &want, &err)) {
		cli_error("%s", err.msg);
		rc = 1;
	}
	chaosd_close(c);
	return rc;
}
