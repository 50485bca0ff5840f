// SPDX-License-Identifier: MIT
/*
 * Event channels, 2-level ABI: Xen sets a port's pending bit, then its
 * selector bit, then upcall_pending, and enters hypervisor_callback with
 * events masked. We scan selector -> pending words and run the handlers.
 */
#include <minios/events.h>
#include <minios/hypercall.h>
#include <minios/lib.h>
#include <minios/os.h>

struct evtchn_slot {
	evtchn_handler_t fn;
	void *arg;
};

static struct evtchn_slot slots[EVTCHN_MAX_HANDLED];
unsigned long events_upcalls;

void events_force_upcall(void)
{
	/* Any hypercall makes Xen deliver a pending upcall on return. */
	hyp_xen_version(XENVER_version, NULL);
}

void events_init(void)
{
	/* Nothing may fire until somebody asked for it. */
	for (size_t i = 0; i < ARRAY_SIZE(shared_info->evtchn_mask); i++)
		shared_info->evtchn_mask[i] = ~(xen_ulong_t)0;
}

void events_resume(void)
{
	/* A new domain has none of our old ports: forget every handler. */
	memset(slots, 0, sizeof(slots));
	events_init();
}

void evtchn_mask(evtchn_port_t port)
{
	if (port < sizeof(shared_info->evtchn_mask) * 8)
		set_bit_atomic(port, shared_info->evtchn_mask);
}

void evtchn_unmask(evtchn_port_t port)
{
	struct evtchn_unmask op = { .port = port };

	/* The hypercall re-raises the upcall if the port became pending. */
	hyp_event_channel_op(EVTCHNOP_unmask, &op);
}

void evtchn_clear(evtchn_port_t port)
{
	if (port < sizeof(shared_info->evtchn_pending) * 8)
		clear_bit_atomic(port, shared_info->evtchn_pending);
}

int evtchn_notify(evtchn_port_t port)
{
	struct evtchn_send op = { .port = port };

	return (int)hyp_event_channel_op(EVTCHNOP_send, &op);
}

int evtchn_set_handler(evtchn_port_t port, evtchn_handler_t fn, void *arg)
{
	unsigned long flags;

	if (port >= EVTCHN_MAX_HANDLED)
		return -1;
	flags = events_save_disable();
	slots[port].fn = fn;
	slots[port].arg = arg;
	events_restore(flags);
	return 0;
}

int evtchn_bind_virq(uint32_t virq, evtchn_handler_t fn, void *arg,
		     evtchn_port_t *port)
{
	struct evtchn_bind_virq op = { .virq = virq, .vcpu = 0 };
	long rc = hyp_event_channel_op(EVTCHNOP_bind_virq, &op);

	if (rc) {
		printk("minios: bind_virq(%u) failed: %ld\n", virq, rc);
		return (int)rc;
	}
	if (evtchn_set_handler(op.port, fn, arg)) {
		struct evtchn_close close = { .port = op.port };

		printk("minios: virq %u got port %u, above %u\n", virq,
		       op.port, EVTCHN_MAX_HANDLED);
		hyp_event_channel_op(EVTCHNOP_close, &close);
		return -1;
	}
	evtchn_unmask(op.port);
	*port = op.port;
	return 0;
}

static void dispatch(evtchn_port_t port)
{
	struct evtchn_slot *slot;

	evtchn_clear(port);
	if (port >= EVTCHN_MAX_HANDLED || !slots[port].fn) {
		/* Nobody listens: keep it from firing again. */
		evtchn_mask(port);
		return;
	}
	slot = &slots[port];
	slot->fn(port, slot->arg);
}

void events_upcall(struct trap_frame *frame)
{
	vcpu_info_t *v = this_vcpu();

	(void)frame;
	events_upcalls++;
	while (v->evtchn_upcall_pending) {
		xen_ulong_t sel;

		v->evtchn_upcall_pending = 0;
		sel = __atomic_exchange_n(&v->evtchn_pending_sel, 0,
					  __ATOMIC_SEQ_CST);
		while (sel) {
			unsigned int word = (unsigned int)__builtin_ctzl(sel);
			xen_ulong_t pending;

			sel &= sel - 1;
			pending = shared_info->evtchn_pending[word] &
				  ~shared_info->evtchn_mask[word];
			while (pending) {
				unsigned int bit =
					(unsigned int)__builtin_ctzl(pending);

				pending &= pending - 1;
				dispatch(word * BITS_PER_LONG + bit);
			}
		}
	}
}
