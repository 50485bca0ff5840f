// SPDX-License-Identifier: MIT
/*
 * netfront over noxs: Xen's standard netif TX/RX rings, set up through the
 * vif's control page (struct noxs_ctrl_net) instead of XenStore. The
 * backend (noxs-kmod/noxs_net.c) moves frames by grant copy, so every
 * buffer is one of our pages granted to it: RX pages writable, TX pages
 * read-only, all granted once at connect and reused.
 *
 *   setup:    rings and buffers allocated and granted, every RX buffer
 *             posted, an unbound port for the backend; tx/rx_ring_ref,
 *             evtchn_tx == evtchn_rx, fe_features = RX_COPY written, then
 *             the core writes Initialised. The backend maps the rings and
 *             says Connected; the core follows.
 *   teardown: port closed, grants ended, pages freed (a page the backend
 *             still uses is kept until it lets go: gnttab.c).
 *   suspend/resume: the same, keeping struct netfront (the app's state)
 *             and connecting again with new rings.
 *
 * The backend is hostile: producer indexes may not run ahead of what we
 * asked for, ids must name a buffer we posted and have not got back,
 * sizes and offsets must fit the page. A bad index means the rings can no
 * longer be trusted: we say Closing and stop using them. A bad response
 * is counted and skipped.
 */
#include <minios/events.h>
#include <minios/gnttab.h>
#include <minios/hypercall.h>
#include <minios/lib.h>
#include <minios/mm.h>
#include <minios/netfront.h>
#include <minios/noxs.h>
#include <minios/os.h>

/* The ring macros' barriers (Xen leaves them to the guest). */
#define xen_mb() mb()
#define xen_rmb() rmb()
#define xen_wmb() wmb()
#include <xen/io/netif.h>

#include "core.h"
#include "net_checks.h"

#define TX_RING_SIZE __CONST_RING_SIZE(netif_tx, PAGE_SIZE)
#define RX_RING_SIZE __CONST_RING_SIZE(netif_rx, PAGE_SIZE)
_Static_assert(NETFRONT_RX_BUFS < RX_RING_SIZE, "RX buffers fit the ring");
_Static_assert(NETFRONT_TX_BUFS < TX_RING_SIZE, "TX buffers fit the ring");
_Static_assert(NETFRONT_FRAME_MAX <= PAGE_SIZE, "a frame fits a page");

enum nf_state {
	NF_DOWN,	/* no device (never probed, closed or suspended) */
	NF_WAITING,	/* rings published, waiting for the backend */
	NF_CONNECTED,
	NF_BROKEN,	/* the backend broke the ring protocol: Closing */
};

struct nf_buf {
	void *page;
	grant_ref_t gref;
};

struct netfront {
	uint16_t devid;
	bool known;		/* a vif with this devid was probed once */
	enum nf_state state;
	struct noxs_device *dev;
	struct netfront_info info;
	evtchn_port_t port;	/* data channel (evtchn_tx == evtchn_rx) */
	netif_tx_front_ring_t tx;
	netif_rx_front_ring_t rx;
	void *tx_ring, *rx_ring;
	grant_ref_t tx_ring_ref, rx_ring_ref;
	struct nf_buf rxb[NETFRONT_RX_BUFS];
	struct nf_buf txb[NETFRONT_TX_BUFS];
	bool rx_posted[NETFRONT_RX_BUFS];	/* the backend has it */
	bool tx_in_flight[NETFRONT_TX_BUFS];
	uint16_t tx_free[NETFRONT_TX_BUFS];
	unsigned int nr_tx_free;
	struct netfront_stats stats;
};

static struct netfront netfronts[NETFRONT_MAX];

/* ---- the control page ---- */

static uint32_t be32_field(volatile const uint32_t *field)
{
	uint32_t v = *field;

	return __builtin_bswap32(v);	/* network order on a little-endian host */
}

static bool contiguous_mask(uint32_t mask)
{
	return (~mask & (~mask + 1)) == 0;
}

/* The backend's fields, copied once and checked. */
static int read_info(struct netfront *nf, const struct noxs_device *dev)
{
	volatile const struct noxs_ctrl_net *n = &dev->ctrl->u.net;
	struct netfront_info info;
	static const uint8_t zero[6];

	for (int i = 0; i < 6; i++)
		info.mac[i] = n->mac[i];
	info.ip = be32_field(&n->ipv4_addr);
	info.netmask = be32_field(&n->ipv4_netmask);
	info.gateway = be32_field(&n->ipv4_gateway);
	if (!(n->be_features & NOXS_NET_F_RX_COPY)) {
		printk("netfront: %s: backend does not offer copy\n", dev->name);
		return -1;
	}
	if ((info.mac[0] & 1) || !memcmp(info.mac, zero, 6)) {
		printk("netfront: %s: bad MAC from the backend\n", dev->name);
		return -1;
	}
	if (!contiguous_mask(info.netmask) ||
	    (info.ip && (info.ip >> 28) >= 0xe)) {
		printk("netfront: %s: bad address from the backend, none used\n",
		       dev->name);
		info.ip = info.netmask = info.gateway = 0;
	}
	if (!info.ip)
		info.netmask = info.gateway = 0;
	if (info.gateway && ((info.gateway ^ info.ip) & info.netmask)) {
		printk("netfront: %s: gateway off the subnet, ignored\n",
		       dev->name);
		info.gateway = 0;
	}
	nf->info = info;
	return 0;
}

/* ---- pages, grants, the event channel ---- */

static int grant_new_page(struct netfront *nf, bool readonly, void **page,
			  grant_ref_t *ref)
{
	void *p = page_alloc();

	if (!p)
		return -1;
	if (gnttab_grant_page(nf->dev->entry.be_domid, p, readonly, ref)) {
		page_free(p);
		return -1;
	}
	*page = p;
	return 0;
}

static void end_page(void **page, grant_ref_t ref)
{
	if (!*page)
		return;
	gnttab_end_and_free(ref, *page);
	*page = NULL;
}

static void data_event(evtchn_port_t port, void *arg)
{
	/* Waking the app's SCHEDOP_block is all it takes. */
	(void)port;
	(void)arg;
}

static int open_port(struct netfront *nf)
{
	struct evtchn_alloc_unbound op = {
		.dom = DOMID_SELF,
		.remote_dom = nf->dev->entry.be_domid,
	};

	if (hyp_event_channel_op(EVTCHNOP_alloc_unbound, &op))
		return -1;
	nf->port = op.port;
	if (evtchn_set_handler(nf->port, data_event, nf)) {
		struct evtchn_close close = { .port = nf->port };

		hyp_event_channel_op(EVTCHNOP_close, &close);
		nf->port = 0;
		return -1;
	}
	return 0;
}

static void close_port(struct netfront *nf)
{
	struct evtchn_close close = { .port = nf->port };

	if (!nf->port)
		return;
	evtchn_mask(nf->port);
	evtchn_set_handler(nf->port, NULL, NULL);
	hyp_event_channel_op(EVTCHNOP_close, &close);
	nf->port = 0;
}

/* Everything the connection held; the struct itself stays. */
static void release(struct netfront *nf)
{
	close_port(nf);
	end_page(&nf->tx_ring, nf->tx_ring_ref);
	end_page(&nf->rx_ring, nf->rx_ring_ref);
	for (int i = 0; i < NETFRONT_RX_BUFS; i++)
		end_page(&nf->rxb[i].page, nf->rxb[i].gref);
	for (int i = 0; i < NETFRONT_TX_BUFS; i++)
		end_page(&nf->txb[i].page, nf->txb[i].gref);
	nf->state = NF_DOWN;
	if (nf->dev)
		nf->dev->priv = NULL;
	nf->dev = NULL;
}

static void post_rx(struct netfront *nf, unsigned int id)
{
	netif_rx_request_t *req = RING_GET_REQUEST(&nf->rx,
						   nf->rx.req_prod_pvt);

	req->id = (uint16_t)id;
	req->gref = nf->rxb[id].gref;
	nf->rx.req_prod_pvt++;
	nf->rx_posted[id] = true;
}

static void push_rx(struct netfront *nf)
{
	int notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf->rx, notify);
	if (notify)
		evtchn_notify(nf->port);
}

/* Rings, buffers and port for a connection to dev's backend. */
static int connect(struct netfront *nf, struct noxs_device *dev)
{
	volatile struct noxs_ctrl_net *n = &dev->ctrl->u.net;

	nf->dev = dev;
	if (read_info(nf, dev))
		goto fail;
	if (grant_new_page(nf, false, &nf->tx_ring, &nf->tx_ring_ref) ||
	    grant_new_page(nf, false, &nf->rx_ring, &nf->rx_ring_ref))
		goto nomem;
	SHARED_RING_INIT((netif_tx_sring_t *)nf->tx_ring);
	SHARED_RING_INIT((netif_rx_sring_t *)nf->rx_ring);
	FRONT_RING_INIT(&nf->tx, (netif_tx_sring_t *)nf->tx_ring, PAGE_SIZE);
	FRONT_RING_INIT(&nf->rx, (netif_rx_sring_t *)nf->rx_ring, PAGE_SIZE);
	for (unsigned int i = 0; i < NETFRONT_RX_BUFS; i++) {
		nf->rx_posted[i] = false;
		if (grant_new_page(nf, false, &nf->rxb[i].page,
				   &nf->rxb[i].gref))
			goto nomem;
	}
	nf->nr_tx_free = 0;
	for (unsigned int i = 0; i < NETFRONT_TX_BUFS; i++) {
		nf->tx_in_flight[i] = false;
		if (grant_new_page(nf, true, &nf->txb[i].page,
				   &nf->txb[i].gref))
			goto nomem;
		nf->tx_free[nf->nr_tx_free++] = (uint16_t)i;
	}
	if (open_port(nf))
		goto fail;
	for (unsigned int i = 0; i < NETFRONT_RX_BUFS; i++)
		post_rx(nf, i);
	/* The backend reads the ring only after mapping it: no kick yet. */
	nf->rx.sring->req_prod = nf->rx.req_prod_pvt;

	n->tx_ring_ref = nf->tx_ring_ref;
	n->rx_ring_ref = nf->rx_ring_ref;
	n->evtchn_tx = nf->port;
	n->evtchn_rx = nf->port;
	n->fe_features = NOXS_NET_F_RX_COPY;
	nf->state = NF_WAITING;
	dev->priv = nf;
	evtchn_unmask(nf->port);
	return 0;
nomem:
	printk("netfront: %s: out of memory or grants\n", dev->name);
fail:
	release(nf);
	return -1;
}

/* ---- the driver ---- */

static struct netfront *slot_for(const struct noxs_device *dev)
{
	uint16_t devid = dev->entry.devid;

	if (devid >= NETFRONT_MAX) {
		printk("netfront: %s: devid above %d, not handled\n", dev->name,
		       NETFRONT_MAX - 1);
		return NULL;
	}
	return &netfronts[devid];
}

static int net_setup(struct noxs_device *dev)
{
	struct netfront *nf = slot_for(dev);

	if (!nf || nf->state != NF_DOWN)
		return -1;
	nf->devid = dev->entry.devid;
	nf->known = true;
	return connect(nf, dev);
}

static void net_event(struct noxs_device *dev)
{
	struct netfront *nf = dev->priv;

	if (!nf || nf->state != NF_WAITING)
		return;
	nf->state = NF_CONNECTED;
	nf->stats.connects++;
	/* Buffers posted before the backend was listening. */
	evtchn_notify(nf->port);
}

static void net_teardown(struct noxs_device *dev)
{
	struct netfront *nf = dev->priv;

	if (nf)
		release(nf);
}

static void net_suspend(struct noxs_device *dev)
{
	net_teardown(dev);
	/* A saved guest may map only its own pages. */
	gnttab_suspend();
}

static int net_resume(struct noxs_device *dev)
{
	struct netfront *nf = slot_for(dev);

	if (!nf || nf->state != NF_DOWN)
		return -1;
	printk("netfront: %s: connecting again after a resume\n", dev->name);
	return connect(nf, dev);
}

const struct noxs_driver noxs_net_driver = {
	.name = "netfront",
	.type = NOXS_DEV_VIF,
	.wait_for_backend = true,
	.setup = net_setup,
	.event = net_event,
	.teardown = net_teardown,
	.suspend = net_suspend,
	.resume = net_resume,
};

/* ---- the data path, for apps ---- */

/* The rings cannot be trusted any more: stop and ask for a close. */
static void broken(struct netfront *nf, const char *what, RING_IDX prod,
		   RING_IDX cons)
{
	printk("netfront: %s: backend %s (prod %u cons %u), closing\n",
	       nf->dev->name, what, prod, cons);
	nf->state = NF_BROKEN;
	noxs_dev_set_state(nf->dev, NOXS_STATE_CLOSING);
}

/*
 * The backend's producer index, if it is within what we asked for:
 * responses can never outnumber requests.
 */
static bool responses_sane(struct netfront *nf, RING_IDX prod,
			   RING_IDX cons, RING_IDX req_prod, const char *ring)
{
	if (nf_responses_sane(prod, cons, req_prod))
		return true;
	broken(nf, ring, prod, cons);
	return false;
}

/* Completed sends: buffers back on the free list. */
static void tx_collect(struct netfront *nf)
{
	RING_IDX prod = nf->tx.sring->rsp_prod, cons;

	rmb();	/* responses after the index that announced them */
	if (!responses_sane(nf, prod, nf->tx.rsp_cons, nf->tx.req_prod_pvt,
			    "TX response index out of bounds"))
		return;
	for (cons = nf->tx.rsp_cons; cons != prod; cons++) {
		netif_tx_response_t rsp = *RING_GET_RESPONSE(&nf->tx, cons);

		if (!nf_tx_id_ok(&rsp, nf->tx_in_flight, NETFRONT_TX_BUFS)) {
			nf->stats.bad_responses++;
			continue;
		}
		nf->tx_in_flight[rsp.id] = false;
		nf->tx_free[nf->nr_tx_free++] = rsp.id;
		if (rsp.status != NETIF_RSP_OKAY)
			nf->stats.tx_errors++;
	}
	nf->tx.rsp_cons = cons;
}

struct netfront *netfront_get(uint16_t devid)
{
	if (devid >= NETFRONT_MAX || !netfronts[devid].known)
		return NULL;
	return &netfronts[devid];
}

bool netfront_connected(const struct netfront *nf)
{
	return nf->state == NF_CONNECTED;
}

int netfront_info(const struct netfront *nf, struct netfront_info *info)
{
	if (!nf->known)
		return -1;
	*info = nf->info;
	return 0;
}

const struct netfront_stats *netfront_stats(const struct netfront *nf)
{
	return &nf->stats;
}

int netfront_send(struct netfront *nf, const uint8_t *frame, size_t len)
{
	unsigned long flags = events_save_disable();
	netif_tx_request_t *req;
	unsigned int id;
	int notify, rc = -1;

	if (nf->state != NF_CONNECTED || len < 14 || len > NETFRONT_FRAME_MAX)
		goto out;
	tx_collect(nf);
	if (nf->state != NF_CONNECTED)
		goto out;
	if (!nf->nr_tx_free) {
		nf->stats.tx_no_buffer++;
		goto out;
	}
	id = nf->tx_free[--nf->nr_tx_free];
	memcpy(nf->txb[id].page, frame, len);
	nf->tx_in_flight[id] = true;
	req = RING_GET_REQUEST(&nf->tx, nf->tx.req_prod_pvt);
	req->gref = nf->txb[id].gref;
	req->offset = 0;
	req->flags = 0;
	req->id = (uint16_t)id;
	req->size = (uint16_t)len;
	nf->tx.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf->tx, notify);
	if (notify)
		evtchn_notify(nf->port);
	nf->stats.tx_frames++;
	nf->stats.tx_bytes += len;
	rc = 0;
out:
	events_restore(flags);
	return rc;
}

unsigned int netfront_tx_free(struct netfront *nf)
{
	unsigned long flags = events_save_disable();
	unsigned int n = 0;

	if (nf->state == NF_CONNECTED) {
		tx_collect(nf);
		n = nf->nr_tx_free;
	}
	events_restore(flags);
	return n;
}

/* One RX response, checked; its buffer goes back to the backend. */
static void rx_one(struct netfront *nf, const netif_rx_response_t *rsp,
		   netfront_rx_fn fn, void *ctx)
{
	switch (nf_rx_check(rsp, nf->rx_posted, NETFRONT_RX_BUFS, PAGE_SIZE,
			    NETFRONT_FRAME_MAX)) {
	case NF_RX_BAD_ID:
		nf->stats.bad_responses++;
		return;
	case NF_RX_ERROR:
		nf->stats.rx_errors++;
		break;
	case NF_RX_FRAME:
		nf->stats.rx_frames++;
		nf->stats.rx_bytes += (unsigned int)rsp->status;
		fn(ctx, (const uint8_t *)nf->rxb[rsp->id].page + rsp->offset,
		   (size_t)rsp->status);
		break;
	}
	nf->rx_posted[rsp->id] = false;
	/* fn may have sent: the connection is still ours (events masked). */
	post_rx(nf, rsp->id);
}

unsigned int netfront_receive(struct netfront *nf, netfront_rx_fn fn,
			      void *ctx, unsigned int budget)
{
	unsigned long flags = events_save_disable();
	unsigned int done = 0;
	int more = 1;

	while (nf->state == NF_CONNECTED && more && done < budget) {
		RING_IDX prod = nf->rx.sring->rsp_prod, cons;

		rmb();
		if (!responses_sane(nf, prod, nf->rx.rsp_cons,
				    nf->rx.req_prod_pvt,
				    "RX response index out of bounds"))
			break;
		for (cons = nf->rx.rsp_cons; cons != prod && done < budget;
		     cons++, done++) {
			/* One copy: the backend may rewrite the slot. */
			netif_rx_response_t rsp =
				*RING_GET_RESPONSE(&nf->rx, cons);

			nf->rx.rsp_cons = cons + 1;
			rx_one(nf, &rsp, fn, ctx);
			if (nf->state != NF_CONNECTED)
				break;
		}
		if (nf->state != NF_CONNECTED)
			break;
		push_rx(nf);
		RING_FINAL_CHECK_FOR_RESPONSES(&nf->rx, more);
	}
	events_restore(flags);
	return done;
}

bool netfront_has_work(struct netfront *nf)
{
	int pending;

	if (nf->state != NF_CONNECTED)
		return false;
	tx_collect(nf);
	if (nf->state != NF_CONNECTED)
		return false;
	if (!nf->nr_tx_free) {
		/* Answers need a buffer: wait for a completed send first. */
		RING_FINAL_CHECK_FOR_RESPONSES(&nf->tx, pending);
		return pending;
	}
	RING_FINAL_CHECK_FOR_RESPONSES(&nf->rx, pending);
	return pending;
}
