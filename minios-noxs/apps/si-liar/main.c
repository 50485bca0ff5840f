// SPDX-License-Identifier: MIT
/*
 * si-liar: a hostile guest for audit finding 7. When dom0 suspends it (a
 * save), it writes absurd values into its start_info, the page the
 * toolstack reads to find the guest's memory, right before the suspend
 * hypercall, and puts the truth back when the hypercall returns (a
 * cancelled suspend: the same domain goes on). It prints "si-liar <n>"
 * once a second meanwhile.
 *
 * Command line: lie=<n> picks the lie:
 *   1 nr_pages 2^36 (far beyond the domain's memory)
 *   2 mfn_list not page-aligned (a bogus p2m list pointer)
 *   3 mfn_list page-aligned but mapped nowhere
 *   4 console.domU.mfn (a pfn while suspended) beyond the guest's memory
 *   5 store_mfn (likewise) beyond the guest's memory
 */
#include <minios/app.h>
#include <minios/lib.h>
#include <minios/os.h>
#include <minios/sched.h>
#include <minios/suspend.h>
#include <minios/time.h>
#include <xen/xen.h>

static uint64_t lie;
static start_info_t truth;

void app_suspend_start_info(start_info_t *si, bool suspending)
{
	if (!suspending) {
		/* Only what we changed: a restore writes the rest anew. */
		si->nr_pages = truth.nr_pages;
		si->mfn_list = truth.mfn_list;
		if (lie == 4)
			si->console.domU.mfn = truth.console.domU.mfn;
		if (lie == 5)
			si->store_mfn = truth.store_mfn;
		return;
	}
	truth = *si;
	switch (lie) {
	case 1:
		si->nr_pages = 1ULL << 36;
		break;
	case 2:
		si->mfn_list += 8;
		break;
	case 3:
		si->mfn_list = 0x7f0000000000ULL;
		break;
	case 4:
		si->console.domU.mfn = si->nr_pages + 0x100000;
		break;
	case 5:
		si->store_mfn = si->nr_pages + 0x100000;
		break;
	}
	printk("si-liar: lie %lu told\n", (unsigned long)lie);
}

void app_resume_hook(bool new_domain)
{
	printk("si-liar: resumed%s\n", new_domain ? " in a new domain" :
						     " (suspend cancelled)");
}

int app_main(const char *cmdline)
{
	uint64_t next = monotonic_ns();

	if (cmdline_get_u64(cmdline, MAX_GUEST_CMDLINE, "lie", &lie))
		lie = 1;
	printk("si-liar: lie %lu armed\n", (unsigned long)lie);
	for (unsigned long n = 1;; n++) {
		printk("si-liar %lu\n", n);
		next += NSEC_PER_SEC;
		sched_sleep_until(next);
		if (monotonic_ns() >= next + NSEC_PER_SEC)
			next = monotonic_ns();
	}
	return 0;
}
