// SPDX-License-Identifier: MIT
/* chaos_config: defaults, freeing, and validation of configs built in C. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

void chaos_config_init(chaos_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->memory_mib = CHAOS_CONFIG_DEFAULT_MEMORY;
	cfg->vcpus = CHAOS_CONFIG_DEFAULT_VCPUS;
	cfg->on_poweroff = CHAOS_ACTION_DESTROY;
	cfg->on_reboot = CHAOS_ACTION_RESTART;
	cfg->on_crash = CHAOS_ACTION_DESTROY;
}

void chaos_config_free(chaos_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->kernel);
	free(cfg->ramdisk);
	free(cfg->cmdline);
	/* Every slot: a parse that failed mid-disk leaves its target there. */
	for (size_t i = 0; i < CHAOS_CONFIG_DISKS_MAX; i++)
		free(cfg->disks[i].target);
	chaos_config_init(cfg);
}

bool chaos_config_cpu_isset(const chaos_config *cfg, unsigned int cpu)
{
	if (cpu >= CHAOS_CONFIG_CPUS_MAX)
		return false;
	return cfg->cpumap[cpu / 8] & (1u << (cpu % 8));
}

void chaos_config_cpu_set(chaos_config *cfg, unsigned int cpu)
{
	if (cpu >= CHAOS_CONFIG_CPUS_MAX)
		return;
	cfg->cpumap[cpu / 8] |= (uint8_t)(1u << (cpu % 8));
	cfg->cpus_set = true;
}

/* Run a value check and prefix its message with the key. */
static int keyed(int rc, const char *key, chaos_err *err)
{
	char why[CHAOS_ERR_MSG_MAX];

	if (rc == 0)
		return 0;
	snprintf(why, sizeof(why), "%s", err ? err->msg : "");
	return chaos_err_set(err, EINVAL, "%s: %s", key, why);
}

static bool action_ok(chaos_config_action a)
{
	return a == CHAOS_ACTION_DESTROY || a == CHAOS_ACTION_RESTART ||
	       a == CHAOS_ACTION_PRESERVE;
}

static int validate_vif(const chaos_config_vif *vif, size_t i, chaos_err *err)
{
	char key[48];
	size_t blen = strnlen(vif->bridge, sizeof(vif->bridge));

	if (vif->mac_set) {
		snprintf(key, sizeof(key), "vifs[%zu].mac", i);
		if ((vif->mac[0] & 0x01) ||
		    !(vif->mac[0] | vif->mac[1] | vif->mac[2] | vif->mac[3] |
		      vif->mac[4] | vif->mac[5]))
			return chaos_err_set(err, EINVAL,
				"%s: must be a unicast, non-zero address", key);
	}
	if (vif->ip_set) {
		char text[16];
		uint8_t ip[4];

		snprintf(key, sizeof(key), "vifs[%zu].ip", i);
		snprintf(text, sizeof(text), "%u.%u.%u.%u", vif->ip[0],
			 vif->ip[1], vif->ip[2], vif->ip[3]);
		if (keyed(cfg_parse_ip(text, strlen(text), ip, err), key, err))
			return -1;
	}
	snprintf(key, sizeof(key), "vifs[%zu].bridge", i);
	if (blen == sizeof(vif->bridge))
		return chaos_err_set(err, EINVAL, "%s: not NUL-terminated", key);
	if (blen && keyed(cfg_check_bridge(vif->bridge, blen, err), key, err))
		return -1;
	return 0;
}

static int validate_disk(const chaos_config *cfg, size_t i, chaos_err *err)
{
	const chaos_config_disk *disk = &cfg->disks[i];
	size_t vlen = strnlen(disk->vdev, sizeof(disk->vdev));
	uint32_t devid;
	char key[48];
	int same;

	snprintf(key, sizeof(key), "disks[%zu].target", i);
	if (!disk->target)
		return chaos_err_set(err, EINVAL, "%s: required key is missing",
				     key);
	if (keyed(cfg_check_path(disk->target, strlen(disk->target), err),
		  key, err))
		return -1;
	snprintf(key, sizeof(key), "disks[%zu].vdev", i);
	if (vlen == sizeof(disk->vdev))
		return chaos_err_set(err, EINVAL, "%s: not NUL-terminated", key);
	if (keyed(cfg_parse_vdev(disk->vdev, vlen, &devid, err), key, err))
		return -1;
	if (devid != disk->devid)
		return chaos_err_set(err, EINVAL,
			"%s: devid %#x does not match \"%s\" (%#x)", key,
			disk->devid, disk->vdev, devid);
	same = cfg_disk_same_vdev(cfg, i, devid);
	if (same >= 0)
		return chaos_err_set(err, EINVAL, "%s: same device as disks[%d]",
				     key, same);
	if (disk->kind != CHAOS_DISK_AUTO && disk->kind != CHAOS_DISK_FILE &&
	    disk->kind != CHAOS_DISK_BLOCK)
		return chaos_err_set(err, EINVAL, "disks[%zu].kind: unknown kind",
				     i);
	return 0;
}

int chaos_config_validate(const chaos_config *cfg, chaos_err *err)
{
	size_t nlen = strnlen(cfg->name, sizeof(cfg->name));

	if (nlen == sizeof(cfg->name))
		return chaos_err_set(err, EINVAL, "name: not NUL-terminated");
	if (nlen && keyed(cfg_check_name(cfg->name, nlen, err), "name", err))
		return -1;
	if (!cfg->kernel)
		return chaos_err_set(err, EINVAL,
				     "kernel: required key is missing");
	if (keyed(cfg_check_path(cfg->kernel, strlen(cfg->kernel), err),
		  "kernel", err))
		return -1;
	if (cfg->ramdisk &&
	    keyed(cfg_check_path(cfg->ramdisk, strlen(cfg->ramdisk), err),
		  "ramdisk", err))
		return -1;
	if (cfg->cmdline &&
	    keyed(cfg_check_cmdline(cfg->cmdline, strlen(cfg->cmdline), err),
		  "cmdline", err))
		return -1;
	if (cfg->memory_mib < 1 || cfg->memory_mib > CHAOS_CONFIG_MEMORY_MAX)
		return chaos_err_set(err, EINVAL,
			"memory: expected an integer from 1 to %d, got %llu",
			CHAOS_CONFIG_MEMORY_MAX,
			(unsigned long long)cfg->memory_mib);
	if (cfg->vcpus < 1 || cfg->vcpus > CHAOS_CONFIG_VCPUS_MAX)
		return chaos_err_set(err, EINVAL,
			"vcpus: expected an integer from 1 to %d, got %u",
			CHAOS_CONFIG_VCPUS_MAX, cfg->vcpus);
	if (cfg->cpus_set) {
		bool any = false;

		for (size_t b = 0; b < sizeof(cfg->cpumap); b++)
			any |= cfg->cpumap[b] != 0;
		if (!any)
			return chaos_err_set(err, EINVAL,
					     "cpus: the CPU list is empty");
	}
	if (!action_ok(cfg->on_poweroff))
		return chaos_err_set(err, EINVAL, "on_poweroff: unknown action");
	if (!action_ok(cfg->on_reboot))
		return chaos_err_set(err, EINVAL, "on_reboot: unknown action");
	if (!action_ok(cfg->on_crash))
		return chaos_err_set(err, EINVAL, "on_crash: unknown action");
	if ((unsigned int)cfg->devices > CHAOS_DEVICES_XENSTORE)
		return chaos_err_set(err, EINVAL, "devices: unknown value");
	if (cfg->devices == CHAOS_DEVICES_NOXS && cfg->nr_disks)
		return chaos_err_set(err, EINVAL,
				     "disks: a noxs guest has no block devices (\"devices\": \"xenstore\" serves them)");
	if (cfg->nr_vifs > CHAOS_CONFIG_VIFS_MAX)
		return chaos_err_set(err, EINVAL, "vifs: at most %d vifs, got %zu",
				     CHAOS_CONFIG_VIFS_MAX, cfg->nr_vifs);
	for (size_t i = 0; i < cfg->nr_vifs; i++) {
		if (validate_vif(&cfg->vifs[i], i, err) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (cfg->vifs[i].mac_set && cfg->vifs[j].mac_set &&
			    !memcmp(cfg->vifs[i].mac, cfg->vifs[j].mac, 6))
				return chaos_err_set(err, EINVAL,
					"vifs[%zu].mac: same MAC as vifs[%zu]",
					i, j);
	}
	if (cfg->nr_disks > CHAOS_CONFIG_DISKS_MAX)
		return chaos_err_set(err, EINVAL,
				     "disks: at most %d disks, got %zu",
				     CHAOS_CONFIG_DISKS_MAX, cfg->nr_disks);
	for (size_t i = 0; i < cfg->nr_disks; i++)
		if (validate_disk(cfg, i, err) < 0)
			return -1;
	return 0;
}
