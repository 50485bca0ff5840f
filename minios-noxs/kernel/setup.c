// SPDX-License-Identifier: MIT
/*
 * start_kernel: bring up shared info, traps, time, events, memory, the
 * console and the timer, then hand over to the app. Order matters: events
 * stay masked until their handlers exist.
 */
#include <minios/app.h>
#include <minios/console.h>
#include <minios/events.h>
#include <minios/hypercall.h>
#include <minios/lib.h>
#include <minios/mm.h>
#include <minios/noxs.h>
#include <minios/os.h>
#include <minios/sched.h>
#include <minios/time.h>
#include <minios/traps.h>

start_info_t *start_info;
shared_info_t *shared_info;

static char shared_info_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char cmdline[MAX_GUEST_CMDLINE];

void start_kernel(start_info_t *si);

static void map_shared_info(const start_info_t *si)
{
	uint64_t pte = ((uint64_t)si->shared_info & PTE_ADDR_MASK) | PTE_KERNEL_RW;

	if (hyp_update_va_mapping((unsigned long)shared_info_page, pte,
				  UVMF_INVLPG))
		sched_shutdown(SHUTDOWN_crash); /* nothing else can work */
	shared_info = (shared_info_t *)shared_info_page;
	/* Masked until the upcall is registered and the handlers are set. */
	this_vcpu()->evtchn_upcall_mask = 1;
}

/*
 * Before a suspend: the shared info frame is Xen's, not ours, so no page
 * table of ours may point at it when the toolstack saves them. Until the
 * resume, shared_info is a copy (time still extrapolates from it; the
 * event mask we write there changes nothing, events stay masked in Xen's
 * copy because we suspend from the upcall with events masked).
 */
void shared_info_detach(void)
{
	static char copy[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
	unsigned long pfn = (unsigned long)shared_info_page >> PAGE_SHIFT;

	memcpy(copy, shared_info_page, sizeof(copy));
	shared_info = (shared_info_t *)copy;
	/* Our own frame back at the address: an ordinary page again. */
	if (mm_map_mfn(shared_info_page, pfn_to_mfn(pfn)))
		panic("cannot unmap shared info before suspend");
}

/* After the suspend hypercall returned: the (maybe new) shared info. */
void shared_info_attach(void)
{
	map_shared_info(start_info);
}

/* Page 0 only held the entry code: unmap it so NULL dereferences fault. */
static void unmap_page_zero(void)
{
	hyp_update_va_mapping(0, 0, UVMF_INVLPG);
}

void start_kernel(start_info_t *si)
{
	int rc;

	start_info = si;
	map_shared_info(si);
	traps_init();
	time_init();
	events_init();
	mm_init();
	console_init();
	sched_init();
	unmap_page_zero();
	events_enable();

	memcpy(cmdline, si->cmd_line, sizeof(cmdline));
	cmdline[sizeof(cmdline) - 1] = '\0';

	if (noxs_init())
		printk("minios: noxs devices not available\n");

	rc = app_main(cmdline);
	printk("minios: app returned %d\n", rc);
	sched_shutdown(SHUTDOWN_poweroff);
}
