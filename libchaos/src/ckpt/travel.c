// SPDX-License-Identifier: MIT
/* What of a guest's config travels in its image, and back. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/device.h>

#include "ckpt/ckpt.h"
#include "util/util.h"


static int count_vifs(chaos_host *host, uint32_t domid, size_t *n,
		      chaos_err *err)
{
	chaos_device_info *devs;
	size_t count;

	*n = 0;
	if (!chaos_device_available(host))
		return 0;
	if (chaos_device_list(host, domid, &devs, &count, err))
		return -1;
	for (size_t i = 0; i < count; i++)
		*n += devs[i].type == CHAOS_DEV_VIF;
	free(devs);
	return 0;
}

/* One vif as an image carries it (its MAC as the guest has it). */
static void vif_to_image(const chaos_config_vif *from,
			 struct chaos_saveimg_vif *v)
{
	memcpy(v->mac, from->mac, 6);
	v->ip_set = from->ip_set;
	if (v->ip_set)
		memcpy(v->ip, from->ip, 4);
	memcpy(v->bridge, from->bridge, sizeof(v->bridge));
}

/* One vif an image gives (its address is zero unless set: checked when
 * the image was read). */
static void vif_from_image(const struct chaos_saveimg_vif *from,
			   chaos_config_vif *v)
{
	memcpy(v->mac, from->mac, 6);
	v->mac_set = true;
	v->ip_set = from->ip_set;
	memcpy(v->ip, from->ip, 4);
	memcpy(v->bridge, from->bridge, sizeof(v->bridge));
}

/* The vifs of a record from before records kept them: its config file,
 * MACs assigned for this domid. */
static int vifs_from_config(const chaos_domain_record *rec, uint32_t domid,
			    struct chaos_saveimg_config *out, chaos_err *err)
{
	chaos_config cfg;

	if (!rec->config_path[0])
		return chaos_err_set(err, ENOENT,
				     "domain %u has vifs but its config is unknown: cannot save them",
				     domid);
	if (chaos_config_parse_file(rec->config_path, &cfg, err))
		return -1;
	if (chaos_config_assign_macs(&cfg, domid, err)) {
		chaos_config_free(&cfg);
		return -1;
	}
	out->nr_vifs = (uint8_t)cfg.nr_vifs;
	for (size_t i = 0; i < cfg.nr_vifs; i++)
		vif_to_image(&cfg.vifs[i], &out->vifs[i]);
	chaos_config_free(&cfg);
	return 0;
}

/* The vifs as the guest has them: its record's (whatever its config file
 * says by now, and for a restored guest, which has none). */
static void vifs_from_record(const chaos_domain_record *rec,
			     struct chaos_saveimg_config *out)
{
	out->nr_vifs = rec->nr_vifs;
	for (unsigned int i = 0; i < rec->nr_vifs; i++)
		vif_to_image(&rec->vifs[i], &out->vifs[i]);
}

int chaos_ckpt_place_config(struct chaos_restore *r,
			    const chaos_restore_opts *opts, chaos_err *err)
{
	r->config_path[0] = '\0';
	if (!opts || !opts->config_path)
		return 0;
	return guest_restart_config(opts->config_path, opts->as,
				    r->img.cfg.name, r->config_path, err);
}

void chaos_travel_vifs_to_record(const struct chaos_saveimg_config *c,
				 chaos_domain_record *rec)
{
	rec->vifs_known = true;
	rec->nr_vifs = c->nr_vifs;
	for (unsigned int i = 0; i < c->nr_vifs; i++)
		vif_from_image(&c->vifs[i], &rec->vifs[i]);
}

int chaos_travel_config(chaos_host *host, uint32_t domid, uint64_t nr_pages,
			unsigned int vcpus, struct chaos_saveimg_config *out,
			struct chaos_saveimg_devices *dev, chaos_err *err)
{
	chaos_domain_record rec;
	chaos_domain_info info;
	size_t nr_vifs;

	memset(out, 0, sizeof(*out));
	memset(dev, 0, sizeof(*dev));
	if (nr_pages % PAGES_PER_MIB)
		return chaos_err_set(err, EINVAL,
				     "domain %u: %llu pages is not a whole number of MiB",
				     domid, (unsigned long long)nr_pages);
	if (chaos_domain_get(host, domid, &info, err) ||
	    chaos_host_registry(host, err))
		return -1;
	if (chaos_record_load(host->state_dir, domid, info.handle, &rec, err))
		return chaos_err_set(err, ENOENT,
				     "domain %u has no chaos record: only guests chaos built can be saved",
				     domid);
	if (chaos_registry_name_of(host->registry, domid, info.handle,
				   out->name, sizeof(out->name)))
		memset(out->name, 0, sizeof(out->name));
	out->memory_mib = nr_pages / PAGES_PER_MIB;
	out->vcpus = vcpus;
	out->on_poweroff = (uint8_t)rec.on_poweroff;
	out->on_reboot = (uint8_t)rec.on_reboot;
	out->on_crash = (uint8_t)rec.on_crash;
	/* Served through XenStore: what its backends hold is what goes. */
	if (rec.xenstore)
		return chaos_travel_xs(host, domid, out, dev, err);
	dev->devices = CHAOS_SAVEIMG_DEVICES_NOXS;
	if (count_vifs(host, domid, &nr_vifs, err))
		return -1;
	if (rec.vifs_known)
		vifs_from_record(&rec, out);
	else if (nr_vifs && vifs_from_config(&rec, domid, out, err))
		return -1;
	if (out->nr_vifs != nr_vifs)
		return chaos_err_set(err, EINVAL,
				     "domain %u has %zu vifs but its %s lists %u",
				     domid, nr_vifs,
				     rec.vifs_known ? "record" : "config",
				     out->nr_vifs);
	return 0;
}

int chaos_ckpt_place_vifs(struct chaos_saveimg_config *c,
			  const chaos_restore_opts *opts, chaos_err *err)
{
	for (unsigned int i = 0; i < c->nr_vifs; i++) {
		char *bridge = c->vifs[i].bridge;
		const char *to = NULL;

		if (!bridge[0])
			continue;  /* the host's default bridge */
		for (size_t k = 0; opts && k < opts->nr_bridges && !to; k++) {
			const char *e = opts->bridges[k];
			size_t n = strlen(bridge);

			if (!strcmp(e, bridge))
				to = bridge;
			else if (!strncmp(e, bridge, n) && e[n] == '=')
				to = e + n + 1;
		}
		if (!to)
			return chaos_err_set(err, EACCES,
					     "vif %u: the image puts it on bridge '%s'; allow that here (--bridge %s) or map it (--bridge %s=BRIDGE)",
					     i, bridge, bridge, bridge);
		if (strlen(to) >= sizeof(c->vifs[i].bridge) ||
		    cfg_check_bridge(to, strlen(to), NULL) < 0)
			return chaos_err_set(err, EINVAL,
					     "vif %u: '%s' is not a bridge name", i, to);
		if (to != bridge)
			memmove(bridge, to, strlen(to) + 1);
	}
	return 0;
}

void chaos_travel_config_to_config(const struct chaos_saveimg_config *c,
				   chaos_config *cfg)
{
	chaos_config_init(cfg);
	memcpy(cfg->name, c->name, sizeof(cfg->name));
	cfg->memory_mib = c->memory_mib;
	cfg->vcpus = c->vcpus;
	cfg->on_poweroff = c->on_poweroff;
	cfg->on_reboot = c->on_reboot;
	cfg->on_crash = c->on_crash;
	cfg->nr_vifs = c->nr_vifs;
	for (size_t i = 0; i < c->nr_vifs; i++)
		vif_from_image(&c->vifs[i], &cfg->vifs[i]);
}

int chaos_ckpt_recreate_devices(chaos_host *host, uint32_t domid,
				 const struct chaos_saveimg_config *c,
				 chaos_err *err)
{
	chaos_device_info *devs;
	chaos_config cfg;
	size_t n;

	if (!chaos_device_available(host))
		return 0;
	/* The guest closed them for the suspend: their backends are done. */
	if (chaos_device_list(host, domid, &devs, &n, err))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (chaos_device_remove(host, domid, devs[i].type,
					devs[i].devid, err)) {
			free(devs);
			return -1;
		}
	}
	free(devs);
	if (chaos_device_add(host, domid, CHAOS_DEV_POWER, 0, NULL, err))
		return -1;
	chaos_travel_config_to_config(c, &cfg);
	return chaos_guest_add_vifs(host, &cfg, domid, 0, false, NULL, NULL,
				    NULL, err);
}
