// SPDX-License-Identifier: MIT
/*
 * A guest served through XenStore (guest.h): which guests are, and the
 * steps of their create that a noxs guest does not have: the store
 * channel, the reserved grants, the entries and the wait for hotplug.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "guest/guest.h"
#include "dev/dev.h"

/* How long a create waits for xendevd to set up a backend. */
#define XS_HOTPLUG_TIMEOUT_MS 20000u
#define KIB_PER_MIB 1024u

bool guest_wants_xenstore(const chaos_config *cfg,
			  const struct chaos_image *img)
{
	if (cfg->devices != CHAOS_DEVICES_AUTO)
		return cfg->devices == CHAOS_DEVICES_XENSTORE;
	return strcmp(img->guest_os, "linux") == 0;
}

int guest_xenstore_check(chaos_host *host, const chaos_config *cfg,
			 const struct chaos_disk_target *targets,
			 chaos_err *err)
{
	if (!chaos_host_xs(host, err))
		return -1;
	return chaos_xs_disks_in_use(host, cfg, targets, err);
}

int guest_xenstore_channel(chaos_host *host, struct chaos_shell *shell,
			   chaos_err *err)
{
	int port = xc_evtchn_alloc_unbound(host->xch, shell->domid, 0);

	if (port < 0)
		return chaos_err_xen(err, host, errno,
				     "domain %u: cannot make its xenstore event channel",
				     shell->domid);
	shell->store_port = (uint32_t)port;
	return 0;
}

int guest_xenstore_attach(chaos_host *host, const chaos_config *cfg,
			  const struct chaos_shell *shell,
			  uint64_t console_mfn,
			  const struct chaos_disk_target *targets,
			  chaos_err *err)
{
	struct chaos_xs_guest g = {
		.domid = shell->domid, .name = cfg->name,
		.memory_kib = cfg->memory_mib * KIB_PER_MIB,
		.vcpus = cfg->vcpus, .store_mfn = shell->store_mfn,
		.store_port = shell->store_port, .disk_targets = targets,
	};
	chaos_config macs;

	/* Only the vifs change; the strings stay the caller's. */
	macs = *cfg;
	if (chaos_config_assign_macs(&macs, shell->domid, err) ||
	    chaos_shell_seed_grants(host, shell->domid, console_mfn,
				    shell->store_mfn, err) ||
	    chaos_xs_guest_add(host, &g, &macs, err))
		return -1;
	if (chaos_xs_guest_wait_devices(host, shell->domid, &macs,
					XS_HOTPLUG_TIMEOUT_MS, err)) {
		chaos_xs_guest_remove(host, shell->domid, NULL);
		return -1;
	}
	return 0;
}
