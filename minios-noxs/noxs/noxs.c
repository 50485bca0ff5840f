// SPDX-License-Identifier: MIT
/*
 * noxs_init: read the device page once at boot and connect every device
 * that has a frontend here. A hypervisor without noxs, or a page without
 * entries, leaves the guest exactly as it was: no devices, no output.
 */
#include <minios/lib.h>
#include <minios/noxs.h>
#include <minios/os.h>
#include <minios/time.h>

#include "core.h"
#include "devpage.h"

/* Add a frontend: its driver here, its code in noxs/<name>.c. */
static const struct noxs_driver *const drivers[] = {
	&noxs_power_driver,
	&noxs_net_driver,
};

static const struct noxs_driver *driver_for(uint16_t type)
{
	for (size_t i = 0; i < ARRAY_SIZE(drivers); i++)
		if (drivers[i]->type == type)
			return drivers[i];
	return NULL;
}

static bool seen_before(const struct noxs_entry *e, unsigned int i)
{
	for (unsigned int j = 0; j < i; j++)
		if (e[j].type == e[i].type && e[j].devid == e[i].devid)
			return true;
	return false;
}

int noxs_init(void)
{
	return noxs_connect_all();
}

int noxs_resume(void)
{
	return noxs_connect_all();
}

int noxs_connect_all(void)
{
	static struct noxs_entry entries[NOXS_MAX_DEVICES];
	uint64_t start = monotonic_ns();
	unsigned int count, total, attached = 0;
	int rc;

	rc = noxs_devpage_map();
	if (rc == -XEN_ENOSYS)
		return 0;
	if (rc)
		return rc;
	if (noxs_devpage_snapshot(entries, NOXS_MAX_DEVICES, &count, &total))
		return -1;
	if (total > count)
		printk("noxs: %u devices on the page, only %u handled\n",
		       total, count);
	for (unsigned int i = 0; i < count; i++) {
		const struct noxs_entry *e = &entries[i];
		const struct noxs_driver *drv;

		if (noxs_entry_check(e))
			continue;
		if (seen_before(entries, i)) {
			printk("noxs: duplicate device type %u devid %u skipped\n",
			       e->type, e->devid);
			continue;
		}
		drv = driver_for(e->type);
		if (!drv) {
			printk("noxs: no frontend for device type %u devid %u\n",
			       e->type, e->devid);
			continue;
		}
		if (!noxs_dev_probe(e, drv))
			attached++;
	}
	if (count)
		printk("noxs: %u of %u devices attached in %lu us\n", attached,
		       total, (monotonic_ns() - start) / NSEC_PER_USEC);
	return 0;
}
