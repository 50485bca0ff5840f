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

/* Both ends' states of the backend at be: Xenbus numbers, 0 when absent. */
static void end_states(struct xs_handle *h, const char *be, int *be_state,
		       int *fe_state)
{
	char fe[XS_PATH_MAX], state[16];
	char *v;

	copy_key(h, be, "state", state, sizeof(state));
	*be_state = (int)strtol(state, NULL, 10);
	v = read_key(h, be, "frontend");
	snprintf(fe, sizeof(fe), "%s", v ? v : "");
	free(v);
	*fe_state = 0;
	if (fe[0]) {
		copy_key(h, fe, "state", state, sizeof(state));
		*fe_state = (int)strtol(state, NULL, 10);
	}
}

/*
 * The devices of (type) that dom0 serves (domid): *items gets an array
 * of n items of (size) bytes, zeroed, and fill() is called on each with
 * its backend path and device number.
 */
static int backend_walk(chaos_host *host, uint32_t domid, const char *type,
			size_t size, void **items, size_t *count,
			void (*fill)(struct xs_handle *h, const char *be,
				     uint32_t devid, uint32_t domid,
				     void *item),
			chaos_err *err)
{
	char dir[XS_PATH_MAX];
	struct xs_handle *h;
	unsigned int n;
	char **devs;
	uint8_t *arr;

	*items = NULL;
	*count = 0;
	h = chaos_host_xs(host, err);
	if (!h)
		return -1;
	snprintf(dir, sizeof(dir), "/local/domain/0/backend/%s/%" PRIu32,
		 type, domid);
	devs = xs_directory(h, XBT_NULL, dir, &n);
	if (!devs)
		return 0; /* none */
	arr = calloc(n ? n : 1, size);
	if (!arr) {
		free(devs);
		return chaos_err_set(err, ENOMEM, "%s list: out of memory",
				     type);
	}
	for (unsigned int i = 0; i < n; i++) {
		char be[XS_PATH_MAX * 2];

		snprintf(be, sizeof(be), "%s/%s", dir, devs[i]);
		fill(h, be, (uint32_t)strtoul(devs[i], NULL, 10), domid,
		     arr + i * size);
	}
	free(devs);
	*items = arr;
	*count = n;
	return 0;
}

static void fill_disk(struct xs_handle *h, const char *be, uint32_t devid,
		      uint32_t domid, void *item)
{
	chaos_disk_info *d = item;

	(void)domid;
	d->devid = devid;
	copy_key(h, be, "dev", d->vdev, sizeof(d->vdev));
	copy_key(h, be, "params", d->target, sizeof(d->target));
	copy_key(h, be, "mode", d->mode, sizeof(d->mode));
	copy_key(h, be, "physical-device-path", d->device, sizeof(d->device));
	copy_key(h, be, "hotplug-status", d->hotplug, sizeof(d->hotplug));
	end_states(h, be, &d->be_state, &d->fe_state);
}

int chaos_xs_disk_list(chaos_host *host, uint32_t domid,
		       chaos_disk_info **out, size_t *count, chaos_err *err)
{
	return backend_walk(host, domid, "vbd", sizeof(**out), (void **)out,
			    count, fill_disk, err);
}

static void fill_vif(struct xs_handle *h, const char *be, uint32_t devid,
		     uint32_t domid, void *item)
{
	chaos_vif_info *v = item;
	int be_state, fe_state;

	v->devid = devid;
	snprintf(v->ifname, sizeof(v->ifname), "vif%u.%u", domid, devid);
	copy_key(h, be, "mac", v->mac, sizeof(v->mac));
	copy_key(h, be, "ip", v->ip, sizeof(v->ip));
	copy_key(h, be, "bridge", v->bridge, sizeof(v->bridge));
	end_states(h, be, &be_state, &fe_state);
	/* Xenbus states are numbered as noxs's (abi/noxs.h). */
	snprintf(v->backend, sizeof(v->backend), "%s",
		 chaos_device_state_name((uint32_t)be_state));
	snprintf(v->frontend, sizeof(v->frontend), "%s",
		 chaos_device_state_name((uint32_t)fe_state));
}

int chaos_xs_vif_list(chaos_host *host, uint32_t domid,
		      struct chaos_vif_info **out, size_t *count,
		      chaos_err *err)
{
	return backend_walk(host, domid, "vif", sizeof(**out), (void **)out,
			    count, fill_vif, err);
}
