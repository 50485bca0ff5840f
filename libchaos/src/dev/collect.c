// SPDX-License-Identifier: MIT
/*
 * Backends whose domain is gone: a guest destroyed behind chaos's back
 * (xl destroy, a builder killed between its domain's death and its device
 * cleanup) leaves its noxs devices in the module, their control pages
 * granted, their ports bound, a vif's rings mapped (which keeps the dead
 * domain a zombie); a XenStore guest leaves its entries and its netback
 * and blkback backends. They are found by domid and removed here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <xenstore.h>

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

/* The noxs half: the module's devices whose domain is gone. */
static int collect_noxs(chaos_host *host, unsigned int *done, chaos_err *err)
{
	struct noxs_ioc_info *devs = NULL;
	chaos_domain_info *doms = NULL;
	uint32_t ndevs = 0, last = UINT32_MAX;
	size_t ndoms = 0;

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
			(*done)++;
	}
	free(devs);
	free(doms);
	return 0;
}

/* Add the numeric entries of xenstore directory dir to ids (no repeats). */
static void xs_ids(struct xs_handle *h, const char *dir, uint32_t *ids,
		   size_t *n, size_t max)
{
	unsigned int count;
	char **names = xs_directory(h, XBT_NULL, dir, &count);

	for (unsigned int i = 0; names && i < count && *n < max; i++) {
		char *end;
		unsigned long v = strtoul(names[i], &end, 10);
		bool seen = false;

		if (*end || end == names[i] || v == 0 ||
		    v >= CHAOS_DOMID_FIRST_RESERVED)
			continue;
		for (size_t k = 0; k < *n; k++)
			seen |= ids[k] == v;
		if (!seen)
			ids[(*n)++] = (uint32_t)v;
	}
	free(names);
}

/*
 * The XenStore half: entries and backends of domains that are gone (a
 * XenStore guest destroyed with `xl destroy`, a builder killed between
 * its introduction and its rollback). Only where xenstored runs.
 */
static int collect_xenstore(chaos_host *host, unsigned int *done,
			    chaos_err *err)
{
	enum { IDS_MAX = 4096 };
	struct xs_handle *h;
	chaos_domain_info *doms = NULL;
	uint32_t *ids;
	size_t n = 0, ndoms = 0;

	if (!(h = chaos_host_xs(host, NULL)))
		return 0;
	ids = calloc(IDS_MAX, sizeof(*ids));
	if (!ids)
		return chaos_err_set(err, ENOMEM, "out of memory");
	xs_ids(h, "/local/domain/0/backend/vif", ids, &n, IDS_MAX);
	xs_ids(h, "/local/domain/0/backend/vbd", ids, &n, IDS_MAX);
	xs_ids(h, "/local/domain", ids, &n, IDS_MAX);
	/* The domains after the entries: one introduced since is alive. */
	if (n && chaos_domain_list_unnamed(host, &doms, &ndoms, err)) {
		free(ids);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!alive(doms, ndoms, ids[i]) &&
		    chaos_xs_guest_remove(host, ids[i], NULL) == 0)
			(*done)++;
	free(ids);
	free(doms);
	return 0;
}

int chaos_device_collect(chaos_host *host, unsigned int *collected,
			 chaos_err *err)
{
	unsigned int done = 0;
	int rc;

	rc = collect_noxs(host, &done, err);
	if (!rc)
		rc = collect_xenstore(host, &done, err);
	if (collected)
		*collected = done;
	return rc;
}
