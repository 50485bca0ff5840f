// SPDX-License-Identifier: MIT
/*
 * Time from the per-vCPU time info in shared info: Xen publishes a
 * (tsc, system_time) pair and a scale; we extrapolate with rdtsc.
 *
 * The stamp lives in the guest's TSC space, which Xen offsets to start near
 * zero when the domain is created. A stamp taken before that (Xen refreshes
 * it about once a second) is "negative": it wraps to just below 2^64. So the
 * distance between a TSC reading and the stamp is a signed 64-bit
 * difference, never an unsigned comparison of the two.
 *
 * Xen system time is per host: after a restore or a migration it restarts
 * from wherever the new host's clock is. Guest time is Xen time plus an
 * offset, set on resume in a new domain so that guest time goes on from
 * the moment of the suspend (time spent saved does not count, like a pause).
 */
#include <minios/os.h>
#include <minios/time.h>

/* TSC read by the very first instruction (arch/x86_64/head.S). */
extern uint64_t boot_tsc;

static uint64_t boot_ns;
/* Guest time minus Xen system time; 0 until the first resume elsewhere. */
static int64_t offset_ns;
/* Guest time when we suspended. */
static uint64_t suspended_ns;

struct time_snapshot {
	uint64_t tsc_timestamp;
	uint64_t system_time;
	uint32_t mul;
	int8_t shift;
};

/*
 * A consistent copy of the time info; with tsc non-NULL, also a TSC
 * reading taken under the same version, so that a vCPU moved to another
 * physical CPU never pairs one CPU's TSC with another's stamp.
 */
static void read_snapshot(struct time_snapshot *snap, uint64_t *tsc)
{
	volatile vcpu_time_info_t *t = &this_vcpu()->time;
	uint32_t version;

	do {
		version = t->version;
		rmb();
		snap->tsc_timestamp = t->tsc_timestamp;
		snap->system_time = t->system_time;
		snap->mul = t->tsc_to_system_mul;
		snap->shift = t->tsc_shift;
		if (tsc)
			*tsc = rdtsc();
		rmb();
	} while ((version & 1) || version != t->version);
}

static uint64_t scale_delta(uint64_t delta, uint32_t mul, int8_t shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

static uint64_t snapshot_ns(const struct time_snapshot *s, uint64_t tsc)
{
	/* Modular difference: right across a stamp that wrapped below 0. */
	uint64_t delta = tsc - s->tsc_timestamp;

	if ((int64_t)delta >= 0)
		return s->system_time + scale_delta(delta, s->mul, s->shift);
	return s->system_time - scale_delta(-delta, s->mul, s->shift);
}

uint64_t tsc_to_system_ns(uint64_t tsc)
{
	struct time_snapshot s;

	read_snapshot(&s, NULL);
	return snapshot_ns(&s, tsc) + (uint64_t)offset_ns;
}

static uint64_t xen_now_ns(void)
{
	struct time_snapshot s;
	uint64_t tsc;

	read_snapshot(&s, &tsc);
	return snapshot_ns(&s, tsc);
}

uint64_t monotonic_ns(void)
{
	return xen_now_ns() + (uint64_t)offset_ns;
}

uint64_t time_to_xen_ns(uint64_t guest_ns)
{
	int64_t xen = (int64_t)(guest_ns - (uint64_t)offset_ns);

	/* 0 would cancel a timer: a deadline already past fires at once. */
	return xen > 0 ? (uint64_t)xen : 1;
}

void time_suspend(void)
{
	suspended_ns = monotonic_ns();
}

void time_resume(void)
{
	offset_ns = (int64_t)(suspended_ns - xen_now_ns());
}

uint64_t boot_time_ns(void)
{
	return boot_ns;
}

void time_init(void)
{
	boot_ns = tsc_to_system_ns(boot_tsc);
}
