// SPDX-License-Identifier: MIT
/* A guest's vifs: noxs devices joined with what its config says of them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/device.h>
#include <chaos/guest.h>
#include <chaos/network.h>

#include "guest/guest.h"
#include "util/util.h"
#include "dev/dev.h"

/* The config the guest was built from, read with its owner's rights
 * (never the caller's, which may be a daemon running as root). */
static int load_config(chaos_host *host, uint32_t domid, chaos_config *cfg)
{
	chaos_domain_info info;
	chaos_domain_record rec;
	struct chaos_fscred_saved saved;
	chaos_cred as;
	int rc;

	if (chaos_domain_get(host, domid, &info, NULL) ||
	    chaos_record_load(chaos_host_state_dir(host), domid, info.handle,
			      &rec, NULL) ||
	    !rec.config_path[0] || guest_cred_of_record(&rec, &as) ||
	    guest_fscred_enter(&as, &saved, NULL))
		return -1;
	rc = chaos_config_parse_file(rec.config_path, cfg, NULL);
	chaos_fscred_leave(&saved);
	if (rc)
		return -1;
	if (chaos_config_assign_macs(cfg, domid, NULL)) {
		chaos_config_free(cfg);
		return -1;
	}
	return 0;
}

int chaos_network_list(chaos_host *host, uint32_t domid, chaos_vif_info **out,
		       size_t *count, chaos_err *err)
{
	chaos_device_info *devs;
	chaos_domain_info info;
	chaos_vif_info *vifs;
	chaos_config cfg;
	size_t n, nr = 0;
	bool have_cfg;

	*out = NULL;
	*count = 0;
	if (chaos_domain_get(host, domid, &info, NULL) == 0 &&
	    guest_is_xenstore(host, domid, info.handle))
		return chaos_xs_vif_list(host, domid, out, count, err);
	if (chaos_device_list(host, domid, &devs, &n, err))
		return -1;
	vifs = calloc(n ? n : 1, sizeof(*vifs));
	if (!vifs) {
		free(devs);
		return chaos_err_set(err, ENOMEM, "network: out of memory");
	}
	have_cfg = load_config(host, domid, &cfg) == 0;
	for (size_t i = 0; i < n; i++) {
		chaos_vif_info *v = &vifs[nr];
		const chaos_config_vif *c = NULL;

		if (devs[i].type != CHAOS_DEV_VIF)
			continue;
		v->devid = devs[i].devid;
		snprintf(v->ifname, sizeof(v->ifname), "vif%u.%u", domid,
			 devs[i].devid);
		snprintf(v->backend, sizeof(v->backend), "%s",
			 chaos_device_state_name(devs[i].be_state));
		snprintf(v->frontend, sizeof(v->frontend), "%s",
			 chaos_device_state_name(devs[i].fe_state));
		if (have_cfg && devs[i].devid < cfg.nr_vifs)
			c = &cfg.vifs[devs[i].devid];
		if (c) {
			chaos_config_format_mac(c->mac, v->mac);
			if (c->ip_set)
				snprintf(v->ip, sizeof(v->ip), "%u.%u.%u.%u",
					 c->ip[0], c->ip[1], c->ip[2], c->ip[3]);
			snprintf(v->bridge, sizeof(v->bridge), "%s", c->bridge);
		}
		nr++;
	}
	if (have_cfg)
		chaos_config_free(&cfg);
	free(devs);
	*out = vifs;
	*count = nr;
	return 0;
}
