// SPDX-License-Identifier: MIT
/* chaos network-list <dom>: a guest's vifs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/chaos.h>
#include "commands.h"

/* MAC, address and bridge as the guest was created with (the config is
 * re-read; generated MACs are deterministic, so they come out the same). */
static int load_vif_config(chaos_host *host, uint32_t domid,
			   chaos_config *cfg)
{
	chaos_domain_record rec;
	chaos_domain_info info;

	if (chaos_domain_get(host, domid, &info, NULL) ||
	    chaos_record_load(chaos_host_state_dir(host), domid, info.handle,
			      &rec, NULL) ||
	    !rec.config_path[0] ||
	    chaos_config_parse_file(rec.config_path, cfg, NULL))
		return -1;
	if (chaos_config_assign_macs(cfg, domid, NULL)) {
		chaos_config_free(cfg);
		return -1;
	}
	return 0;
}

int cmd_network_list(int argc, char **argv)
{
	chaos_device_info *devs = NULL;
	chaos_config cfg;
	chaos_host *host;
	chaos_err err;
	uint32_t domid;
	size_t n = 0;
	int have_cfg, rc = 1;

	if (argc != 2) {
		cli_error("usage: chaos network-list <dom>");
		return 2;
	}
	if (chaos_host_open(&host, &err)) {
		cli_error("%s", err.msg);
		return 1;
	}
	if (chaos_guest_resolve(host, argv[1], &domid, &err) ||
	    chaos_device_list(host, domid, &devs, &n, &err)) {
		cli_error("%s", err.msg);
		goto out;
	}
	have_cfg = load_vif_config(host, domid, &cfg) == 0;
	printf("%-4s %-12s %-17s %-15s %-15s %-12s %s\n", "Idx", "Interface",
	       "MAC", "IPv4", "Bridge", "Backend", "Frontend");
	for (size_t i = 0; i < n; i++) {
		const chaos_config_vif *v = NULL;
		char ifname[32], mac[18] = "-", ip[16] = "-";

		if (devs[i].type != CHAOS_DEV_VIF)
			continue;
		snprintf(ifname, sizeof(ifname), "vif%u.%u", domid, devs[i].devid);
		if (have_cfg && devs[i].devid < cfg.nr_vifs)
			v = &cfg.vifs[devs[i].devid];
		if (v) {
			chaos_config_format_mac(v->mac, mac);
			if (v->ip_set)
				snprintf(ip, sizeof(ip), "%u.%u.%u.%u", v->ip[0],
					 v->ip[1], v->ip[2], v->ip[3]);
		}
		printf("%-4u %-12s %-17s %-15s %-15s %-12s %s\n", devs[i].devid,
		       ifname, mac, ip, v && v->bridge[0] ? v->bridge : "-",
		       chaos_device_state_name(devs[i].be_state),
		       chaos_device_state_name(devs[i].fe_state));
	}
	if (have_cfg)
		chaos_config_free(&cfg);
	rc = 0;
out:
	free(devs);
	chaos_host_close(host);
	return rc;
}
