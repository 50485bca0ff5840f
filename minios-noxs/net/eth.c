// SPDX-License-Identifier: MIT
/*
 * Ethernet II: the stack's entry point for received frames and its exit
 * for frames it built. Only frames to our MAC or to broadcast, from a
 * unicast MAC that is not ours, of a sane length, go further up.
 */
#include "internal.h"

static const uint8_t broadcast_mac[NET_MAC_LEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

void net_init(struct net_stack *s, const struct net_config *cfg,
	      net_output_fn output, void *output_ctx, uint64_t now_ns)
{
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	s->output = output;
	s->output_ctx = output_ctx;
	s->now_ns = now_ns;
	/* Any start value will do; vary it so that two guests differ. */
	s->ip_id = (uint16_t)(cfg->ip ^ (uint32_t)(now_ns >> 10));
}

void net_set_output(struct net_stack *s, net_output_fn output, void *ctx)
{
	s->output = output;
	s->output_ctx = ctx;
}

void net_input(struct net_stack *s, const uint8_t *frame, size_t len,
	       uint64_t now_ns)
{
	const uint8_t *dst = frame, *src = frame + NET_MAC_LEN;

	/* Time only moves forward, whatever the caller's clock does. */
	if (now_ns > s->now_ns)
		s->now_ns = now_ns;
	s->stats.rx_frames++;
	if (len < NET_ETH_HLEN) {
		net_drop(s, NET_DROP_TRUNCATED);
		return;
	}
	if (len > NET_FRAME_MAX) {
		net_drop(s, NET_DROP_OVERSIZED);
		return;
	}
	if (memcmp(dst, s->cfg.mac, NET_MAC_LEN) &&
	    memcmp(dst, broadcast_mac, NET_MAC_LEN)) {
		net_drop(s, NET_DROP_NOT_FOR_US);
		return;
	}
	if (mac_is_multicast(src) || !memcmp(src, s->cfg.mac, NET_MAC_LEN)) {
		net_drop(s, NET_DROP_BAD_SOURCE);
		return;
	}
	switch (get_be16(frame + 12)) {
	case ETHERTYPE_ARP:
		net_arp_input(s, frame + NET_ETH_HLEN, len - NET_ETH_HLEN);
		break;
	case ETHERTYPE_IPV4:
		net_ipv4_input(s, src, frame + NET_ETH_HLEN,
			       len - NET_ETH_HLEN);
		break;
	default:	/* VLAN tags, IPv6, LLC lengths... */
		net_drop(s, NET_DROP_UNSUPPORTED);
	}
}

int net_eth_send(struct net_stack *s, const uint8_t *dst_mac,
		 uint16_t ethertype, size_t payload_len)
{
	size_t len = NET_ETH_HLEN + payload_len;

	if (len > NET_FRAME_MAX)
		return -NET_EINVAL;
	memcpy(s->tx, dst_mac, NET_MAC_LEN);
	memcpy(s->tx + NET_MAC_LEN, s->cfg.mac, NET_MAC_LEN);
	put_be16(s->tx + 12, ethertype);
	if (len < NET_FRAME_MIN) {
		/* Never leak an older frame's bytes in the padding. */
		memset(s->tx + len, 0, NET_FRAME_MIN - len);
		len = NET_FRAME_MIN;
	}
	if (s->output(s->output_ctx, s->tx, len)) {
		s->stats.tx_errors++;
		return -NET_EIO;
	}
	s->stats.tx_frames++;
	return 0;
}
