// SPDX-License-Identifier: MIT
/*
 * A config back to JSON (docs/config.md): for chaosd's create request,
 * which carries the config as a JSON object whatever file it came from
 * (an xl.cfg file included), and for orchestrators that keep configs.
 * Parsing the result gives the same config back.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"

/* yajl would drop a string that is not UTF-8 and leave broken JSON. */
static int utf8(const char *s, const char *key, chaos_err *err)
{
	if (s && !cfg_utf8_valid(s, strlen(s), NULL))
		return chaos_err_set(err, EINVAL,
				     "%s: not valid UTF-8, cannot be written as JSON",
				     key);
	return 0;
}

static void vifs(yajl_gen g, const chaos_config *cfg)
{
	char text[18];

	chaos_json_key(g, "vifs");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < cfg->nr_vifs; i++) {
		const chaos_config_vif *v = &cfg->vifs[i];

		yajl_gen_map_open(g);
		if (v->mac_set) {
			chaos_config_format_mac(v->mac, text);
			chaos_json_str(g, "mac", text);
		}
		if (v->ip_set) {
			snprintf(text, sizeof(text), "%u.%u.%u.%u", v->ip[0],
				 v->ip[1], v->ip[2], v->ip[3]);
			chaos_json_str(g, "ip", text);
		}
		if (v->bridge[0])
			chaos_json_str(g, "bridge", v->bridge);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void disks(yajl_gen g, const chaos_config *cfg)
{
	chaos_json_key(g, "disks");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < cfg->nr_disks; i++) {
		const chaos_config_disk *d = &cfg->disks[i];

		yajl_gen_map_open(g);
		chaos_json_str(g, "target", d->target);
		chaos_json_str(g, "vdev", d->vdev);
		chaos_json_str(g, "mode", d->readonly ? "ro" : "rw");
		if (d->kind != CHAOS_DISK_AUTO)
			chaos_json_str(g, "kind", d->kind == CHAOS_DISK_FILE ?
				       "file" : "block");
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

int chaos_config_to_json(const chaos_config *cfg, char **json,
			 chaos_err *err)
{
	yajl_gen g;

	*json = NULL;
	if (chaos_config_validate(cfg, err) || utf8(cfg->kernel, "kernel", err) ||
	    utf8(cfg->ramdisk, "ramdisk", err) ||
	    utf8(cfg->cmdline, "cmdline", err))
		return -1;
	for (size_t i = 0; i < cfg->nr_disks; i++)
		if (utf8(cfg->disks[i].target, "disks[].target", err))
			return -1;
	g = chaos_json_begin_as(false, err);
	if (!g)
		return -1;
	yajl_gen_map_open(g);
	if (cfg->name[0])
		chaos_json_str(g, "name", cfg->name);
	chaos_json_str(g, "kernel", cfg->kernel);
	if (cfg->ramdisk)
		chaos_json_str(g, "ramdisk", cfg->ramdisk);
	if (cfg->cmdline)
		chaos_json_str(g, "cmdline", cfg->cmdline);
	chaos_json_uint(g, "memory", cfg->memory_mib);
	chaos_json_uint(g, "vcpus", cfg->vcpus);
	if (cfg->cpus_set) {
		chaos_json_key(g, "cpus");
		yajl_gen_array_open(g);
		for (unsigned c = 0; c < CHAOS_CONFIG_CPUS_MAX; c++)
			if (chaos_config_cpu_isset(cfg, c))
				yajl_gen_integer(g, c);
		yajl_gen_array_close(g);
	}
	chaos_json_str(g, "on_poweroff", chaos_config_action_name(cfg->on_poweroff));
	chaos_json_str(g, "on_reboot", chaos_config_action_name(cfg->on_reboot));
	chaos_json_str(g, "on_crash", chaos_config_action_name(cfg->on_crash));
	chaos_json_bool(g, "paused", cfg->paused);
	if (cfg->devices != CHAOS_DEVICES_AUTO)
		chaos_json_str(g, "devices",
			       chaos_config_devices_name(cfg->devices));
	if (cfg->nr_vifs)
		vifs(g, cfg);
	if (cfg->nr_disks)
		disks(g, cfg);
	yajl_gen_map_close(g);
	return chaos_json_finish(g, json, err);
}
