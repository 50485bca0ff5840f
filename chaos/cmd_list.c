// SPDX-License-Identifier: MIT
/* chaos list [--json] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/chaos.h>
#include "commands.h"

/* A XenStore guest's vifs and vbds, from their backend entries. */
static void print_xenstore_devices(chaos_host *host, uint32_t domid)
{
	chaos_vif_info *vifs = NULL;
	chaos_disk_info *disks = NULL;
	size_t nv = 0, nd = 0;

	/* A noxs guest has neither here (its noxs list was empty). */
	if (chaos_network_list(host, domid, &vifs, &nv, NULL) == 0)
		for (size_t j = 0; j < nv; j++)
			printf("    %-8s %5u  xenstore  %s on %s  be %s  fe %s\n",
			       "vif", vifs[j].devid, vifs[j].ifname,
			       vifs[j].bridge[0] ? vifs[j].bridge : "-",
			       vifs[j].backend, vifs[j].frontend);
	if (chaos_block_list(host, domid, &disks, &nd, NULL))
		nd = 0;
	for (size_t j = 0; j < nd; j++)
		printf("    %-8s %5u  xenstore  %s on %s (%s)  be %s  fe %s\n",
		       "vbd", disks[j].devid, disks[j].vdev,
		       disks[j].device[0] ? disks[j].device : "-",
		       disks[j].mode,
		       chaos_device_state_name((uint32_t)disks[j].be_state),
		       chaos_device_state_name((uint32_t)disks[j].fe_state));
	free(vifs);
	free(disks);
}

/* The table, each guest followed by its devices (noxs, or XenStore). */
static int print_long(chaos_host *host, const chaos_domain_info *doms,
		      size_t count)
{
	int noxs = chaos_device_available(host);

	if (chaos_format_list_header(stdout))
		return 1;
	for (size_t i = 0; i < count; i++) {
		chaos_device_info *devs;
		size_t n;
		chaos_err err;

		if (chaos_format_list_row(stdout, &doms[i]))
			return 1;
		if (doms[i].domid == 0)
			continue;
		n = 0;
		devs = NULL;
		if (noxs &&
		    chaos_device_list(host, doms[i].domid, &devs, &n, &err)) {
			printf("    devices: %s\n", err.msg);
			continue;
		}
		if (n == 0)
			print_xenstore_devices(host, doms[i].domid);
		for (size_t j = 0; j < n; j++)
			printf("    %-8s %3u  backend %u  grant %u  port %u  be %s  fe %s%s\n",
			       chaos_device_type_name(devs[j].type), devs[j].devid,
			       devs[j].be_domid, devs[j].grant, devs[j].evtchn,
			       chaos_device_state_name(devs[j].be_state),
			       chaos_device_state_name(devs[j].fe_state),
			       devs[j].in_page ? "" : "  (not in device page)");
		free(devs);
	}
	return 0;
}

int cmd_list(int argc, char **argv)
{
	chaos_host *host;
	chaos_domain_info *doms;
	size_t count;
	chaos_err err;
	int json = 0, rc = 0, longfmt = 0, c;
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "long", no_argument, NULL, 'l' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};

	while ((c = cli_getopt(argc, argv, "lh", longopts)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'l':
			longfmt = 1;
			break;
		case 'h':
			return CLI_HELP;
		default:
			return 2;
		}
	}
	if (optind < argc) {
		cli_error("list: unknown argument '%s'", argv[optind]);
		return 2;
	}
	if (chaos_host_open(&host, &err)) {
		cli_error("%s", err.msg);
		return 1;
	}
	if (chaos_domain_list(host, &doms, &count, &err)) {
		cli_error("%s", err.msg);
		chaos_host_close(host);
		return 1;
	}
	if (longfmt && !json) {
		rc = print_long(host, doms, count);
		chaos_host_close(host);
		free(doms);
		return rc;
	}
	if (json) {
		char *text;

		/* The same objects as chaosd's list (docs/chaosd-protocol.md). */
		if (chaos_format_domains_json(host, doms, count, 0, &text,
					      &err)) {
			cli_error("%s", err.msg);
			rc = 1;
		} else {
			puts(text);
			free(text);
		}
	} else if (chaos_format_list_text(stdout, doms, count)) {
		rc = 1;
	}
	chaos_host_close(host);
	free(doms);
	return rc;
}
