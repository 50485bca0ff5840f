// SPDX-License-Identifier: MIT
/*
 * chaos run's config: the three actions set to "destroy", so the guest's
 * end is the process's end and restarting is the supervisor's job
 * (systemd, a containerd shim, an orchestrator).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

void run_config_actions(chaos_config *cfg)
{
	cfg->on_poweroff = CHAOS_ACTION_DESTROY;
	cfg->on_reboot = CHAOS_ACTION_DESTROY;
	cfg->on_crash = CHAOS_ACTION_DESTROY;
}

int run_status_for(const char *reason, bool killed)
{
	if (killed)
		return RUN_EXIT_KILLED;
	if (!strcmp(reason, "poweroff"))
		return RUN_EXIT_POWEROFF;
	if (!strcmp(reason, "reboot"))
		return RUN_EXIT_REBOOT;
	if (!strcmp(reason, "crash") || !strcmp(reason, "watchdog"))
		return RUN_EXIT_CRASH;
	if (!strcmp(reason, "saved") || !strcmp(reason, "migrated") ||
	    !strcmp(reason, "suspend"))
		return RUN_EXIT_MOVED;
	return RUN_EXIT_DESTROYED;
}
