// SPDX-License-Identifier: MIT
/*
 * noxsctl netfe: a network frontend in dom0 for vif (0, DEVID), so the
 * backend can be tested without a guest (module parameter loopback=1).
 * Its rings and buffers are dom0 pages granted to dom0 through gntalloc;
 * its event channel is an unbound port for dom0, through evtchn.
 *
 *   netfe DEVID ping SRC_IP DST_IP COUNT [HOLD]   ARP requests "who has
 *                  DST_IP tell SRC_IP" from the vif's MAC, one at a time;
 *                  counts the replies and their round trips, then stays
 *                  connected HOLD seconds
 *   netfe DEVID flood SECONDS  keep the TX ring full of junk frames
 *   netfe DEVID evflood COUNT  COUNT data-channel events that move nothing
 *   netfe DEVID hostile KIND   one illegal thing; the backend must close
 *                  the device. KIND: ring-ref evtchn split features (at
 *                  connect); tx-prod rx-prod tx-gref rx-gref tx-offset
 *                  tx-flags changed be-field (once connected)
 *
 * Prints "netfe: ..." lines; exits 1 with one line on failure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/sys/evtchn.h>
#include <xen/sys/gntalloc.h>

/* ring.h leaves the barriers to its user (as mb, rmb, wmb here). */
#define mb()	__sync_synchronize()
#define rmb()	__sync_synchronize()
#define wmb()	__sync_synchronize()
#include <xen/io/netif.h>

#include "noxsctl.h"

#define PAGE		4096u
#define NF_BUFS		16u		/* TX buffers, and as many RX buffers */
#define NF_PAGES	(2 + 2 * NF_BUFS)
#define NF_TX_RING	0
#define NF_RX_RING	1
#define NF_TX_BUF(i)	(2 + (i))
#define NF_RX_BUF(i)	(2 + NF_BUFS + (i))
#define NF_BAD_GREF	0xffff0u	/* far past any grant table */

struct netfe {
	struct fe fe;
	int gal_fd;
	unsigned int data_port;
	uint8_t *pages;
	uint32_t grefs[NF_PAGES];
	netif_tx_front_ring_t tx;
	netif_rx_front_ring_t rx;
	bool tx_busy[NF_BUFS];
	uint8_t mac[6];
	/* Counters. */
	unsigned long tx_sent, tx_ok, tx_err, rx_frames, arp_replies;
	uint32_t want_spa, want_tpa;	/* the ARP reply we wait for */
};

static uint8_t *nf_page(struct netfe *n, unsigned int i)
{
	return n->pages + (size_t)i * PAGE;
}

static void nf_alloc_pages(struct netfe *n)
{
	struct ioctl_gntalloc_alloc_gref *a;
	size_t size = sizeof(*a) + NF_PAGES * sizeof(a->gref_ids[0]);
	void *p;

	a = calloc(1, size);
	if (!a)
		die("netfe: out of memory");
	n->gal_fd = open("/dev/xen/gntalloc", O_RDWR | O_CLOEXEC);
	if (n->gal_fd < 0)
		die_errno("netfe: open /dev/xen/gntalloc");
	a->domid = 0;
	a->flags = GNTALLOC_FLAG_WRITABLE;
	a->count = NF_PAGES;
	if (ioctl(n->gal_fd, IOCTL_GNTALLOC_ALLOC_GREF, a))
		die_errno("netfe: gntalloc");
	p = mmap(NULL, NF_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 n->gal_fd, (off_t)a->index);
	if (p == MAP_FAILED)
		die_errno("netfe: mmap gntalloc");
	n->pages = p;
	memcpy(n->grefs, a->gref_ids, sizeof(n->grefs));
	free(a);
}

static void nf_bind_port(struct netfe *n)
{
	struct ioctl_evtchn_bind_unbound_port b = { .remote_domain = 0 };
	int ret;

	ret = ioctl(n->fe.evt_fd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &b);
	if (ret < 0)
		die_errno("netfe: unbound port");
	n->data_port = (unsigned int)ret;
}

static uint32_t nf_be_state(struct netfe *n)
{
	struct noxs_ioc_info i;

	/* The module's view: the page's be_state may be garbage by now. */
	if (query(0, NOXS_DEV_VIF, n->fe.devid, &i))
		die_errno("netfe: query");
	return i.be_state;
}

/* Wait (up to 5 s) for the backend to close the device, and say why. */
static int nf_expect_closed(struct netfe *n, const char *kind)
{
	for (double end = now_s() + 5; now_s() < end;) {
		struct noxs_ioc_info i;

		fe_wait(&n->fe, 0.05);
		if (query(0, NOXS_DEV_VIF, n->fe.devid, &i))
			die_errno("netfe: query");
		if (i.be_state == NOXS_STATE_CLOSED) {
			printf("netfe: hostile %s: backend closed the device, "
			       "error %u\n", kind, i.error);
			return 0;
		}
	}
	die("netfe: hostile %s: backend did not close the device (be %s)",
	    kind, state_name(nf_be_state(n)));
}

/* Map the control page, grant the rings, publish them, connect. */
static void nf_setup(struct netfe *n, uint16_t devid, const char *hostile)
{
	volatile struct noxs_ctrl_net *c;

	memset(n, 0, sizeof(*n));
	fe_attach(&n->fe, NOXS_DEV_VIF, devid);
	c = &n->fe.page->u.net;
	for (int i = 0; i < 6; i++)
		n->mac[i] = c->mac[i];
	nf_alloc_pages(n);
	nf_bind_port(n);

	SHARED_RING_INIT((netif_tx_sring_t *)nf_page(n, NF_TX_RING));
	FRONT_RING_INIT(&n->tx, (netif_tx_sring_t *)nf_page(n, NF_TX_RING),
			PAGE);
	SHARED_RING_INIT((netif_rx_sring_t *)nf_page(n, NF_RX_RING));
	FRONT_RING_INIT(&n->rx, (netif_rx_sring_t *)nf_page(n, NF_RX_RING),
			PAGE);

	c->tx_ring_ref = n->grefs[NF_TX_RING];
	c->rx_ring_ref = n->grefs[NF_RX_RING];
	c->evtchn_tx = n->data_port;
	c->evtchn_rx = n->data_port;
	c->fe_features = NOXS_NET_F_RX_COPY;
	if (!strcmp(hostile, "ring-ref"))
		c->rx_ring_ref = NF_BAD_GREF;
	else if (!strcmp(hostile, "evtchn"))
		c->evtchn_tx = c->evtchn_rx = 4000;
	else if (!strcmp(hostile, "split"))
		c->evtchn_rx = n->data_port + 1;
	else if (!strcmp(hostile, "features"))
		c->fe_features = NOXS_NET_F_RX_COPY | NOXS_NET_F_SG;
	__sync_synchronize();
	fe_set_state(&n->fe, NOXS_STATE_CONNECTED);
	printf("netfe: published tx %u rx %u port %u mac "
	       "%02x:%02x:%02x:%02x:%02x:%02x\n", c->tx_ring_ref,
	       c->rx_ring_ref, c->evtchn_tx, n->mac[0], n->mac[1], n->mac[2],
	       n->mac[3], n->mac[4], n->mac[5]);
}

static void nf_connect(struct netfe *n)
{
	if (!fe_await_be(&n->fe, NOXS_STATE_CONNECTED, 5))
		die("netfe: backend did not connect (be %s)",
		    state_name(nf_be_state(n)));
	printf("netfe: connected\n");
}

static void nf_push_rx(struct netfe *n)
{
	int notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&n->rx, notify);
	if (notify)
		fe_notify_port(&n->fe, n->data_port);
}

static void nf_post_rx(struct netfe *n, uint16_t id, uint32_t gref)
{
	netif_rx_request_t *req = RING_GET_REQUEST(&n->rx, n->rx.req_prod_pvt);

	req->id = id;
	req->gref = gref;
	n->rx.req_prod_pvt++;
}

static void nf_post_all_rx(struct netfe *n, bool bad)
{
	for (uint16_t i = 0; i < NF_BUFS; i++)
		nf_post_rx(n, i, bad ? NF_BAD_GREF : n->grefs[NF_RX_BUF(i)]);
	nf_push_rx(n);
}

static void nf_frame_in(struct netfe *n, const uint8_t *f, unsigned int len)
{
	uint32_t spa, tpa;

	n->rx_frames++;
	/* ARP reply (Ethernet/IPv4): ethertype 0x0806, op 2. */
	if (len < 42 || f[12] != 0x08 || f[13] != 0x06 || f[20] != 0 ||
	    f[21] != 2)
		return;
	memcpy(&spa, f + 28, 4);
	memcpy(&tpa, f + 38, 4);
	if (spa == n->want_spa && tpa == n->want_tpa)
		n->arp_replies++;
}

/* Take every response the backend pushed; hand RX buffers back. */
static void nf_reap(struct netfe *n)
{
	int more;

	do {
		while (n->tx.rsp_cons != n->tx.sring->rsp_prod) {
			netif_tx_response_t *r;

			rmb();
			r = RING_GET_RESPONSE(&n->tx, n->tx.rsp_cons);
			if (r->id < NF_BUFS)
				n->tx_busy[r->id] = false;
			if (r->status == NETIF_RSP_OKAY)
				n->tx_ok++;
			else
				n->tx_err++;
			n->tx.rsp_cons++;
		}
		RING_FINAL_CHECK_FOR_RESPONSES(&n->tx, more);
	} while (more);

	do {
		while (n->rx.rsp_cons != n->rx.sring->rsp_prod) {
			netif_rx_response_t *r;

			rmb();
			r = RING_GET_RESPONSE(&n->rx, n->rx.rsp_cons);
			if (r->id < NF_BUFS && r->status > 0 &&
			    r->offset + r->status <= (int)PAGE)
				nf_frame_in(n, nf_page(n, NF_RX_BUF(r->id)) +
					    r->offset, (unsigned int)r->status);
			if (r->id < NF_BUFS)
				nf_post_rx(n, r->id,
					   n->grefs[NF_RX_BUF(r->id)]);
			n->rx.rsp_cons++;
		}
		nf_push_rx(n);
		RING_FINAL_CHECK_FOR_RESPONSES(&n->rx, more);
	} while (more);
}

static int nf_free_buf(struct netfe *n)
{
	for (unsigned int i = 0; i < NF_BUFS; i++)
		if (!n->tx_busy[i])
			return (int)i;
	return -1;
}

/* Queue one TX request; the frame is already in buffer id. */
static void nf_tx(struct netfe *n, uint16_t id, uint32_t gref,
		  uint16_t offset, uint16_t size, uint16_t flags)
{
	netif_tx_request_t *req = RING_GET_REQUEST(&n->tx, n->tx.req_prod_pvt);

	req->gref = gref;
	req->offset = offset;
	req->flags = flags;
	req->id = id;
	req->size = size;
	n->tx.req_prod_pvt++;
	if (id < NF_BUFS)
		n->tx_busy[id] = true;
	n->tx_sent++;
}

static void nf_push_tx(struct netfe *n)
{
	int notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&n->tx, notify);
	if (notify)
		fe_notify_port(&n->fe, n->data_port);
}

/* A 60-byte ARP request "who has tpa tell spa" from our MAC. */
static unsigned int nf_arp_request(struct netfe *n, uint8_t *f, uint32_t spa,
				   uint32_t tpa)
{
	static const uint8_t hdr[] = { 0x00, 0x01, 0x08, 0x00, 6, 4, 0, 1 };

	memset(f, 0, 60);
	memset(f, 0xff, 6);
	memcpy(f + 6, n->mac, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	memcpy(f + 14, hdr, sizeof(hdr));
	memcpy(f + 22, n->mac, 6);
	memcpy(f + 28, &spa, 4);
	memcpy(f + 38, &tpa, 4);
	return 60;
}

static uint32_t nf_ip(const char *s)
{
	uint32_t a;

	if (inet_pton(AF_INET, s, &a) != 1)
		die("netfe: bad IPv4 address '%s'", s);
	return a;
}

/*
 * The backend's net device gets its carrier as we connect, and a bridge
 * port follows only when the kernel's link watch gets to it (up to a
 * second later): a frame sent before that is dropped at the port. Like a
 * real guest whose first ARP would be retried, wait (at most 5 s) until
 * vif0.DEVID, if it is on a bridge, is forwarding (state 3).
 */
static void nf_wait_port(struct netfe *n)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/class/net/vif0.%u/brport/state",
		 n->fe.devid);
	for (double end = now_s() + 5; now_s() < end;) {
		FILE *f = fopen(path, "r");
		int state = -1;

		if (!f)
			return; /* not on a bridge */
		if (fscanf(f, "%d", &state) != 1)
			state = -1;
		fclose(f);
		if (state == 3)
			return;
		fe_wait(&n->fe, 0.05);
		nf_reap(n);
	}
}

static int nf_ping(struct netfe *n, const char *src, const char *dst,
		   unsigned long count, double hold)
{
	unsigned long got = 0;

	n->want_spa = nf_ip(dst);
	n->want_tpa = nf_ip(src);
	nf_post_all_rx(n, false);
	nf_wait_port(n);
	for (unsigned long k = 0; k < count; k++) {
		unsigned long before;
		double t0, end;
		int id;

		/* A late duplicate must not pass for this request's reply. */
		nf_reap(n);
		before = n->arp_replies;
		t0 = now_s();
		/* Generous: an emulated host under load can take a second. */
		end = t0 + 5;
		id = nf_free_buf(n);
		if (id < 0)
			die("netfe: no free TX buffer (backend stuck?)");
		nf_tx(n, (uint16_t)id, n->grefs[NF_TX_BUF(id)], 0,
		      (uint16_t)nf_arp_request(n, nf_page(n, NF_TX_BUF(id)),
					       n->want_tpa, n->want_spa),
		      0);
		nf_push_tx(n);
		while (n->arp_replies == before && now_s() < end) {
			fe_wait(&n->fe, 0.05);
			nf_reap(n);
		}
		if (n->arp_replies != before) {
			got++;
			printf("netfe: arp reply %lu rtt %.0f us\n", k + 1,
			       (now_s() - t0) * 1e6);
		} else {
			printf("netfe: arp request %lu: no reply\n", k + 1);
		}
	}
	/* Let the last responses in. */
	for (double end = now_s() + 0.2; now_s() < end;) {
		fe_wait(&n->fe, 0.05);
		nf_reap(n);
	}
	printf("netfe: sent %lu tx_ok %lu tx_err %lu rx_frames %lu "
	       "arp_replies %lu\n", n->tx_sent, n->tx_ok, n->tx_err,
	       n->rx_frames, got);
	/* Our buffers go with us: stay while the caller looks. */
	for (double end = now_s() + hold; now_s() < end;) {
		fe_wait(&n->fe, 0.1);
		nf_reap(n);
	}
	return got == count ? 0 : 1;
}

/*
 * Keep the TX ring full of junk broadcast frames (local ethertype), then
 * stay connected for hold seconds: the backend's net device (and its
 * statistics) goes once we exit.
 */
static int nf_flood(struct netfe *n, double seconds, double hold)
{
	double t0 = now_s();

	nf_post_all_rx(n, false);
	for (unsigned int i = 0; i < NF_BUFS; i++) {
		uint8_t *f = nf_page(n, NF_TX_BUF(i));

		memset(f, 0, 64);
		memset(f, 0xff, 6);
		memcpy(f + 6, n->mac, 6);
		f[12] = 0x88;
		f[13] = 0xb5;
	}
	while (now_s() - t0 < seconds) {
		int id;

		nf_reap(n);
		while ((id = nf_free_buf(n)) >= 0)
			nf_tx(n, (uint16_t)id, n->grefs[NF_TX_BUF(id)], 0, 64,
			      0);
		nf_push_tx(n);
		fe_wait(&n->fe, 0.01);
		if (nf_be_state(n) != NOXS_STATE_CONNECTED)
			die("netfe: flood: backend left Connected");
	}
	nf_reap(n);
	printf("netfe: flood sent %lu tx_ok %lu tx_err %lu in %.1f s\n",
	       n->tx_sent, n->tx_ok, n->tx_err, now_s() - t0);
	for (double end = now_s() + hold; now_s() < end;) {
		fe_wait(&n->fe, 0.1);
		nf_reap(n);
	}
	return 0;
}

static int nf_evflood(struct netfe *n, unsigned long count)
{
	double t0 = now_s();

	for (unsigned long k = 0; k < count; k++)
		fe_notify_port(&n->fe, n->data_port);
	printf("netfe: %lu data events in %.3f s, be %s\n", count,
	       now_s() - t0, state_name(nf_be_state(n)));
	return nf_be_state(n) == NOXS_STATE_CONNECTED ? 0 : 1;
}

/* After connecting: one illegal thing on the rings or in the page. */
static void nf_hostile_connected(struct netfe *n, const char *kind)
{
	volatile struct noxs_ctrl_page *p = n->fe.page;
	uint8_t *f0 = nf_page(n, NF_TX_BUF(0));
	uint16_t len = (uint16_t)nf_arp_request(n, f0, htonl(0x0a090002),
						htonl(0x0a090001));

	if (!strcmp(kind, "tx-prod")) {
		n->tx.sring->req_prod = n->tx.req_prod_pvt + 1000;
		__sync_synchronize();
		fe_notify_port(&n->fe, n->data_port);
	} else if (!strcmp(kind, "rx-prod")) {
		n->rx.sring->req_prod = n->rx.req_prod_pvt - 5000;
		__sync_synchronize();
		fe_notify_port(&n->fe, n->data_port);
	} else if (!strcmp(kind, "tx-gref")) {
		nf_tx(n, 0, NF_BAD_GREF, 0, len, 0);
		nf_push_tx(n);
	} else if (!strcmp(kind, "rx-gref")) {
		/* Only bad buffers, then a frame dom0 answers. */
		nf_post_all_rx(n, true);
		nf_tx(n, 0, n->grefs[NF_TX_BUF(0)], 0, len, 0);
		nf_push_tx(n);
	} else if (!strcmp(kind, "tx-offset")) {
		nf_tx(n, 0, n->grefs[NF_TX_BUF(0)], PAGE - 20, len, 0);
		nf_push_tx(n);
	} else if (!strcmp(kind, "tx-flags")) {
		nf_tx(n, 0, n->grefs[NF_TX_BUF(0)], 0, len,
		      NETTXF_more_data);
		nf_push_tx(n);
	} else if (!strcmp(kind, "changed")) {
		p->u.net.tx_ring_ref = n->grefs[NF_TX_BUF(3)];
		__sync_synchronize();
		fe_notify(&n->fe);
	} else if (!strcmp(kind, "be-field")) {
		p->u.net.mac[5] ^= 1;
		__sync_synchronize();
		fe_notify(&n->fe);
	} else {
		die("netfe: unknown hostile kind '%s'", kind);
	}
	printf("netfe: hostile %s sent\n", kind);
}

static int nf_hostile(struct netfe *n, const char *kind)
{
	static const char *const at_connect[] = {
		"ring-ref", "evtchn", "split", "features",
	};

	for (size_t i = 0; i < sizeof(at_connect) / sizeof(at_connect[0]); i++)
		if (!strcmp(kind, at_connect[i]))
			return nf_expect_closed(n, kind);
	nf_connect(n);
	nf_hostile_connected(n, kind);
	return nf_expect_closed(n, kind);
}

int cmd_netfe(int argc, char **argv)
{
	struct netfe n;
	const char *mode;
	uint16_t devid;

	if (argc < 2)
		die("usage: netfe DEVID ping SRC DST COUNT [HOLD] | "
		    "flood SECONDS [HOLD] | evflood COUNT | hostile KIND");
	devid = (uint16_t)parse_num(argv[0], "devid", NOXS_DEVID_MAX);
	mode = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	nf_setup(&n, devid, !strcmp(mode, "hostile") && argc == 3 ?
		 argv[2] : "");
	if (!strcmp(mode, "hostile") && argc == 3)
		return nf_hostile(&n, argv[2]);
	nf_connect(&n);
	if (!strcmp(mode, "ping") && (argc == 5 || argc == 6))
		return nf_ping(&n, argv[2], argv[3],
			       parse_num(argv[4], "count", 100000),
			       argc == 6 ? (double)parse_num(argv[5], "hold",
							     600) : 0);
	if (!strcmp(mode, "flood") && (argc == 3 || argc == 4))
		return nf_flood(&n, (double)parse_num(argv[2], "seconds", 600),
				argc == 4 ? (double)parse_num(argv[3], "hold",
							      600) : 0);
	if (!strcmp(mode, "evflood") && argc == 3)
		return nf_evflood(&n, parse_num(argv[2], "count", 100000000));
	die("netfe: bad mode");
}
