// SPDX-License-Identifier: MIT
/*
 * xl's device spec strings: a vif ("mac=..,bridge=..", from
 * xl-network-configuration(5)) and a disk ("/img,raw,xvda,rw" or
 * "vdev=xvda, target=/img", from xl-disk-configuration(5)). What chaos has
 * an equivalent for is mapped; every other setting is refused by name,
 * never dropped, so a guest never runs with less than its file asked for.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"

#define SPEC_KEY_MAX 24

/* One "key=value" (or a bare word) of a spec, trimmed. */
struct spec_item {
	const char *key;     /* NULL: no '=' */
	size_t klen;
	const char *val;
	size_t vlen;
};

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void trim(const char **s, size_t *len)
{
	while (*len && blank(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && blank((*s)[*len - 1]))
		(*len)--;
}

/* Split s[0, len) at the first '=' into *it. */
static void split_item(const char *s, size_t len, struct spec_item *it)
{
	const char *eq = memchr(s, '=', len);

	memset(it, 0, sizeof(*it));
	if (!eq) {
		it->val = s;
		it->vlen = len;
		trim(&it->val, &it->vlen);
		return;
	}
	it->key = s;
	it->klen = (size_t)(eq - s);
	it->val = eq + 1;
	it->vlen = len - it->klen - 1;
	trim(&it->key, &it->klen);
	trim(&it->val, &it->vlen);
}

static bool is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !memcmp(s, word, len);
}

/* "label: key: why" with the check's message as why. */
static int keyed(const char *label, const char *key, size_t klen,
		 chaos_err *err)
{
	char why[CHAOS_ERR_MSG_MAX], k[CFG_QUOTE_MAX];

	/* Only known keys get here: they are short and plain. */
	snprintf(why, sizeof(why), "%s", err ? err->msg : "invalid");
	snprintf(k, sizeof(k), "%.*s", (int)(klen < SPEC_KEY_MAX ? klen :
					      SPEC_KEY_MAX), key);
	return chaos_err_set(err, EINVAL, "%s.%s: %s", label, k, why);
}

/* A spec key chaos does not take: shown bare if plain, else quoted. */
static int refuse(const char *label, const char *key, size_t klen,
		  const char *why, chaos_err *err)
{
	char k[CFG_QUOTE_MAX];
	bool plain = klen > 0 && klen <= SPEC_KEY_MAX;

	for (size_t i = 0; plain && i < klen; i++)
		plain = (key[i] >= 'a' && key[i] <= 'z') ||
			(key[i] >= '0' && key[i] <= '9') || key[i] == '_' ||
			key[i] == '-';
	if (plain)
		snprintf(k, sizeof(k), "%.*s", (int)klen, key);
	else
		cfg_quote(key, klen, k);
	return chaos_err_set(err, EINVAL, "%s: %s: %s", label, k, why);
}

/* Each key once: bit k of *seen. */
static int once(const char *label, const struct spec_item *it, int k,
		unsigned *seen, chaos_err *err)
{
	if (*seen & (1u << k))
		return chaos_err_set(err, EINVAL, "%s.%.*s: given twice", label,
				     (int)it->klen, it->key);
	*seen |= 1u << k;
	return 0;
}

/* The last path component of a script name: "vif-bridge" either way. */
static bool is_vif_bridge(const char *s, size_t len)
{
	const char *slash = NULL;

	for (size_t i = 0; i < len; i++)
		if (s[i] == '/')
			slash = s + i;
	if (slash) {
		len -= (size_t)(slash + 1 - s);
		s = slash + 1;
	}
	return is(s, len, "vif-bridge");
}

enum { VK_MAC, VK_BRIDGE, VK_IP, VK_SCRIPT, VK_TYPE, VK_BACKEND };

static int vif_item(const struct spec_item *it, const char *label,
		    chaos_config *cfg, chaos_config_vif *vif, unsigned *seen,
		    chaos_err *err)
{
	const char *k = it->key, *v = it->val;
	size_t kl = it->klen, vl = it->vlen;

	if (!k)
		return refuse(label, v, vl, "expected key=value", err);
	if (is(k, kl, "mac")) {
		if (once(label, it, VK_MAC, seen, err))
			return -1;
		if (cfg_parse_mac(v, vl, vif->mac, err))
			return keyed(label, k, kl, err);
		for (size_t j = 0; j < cfg->nr_vifs; j++)
			if (cfg->vifs[j].mac_set &&
			    !memcmp(cfg->vifs[j].mac, vif->mac, 6))
				return chaos_err_set(err, EINVAL,
					"%s.mac: same MAC as vif[%zu]", label, j);
		vif->mac_set = true;
	} else if (is(k, kl, "bridge")) {
		if (once(label, it, VK_BRIDGE, seen, err))
			return -1;
		if (cfg_check_bridge(v, vl, err))
			return keyed(label, k, kl, err);
		memcpy(vif->bridge, v, vl);
		vif->bridge[vl] = '\0';
	} else if (is(k, kl, "ip")) {
		if (once(label, it, VK_IP, seen, err))
			return -1;
		if (memchr(v, ' ', vl))
			return chaos_err_set(err, EINVAL,
				"%s.ip: one address only: chaos gives a vif one IPv4 address",
				label);
		if (cfg_parse_ip(v, vl, vif->ip, err))
			return keyed(label, k, kl, err);
		vif->ip_set = true;
	} else if (is(k, kl, "script")) {
		if (once(label, it, VK_SCRIPT, seen, err))
			return -1;
		if (!is_vif_bridge(v, vl))
			return chaos_err_set(err, EINVAL,
				"%s.script: chaos runs no hotplug scripts; xendevd does what vif-bridge does, and only that",
				label);
	} else if (is(k, kl, "type")) {
		if (once(label, it, VK_TYPE, seen, err))
			return -1;
		if (!is(v, vl, "vif"))
			return chaos_err_set(err, EINVAL,
				"%s.type: only \"vif\" (a PV network device); emulated NICs are for HVM guests",
				label);
	} else if (is(k, kl, "backend")) {
		if (once(label, it, VK_BACKEND, seen, err))
			return -1;
		if (!is(v, vl, "0") && !is(v, vl, "Domain-0"))
			return chaos_err_set(err, EINVAL,
				"%s.backend: driver domains are not supported: the backend is Domain-0",
				label);
	} else if (is(k, kl, "model")) {
		return refuse(label, k, kl,
			"not supported: emulated NIC models are for HVM guests",
			err);
	} else if (is(k, kl, "vifname")) {
		return refuse(label, k, kl,
			"not supported: chaos names backend interfaces vif<domid>.<n>",
			err);
	} else if (is(k, kl, "rate")) {
		return refuse(label, k, kl,
			"not supported: chaos has no vif rate limiting", err);
	} else {
		return refuse(label, k, kl, "unknown or unsupported vif setting",
			      err);
	}
	return 0;
}

int xl_parse_vif(const char *spec, size_t len, const char *label,
		 chaos_config *cfg, chaos_err *err)
{
	chaos_config_vif vif;
	unsigned seen = 0;
	size_t i = 0;

	if (cfg->nr_vifs >= CHAOS_CONFIG_VIFS_MAX)
		return chaos_err_set(err, EINVAL, "%s: at most %d vifs",
				     label, CHAOS_CONFIG_VIFS_MAX);
	memset(&vif, 0, sizeof(vif));
	while (i < len) {
		const char *comma = memchr(spec + i, ',', len - i);
		size_t end = comma ? (size_t)(comma - spec) : len;
		struct spec_item it;

		split_item(spec + i, end - i, &it);
		i = end + 1;
		if (!it.key && !it.vlen)
			continue;       /* "" is a vif with every default */
		if (vif_item(&it, label, cfg, &vif, &seen, err))
			return -1;
	}
	cfg->vifs[cfg->nr_vifs++] = vif;
	return 0;
}

/* ---- disks ---- */

enum { DK_TARGET, DK_FORMAT, DK_VDEV, DK_ACCESS, DK_DEVTYPE, DK_BACKENDTYPE,
       DK_COUNT };

static const char *const disk_keys[DK_COUNT] = {
	"target", "format", "vdev", "access", "devtype", "backendtype",
};

struct disk_spec {
	unsigned seen;          /* bit per DK_*: given, by name or position */
	bool prefixed;          /* a "phy:" style prefix stood for the format */
	const char *target;
	size_t target_len;
	chaos_config_disk *disk;
	bool vdev_set;
};

/* Deprecated target prefixes xl still reads, and what chaos makes of them. */
static int target_prefix(struct disk_spec *d, const char *label,
			 const char **v, size_t *vl, chaos_err *err)
{
	static const char *const ok[] = { "phy:", "file:", "raw:" };
	static const char *const refused[] = {
		"tap:", "tap2:", "tapdisk:", "aio:", "qcow:", "qcow2:",
		"vhd:", "qed:", "ioemu:", "iscsi:", "nbd:", "enbd:", "drbd:",
	};

	for (size_t k = 0; k < sizeof(ok) / sizeof(*ok); k++) {
		size_t n = strlen(ok[k]);

		if (*vl >= n && !memcmp(*v, ok[k], n)) {
			*v += n;
			*vl -= n;
			d->prefixed = true;
			return 0;
		}
	}
	for (size_t k = 0; k < sizeof(refused) / sizeof(*refused); k++) {
		size_t n = strlen(refused[k]);

		if (*vl >= n && !memcmp(*v, refused[k], n))
			return chaos_err_set(err, EINVAL,
				"%s.target: prefix \"%s\" is not supported: chaos serves raw images and block devices only",
				label, refused[k]);
	}
	return 0;
}

static int disk_value(struct disk_spec *d, int k, const char *label,
		      const char *v, size_t vl, chaos_err *err)
{
	chaos_config_disk *disk = d->disk;
	const char *name = disk_keys[k];
	char q[CFG_QUOTE_MAX];

	if (d->seen & (1u << k))
		return chaos_err_set(err, EINVAL, "%s.%s: given twice", label,
				     name);
	d->seen |= 1u << k;
	cfg_quote(v, vl, q);
	switch (k) {
	case DK_TARGET:
		if (target_prefix(d, label, &v, &vl, err))
			return -1;
		if (vl == 0)
			return chaos_err_set(err, EINVAL,
				"%s.target: empty: chaos has no removable (CD-ROM) disks",
				label);
		if (cfg_check_path(v, vl, err))
			return keyed(label, name, strlen(name), err);
		d->target = v;
		d->target_len = vl;
		break;
	case DK_FORMAT:
		if (vl == 0 || is(v, vl, "raw"))
			break;
		if (is(v, vl, "qcow") || is(v, vl, "qcow2") ||
		    is(v, vl, "vhd") || is(v, vl, "qed") || is(v, vl, "empty"))
			return chaos_err_set(err, EINVAL,
				"%s.format: %s is not supported: only raw images (dom0's blkback reads raw)",
				label, q);
		return chaos_err_set(err, EINVAL,
			"%s.format: %s: expected a format like \"raw\"", label, q);
	case DK_VDEV:
		if (vl == 0)
			break;  /* an empty positional: still missing */
		if (memchr(v, ':', vl))
			return chaos_err_set(err, EINVAL,
				"%s.vdev: %s: the \"vdev:devtype\" form is not supported (no CD-ROMs)",
				label, q);
		if (cfg_parse_vdev(v, vl, &disk->devid, err))
			return keyed(label, name, strlen(name), err);
		memcpy(disk->vdev, v, vl);
		disk->vdev[vl] = '\0';
		d->vdev_set = true;
		break;
	case DK_ACCESS:
		if (vl == 0)
			break;
		if (cfg_parse_disk_mode(v, vl, true, &disk->readonly, err))
			return keyed(label, name, strlen(name), err);
		break;
	case DK_DEVTYPE:
		if (!is(v, vl, "disk"))
			return chaos_err_set(err, EINVAL,
				"%s.devtype: %s is not supported: only \"disk\" (no CD-ROMs)",
				label, q);
		break;
	case DK_BACKENDTYPE:
		if (!is(v, vl, "phy"))
			return chaos_err_set(err, EINVAL,
				"%s.backendtype: %s is not supported: only \"phy\" (dom0's blkback)",
				label, q);
		break;
	}
	return 0;
}

/* A parameter without '=': a flag, or the next unset positional one. */
static int disk_bare(struct disk_spec *d, const char *label, const char *v,
		     size_t vl, chaos_err *err)
{
	static const int order[] = { DK_TARGET, DK_FORMAT, DK_VDEV, DK_ACCESS };

	if (is(v, vl, "cdrom"))
		return chaos_err_set(err, EINVAL,
			"%s.cdrom: not supported: only disks (no CD-ROMs)", label);
	if (is(v, vl, "discard") || is(v, vl, "no-discard") ||
	    is(v, vl, "direct-io-safe") || is(v, vl, "trusted") ||
	    is(v, vl, "untrusted") || is(v, vl, "colo"))
		return refuse(label, v, vl, "flag not supported", err);
	for (size_t k = 0; k < sizeof(order) / sizeof(*order); k++) {
		int slot = order[k];

		if (d->seen & (1u << slot))
			continue;
		if (slot == DK_FORMAT && d->prefixed) {
			d->seen |= 1u << slot;  /* the prefix stood for it */
			continue;
		}
		return disk_value(d, slot, label, v, vl, err);
	}
	return chaos_err_set(err, EINVAL,
			     "%s: too many positional parameters (at most target, format, vdev, access)",
			     label);
}

static int disk_item(struct disk_spec *d, const struct spec_item *it,
		     const char *label, chaos_err *err)
{
	if (!it->key)
		return disk_bare(d, label, it->val, it->vlen, err);
	for (int k = 0; k < DK_COUNT; k++)
		if (is(it->key, it->klen, disk_keys[k]))
			return disk_value(d, k, label, it->val, it->vlen, err);
	if (is(it->key, it->klen, "script"))
		return refuse(label, it->key, it->klen,
			"not supported: chaos runs no hotplug scripts", err);
	if (is(it->key, it->klen, "backend"))
		return refuse(label, it->key, it->klen,
			"not supported: driver domains are not supported", err);
	return refuse(label, it->key, it->klen,
		      "unknown or unsupported disk setting", err);
}

int xl_parse_disk(const char *spec, size_t len, const char *label,
		  chaos_config *cfg, chaos_err *err)
{
	chaos_config_disk disk;
	struct disk_spec d = { .disk = &disk };
	size_t i = 0;
	int same;

	if (cfg->nr_disks >= CHAOS_CONFIG_DISKS_MAX)
		return chaos_err_set(err, EINVAL, "%s: at most %d disks",
				     label, CHAOS_CONFIG_DISKS_MAX);
	memset(&disk, 0, sizeof(disk));
	while (i < len) {
		const char *comma;
		size_t end;
		struct spec_item it;

		while (i < len && blank(spec[i]))
			i++;
		if (i == len)
			break;
		/* "target=" takes the rest of the spec, commas and all. */
		if (len - i >= 7 && !memcmp(spec + i, "target=", 7)) {
			if (disk_value(&d, DK_TARGET, label, spec + i + 7,
				       len - i - 7, err))
				return -1;
			break;
		}
		comma = memchr(spec + i, ',', len - i);
		end = comma ? (size_t)(comma - spec) : len;
		split_item(spec + i, end - i, &it);
		i = end + 1;
		if (disk_item(&d, &it, label, err))
			return -1;
	}
	if (!d.target)
		return chaos_err_set(err, EINVAL,
				     "%s.target: missing (the image or device)",
				     label);
	if (!d.vdev_set)
		return chaos_err_set(err, EINVAL,
			"%s.vdev: missing (the guest's device name, e.g. xvda)",
			label);
	same = cfg_disk_same_vdev(cfg, cfg->nr_disks, disk.devid);
	if (same >= 0)
		return chaos_err_set(err, EINVAL,
				     "%s.vdev: \"%s\" is already disk[%d]'s",
				     label, disk.vdev, same);
	disk.kind = CHAOS_DISK_AUTO;
	disk.target = strndup(d.target, d.target_len);
	if (!disk.target)
		return chaos_err_set(err, ENOMEM, "out of memory");
	cfg->disks[cfg->nr_disks++] = disk;
	return 0;
}
