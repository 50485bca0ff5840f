// SPDX-License-Identifier: MIT
/*
 * The PV console ring as shared with the guest. Both indexes of each
 * direction live in a page the guest can write at any time, so every
 * access takes one snapshot of the guest's index and checks it before
 * touching the data: a producer more than a ring ahead of our consumer is
 * a lie we resynchronise from, never a length we trust.
 */
/* internal.h first: xenctrl.h selects the Xen interface version. */
#include "dev/dev.h"
#include <xen/io/console.h>

#include <chaos/console.h>

_Static_assert(sizeof(((struct xencons_interface *)0)->out) ==
	       CHAOS_CONSOLE_OUT_RING, "console output ring size");

size_t chaos_console_ring_read(void *ring_page, char *buf, size_t cap,
			       bool *corrupt)
{
	struct xencons_interface *ring = ring_page;
	XENCONS_RING_IDX cons = ring->out_cons;
	XENCONS_RING_IDX prod = __atomic_load_n(&ring->out_prod,
						__ATOMIC_ACQUIRE);
	size_t n = 0;

	*corrupt = false;
	if ((XENCONS_RING_IDX)(prod - cons) > sizeof(ring->out)) {
		/* Skip whatever the guest claims is there. */
		*corrupt = true;
		__atomic_store_n(&ring->out_cons, prod, __ATOMIC_RELEASE);
		return 0;
	}
	while (cons != prod && n < cap)
		buf[n++] = ring->out[MASK_XENCONS_IDX(cons++, ring->out)];
	__atomic_store_n(&ring->out_cons, cons, __ATOMIC_RELEASE);
	return n;
}

size_t chaos_console_ring_write(void *ring_page, const char *buf, size_t len)
{
	struct xencons_interface *ring = ring_page;
	XENCONS_RING_IDX prod = ring->in_prod;
	XENCONS_RING_IDX cons = __atomic_load_n(&ring->in_cons,
						__ATOMIC_ACQUIRE);
	size_t done = 0;

	/* A consumer that claims to be ahead of us, or more than a ring
	 * behind, is lying: treat the ring as full. */
	if ((XENCONS_RING_IDX)(prod - cons) > sizeof(ring->in))
		return 0;
	while (done < len &&
	       (XENCONS_RING_IDX)(prod - cons) < sizeof(ring->in))
		ring->in[MASK_XENCONS_IDX(prod++, ring->in)] = buf[done++];
	__atomic_store_n(&ring->in_prod, prod, __ATOMIC_RELEASE);
	return done;
}
