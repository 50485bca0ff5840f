/* SPDX-License-Identifier: MIT */
/*
 * Start-of-day state shared by the whole kernel, event masking and the
 * small set of atomic helpers it needs.
 */
#ifndef MINIOS_OS_H
#define MINIOS_OS_H

#include <minios/xen.h>

extern start_info_t *start_info;
extern shared_info_t *shared_info;

#define barrier() asm volatile("" ::: "memory")
#define mb() asm volatile("mfence" ::: "memory")
#define rmb() barrier()
#define wmb() barrier()

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BITS_PER_LONG 64

static inline vcpu_info_t *this_vcpu(void)
{
	return &shared_info->vcpu_info[0];
}

/* Event delivery is masked per vCPU, not by rflags.IF, in a PV guest. */
static inline unsigned long events_save_disable(void)
{
	vcpu_info_t *v = this_vcpu();
	unsigned long was = v->evtchn_upcall_mask;

	v->evtchn_upcall_mask = 1;
	barrier();
	return was;
}

void events_force_upcall(void);

/* Around a suspend (kernel/setup.c): see kernel/suspend.c. */
void shared_info_detach(void);
void shared_info_attach(void);

static inline void events_restore(unsigned long was)
{
	vcpu_info_t *v = this_vcpu();

	barrier();
	v->evtchn_upcall_mask = (uint8_t)was;
	barrier();
	if (!was && v->evtchn_upcall_pending)
		events_force_upcall();
}

static inline void events_enable(void)
{
	events_restore(0);
}

static inline void set_bit_atomic(unsigned int nr, volatile xen_ulong_t *addr)
{
	__atomic_fetch_or(&addr[nr / BITS_PER_LONG], 1UL << (nr % BITS_PER_LONG),
			  __ATOMIC_SEQ_CST);
}

static inline void clear_bit_atomic(unsigned int nr,
				    volatile xen_ulong_t *addr)
{
	__atomic_fetch_and(&addr[nr / BITS_PER_LONG],
			   ~(1UL << (nr % BITS_PER_LONG)), __ATOMIC_SEQ_CST);
}

static inline bool test_bit(unsigned int nr, const volatile xen_ulong_t *addr)
{
	return (addr[nr / BITS_PER_LONG] >> (nr % BITS_PER_LONG)) & 1;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#endif
