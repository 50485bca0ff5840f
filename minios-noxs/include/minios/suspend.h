/* SPDX-License-Identifier: MIT */
/*
 * Suspend and resume (kernel/suspend.c), for a save, a restore or a
 * migration. The noxs power frontend calls minios_suspend() when dom0 asks
 * for a suspend; apps only see the two hooks.
 */
#ifndef MINIOS_SUSPEND_H
#define MINIOS_SUSPEND_H

#include <stdbool.h>

#include <minios/os.h>

#define MINIOS_RESUMED_NEW_DOMAIN 0	/* restored or migrated */
#define MINIOS_RESUMED_CANCELLED 1	/* the same domain goes on */

/*
 * Disconnect every device, suspend the domain, and, once it runs again,
 * reconnect: MINIOS_RESUMED_NEW_DOMAIN or MINIOS_RESUMED_CANCELLED. Runs
 * with events masked (from the upcall).
 */
int minios_suspend(void);

/*
 * Weak app hooks, both from the upcall: before the devices go, and after
 * they are back (new_domain: false when the suspend was cancelled). The
 * app's own memory (counters, buffers) is carried over as it is.
 */
void app_suspend_hook(void);
void app_resume_hook(bool new_domain);

/*
 * A weak hook for hostile test apps (si-liar): start_info as the toolstack
 * will read it, right before the suspend hypercall (suspending true), and
 * again right after it returns (false), before the kernel uses it again.
 * The default does nothing; an honest app never needs it.
 */
void app_suspend_start_info(start_info_t *si, bool suspending);

#endif
