// SPDX-License-Identifier: MIT
/* What chaos knows of one guest: the hypervisor's view plus its record. */
#include <errno.h>
#include <string.h>

#include <chaos/guest.h>

#include "guest/guest.h"

int chaos_guest_get(chaos_host *host, uint32_t domid, chaos_guest_info *out,
		    chaos_err *err)
{
	chaos_domain_record rec;
	chaos_domain_info info;

	memset(out, 0, sizeof(*out));
	if (chaos_domain_get(host, domid, &info, err))
		return -1;
	out->domid = domid;
	out->kind = chaos_domain_handle_kind(info.handle);
	/* Bound to the handle: a leftover of an earlier domain is no record. */
	if (chaos_record_load(chaos_host_state_dir(host), domid, info.handle,
			      &rec, NULL))
		return chaos_err_set(err, ENOENT,
				     "domain %u is not a guest chaos built",
				     domid);
	memcpy(out->name, rec.name, sizeof(out->name));
	out->name[sizeof(out->name) - 1] = '\0';
	out->on_poweroff = (chaos_config_action)rec.on_poweroff;
	out->on_reboot = (chaos_config_action)rec.on_reboot;
	out->on_crash = (chaos_config_action)rec.on_crash;
	memcpy(out->config_path, rec.config_path, sizeof(out->config_path));
	out->config_path[sizeof(out->config_path) - 1] = '\0';
	out->owner = rec.owner;
	return 0;
}
