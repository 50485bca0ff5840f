// SPDX-License-Identifier: MIT
/*
 * Glue between netfront and the portable IP stack: received frames go to
 * net_input(), the stack's frames to netfront_send(), and in between the
 * app blocks until the backend signals or the next ARP tick is due.
 */
#include <minios/hypercall.h>
#include <minios/lib.h>
#include <minios/netapp.h>
#include <minios/os.h>
#include <minios/time.h>

/* ARP retries and expiry need a tick at least this often. */
#define TICK_NS NET_ARP_RETRY_NS
/* Frames handled before looking at the clock again. */
#define RX_BATCH 32

static int output(void *ctx, const uint8_t *frame, size_t len)
{
	struct netapp *app = ctx;

	return netfront_send(app->nf, frame, len);
}

static void deliver(void *ctx, const uint8_t *frame, size_t len)
{
	struct netapp *app = ctx;

	net_input(&app->stack, frame, len, monotonic_ns());
}

/*
 * Block until an event or the deadline, unless there is work already.
 * Events stay masked from the check to SCHEDOP_block, which unmasks them
 * atomically: an event in between makes it return at once.
 */
static void wait_for_work(struct netapp *app, uint64_t deadline)
{
	unsigned long flags = events_save_disable();

	if (!netfront_has_work(app->nf) && monotonic_ns() < deadline) {
		hyp_set_timer_op(deadline);
		hyp_sched_op(SCHEDOP_block, NULL);
	}
	events_restore(flags);
}

int netapp_open(struct netapp *app, const char *name, uint16_t devid)
{
	uint64_t deadline = monotonic_ns() + NETAPP_CONNECT_TIMEOUT_NS;
	struct netfront_info info;
	struct net_config cfg;

	app->name = name;
	app->devid = devid;
	app->nf = netfront_get(devid);
	if (!app->nf) {
		printk("%s: no vif/%u on the device page\n", name, devid);
		return -1;
	}
	while (!netfront_connected(app->nf)) {
		if (monotonic_ns() >= deadline) {
			printk("%s: vif/%u did not connect in %llu s\n", name,
			       devid, NETAPP_CONNECT_TIMEOUT_NS / NSEC_PER_SEC);
			return -1;
		}
		wait_for_work(app, deadline);
	}
	netfront_info(app->nf, &info);
	memcpy(cfg.mac, info.mac, sizeof(cfg.mac));
	cfg.ip = info.ip;
	cfg.netmask = info.netmask;
	cfg.gateway = info.gateway;
	net_init(&app->stack, &cfg, output, app, monotonic_ns());
	return 0;
}

/* The mask is contiguous (netfront checked it): count its ones. */
static unsigned int prefix_len(uint32_t mask)
{
	unsigned int n = 0;

	while (mask & 0x80000000u) {
		n++;
		mask <<= 1;
	}
	return n;
}

/* The earlier of the periodic tick and the next announce round. */
static uint64_t next_timer(const struct netapp *app, uint64_t next_tick)
{
	uint64_t announce = net_next_announce(&app->stack);

	return announce && announce < next_tick ? announce : next_tick;
}

void netapp_run(struct netapp *app)
{
	const struct net_config *c = &app->stack.cfg;
	uint64_t next_tick = monotonic_ns() + TICK_NS;
	uint64_t announced_at; /* the connection count we last announced on */
	char ip[16], gw[16];

	net_ip_to_text(c->ip, ip, sizeof(ip));
	net_ip_to_text(c->gateway, gw, sizeof(gw));
	printk("%s: vif/%u mac %02x:%02x:%02x:%02x:%02x:%02x ip %s/%u gw %s\n",
	       app->name, app->devid, c->mac[0], c->mac[1], c->mac[2],
	       c->mac[3], c->mac[4], c->mac[5], ip, prefix_len(c->netmask),
	       c->gateway ? gw : "none");
	if (!c->ip)
		printk("%s: no IPv4 address on vif/%u: nothing to answer\n",
		       app->name, app->devid);
	/* Let the bridge and the neighbours learn us before anyone asks. */
	net_announce_start(&app->stack, monotonic_ns());
	announced_at = netfront_stats(app->nf)->connects;
	printk("ready\n");
	for (;;) {
		unsigned int budget;
		uint64_t now;

		wait_for_work(app, next_timer(app, next_tick));
		/* Reconnected after a resume, maybe on another host's bridge:
		 * announce again so the bridges learn our new port. */
		if (netfront_connected(app->nf) &&
		    netfront_stats(app->nf)->connects != announced_at) {
			announced_at = netfront_stats(app->nf)->connects;
			net_announce_start(&app->stack, monotonic_ns());
		}
		now = monotonic_ns();
		if (now >= next_timer(app, next_tick)) {
			net_tick(&app->stack, now);
			if (now >= next_tick)
				next_tick = now + TICK_NS;
		}
		/* Each frame may need an answer: no more than there is room for. */
		budget = netfront_tx_free(app->nf);
		if (budget > RX_BATCH)
			budget = RX_BATCH;
		if (budget)
			netfront_receive(app->nf, deliver, app, budget);
	}
}

void netapp_print_stats(const struct netapp *app)
{
	const struct net_counters *s = &app->stack.stats;
	const struct netfront_stats *f = netfront_stats(app->nf);
	uint64_t drops = 0;

	for (int i = 0; i < NET_DROP_COUNT; i++)
		drops += s->drop[i];
	printk("%s: rx %lu tx %lu dropped %lu arp-replies %lu echo-replies %lu "
	       "udp-in %lu udp-out %lu; ring rx-errors %lu tx-errors %lu "
	       "tx-no-buffer %lu bad-responses %lu connects %lu\n",
	       app->name, s->rx_frames, s->tx_frames, drops,
	       s->arp_replies_out, s->icmp_echo_replies, s->udp_in,
	       s->udp_out, f->rx_errors, f->tx_errors, f->tx_no_buffer,
	       f->bad_responses, f->connects);
}
