// SPDX-License-Identifier: MIT
/*
 * PV console driver. Output goes to the ring shared with the console
 * backend; if the ring stays full for CONSOLE_STALL_NS (nobody reads), we
 * drop output and count it instead of hanging the guest, and keep dropping
 * without waiting until the backend makes room again. Input is copied out
 * of the ring into a small buffer that the app drains with console_read().
 *
 * The ring indexes are written by the backend: a gap larger than the ring
 * is treated as corruption (output: ring full; input: skip what is there).
 */
#include <minios/console.h>
#include <minios/events.h>
#include <minios/hypercall.h>
#include <minios/lib.h>
#include <minios/mm.h>
#include <minios/os.h>
#include <minios/time.h>

#define INPUT_BUFFER 512
/* Poll slice while waiting for room, so a lost event costs little. */
#define POLL_SLICE_NS ((uint64_t)10 * 1000 * 1000)

static char ring_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static volatile struct xencons_interface *ring;
static evtchn_port_t port;
static bool stalled;
static uint64_t dropped_out, dropped_in, dropped_out_reported;

/* Output from before the ring was mapped, replayed into it once it is. */
static char early[512];
static size_t early_len;

static char input[INPUT_BUFFER];
static size_t input_head, input_len;

void __attribute__((weak)) app_console_input(void)
{
}

static uint32_t out_space(void)
{
	XENCONS_RING_IDX cons = ring->out_cons, prod = ring->out_prod;

	rmb();
	if (prod - cons > sizeof(ring->out))
		return 0;
	return (uint32_t)sizeof(ring->out) - (prod - cons);
}

/* Poll the console port until the backend frees space or time runs out. */
static bool wait_for_space(void)
{
	uint64_t deadline = monotonic_ns() + CONSOLE_STALL_NS;

	for (;;) {
		struct sched_poll poll = { .nr_ports = 1 };
		uint64_t now;

		evtchn_clear(port);
		if (out_space())
			return true;
		now = monotonic_ns();
		if (now >= deadline)
			return false;
		evtchn_notify(port);
		set_xen_guest_handle(poll.ports, &port);
		poll.timeout = time_to_xen_ns(now + POLL_SLICE_NS < deadline ?
						      now + POLL_SLICE_NS :
						      deadline);
		if (hyp_sched_op(SCHEDOP_poll, &poll))
			hyp_sched_op(SCHEDOP_yield, NULL);
	}
}

static void ring_write(const char *buf, size_t len)
{
	size_t sent = 0;

	while (sent < len) {
		uint32_t space = out_space();
		XENCONS_RING_IDX prod;

		if (!space) {
			if (stalled || !wait_for_space()) {
				stalled = true;
				dropped_out += len - sent;
				return;
			}
			continue;
		}
		stalled = false;
		prod = ring->out_prod;
		while (space-- && sent < len)
			ring->out[MASK_XENCONS_IDX(prod++, ring->out)] =
				buf[sent++];
		wmb();
		ring->out_prod = prod;
		evtchn_notify(port);
	}
}

void console_write(const char *buf, size_t len)
{
	unsigned long flags;

	if (!ring) {
		/* Early or ring-less: only dom0 and debug Xen builds show it. */
		hyp_console_io(CONSOLEIO_write, (unsigned int)len, buf);
		while (len-- && early_len < sizeof(early))
			early[early_len++] = *buf++;
		return;
	}
	flags = events_save_disable();
	if (dropped_out != dropped_out_reported && out_space() > 64) {
		char note[64];
		int n = snprintf(note, sizeof(note),
				 "[console: %lu bytes dropped]\n",
				 dropped_out - dropped_out_reported);

		dropped_out_reported = dropped_out;
		ring_write(note, (size_t)n);
	}
	ring_write(buf, len);
	events_restore(flags);
}

static void console_event(evtchn_port_t p, void *arg)
{
	XENCONS_RING_IDX cons, prod;
	bool got = false;

	(void)p;
	(void)arg;
	cons = ring->in_cons;
	prod = ring->in_prod;
	rmb();
	if (prod - cons > sizeof(ring->in)) {
		dropped_in += prod - cons;
		cons = prod;
	}
	while (cons != prod) {
		char c = ring->in[MASK_XENCONS_IDX(cons++, ring->in)];

		if (input_len == sizeof(input)) {
			dropped_in++;
			continue;
		}
		input[(input_head + input_len++) % sizeof(input)] = c;
		got = true;
	}
	if (cons == ring->in_cons)
		return; /* output progress or a spurious kick: no reply */
	mb();
	ring->in_cons = cons;
	evtchn_notify(port);
	if (got)
		app_console_input();
}

size_t console_read(char *buf, size_t len)
{
	unsigned long flags = events_save_disable();
	size_t n = 0;

	while (n < len && input_len) {
		buf[n++] = input[input_head];
		input_head = (input_head + 1) % sizeof(input);
		input_len--;
	}
	events_restore(flags);
	return n;
}

uint64_t console_dropped_output(void)
{
	return dropped_out;
}

uint64_t console_dropped_input(void)
{
	return dropped_in;
}

/*
 * After a resume in a new domain: the ring is the same page of ours (the
 * toolstack moved it with our memory) but behind a new frame, and the
 * port is new. What was in the ring is kept.
 */
void console_resume(void)
{
	xen_pfn_t mfn = start_info->console.domU.mfn;
	uint32_t evtchn = start_info->console.domU.evtchn;

	if (!ring)
		return;
	if (!mfn || !evtchn || evtchn >= EVTCHN_MAX_HANDLED ||
	    mm_map_mfn(ring_page, mfn)) {
		/* Back to the hypervisor's console: better than silence. */
		ring = NULL;
		printk("minios: no usable console ring after resume (mfn %lx port %u)\n",
		       (unsigned long)mfn, evtchn);
		return;
	}
	port = evtchn;
	stalled = false;
	evtchn_set_handler(port, console_event, NULL);
	evtchn_unmask(port);
	evtchn_notify(port);
}

void console_init(void)
{
	xen_pfn_t mfn = start_info->console.domU.mfn;
	uint32_t evtchn = start_info->console.domU.evtchn;

	if (!mfn || !evtchn || evtchn >= EVTCHN_MAX_HANDLED) {
		printk("minios: no usable console ring (mfn %lx port %u)\n",
		       (unsigned long)mfn, evtchn);
		return;
	}
	if (mm_map_mfn(ring_page, mfn)) {
		printk("minios: cannot map console ring mfn %lx\n",
		       (unsigned long)mfn);
		return;
	}
	port = evtchn;
	ring = (volatile struct xencons_interface *)ring_page;
	evtchn_set_handler(port, console_event, NULL);
	evtchn_unmask(port);
	if (early_len) {
		unsigned long flags = events_save_disable();

		ring_write(early, early_len);
		events_restore(flags);
	}
}
