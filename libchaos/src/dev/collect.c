// SPDX-License-Identifier: MIT
/*
 * Backends whose domain is gone: a guest destroyed behind chaos's back
 * (xl destroy, a builder killed between its domain's death and its device
 * cleanup) leaves its noxs devices in the module, their control pages
 * granted, their ports bound, a vif's rings mapped (which keeps the dead
 * domain a zombie). They are found by domid and destroyed here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "dev/dev.h"
#include "noxs_ioctl.h"

/* Is domid alive (and not dying) in doms? */
static bool alive(const chaos_domain_info *doms, size_t n, uint32_t domid)
{
	for (size_t i = 0; i < n; i++)
		if (doms[i].domid == domid)
			return doms[i].state != CHAOS_STATE_DYING;
	return false;
}

int chaos_device_collect(chaos_host *host, unsigned int *collected,
			 chaos_err *err)
{
	struct noxs_ioc_info *devs = NULL;
	chaos_domain_info *doms = NULL;
	uint32_t ndevs = 0, last = UINT32_MAX;
	unsigned int done = 0;
	size_t ndoms = 0;

	if (collected)
		*collected = 0;
	if (chaos_device_available(host) != 1)
		return 0;
	if (chaos_noxs_list_all(host, &devs, &ndevs, err))
		return -1;
	/* The domains after the devices: a device made since is alive. */
	if (ndevs && chaos_domain_list_unnamed(host, &doms, &ndoms, err)) {
		free(devs);
		return -1;
	}
	for (uint32_t i = 0; i < ndevs; i++) {
		uint32_t domid = devs[i].domid;

		if (domid == last || alive(doms, ndoms, domid))
			continue;
		last = domid;
		if (chaos_device_remove_all(host, domid, NULL) == 0)
			done++;
	}
	free(devs);
	free(doms);
	if (collected)
		*collected = done;
	return 0;
}
