// SPDX-License-Identifier: MIT
/*
 * The DEVICES record's contents (docs/image-format.md): how a guest's
 * devices are served and its disks, packed from a config, checked field
 * by field when decoded (the record is hostile), and unpacked into a
 * config again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt/ckpt.h"

_Static_assert(CHAOS_DISK_AUTO == 0 && CHAOS_DISK_FILE == 1 &&
	       CHAOS_DISK_BLOCK == 2, "the kind byte is the config's enum");

/* A vdev from the image for a message: at most 15 bytes, NUL-terminated
 * already; anything unprintable shown as '?'. */
static void printable(const char *vdev, char out[CHAOS_CONFIG_VDEV_MAX])
{
	size_t i;

	for (i = 0; i < CHAOS_CONFIG_VDEV_MAX - 1 && vdev[i]; i++)
		out[i] = vdev[i] > ' ' && vdev[i] < 0x7f ? vdev[i] : '?';
	out[i] = '\0';
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* Disk i's own fields: kind, mode, reserved bytes, vdev and devid. */
static int check_disk(const struct chaos_saveimg_disk *k, unsigned int i,
		      chaos_err *err)
{
	size_t vlen = strnlen(k->vdev, sizeof(k->vdev));
	char shown[CHAOS_CONFIG_VDEV_MAX];
	uint32_t devid;

	if (k->kind > CHAOS_DISK_BLOCK)
		return chaos_err_set(err, EINVAL,
				     "image: DEVICES disks[%u].kind %u is unknown",
				     i, k->kind);
	if (k->readonly > 1)
		return chaos_err_set(err, EINVAL,
				     "image: DEVICES disks[%u].readonly is %u", i,
				     k->readonly);
	if (!all_zero(k->reserved, sizeof(k->reserved)))
		return chaos_err_set(err, EINVAL,
				     "image: DEVICES disks[%u] reserved bytes not zero", i);
	if (vlen == sizeof(k->vdev))
		return chaos_err_set(err, EINVAL,
				     "image: DEVICES disks[%u].vdev is not terminated", i);
	/* Unused bytes are zero: nothing hides behind the NUL. */
	if (!all_zero(k->vdev + vlen, sizeof(k->vdev) - vlen))
		return chaos_err_set(err, EINVAL,
				     "image: DEVICES disks[%u].vdev has bytes after its end", i);
	printable(k->vdev, shown);
	if (chaos_config_parse_vdev(k->vdev, &devid, NULL))
		return chaos_err_set(err, EINVAL,
				     "image: DEVICES disks[%u].vdev \"%s\" is not a disk name",
				     i, shown);
	if (devid != k->devid)
		return chaos_err_set(err, EINVAL,
				     "image: DEVICES disks[%u].devid %#x is not \"%s\"'s (%#x)",
				     i, k->devid, shown, devid);
	return 0;
}

/* Disk i's vdev and devid against the disks before it. */
static int check_unique(const struct chaos_saveimg_devices *d, unsigned int i,
			chaos_err *err)
{
	const struct chaos_saveimg_disk *k = &d->disks[i];
	char shown[CHAOS_CONFIG_VDEV_MAX];

	for (unsigned int j = 0; j < i; j++) {
		if (!strcmp(d->disks[j].vdev, k->vdev)) {
			printable(k->vdev, shown);
			return chaos_err_set(err, EINVAL,
					     "image: DEVICES disks[%u].vdev \"%s\" is disks[%u]'s too",
					     i, shown, j);
		}
		/* Distinct names give distinct numbers; kept should that
		 * ever change, as the backend knows a disk by its number. */
		if (d->disks[j].devid == k->devid)
			return chaos_err_set(err, EINVAL,
					     "image: DEVICES disks[%u].devid %#x is disks[%u]'s too",
					     i, k->devid, j);
	}
	return 0;
}

/* Disk i's target at *at in targets[]; *at moves past its NUL. */
static int check_target(const struct chaos_saveimg_devices *d, unsigned int i,
			size_t *at, chaos_err *err)
{
	size_t len = d->disks[i].target_len, room = sizeof(d->targets) - *at;
	const char *t = d->targets + *at;

	if (len < 2)
		return chaos_err_set(err, EINVAL,
				     "image: DEVICES disks[%u].target_len %zu is too short for an absolute path",
				     i, len);
	if (len >= room)
		return chaos_err_set(err, EINVAL,
				     "image: DEVICES disks[%u].target_len %zu runs past targets[] (%zu bytes left)",
				     i, len, room);
	if (t[0] != '/')
		return chaos_err_set(err, EINVAL,
				     "image: DEVICES disks[%u].target is not an absolute path", i);
	if (memchr(t, '\0', len))
		return chaos_err_set(err, EINVAL,
				     "image: DEVICES disks[%u].target has a NUL within its %zu bytes",
				     i, len);
	if (t[len])
		return chaos_err_set(err, EINVAL,
				     "image: DEVICES disks[%u].target is not followed by a NUL", i);
	*at += len + 1;
	return 0;
}

int chaos_saveimg_devices_check(const struct chaos_saveimg_devices *d,
				chaos_err *err)
{
	static const struct chaos_saveimg_disk unused;
	size_t at = 0;

	if (d->devices != CHAOS_SAVEIMG_DEVICES_NOXS &&
	    d->devices != CHAOS_SAVEIMG_DEVICES_XENSTORE)
		return chaos_err_set(err, EINVAL,
				     "image: DEVICES devices %u is neither noxs (%u) nor xenstore (%u)",
				     d->devices, CHAOS_SAVEIMG_DEVICES_NOXS,
				     CHAOS_SAVEIMG_DEVICES_XENSTORE);
	if (!all_zero(d->reserved, sizeof(d->reserved)))
		return chaos_err_set(err, EINVAL, "image: DEVICES reserved bytes not zero");
	if (d->nr_disks > CHAOS_CONFIG_DISKS_MAX)
		return chaos_err_set(err, EINVAL,
				     "image: DEVICES nr_disks %u is more than %u",
				     d->nr_disks, CHAOS_CONFIG_DISKS_MAX);
	if (d->devices == CHAOS_SAVEIMG_DEVICES_NOXS && d->nr_disks)
		return chaos_err_set(err, EINVAL,
				     "image: DEVICES nr_disks %u for a noxs guest, which has no disks",
				     d->nr_disks);
	for (unsigned int i = 0; i < CHAOS_CONFIG_DISKS_MAX; i++) {
		if (i >= d->nr_disks) {
			if (memcmp(&d->disks[i], &unused, sizeof(unused)))
				return chaos_err_set(err, EINVAL,
						     "image: DEVICES unused disks[%u] not zero", i);
			continue;
		}
		if (check_disk(&d->disks[i], i, err) ||
		    check_unique(d, i, err) || check_target(d, i, &at, err))
			return -1;
	}
	if (!all_zero(d->targets + at, sizeof(d->targets) - at))
		return chaos_err_set(err, EINVAL,
				     "image: DEVICES targets has bytes after the last target's NUL (at byte %zu)",
				     at);
	return 0;
}

int chaos_saveimg_devices_pack(struct chaos_saveimg_devices *d,
			       bool xenstore, const chaos_config *cfg,
			       const char *const *targets, chaos_err *err)
{
	size_t at = 0;

	memset(d, 0, sizeof(*d));
	if (!xenstore && cfg->nr_disks)
		return chaos_err_set(err, EINVAL,
				     "image: DEVICES: a noxs guest with %zu disks (it can have none)",
				     cfg->nr_disks);
	if (cfg->nr_disks > CHAOS_CONFIG_DISKS_MAX)
		return chaos_err_set(err, EINVAL, "image: DEVICES: %zu disks, at most %u",
				     cfg->nr_disks, CHAOS_CONFIG_DISKS_MAX);
	d->devices = xenstore ? CHAOS_SAVEIMG_DEVICES_XENSTORE :
				CHAOS_SAVEIMG_DEVICES_NOXS;
	d->nr_disks = (uint8_t)cfg->nr_disks;
	for (size_t i = 0; i < cfg->nr_disks; i++) {
		const chaos_config_disk *c = &cfg->disks[i];
		struct chaos_saveimg_disk *k = &d->disks[i];
		size_t vlen = strnlen(c->vdev, sizeof(c->vdev)), len;

		if (!targets || !targets[i])
			return chaos_err_set(err, EINVAL,
					     "image: DEVICES disks[%zu].target: no path", i);
		len = strlen(targets[i]);
		if (len >= sizeof(d->targets) - at)
			return chaos_err_set(err, E2BIG,
					     "image: DEVICES disks[%zu].target (%zu bytes) does not fit: the disks' paths, each with a NUL, take at most %zu bytes",
					     i, len, sizeof(d->targets));
		if (vlen == sizeof(c->vdev))
			return chaos_err_set(err, EINVAL,
					     "image: DEVICES disks[%zu].vdev is not terminated", i);
		memcpy(d->targets + at, targets[i], len);
		at += len + 1;
		k->target_len = (uint16_t)len;
		k->devid = c->devid;
		/* An enum beyond the byte would wrap into a known kind. */
		k->kind = (unsigned int)c->kind <= CHAOS_DISK_BLOCK ?
				  (uint8_t)c->kind : UINT8_MAX;
		k->readonly = c->readonly;
		/* The rest of the slot stays zero, as the check wants. */
		memcpy(k->vdev, c->vdev, vlen);
	}
	/* What the receiver will check, checked before it is sent: a
	 * relative target or a bad vdev is the caller's mistake. */
	return chaos_saveimg_devices_check(d, err);
}

int chaos_saveimg_devices_unpack(const struct chaos_saveimg_devices *d,
				 chaos_config *cfg, chaos_err *err)
{
	size_t at = 0;

	/* Cheap, and the lengths below are then known to stay inside d. */
	if (chaos_saveimg_devices_check(d, err))
		return -1;
	for (unsigned int i = 0; i < d->nr_disks; i++) {
		const struct chaos_saveimg_disk *k = &d->disks[i];
		chaos_config_disk *c = &cfg->disks[i];

		c->target = strndup(d->targets + at, k->target_len);
		if (!c->target) {
			for (unsigned int j = 0; j < i; j++) {
				free(cfg->disks[j].target);
				memset(&cfg->disks[j], 0, sizeof(cfg->disks[j]));
			}
			return chaos_err_set(err, ENOMEM,
					     "out of memory for disks[%u].target", i);
		}
		at += (size_t)k->target_len + 1;
		c->kind = (chaos_config_disk_kind)k->kind;
		c->readonly = k->readonly != 0;
		memcpy(c->vdev, k->vdev, sizeof(c->vdev));
		c->devid = k->devid;
	}
	cfg->nr_disks = d->nr_disks;
	cfg->devices = d->devices == CHAOS_SAVEIMG_DEVICES_XENSTORE ?
			       CHAOS_DEVICES_XENSTORE : CHAOS_DEVICES_NOXS;
	return 0;
}
