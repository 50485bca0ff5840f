// SPDX-License-Identifier: MIT
/* Domain state from hypervisor flags, and who built a domain from its handle. */
#include <string.h>
#include <xenctrl.h>
#include <chaos/domain.h>

#include "hyp/hyp.h"

chaos_domain_state chaos_domain_state_from_flags(uint32_t flags)
{
	/* Most final first: a dying domain may also be shut down and paused. */
	if (flags & XEN_DOMINF_dying)
		return CHAOS_STATE_DYING;
	if (flags & XEN_DOMINF_shutdown)
		return CHAOS_STATE_SHUTDOWN;
	if (flags & XEN_DOMINF_paused)
		return CHAOS_STATE_PAUSED;
	if (flags & XEN_DOMINF_running)
		return CHAOS_STATE_RUNNING;
	return CHAOS_STATE_BLOCKED;
}

const char *chaos_domain_state_name(chaos_domain_state state)
{
	switch (state) {
	case CHAOS_STATE_RUNNING:
		return "running";
	case CHAOS_STATE_BLOCKED:
		return "blocked";
	case CHAOS_STATE_PAUSED:
		return "paused";
	case CHAOS_STATE_SHUTDOWN:
		return "shutdown";
	case CHAOS_STATE_DYING:
		return "dying";
	}
	return "unknown";
}

const char *chaos_domain_display_name(const chaos_domain_info *d)
{
	if (d->name[0])
		return d->name;
	if (d->domid == 0)
		return "Domain-0";
	return "(unnamed)";
}

enum chaos_domain_kind chaos_domain_handle_kind(const uint8_t handle[16])
{
	if (memcmp(handle, CHAOS_HANDLE_MAGIC, CHAOS_HANDLE_MAGIC_LEN))
		return CHAOS_KIND_FOREIGN;
	switch (handle[CHAOS_HANDLE_MAGIC_LEN]) {
	case CHAOS_KIND_GUEST:
		return CHAOS_KIND_GUEST;
	case CHAOS_KIND_SHELL:
		return CHAOS_KIND_SHELL;
	default:
		return CHAOS_KIND_FOREIGN;
	}
}
