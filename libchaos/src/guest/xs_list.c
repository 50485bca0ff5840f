// SPDX-License-Identifier: MIT
/*
 * A XenStore guest's devices as its backend entries say (dev.h): its vbds
 * for `chaos block-list`, its vifs for `chaos network-list`.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "guest/guest.h"
#include "dev/dev.h"
#include <chaos/block.h>
#include <chaos/network.h>

#define XS_PATH_MAX 256

static char *read_key(struct xs_handle *h, const char *dir, const char *key)
{
	char path[XS_PATH_MAX * 3];
	unsigned int len;

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return xs_read(h, XBT_NULL, path, &len);
}

static void copy_key(struct xs_handle *h, const char *dir, const char *key,
		     char *out, size_t size)
{
	char *v = read_key(h, dir, key);

	snprintf(out, size, "%s", v ? v : "");
	free(v);
}

int chaos_xs_disk_list(chaos_host *host, uint32_t domid,
		       chaos_disk_info **out, size_t *count, chaos_err *err)
{
	char dir[XS_PATH_MAX];
	chaos_disk_info *disks;
	struct xs_handle *h;
	unsigned int n;
	char **devs;

	*out = NULL;
	*count = 0;
	h = chaos_host_xs(host, err);
	if (!h)
		return -1;
	snprintf(dir, sizeof(dir), "/local/domain/0/backend/vbd/%" PRIu32,
		 domid);
	devs = xs_directory(h, XBT_NULL, dir, &n);
	if (!devs)
		return 0;
	disks = calloc(n ? n : 1, sizeof(*disks));
	if (!disks) {
		free(devs);
		return chaos_err_set(err, ENOMEM, "block-list: out of memory");
	}
	for (unsigned int i = 0; i < n; i++) {
		chaos_disk_info *d = &disks[i];
		char be[XS_PATH_MAX * 2], fe[XS_PATH_MAX], *v;
		char state[16];

		snprintf(be, sizeof(be), "%s/%s", dir, devs[i]);
		d->devid = (uint32_t)strtoul(devs[i], NULL, 10);
		copy_key(h, be, "dev", d->vdev, sizeof(d->vdev));
		copy_key(h, be, "params", d->target, sizeof(d->target));
		copy_key(h, be, "mode", d->mode, sizeof(d->mode));
		copy_key(h, be, "physical-device-path", d->device,
			 sizeof(d->device));
		copy_key(h, be, "hotplug-status", d->hotplug,
			 sizeof(d->hotplug));
		copy_key(h, be, "state", state, sizeof(state));
		d->be_state = (int)strtol(state, NULL, 10);
		v = read_key(h, be, "frontend");
		snprintf(fe, sizeof(fe), "%s", v ? v : "");
		free(v);
		copy_key(h, fe, "state", state, sizeof(state));
		d->fe_state = fe[0] ? (int)strtol(state, NULL, 10) : 0;
	}
	free(devs);
	*out = disks;
	*count = n;
	return 0;
}

/* Xenbus states are numbered as noxs's (abi/noxs.h). */
static const char *state_word(const char *v)
{
	return chaos_device_state_name((uint32_t)strtoul(v, NULL, 10));
}

int chaos_xs_vif_list(chaos_host *host, uint32_t domid,
		      struct chaos_vif_info **out, size_t *count,
		      chaos_err *err)
{
	char dir[XS_PATH_MAX];
	chaos_vif_info *vifs;
	struct xs_handle *h;
	unsigned int n;
	char **devs;

	*out = NULL;
	*count = 0;
	h = chaos_host_xs(host, err);
	if (!h)
		return -1;
	snprintf(dir, sizeof(dir), "/local/domain/0/backend/vif/%" PRIu32,
		 domid);
	devs = xs_directory(h, XBT_NULL, dir, &n);
	if (!devs)
		return 0;
	vifs = calloc(n ? n : 1, sizeof(*vifs));
	if (!vifs) {
		free(devs);
		return chaos_err_set(err, ENOMEM, "network-list: out of memory");
	}
	for (unsigned int i = 0; i < n; i++) {
		chaos_vif_info *v = &vifs[i];
		char be[XS_PATH_MAX * 2], fe[XS_PATH_MAX], state[16], *f;

		snprintf(be, sizeof(be), "%s/%s", dir, devs[i]);
		v->devid = (unsigned int)strtoul(devs[i], NULL, 10);
		snprintf(v->ifname, sizeof(v->ifname), "vif%u.%u", domid,
			 v->devid);
		copy_key(h, be, "mac", v->mac, sizeof(v->mac));
		copy_key(h, be, "ip", v->ip, sizeof(v->ip));
		copy_key(h, be, "bridge", v->bridge, sizeof(v->bridge));
		copy_key(h, be, "state", state, sizeof(state));
		snprintf(v->backend, sizeof(v->backend), "%s",
			 state_word(state));
		f = read_key(h, be, "frontend");
		snprintf(fe, sizeof(fe), "%s", f ? f : "");
		free(f);
		copy_key(h, fe, "state", state, sizeof(state));
		snprintf(v->frontend, sizeof(v->frontend), "%s",
			 fe[0] ? state_word(state) : "unknown");
	}
	free(devs);
	*out = vifs;
	*count = n;
	return 0;
}
