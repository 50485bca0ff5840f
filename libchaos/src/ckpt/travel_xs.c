// SPDX-License-Identifier: MIT
/*
 * What travels of a guest served through XenStore: its vifs and disks as
 * its backend entries say (what is attached, whatever config it came
 * from: a restored guest has none), and the mark by which a suspended
 * guest lends its disks to its own next domain.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xenstore.h>

#include <chaos/block.h>
#include <chaos/network.h>

#include "ckpt/ckpt.h"
#include "dev/dev.h"
#include "guest/guest.h"

#define XS_PATH_MAX 256

static int vifs_from_backends(chaos_host *host, uint32_t domid,
			      struct chaos_saveimg_config *out,
			      chaos_err *err)
{
	chaos_vif_info *vifs;
	size_t n;
	int rc = 0;

	if (chaos_xs_vif_list(host, domid, &vifs, &n, err))
		return -1;
	if (n > CHAOS_CONFIG_VIFS_MAX) {
		free(vifs);
		return chaos_err_set(err, EINVAL,
				     "domain %u has %zu vifs, more than %u",
				     domid, n, CHAOS_CONFIG_VIFS_MAX);
	}
	for (size_t i = 0; i < n && !rc; i++) {
		const chaos_vif_info *v = &vifs[i];
		struct chaos_saveimg_vif *s;

		/* Numbered from 0 as created: vif i is devid i. */
		if (v->devid >= n) {
			rc = chaos_err_set(err, EINVAL,
					   "domain %u: vif %u is not numbered 0 to %zu",
					   domid, v->devid, n - 1);
			break;
		}
		s = &out->vifs[v->devid];
		if (chaos_config_parse_mac(v->mac, s->mac, err)) {
			rc = chaos_err_set(err, EINVAL,
					   "domain %u: vif %u's backend mac '%s' is not a MAC",
					   domid, v->devid, v->mac);
			break;
		}
		if (v->ip[0]) {
			if (inet_pton(AF_INET, v->ip, s->ip) != 1)
				rc = chaos_err_set(err, EINVAL,
						   "domain %u: vif %u's backend ip '%s' is not an IPv4 address",
						   domid, v->devid, v->ip);
			s->ip_set = 1;
		}
		if (strlen(v->bridge) >= sizeof(s->bridge))
			rc = chaos_err_set(err, EINVAL,
					   "domain %u: vif %u's bridge '%s' is too long",
					   domid, v->devid, v->bridge);
		else
			memcpy(s->bridge, v->bridge, strlen(v->bridge));
	}
	out->nr_vifs = (uint8_t)n;
	free(vifs);
	return rc;
}

static int disks_from_backends(chaos_host *host, uint32_t domid,
			       struct chaos_saveimg_devices *dev,
			       chaos_err *err)
{
	const char *targets[CHAOS_CONFIG_DISKS_MAX];
	chaos_disk_info *disks;
	chaos_config cfg;
	size_t n;
	int rc = 0;

	if (chaos_xs_disk_list(host, domid, &disks, &n, err))
		return -1;
	chaos_config_init(&cfg);
	if (n > CHAOS_CONFIG_DISKS_MAX) {
		free(disks);
		return chaos_err_set(err, EINVAL,
				     "domain %u has %zu disks, more than %u",
				     domid, n, CHAOS_CONFIG_DISKS_MAX);
	}
	for (size_t i = 0; i < n && !rc; i++) {
		chaos_config_disk *d = &cfg.disks[i];
		struct stat st;

		if (strlen(disks[i].vdev) >= sizeof(d->vdev) ||
		    chaos_config_parse_vdev(disks[i].vdev, &d->devid, NULL) ||
		    d->devid != disks[i].devid) {
			rc = chaos_err_set(err, EINVAL,
					   "domain %u: vbd %u's backend dev '%s' does not name it",
					   domid, disks[i].devid, disks[i].vdev);
			break;
		}
		memcpy(d->vdev, disks[i].vdev, strlen(disks[i].vdev) + 1);
		d->readonly = !strcmp(disks[i].mode, "r");
		/* What it is now; the destination's must be the same kind. */
		d->kind = stat(disks[i].target, &st) == 0 &&
				  S_ISBLK(st.st_mode) ?
				  CHAOS_DISK_BLOCK : CHAOS_DISK_FILE;
		targets[i] = disks[i].target;
	}
	cfg.nr_disks = n;
	rc = rc || chaos_saveimg_devices_pack(dev, true, &cfg, targets, err);
	free(disks);
	return rc ? -1 : 0;
}

int chaos_travel_xs(chaos_host *host, uint32_t domid,
		    struct chaos_saveimg_config *out,
		    struct chaos_saveimg_devices *dev, chaos_err *err)
{
	if (vifs_from_backends(host, domid, out, err) ||
	    disks_from_backends(host, domid, dev, err))
		return -1;
	return 0;
}

int chaos_ckpt_lend_disks(chaos_host *host, uint32_t domid, bool lend,
			  chaos_err *err)
{
	char dir[XS_PATH_MAX], path[XS_PATH_MAX * 2];
	struct xs_handle *h = chaos_host_xs(host, err);
	unsigned int n;
	char **devs;
	int rc = 0;

	if (!h)
		return -1;
	snprintf(dir, sizeof(dir), "/local/domain/0/backend/vbd/%" PRIu32,
		 domid);
	devs = xs_directory(h, XBT_NULL, dir, &n);
	if (!devs)
		return 0; /* no disk */
	for (unsigned int i = 0; i < n && !rc; i++) {
		snprintf(path, sizeof(path), "%s/%s/%s", dir, devs[i],
			 CHAOS_XS_LENT_NODE);
		if (lend ? !xs_write(h, XBT_NULL, path, "1", 1) :
			   (!xs_rm(h, XBT_NULL, path) && errno != ENOENT))
			rc = chaos_err_set(err, errno,
					   "xenstore: cannot %s %s: %s",
					   lend ? "write" : "remove", path,
					   strerror(errno));
	}
	free(devs);
	return rc;
}

/* The entry of opts->disks for target: where it goes here, or NULL. */
static const char *disk_place(const char *target,
			      const chaos_restore_opts *opts)
{
	size_t n = strlen(target);

	for (size_t k = 0; opts && k < opts->nr_disks; k++) {
		const char *e = opts->disks[k];

		if (!e)
			continue;
		if (!strcmp(e, target))
			return target;
		if (!strncmp(e, target, n) && e[n] == '=')
			return e + n + 1;
	}
	return NULL;
}

int chaos_ckpt_place_disks(struct chaos_saveimg_devices *d,
			   const chaos_restore_opts *opts, chaos_err *err)
{
	const char *targets[CHAOS_CONFIG_DISKS_MAX];
	chaos_config cfg;
	int rc = 0;

	if (d->devices != CHAOS_SAVEIMG_DEVICES_XENSTORE || !d->nr_disks)
		return 0;
	chaos_config_init(&cfg);
	if (chaos_saveimg_devices_unpack(d, &cfg, err))
		return -1;
	for (size_t i = 0; i < cfg.nr_disks && !rc; i++) {
		const char *from = cfg.disks[i].target;
		const char *to = disk_place(from, opts);

		if (!to)
			rc = chaos_err_set(err, EACCES,
					   "disk %s: the image serves it from %s; allow that here (--disk %s) or map it (--disk %s=PATH)",
					   cfg.disks[i].vdev, from, from, from);
		else if (to[0] != '/')
			rc = chaos_err_set(err, EINVAL,
					   "disk %s: '%s' is not an absolute path",
					   cfg.disks[i].vdev, to);
		targets[i] = to;
	}
	rc = rc || chaos_saveimg_devices_pack(d, true, &cfg, targets, err);
	chaos_config_free(&cfg);
	return rc ? -1 : 0;
}
