/* SPDX-License-Identifier: MIT */
/*
 * Hypercalls go through the hypercall page Xen fills at build time: entry
 * number N lives at hypercall_page + N * 32. Arguments in rdi, rsi, rdx,
 * r10, r8; result in rax; the syscall instruction clobbers rcx and r11.
 */
#ifndef MINIOS_HYPERCALL_H
#define MINIOS_HYPERCALL_H

#include <minios/xen.h>
#include <noxs.h>

extern char hypercall_page[];

static inline long hypercall5(unsigned int nr, unsigned long a1,
			      unsigned long a2, unsigned long a3,
			      unsigned long a4, unsigned long a5)
{
	register unsigned long rdi asm("rdi") = a1;
	register unsigned long rsi asm("rsi") = a2;
	register unsigned long rdx asm("rdx") = a3;
	register unsigned long r10 asm("r10") = a4;
	register unsigned long r8 asm("r8") = a5;
	long ret;

	asm volatile("call *%[entry]"
		     : "=a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx),
		       "+r"(r10), "+r"(r8)
		     : [entry] "r"(hypercall_page + nr * 32)
		     : "rcx", "r11", "memory");
	return ret;
}

#define hypercall(nr, a1, a2, a3, a4, a5)                                     \
	hypercall5((nr), (unsigned long)(a1), (unsigned long)(a2),            \
		   (unsigned long)(a3), (unsigned long)(a4),                  \
		   (unsigned long)(a5))

static inline long hyp_sched_op(int cmd, void *arg)
{
	return hypercall(__HYPERVISOR_sched_op, cmd, arg, 0, 0, 0);
}

static inline long hyp_event_channel_op(int cmd, void *arg)
{
	return hypercall(__HYPERVISOR_event_channel_op, cmd, arg, 0, 0, 0);
}

static inline long hyp_set_timer_op(uint64_t deadline_ns)
{
	return hypercall(__HYPERVISOR_set_timer_op, deadline_ns, 0, 0, 0, 0);
}

static inline long hyp_set_trap_table(const trap_info_t *table)
{
	return hypercall(__HYPERVISOR_set_trap_table, table, 0, 0, 0, 0);
}

static inline long hyp_callback_op(int cmd, const void *arg)
{
	return hypercall(__HYPERVISOR_callback_op, cmd, arg, 0, 0, 0);
}

static inline long hyp_update_va_mapping(unsigned long va, uint64_t pte,
					 unsigned long flags)
{
	return hypercall(__HYPERVISOR_update_va_mapping, va, pte, flags, 0, 0);
}

static inline long hyp_mmu_update(mmu_update_t *req, unsigned int count,
				  unsigned int *done)
{
	return hypercall(__HYPERVISOR_mmu_update, req, count, done, DOMID_SELF,
			 0);
}

static inline long hyp_console_io(int cmd, unsigned int len, const char *buf)
{
	return hypercall(__HYPERVISOR_console_io, cmd, len, buf, 0, 0);
}

static inline long hyp_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
	return hypercall(__HYPERVISOR_vcpu_op, cmd, vcpu, arg, 0, 0);
}

static inline long hyp_xen_version(int cmd, void *arg)
{
	return hypercall(__HYPERVISOR_xen_version, cmd, arg, 0, 0, 0);
}

static inline long hyp_grant_table_op(unsigned int cmd, void *uop,
				      unsigned int count)
{
	return hypercall(__HYPERVISOR_grant_table_op, cmd, uop, count, 0, 0);
}

/* The noxs device-page hypercall (abi/noxs.h); -ENOSYS on stock Xen. */
static inline long hyp_noxs_op(unsigned int cmd, void *arg)
{
	return hypercall(__HYPERVISOR_noxs_op, cmd, arg, 0, 0, 0);
}

#endif
