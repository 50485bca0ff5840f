// SPDX-License-Identifier: MIT
/* A guest's vifs: noxs vif devices, then the wait for their bridges. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "guest/guest.h"
#include "noxs_ioctl.h"
#include <chaos/device.h>
#include "dev/dev.h"

/* A guest with an address and no mask of its own lives in a /24. */
#define VIF_DEFAULT_NETMASK 0xffffff00u

static void vif_params(const chaos_config_vif *vif,
		       struct noxs_vif_params *p)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->mac, vif->mac, sizeof(p->mac));
	if (vif->ip_set) {
		uint32_t ip = (uint32_t)vif->ip[0] << 24 |
			      (uint32_t)vif->ip[1] << 16 |
			      (uint32_t)vif->ip[2] << 8 | vif->ip[3];

		p->ipv4_addr = __builtin_bswap32(ip);
		p->ipv4_netmask = __builtin_bswap32(VIF_DEFAULT_NETMASK);
	}
	snprintf(p->bridge, sizeof(p->bridge), "%s", vif->bridge);
}

int chaos_guest_add_vifs(chaos_host *host, const chaos_config *cfg,
			 uint32_t domid, unsigned int precreated,
			 bool attached, chaos_create_timing *timing,
			 uint64_t *mark, chaos_config_vif *assigned,
			 chaos_err *err)
{
	chaos_config macs;

	if (cfg->nr_vifs == 0)
		return 0;
	if (!chaos_device_available(host))
		return chaos_err_set(err, ENODEV,
				     "vifs: need noxs (the patched hypervisor and the noxs module)");
	/* Only the vifs change; the strings stay the caller's. */
	macs = *cfg;
	if (chaos_config_assign_macs(&macs, domid, err))
		return -1;
	if (assigned)
		memcpy(assigned, macs.vifs, macs.nr_vifs * sizeof(macs.vifs[0]));
	for (size_t i = 0; i < macs.nr_vifs; i++) {
		struct noxs_vif_params p;

		vif_params(&macs.vifs[i], &p);
		if (i < precreated ?
		    chaos_vif_configure(host, domid, (uint16_t)i, &p, err) :
		    chaos_device_add(host, domid, CHAOS_DEV_VIF, (uint16_t)i, &p,
				     err))
			return -1;
	}
	/* A shell's net devices made ahead are on their bridge already:
	 * xendevd said so when the shell was made. */
	if (!(attached && precreated == macs.nr_vifs) &&
	    chaos_vifs_wait_attached(domid, macs.nr_vifs,
				     CHAOS_VIF_ATTACH_TIMEOUT_MS, err) < 0)
		return -1;
	if (timing)
		*mark = chaos_lap(&timing->devices_us, *mark);
	return 0;
}
