// SPDX-License-Identifier: MIT
/*
 * Suspend for save, restore and migration (the x86 PV convention):
 *
 *   devices disconnected (the backends see Closed), the device page, the
 *   grant table frames and shared info unmapped (frames that are not ours cannot be in our page
 *   tables when the toolstack makes them machine-independent), the console
 *   and store frames in start_info turned into pfns, then
 *   SCHEDOP_shutdown(SHUTDOWN_suspend) with start_info's frame in the third
 *   argument (%rdx) so the toolstack can find it.
 *
 * The hypercall returns 0 in a new domain (restored: new frames, new
 * shared info, new event channels, a new device page) and 1 when the
 * toolstack cancelled the suspend (same domain: it recreated the devices).
 * Either way the devices are connected again from the device page.
 */
#include <minios/console.h>
#include <minios/events.h>
#include <minios/gnttab.h>
#include <minios/hypercall.h>
#include <minios/lib.h>
#include <minios/mm.h>
#include <minios/noxs.h>
#include <minios/os.h>
#include <minios/sched.h>
#include <minios/suspend.h>
#include <minios/time.h>
#include <minios/traps.h>

void __attribute__((weak)) app_suspend_hook(void)
{
}

void __attribute__((weak)) app_resume_hook(bool new_domain)
{
	(void)new_domain;
}

void __attribute__((weak)) app_suspend_start_info(start_info_t *si,
						  bool suspending)
{
	(void)si;
	(void)suspending;
}

/* start_info's frame numbers as pfns, which survive the move. */
static void frames_to_pfns(start_info_t *si)
{
	if (si->store_mfn)
		si->store_mfn = mfn_to_pfn(si->store_mfn);
	if (si->console.domU.mfn)
		si->console.domU.mfn = mfn_to_pfn(si->console.domU.mfn);
}

/* Cancelled: the same frames as before. (Restored: the toolstack wrote
 * the new frames.) */
static void pfns_to_frames(start_info_t *si)
{
	if (si->store_mfn)
		si->store_mfn = pfn_to_mfn(si->store_mfn);
	if (si->console.domU.mfn)
		si->console.domU.mfn = pfn_to_mfn(si->console.domU.mfn);
}

static long suspend_hypercall(void)
{
	struct sched_shutdown op = { .reason = SHUTDOWN_suspend };
	unsigned long si_mfn =
		pfn_to_mfn((unsigned long)start_info >> PAGE_SHIFT);

	return hypercall(__HYPERVISOR_sched_op, SCHEDOP_shutdown, &op, si_mfn,
			 0, 0);
}

int minios_suspend(void)
{
	unsigned long flags = events_save_disable();
	bool new_domain;
	long rc;

	app_suspend_hook();
	noxs_suspend();
	/* After the drivers ended their grants; set up again on next use. */
	gnttab_suspend();
	printk("minios: suspending\n");
	time_suspend();
	frames_to_pfns(start_info);
	shared_info_detach();
	app_suspend_start_info(start_info, true);

	rc = suspend_hypercall();
	app_suspend_start_info(start_info, false);

	new_domain = rc == 0;
	shared_info_attach();
	if (new_domain) {
		time_resume();
		events_resume();
		traps_init();
		console_resume();
		sched_resume();
	} else {
		pfns_to_frames(start_info);
	}
	if (rc != 0 && rc != 1)
		printk("minios: suspend failed: %ld\n", rc);
	printk("minios: resumed (%s)\n",
	       new_domain ? "new domain" : "suspend cancelled");
	if (noxs_resume())
		printk("minios: noxs devices not available after resume\n");
	app_resume_hook(new_domain);
	events_restore(flags);
	return new_domain ? MINIOS_RESUMED_NEW_DOMAIN : MINIOS_RESUMED_CANCELLED;
}
