// SPDX-License-Identifier: GPL-2.0
/*
 * noxs network backend: a vif whose frontend publishes its rings in the
 * noxs control page (struct noxs_ctrl_net) instead of XenStore.
 *
 * The rings are Xen's standard netif TX/RX rings, so the guest runs a
 * conventional netfront. Kept simple on purpose: one queue, one event
 * channel, no scatter-gather, no offloads, every frame fits one slot and
 * moves by grant copy in both directions.
 *
 * The dom0 side is a net device vif<domid>.<devid>, registered when the
 * device is created (carrier off) so that xendevd can put it on its bridge
 * before the guest even boots; its uevents carry XENDEVD_BRIDGE. A pooled
 * shell's vif gets it with its settings, or ahead of them, on the bridge
 * its guest will have.
 *
 * Everything on the rings is hostile: producer indexes are bounded by the
 * ring size, each request must fit its page, and the first bad index,
 * request or grant closes the device (its net device goes away) with one
 * rate-limited log line. All ring work runs in NAPI, within its budget.
 */
#define pr_fmt(fmt) "noxs: " fmt

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/string.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/interface/io/netif.h>
#include <asm/xen/hypercall.h>

#include "noxs_kmod.h"

/* Frames per grant-copy batch (each takes at most two copy ops). */
#define NOXS_NET_BATCH		64
#define NOXS_NET_MAX_OPS	(2 * NOXS_NET_BATCH)
/* Largest frame in one slot: MTU 1500 plus an Ethernet and a VLAN header. */
#define NOXS_NET_MAX_FRAME	(ETH_FRAME_LEN + VLAN_HLEN)
/* Frames from dom0 waiting for a guest buffer; more are dropped. */
#define NOXS_NET_RXQ_MAX	256

#define NOXS_NET_RING_TX	0
#define NOXS_NET_RING_RX	1

/* vif->flags */
#define NOXS_VIF_EOI_PENDING	0	/* an event awaits its late EOI */

struct noxs_vif {
	struct noxs_dev *d;
	struct net_device *dev;
	struct napi_struct napi;
	char irq_name[32];

	/* Set up and torn down only by the device's work (or its finish). */
	bool connected;
	int irq;
	struct page *ring_page[2];
	grant_handle_t ring_handle[2];
	struct xen_netif_tx_back_ring tx;	/* guest -> dom0 */
	struct xen_netif_rx_back_ring rx;	/* dom0 -> guest */

	unsigned long flags;
	bool worked;			/* NAPI did something since the EOI */

	struct sk_buff_head rxq;	/* waiting for a guest buffer */

	/* NAPI scratch. */
	struct gnttab_copy ops[NOXS_NET_MAX_OPS];
	struct sk_buff *batch_skb[NOXS_NET_BATCH];
	u16 batch_id[NOXS_NET_BATCH];

	/* Written in NAPI only; dom0's view (rx = from the guest). */
	unsigned long rx_packets, rx_bytes, rx_errors;
	unsigned long tx_packets, tx_bytes;
	atomic_long_t rx_dropped, tx_dropped;
};

/* ---- create-time settings ---- */

static bool noxs_net_valid_bridge(const char *b)
{
	size_t len = strnlen(b, IFNAMSIZ);
	size_t i;

	if (len == IFNAMSIZ)
		return false;
	/* Bytes after the NUL are zero, like every unused field. */
	if (memchr_inv(b + len, 0, IFNAMSIZ - len))
		return false;
	if (len == 0)
		return true;
	if (!strcmp(b, ".") || !strcmp(b, ".."))
		return false;
	for (i = 0; i < len; i++) {
		if (b[i] <= ' ' || b[i] > '~' || b[i] == '/' || b[i] == ':')
			return false;
	}
	return true;
}

static bool noxs_net_valid_netmask(u32 mask_be)
{
	u32 m = be32_to_cpu((__force __be32)mask_be);

	/* Contiguous ones from the top: ~m + 1 is a power of two (or 0). */
	return (~m & (~m + 1)) == 0;
}

bool noxs_net_valid_params(const struct noxs_vif_params *p)
{
	if (!is_valid_ether_addr(p->mac) || p->pad0 || p->pad1 ||
	    memchr_inv(p->reserved, 0, sizeof(p->reserved)))
		return false;
	if (!p->ipv4_addr && (p->ipv4_netmask || p->ipv4_gateway))
		return false;
	if (!noxs_net_valid_netmask(p->ipv4_netmask))
		return false;
	return noxs_net_valid_bridge(p->bridge);
}

/*
 * An unconfigured vif's params: all zero, but for the bridge of a net
 * device made ahead (which may be "" too).
 */
bool noxs_net_valid_ahead_params(const struct noxs_vif_params *p, bool ahead)
{
	struct noxs_vif_params rest = *p;

	if (!ahead)
		return !memchr_inv(p, 0, sizeof(*p));
	memset(rest.bridge, 0, sizeof(rest.bridge));
	return !memchr_inv(&rest, 0, sizeof(rest)) &&
	       noxs_net_valid_bridge(p->bridge);
}

/* The backend fields of the control page, before it is granted. */
void noxs_net_init_page(struct noxs_dev *d)
{
	struct noxs_ctrl_net *n = &d->ctrl->u.net;

	memcpy(n->mac, d->vif_params.mac, sizeof(n->mac));
	n->ipv4_addr = d->vif_params.ipv4_addr;
	n->ipv4_netmask = d->vif_params.ipv4_netmask;
	n->ipv4_gateway = d->vif_params.ipv4_gateway;
	n->be_features = NOXS_NET_F_RX_COPY;
}

/* ---- control page (under d->lock) ---- */

void noxs_net_snapshot(const struct noxs_dev *d, struct noxs_ctrl_snap *s)
{
	/*
	 * The frontend writes its rings before fe_state: copy them again
	 * after the header was copied.
	 */
	virt_rmb();
	memcpy(&s->u.net, &d->ctrl->u.net, sizeof(s->u.net));
}

static bool noxs_net_fe_ready(u32 fe_state)
{
	return fe_state == NOXS_STATE_INITIALISED ||
	       fe_state == NOXS_STATE_CONNECTED;
}

u32 noxs_net_check(const struct noxs_dev *d, const struct noxs_ctrl_snap *s)
{
	const struct noxs_ctrl_net *n = &s->u.net;
	const struct noxs_vif_params *p = &d->vif_params;

	if (memcmp(n->mac, p->mac, sizeof(n->mac)) ||
	    n->ipv4_addr != p->ipv4_addr ||
	    n->ipv4_netmask != p->ipv4_netmask ||
	    n->ipv4_gateway != p->ipv4_gateway ||
	    n->be_features != NOXS_NET_F_RX_COPY)
		return NOXS_ERR_BE_FIELD;
	if (n->pad0 || n->pad1 || memchr_inv(n->reserved, 0,
					     sizeof(n->reserved)))
		return NOXS_ERR_RESERVED;
	if (n->fe_features & ~n->be_features)
		return NOXS_ERR_NET_FEATURES;

	if (d->net_taken) {
		const struct noxs_ctrl_net *t = &d->net_fe;

		if (n->tx_ring_ref != t->tx_ring_ref ||
		    n->rx_ring_ref != t->rx_ring_ref ||
		    n->evtchn_tx != t->evtchn_tx ||
		    n->evtchn_rx != t->evtchn_rx ||
		    n->fe_features != t->fe_features)
			return NOXS_ERR_NET_CHANGED;
	} else if (noxs_net_fe_ready(s->hdr.fe_state)) {
		/* Copy only, and one channel: nothing else was offered. */
		if (!(n->fe_features & NOXS_NET_F_RX_COPY))
			return NOXS_ERR_NET_FEATURES;
		if (n->evtchn_rx != n->evtchn_tx)
			return NOXS_ERR_NET_EVTCHN;
	}
	return NOXS_ERR_NONE;
}

/* Record the rings once the frontend says they are ready. */
bool noxs_net_apply(struct noxs_dev *d, const struct noxs_ctrl_snap *s)
{
	if (d->net_taken || d->be_state != NOXS_STATE_INITWAIT ||
	    !noxs_net_fe_ready(s->hdr.fe_state))
		return false;
	d->net_fe = s->u.net;
	d->net_taken = true;
	return true;
}

/* ---- the data path (NAPI) ---- */

/* Stop using the rings: the device's work closes it. */
static void noxs_net_fatal(struct noxs_vif *vif, u32 err, const char *what,
			   unsigned int a, unsigned int b)
{
	if (atomic_cmpxchg(&vif->d->net_fatal, 0, err) != 0)
		return;
	if (net_ratelimit())
		netdev_warn(vif->dev, "%s (%u, %u), closing\n", what, a, b);
	noxs_dev_kick(vif->d);
}

/*
 * A frontend that has said Closing or Closed may take its grants back
 * before it sees our answer (minios does, as it suspends).
 */
static bool noxs_net_fe_left(struct noxs_vif *vif)
{
	u32 fe = READ_ONCE(vif->d->ctrl->hdr.fe_state);

	return fe == NOXS_STATE_CLOSING || fe == NOXS_STATE_CLOSED;
}

/*
 * Once either end has said Closing or Closed, the frontend may free its
 * buffers: stop copying at once, not only when the work disconnects.
 */
static bool noxs_net_dead(struct noxs_vif *vif)
{
	return atomic_read(&vif->d->net_fatal) != 0 ||
	       noxs_dev_gone(vif->d) || noxs_net_fe_left(vif);
}

/*
 * Copy ops between grant (gref, goff) of the guest and local buf, split
 * where buf crosses a page. len <= NOXS_NET_MAX_FRAME: two ops at most.
 */
static unsigned int noxs_net_copy_ops(struct noxs_vif *vif,
				      struct gnttab_copy *op, bool to_guest,
				      grant_ref_t gref, unsigned int goff,
				      void *buf, unsigned int len)
{
	unsigned int n = 0;

	while (len && n < 2) {
		unsigned int off = xen_offset_in_page(buf);
		unsigned int chunk = min_t(unsigned int, len,
					   XEN_PAGE_SIZE - off);
		struct gnttab_copy_ptr *local, *remote;

		memset(&op[n], 0, sizeof(op[n]));
		local = to_guest ? &op[n].source : &op[n].dest;
		remote = to_guest ? &op[n].dest : &op[n].source;
		local->u.gmfn = virt_to_gfn(buf);
		local->domid = DOMID_SELF;
		local->offset = off;
		remote->u.ref = gref;
		remote->domid = vif->d->domid;
		remote->offset = goff;
		op[n].len = chunk;
		op[n].flags = to_guest ? GNTCOPY_dest_gref : GNTCOPY_source_gref;
		buf += chunk;
		goff += chunk;
		len -= chunk;
		n++;
	}
	WARN_ON_ONCE(len);
	return n;
}

/* Run the batch; false (and fatal) if the guest's grants were bad. */
static bool noxs_net_copy(struct noxs_vif *vif, unsigned int nops)
{
	unsigned int i;

	gnttab_batch_copy(vif->ops, nops);
	for (i = 0; i < nops; i++) {
		if (vif->ops[i].status != GNTST_okay) {
			/* Its grants went with it: the device's end, which
			 * the work follows, not the guest's fault.
			 */
			if (noxs_net_fe_left(vif)) {
				noxs_dev_kick(vif->d);
				return false;
			}
			noxs_net_fatal(vif, NOXS_ERR_NET_GRANT,
				       "grant copy failed (gref, -status)",
				       (vif->ops[i].flags & GNTCOPY_dest_gref) ?
				       vif->ops[i].dest.u.ref :
				       vif->ops[i].source.u.ref,
				       (unsigned int)-vif->ops[i].status);
			return false;
		}
	}
	return true;
}

static void noxs_net_tx_response(struct noxs_vif *vif, u16 id, s16 status)
{
	struct xen_netif_tx_response *rsp;

	rsp = RING_GET_RESPONSE(&vif->tx, vif->tx.rsp_prod_pvt);
	rsp->id = id;
	rsp->status = status;
	vif->tx.rsp_prod_pvt++;
}

static void noxs_net_free_batch(struct noxs_vif *vif, unsigned int n)
{
	while (n--)
		kfree_skb(vif->batch_skb[n]);
}

static void noxs_net_push_tx(struct noxs_vif *vif)
{
	int notify;

	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&vif->tx, notify);
	if (notify)
		notify_remote_via_irq(vif->irq);
}

/*
 * Read one batch of the guest's transmit requests into skbs. Returns the
 * number of requests consumed; stops at the first fatal one.
 */
static unsigned int noxs_net_tx_batch(struct noxs_vif *vif, RING_IDX prod,
				      unsigned int max, unsigned int *nskb,
				      unsigned int *nops)
{
	struct xen_netif_tx_back_ring *ring = &vif->tx;
	unsigned int used = 0;

	*nskb = 0;
	*nops = 0;
	while (ring->req_cons != prod && used < max) {
		struct xen_netif_tx_request req;
		struct sk_buff *skb;

		RING_COPY_REQUEST(ring, ring->req_cons, &req);
		ring->req_cons++;
		used++;

		/* Neither scatter-gather nor extra info was offered. */
		if (req.flags & (XEN_NETTXF_more_data | XEN_NETTXF_extra_info)) {
			noxs_net_fatal(vif, NOXS_ERR_NET_REQUEST,
				       "tx request flags (id, flags)", req.id,
				       req.flags);
			return used;
		}
		if ((unsigned int)req.offset + req.size > XEN_PAGE_SIZE) {
			noxs_net_fatal(vif, NOXS_ERR_NET_REQUEST,
				       "tx request past its page (offset, size)",
				       req.offset, req.size);
			return used;
		}
		/* A bad frame, not a bad guest: drop it. */
		if (req.size < ETH_HLEN || req.size > NOXS_NET_MAX_FRAME ||
		    (req.flags & XEN_NETTXF_csum_blank)) {
			noxs_net_tx_response(vif, req.id, XEN_NETIF_RSP_ERROR);
			vif->rx_errors++;
			continue;
		}
		skb = napi_alloc_skb(&vif->napi, req.size);
		if (!skb) {
			noxs_net_tx_response(vif, req.id, XEN_NETIF_RSP_DROPPED);
			atomic_long_inc(&vif->rx_dropped);
			continue;
		}
		skb_put(skb, req.size);
		*nops += noxs_net_copy_ops(vif, &vif->ops[*nops], false,
					   req.gref, req.offset, skb->data,
					   req.size);
		vif->batch_skb[*nskb] = skb;
		vif->batch_id[*nskb] = req.id;
		(*nskb)++;
	}
	return used;
}

/* Guest -> dom0: frames the guest transmits. Returns requests consumed. */
static int noxs_net_tx(struct noxs_vif *vif, int budget)
{
	struct xen_netif_tx_back_ring *ring = &vif->tx;
	int done = 0;

	while (done < budget && !noxs_net_dead(vif)) {
		unsigned int used, nskb, nops, i;
		RING_IDX prod;

		prod = READ_ONCE(ring->sring->req_prod);
		/* Read the requests only after their producer index. */
		virt_rmb();
		if (RING_REQUEST_PROD_OVERFLOW(ring, prod)) {
			noxs_net_fatal(vif, NOXS_ERR_NET_RING_INDEX,
				       "tx req_prod out of bounds (prod, cons)",
				       prod, ring->req_cons);
			break;
		}
		used = noxs_net_tx_batch(vif, prod,
					 min(budget - done, NOXS_NET_BATCH),
					 &nskb, &nops);
		if (!used)
			break;
		done += used;
		if (noxs_net_dead(vif) || (nops && !noxs_net_copy(vif, nops))) {
			noxs_net_free_batch(vif, nskb);
			break;
		}
		for (i = 0; i < nskb; i++) {
			struct sk_buff *skb = vif->batch_skb[i];

			noxs_net_tx_response(vif, vif->batch_id[i],
					     XEN_NETIF_RSP_OKAY);
			vif->rx_packets++;
			vif->rx_bytes += skb->len;
			skb->protocol = eth_type_trans(skb, vif->dev);
			napi_gro_receive(&vif->napi, skb);
		}
		noxs_net_push_tx(vif);
	}
	return done;
}

/* Dom0 -> guest: frames queued by the xmit hook, into the guest's buffers. */
static int noxs_net_rx(struct noxs_vif *vif, int budget)
{
	struct xen_netif_rx_back_ring *ring = &vif->rx;
	int done = 0;

	while (done < budget && !noxs_net_dead(vif)) {
		unsigned int n = 0, nops = 0, i;
		struct sk_buff *skb;
		RING_IDX prod;
		int notify;

		prod = READ_ONCE(ring->sring->req_prod);
		/* Read the buffers only after their producer index. */
		virt_rmb();
		if (RING_REQUEST_PROD_OVERFLOW(ring, prod)) {
			noxs_net_fatal(vif, NOXS_ERR_NET_RING_INDEX,
				       "rx req_prod out of bounds (prod, cons)",
				       prod, ring->req_cons);
			break;
		}
		if (skb_queue_empty(&vif->rxq))
			break;
		while (ring->req_cons != prod && n < NOXS_NET_BATCH &&
		       done + n < budget) {
			struct xen_netif_rx_request req;

			skb = skb_dequeue(&vif->rxq);
			if (!skb)
				break;
			RING_COPY_REQUEST(ring, ring->req_cons, &req);
			ring->req_cons++;
			nops += noxs_net_copy_ops(vif, &vif->ops[nops], true,
						  req.gref, 0, skb->data,
						  skb->len);
			vif->batch_skb[n] = skb;
			vif->batch_id[n] = req.id;
			n++;
		}
		if (!n)
			break;	/* no guest buffer: wait for its event */
		done += n;
		if (!noxs_net_copy(vif, nops)) {
			noxs_net_free_batch(vif, n);
			break;
		}
		for (i = 0; i < n; i++) {
			struct xen_netif_rx_response *rsp;

			skb = vif->batch_skb[i];
			rsp = RING_GET_RESPONSE(ring, ring->rsp_prod_pvt);
			rsp->id = vif->batch_id[i];
			rsp->offset = 0;
			rsp->flags = skb->ip_summed == CHECKSUM_UNNECESSARY ?
				     XEN_NETRXF_data_validated : 0;
			rsp->status = skb->len;
			ring->rsp_prod_pvt++;
			vif->tx_packets++;
			vif->tx_bytes += skb->len;
			consume_skb(skb);
		}
		RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(ring, notify);
		if (notify)
			notify_remote_via_irq(vif->irq);
	}
	return done;
}

/* Anything left for NAPI? Also asks the guest to signal new requests. */
static bool noxs_net_more(struct noxs_vif *vif)
{
	int tx_more, rx_more = 0;

	RING_FINAL_CHECK_FOR_REQUESTS(&vif->tx, tx_more);
	if (!skb_queue_empty(&vif->rxq))
		RING_FINAL_CHECK_FOR_REQUESTS(&vif->rx, rx_more);
	return tx_more || rx_more;
}

static int noxs_net_poll(struct napi_struct *napi, int budget)
{
	struct noxs_vif *vif = container_of(napi, struct noxs_vif, napi);
	int done;

	if (noxs_net_dead(vif)) {
		/* The channel stays masked: nothing more is read. */
		napi_complete(napi);
		return 0;
	}
	done = max(noxs_net_tx(vif, budget), noxs_net_rx(vif, budget));
	if (done)
		vif->worked = true;
	if (noxs_net_dead(vif)) {
		napi_complete(napi);
		return 0;
	}
	if (done >= budget)
		return budget;
	if (!napi_complete_done(napi, done))
		return done;
	if (noxs_net_more(vif)) {
		napi_schedule(napi);
	} else if (test_and_clear_bit(NOXS_VIF_EOI_PENDING, &vif->flags)) {
		/* Events that moved nothing are spurious: throttled. */
		xen_irq_lateeoi(vif->irq, vif->worked ? 0 :
				XEN_EOI_FLAG_SPURIOUS);
		vif->worked = false;
	}
	return done;
}

static irqreturn_t noxs_net_interrupt(int irq, void *data)
{
	struct noxs_vif *vif = data;

	/* An event may beat the binder's own record of the irq. */
	WRITE_ONCE(vif->irq, irq);
	set_bit(NOXS_VIF_EOI_PENDING, &vif->flags);
	napi_schedule(&vif->napi);
	return IRQ_HANDLED;
}

/* ---- the net device ---- */

static netdev_tx_t noxs_net_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct noxs_vif *vif = netdev_priv(dev);

	if (!READ_ONCE(vif->connected) || skb->len > NOXS_NET_MAX_FRAME ||
	    skb_queue_len(&vif->rxq) >= NOXS_NET_RXQ_MAX ||
	    skb_linearize(skb)) {
		atomic_long_inc(&vif->tx_dropped);
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}
	skb_queue_tail(&vif->rxq, skb);
	napi_schedule(&vif->napi);
	return NETDEV_TX_OK;
}

static int noxs_net_open(struct net_device *dev)
{
	netif_start_queue(dev);
	return 0;
}

static int noxs_net_stop(struct net_device *dev)
{
	netif_stop_queue(dev);
	return 0;
}

static void noxs_net_get_stats64(struct net_device *dev,
				 struct rtnl_link_stats64 *st)
{
	struct noxs_vif *vif = netdev_priv(dev);

	st->rx_packets = READ_ONCE(vif->rx_packets);
	st->rx_bytes = READ_ONCE(vif->rx_bytes);
	st->rx_errors = READ_ONCE(vif->rx_errors);
	st->rx_dropped = atomic_long_read(&vif->rx_dropped);
	st->tx_packets = READ_ONCE(vif->tx_packets);
	st->tx_bytes = READ_ONCE(vif->tx_bytes);
	st->tx_dropped = atomic_long_read(&vif->tx_dropped);
}

static const struct net_device_ops noxs_net_ops = {
	.ndo_open = noxs_net_open,
	.ndo_stop = noxs_net_stop,
	.ndo_start_xmit = noxs_net_xmit,
	.ndo_get_stats64 = noxs_net_get_stats64,
	.ndo_validate_addr = eth_validate_addr,
};

static const struct ethtool_ops noxs_net_ethtool_ops = {
	.get_link = ethtool_op_get_link,
};

/* The bridge for xendevd, in every uevent of the device (and in sysfs). */
static int noxs_net_uevent(struct device *dev, struct kobj_uevent_env *env)
{
	struct noxs_vif *vif = netdev_priv(to_net_dev(dev));
	const char *bridge = vif->d->vif_params.bridge;

	if (!bridge[0])
		return 0;
	return add_uevent_var(env, "XENDEVD_BRIDGE=%s", bridge);
}

static const struct device_type noxs_net_type = {
	.name = "vif",
	.uevent = noxs_net_uevent,
};

int noxs_net_create(struct noxs_dev *d)
{
	/* Like other Xen backends: the guest's MAC is on its side only. */
	static const u8 be_mac[ETH_ALEN] = {
		0xfe, 0xff, 0xff, 0xff, 0xff, 0xff
	};
	struct net_device *dev;
	struct noxs_vif *vif;
	char name[IFNAMSIZ];
	int ret;

	snprintf(name, sizeof(name), "vif%u.%u", d->domid, d->devid);
	dev = alloc_netdev(sizeof(*vif), name, NET_NAME_PREDICTABLE,
			   ether_setup);
	if (!dev)
		return -ENOMEM;
	vif = netdev_priv(dev);
	vif->d = d;
	vif->dev = dev;
	snprintf(vif->irq_name, sizeof(vif->irq_name), "noxs-%u-vif%u-data",
		 d->domid, d->devid);
	skb_queue_head_init(&vif->rxq);
	atomic_long_set(&vif->rx_dropped, 0);
	atomic_long_set(&vif->tx_dropped, 0);

	dev->netdev_ops = &noxs_net_ops;
	dev->ethtool_ops = &noxs_net_ethtool_ops;
	SET_NETDEV_DEVTYPE(dev, &noxs_net_type);
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_DATA_LEN;
	dev->mtu = ETH_DATA_LEN;
	eth_hw_addr_set(dev, be_mac);
	netif_napi_add(dev, &vif->napi, noxs_net_poll);
	netif_carrier_off(dev);

	ret = register_netdev(dev);
	if (ret) {
		free_netdev(dev);
		return ret;
	}
	/* Published last: the work may look for it (NOXS_IOC_VIF_CONFIG). */
	smp_store_release(&d->vif, vif);
	return 0;
}

static int noxs_net_map_ring(struct noxs_vif *vif, unsigned int which,
			     grant_ref_t ref)
{
	struct gnttab_map_grant_ref op;
	struct page *page;
	int ret;

	if (gnttab_alloc_pages(1, &page))
		return -ENOMEM;
	gnttab_set_map_op(&op, (unsigned long)pfn_to_kaddr(page_to_pfn(page)),
			  GNTMAP_host_map, ref, vif->d->domid);
	ret = gnttab_map_refs(&op, NULL, &page, 1);
	if (ret || op.status != GNTST_okay) {
		if (net_ratelimit())
			netdev_warn(vif->dev, "cannot map ring grant %u: %d/%d\n",
				    ref, ret, op.status);
		gnttab_free_pages(1, &page);
		return -EINVAL;
	}
	vif->ring_page[which] = page;
	vif->ring_handle[which] = op.handle;
	return 0;
}

static void noxs_net_unmap_ring(struct noxs_vif *vif, unsigned int which)
{
	struct page *page = vif->ring_page[which];
	struct gnttab_unmap_grant_ref op;

	if (!page)
		return;
	gnttab_set_unmap_op(&op, (unsigned long)pfn_to_kaddr(page_to_pfn(page)),
			    GNTMAP_host_map, vif->ring_handle[which]);
	if (gnttab_unmap_refs(&op, NULL, &page, 1) || op.status != GNTST_okay) {
		/* Still mapped: keep the page rather than reuse it. */
		netdev_err(vif->dev, "cannot unmap ring: %d\n", op.status);
	} else {
		gnttab_free_pages(1, &page);
	}
	vif->ring_page[which] = NULL;
}

static int noxs_net_bind(struct noxs_vif *vif, evtchn_port_t remote)
{
	struct evtchn_bind_interdomain op = {
		.remote_dom = vif->d->domid,
		.remote_port = remote,
	};
	int ret;

	/* The guest's port: its mistake is -EINVAL, ours -ENOMEM. */
	if (HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &op))
		return -EINVAL;
	ret = bind_evtchn_to_irqhandler_lateeoi(op.local_port,
						noxs_net_interrupt, 0,
						vif->irq_name, vif);
	if (ret < 0) {
		noxs_evtchn_close_if_ours(op.local_port,
					  EVTCHNSTAT_interdomain,
					  vif->d->domid, remote);
		return -ENOMEM;
	}
	WRITE_ONCE(vif->irq, ret);
	return 0;
}

static u32 noxs_net_setup_err(int ret, u32 guest_err)
{
	return ret == -ENOMEM ? NOXS_ERR_NET_SETUP : guest_err;
}

/* Map the rings and bind the channel. Returns NOXS_ERR_*. */
static u32 noxs_net_connect(struct noxs_vif *vif, const struct noxs_ctrl_net *fe)
{
	void *tx, *rx;
	int ret;

	ret = noxs_net_map_ring(vif, NOXS_NET_RING_TX, fe->tx_ring_ref);
	if (ret)
		return noxs_net_setup_err(ret, NOXS_ERR_NET_RING_MAP);
	ret = noxs_net_map_ring(vif, NOXS_NET_RING_RX, fe->rx_ring_ref);
	if (ret) {
		noxs_net_unmap_ring(vif, NOXS_NET_RING_TX);
		return noxs_net_setup_err(ret, NOXS_ERR_NET_RING_MAP);
	}
	tx = page_address(vif->ring_page[NOXS_NET_RING_TX]);
	rx = page_address(vif->ring_page[NOXS_NET_RING_RX]);
	BACK_RING_INIT(&vif->tx, (struct xen_netif_tx_sring *)tx,
		       XEN_PAGE_SIZE);
	BACK_RING_INIT(&vif->rx, (struct xen_netif_rx_sring *)rx,
		       XEN_PAGE_SIZE);
	vif->flags = 0;
	vif->worked = false;

	napi_enable(&vif->napi);
	ret = noxs_net_bind(vif, fe->evtchn_tx);
	if (ret) {
		if (net_ratelimit())
			netdev_warn(vif->dev, "cannot bind event channel %u: %d\n",
				    fe->evtchn_tx, ret);
		napi_disable(&vif->napi);
		noxs_net_unmap_ring(vif, NOXS_NET_RING_RX);
		noxs_net_unmap_ring(vif, NOXS_NET_RING_TX);
		return noxs_net_setup_err(ret, NOXS_ERR_NET_EVTCHN);
	}
	WRITE_ONCE(vif->connected, true);
	netif_carrier_on(vif->dev);
	/* Requests may have been posted before the channel was bound. */
	local_bh_disable();
	napi_schedule(&vif->napi);
	local_bh_enable();
	return NOXS_ERR_NONE;
}

static void noxs_net_disconnect(struct noxs_vif *vif)
{
	if (!vif->connected)
		return;
	netif_carrier_off(vif->dev);
	WRITE_ONCE(vif->connected, false);
	/* No poll runs after this, so the rings are ours to unmap. */
	napi_disable(&vif->napi);
	/* This also closes the port. */
	unbind_from_irqhandler(vif->irq, vif);
	vif->irq = 0;
	noxs_net_unmap_ring(vif, NOXS_NET_RING_RX);
	noxs_net_unmap_ring(vif, NOXS_NET_RING_TX);
	skb_queue_purge(&vif->rxq);
}

/* Disconnect and remove the net device: the vif is gone for good. */
static void noxs_net_teardown(struct noxs_dev *d)
{
	struct noxs_vif *vif = d->vif;

	if (!vif)
		return;
	noxs_net_disconnect(vif);
	unregister_netdev(vif->dev);
	skb_queue_purge(&vif->rxq);
	d->vif = NULL;
	free_netdev(vif->dev);
}

/*
 * Bring the data path in line with the control page, in the device's
 * work (may sleep). Returns true if the state changed.
 */
bool noxs_net_sync(struct noxs_dev *d)
{
	/* Pairs with the release in noxs_net_create(). */
	struct noxs_vif *vif = smp_load_acquire(&d->vif);
	struct noxs_ctrl_net fe;
	unsigned long flags;
	bool want;
	u32 be, err;

	if (!vif)
		return false;
	spin_lock_irqsave(&d->lock, flags);
	be = d->be_state;
	/* A net device made ahead waits for the vif's settings. */
	want = d->net_taken && d->vif_configured &&
	       be == NOXS_STATE_INITWAIT && !d->dead;
	fe = d->net_fe;
	spin_unlock_irqrestore(&d->lock, flags);

	if (be == NOXS_STATE_CLOSED) {
		noxs_net_teardown(d);
		return false;
	}
	if (be == NOXS_STATE_CLOSING) {
		noxs_net_disconnect(vif);
		return false;
	}
	if (!want || vif->connected)
		return false;

	err = noxs_net_connect(vif, &fe);
	spin_lock_irqsave(&d->lock, flags);
	if (err)
		noxs_dev_fail(d, err, d->fe_state);
	else if (d->be_state == NOXS_STATE_INITWAIT)
		noxs_dev_write_be_state(d, NOXS_STATE_CONNECTED);
	spin_unlock_irqrestore(&d->lock, flags);
	if (err)
		noxs_net_teardown(d);
	else
		netdev_info(vif->dev, "connected, tx ring %u rx ring %u port %u\n",
			    fe.tx_ring_ref, fe.rx_ring_ref, fe.evtchn_tx);
	return true;
}

/* The device is being destroyed; its work cannot run any more. */
void noxs_net_destroy(struct noxs_dev *d)
{
	noxs_net_teardown(d);
}
