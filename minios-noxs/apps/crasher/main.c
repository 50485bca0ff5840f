// SPDX-License-Identifier: MIT
/*
 * crasher: says so and crashes at once (SCHEDOP_shutdown(crash)). With
 * on_crash "restart" it is the guest of audit finding 15: a toolstack
 * without a restart back-off re-creates it for ever.
 */
#include <minios/app.h>
#include <minios/lib.h>
#include <minios/sched.h>
#include <xen/sched.h>

int app_main(const char *cmdline)
{
	(void)cmdline;
	printk("crasher: crashing\n");
	sched_shutdown(SHUTDOWN_crash);
	return 0;
}
