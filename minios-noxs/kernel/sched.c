// SPDX-License-Identifier: MIT
/* Yield, block, timed sleep on VIRQ_TIMER, and shutdown. */
#include <minios/events.h>
#include <minios/hypercall.h>
#include <minios/lib.h>
#include <minios/os.h>
#include <minios/sched.h>
#include <minios/time.h>

static evtchn_port_t timer_port;

void __attribute__((weak)) app_shutdown_hook(void)
{
}

static void timer_event(evtchn_port_t port, void *arg)
{
	/* Waking up from SCHEDOP_block is all the timer is for. */
	(void)port;
	(void)arg;
}

void sched_init(void)
{
	/*
	 * A PV vCPU starts with a 100 Hz periodic timer; an idle unikernel
	 * should not wake for it. Only the one-shot timer stays.
	 */
	if (hyp_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL))
		printk("minios: cannot stop the periodic timer\n");
	if (evtchn_bind_virq(VIRQ_TIMER, timer_event, NULL, &timer_port))
		panic("cannot bind VIRQ_TIMER");
}

void sched_resume(void)
{
	/* A new domain: a new vCPU (periodic timer on again), no VIRQ port. */
	sched_init();
}

void sched_yield(void)
{
	hyp_sched_op(SCHEDOP_yield, NULL);
}

void sched_block(void)
{
	unsigned long flags = events_save_disable();

	/* Re-enables events atomically, so a pending one returns at once. */
	hyp_sched_op(SCHEDOP_block, NULL);
	events_restore(flags);
}

/* Wake-ups without reaching the deadline worth a warning (clock trouble). */
#define SLEEP_WAKEUPS_WARN 1000

void sched_sleep_until(uint64_t deadline_ns)
{
	unsigned long wakeups = 0, warn_at = SLEEP_WAKEUPS_WARN;

	for (;;) {
		unsigned long flags = events_save_disable();
		uint64_t now = monotonic_ns();

		if (now >= deadline_ns) {
			events_restore(flags);
			return;
		}
		if (++wakeups == warn_at) {
			volatile vcpu_time_info_t *t = &this_vcpu()->time;

			printk("minios: sleep woke %lu times, %lu ns early "
			       "(tsc %lx stamp %lx sys %lu ver %u)\n",
			       wakeups, deadline_ns - now, rdtsc(),
			       t->tsc_timestamp, t->system_time, t->version);
			warn_at *= 10;
		}
		hyp_set_timer_op(time_to_xen_ns(deadline_ns));
		hyp_sched_op(SCHEDOP_block, NULL);
		events_restore(flags);
	}
}

void sched_shutdown(unsigned int reason)
{
	static const char *const names[] = {
		[SHUTDOWN_poweroff] = "poweroff", [SHUTDOWN_reboot] = "reboot",
		[SHUTDOWN_suspend] = "suspend",	  [SHUTDOWN_crash] = "crash",
	};
	struct sched_shutdown op = { .reason = reason };

	printk("minios: shutdown (%s)\n",
	       reason < ARRAY_SIZE(names) && names[reason] ? names[reason] :
							      "other");
	for (;;)
		hyp_sched_op(SCHEDOP_shutdown, &op);
}
