// SPDX-License-Identifier: MIT
/*
 * UDP (RFC 768): datagrams whose length field fits the IP payload and
 * whose checksum (when not zero, i.e. present) is right go to the handler
 * bound to their port, or to the catch-all binding (port 0). We always
 * send a checksum.
 */
#include "internal.h"

static uint32_t pseudo_header_sum(uint32_t src, uint32_t dst, size_t len)
{
	uint8_t ph[12];

	put_be32(ph, src);
	put_be32(ph + 4, dst);
	ph[8] = 0;
	ph[9] = IPPROTO_UDP_NUM;
	put_be16(ph + 10, (uint16_t)len);
	return net_sum(0, ph, sizeof(ph));
}

int net_udp_bind(struct net_stack *s, uint16_t port, net_udp_fn fn,
		 void *ctx)
{
	struct net_udp_binding *free_slot = NULL;

	if (!fn)
		return -NET_EINVAL;
	for (size_t i = 0; i < NET_UDP_BINDINGS; i++) {
		if (s->udp[i].used && s->udp[i].port == port)
			return -NET_EINVAL;
		if (!s->udp[i].used && !free_slot)
			free_slot = &s->udp[i];
	}
	if (!free_slot)
		return -NET_EAGAIN;
	free_slot->used = true;
	free_slot->port = port;
	free_slot->fn = fn;
	free_slot->ctx = ctx;
	return 0;
}

static const struct net_udp_binding *binding_for(const struct net_stack *s,
						 uint16_t port)
{
	const struct net_udp_binding *any = NULL;

	for (size_t i = 0; i < NET_UDP_BINDINGS; i++) {
		if (!s->udp[i].used)
			continue;
		if (s->udp[i].port == port)
			return &s->udp[i];
		if (s->udp[i].port == 0)
			any = &s->udp[i];
	}
	return any;
}

void net_udp_input(struct net_stack *s, const struct net_ip_rx *ip)
{
	const struct net_udp_binding *b;
	struct net_udp_dgram d;
	size_t ulen;

	if (ip->len < NET_UDP_HLEN) {
		net_drop(s, NET_DROP_TRUNCATED);
		return;
	}
	ulen = get_be16(ip->payload + 4);
	if (ulen < NET_UDP_HLEN || ulen > ip->len) {
		net_drop(s, ulen > ip->len ? NET_DROP_TRUNCATED :
					     NET_DROP_BAD_HEADER);
		return;
	}
	if (get_be16(ip->payload + 6) != 0) {
		uint32_t sum = pseudo_header_sum(ip->src, ip->dst, ulen);

		if (net_sum_finish(net_sum(sum, ip->payload, ulen)) != 0) {
			net_drop(s, NET_DROP_BAD_CHECKSUM);
			return;
		}
	}
	d.src_ip = ip->src;
	d.dst_ip = ip->dst;
	d.src_port = get_be16(ip->payload);
	d.dst_port = get_be16(ip->payload + 2);
	/* Port 0 is reserved: nobody may send from or to it. */
	if (d.src_port == 0 || d.dst_port == 0) {
		net_drop(s, NET_DROP_BAD_HEADER);
		return;
	}
	b = binding_for(s, d.dst_port);
	if (!b) {
		net_drop(s, NET_DROP_NO_PORT);
		return;
	}
	memcpy(d.src_mac, ip->src_mac, NET_MAC_LEN);
	d.data = ip->payload + NET_UDP_HLEN;
	d.len = ulen - NET_UDP_HLEN;
	s->stats.udp_in++;
	b->fn(b->ctx, s, &d);
}

/* Build IPv4 + UDP in s->tx; returns the IP packet's length. */
static size_t build(struct net_stack *s, uint32_t dst, uint16_t src_port,
		    uint16_t dst_port, const void *data, size_t len)
{
	size_t hlen = net_ipv4_header(s, dst, IPPROTO_UDP_NUM,
				      NET_UDP_HLEN + len);
	uint8_t *u = s->tx + NET_ETH_HLEN + hlen;
	size_t ulen = NET_UDP_HLEN + len;
	uint16_t csum;

	put_be16(u, src_port);
	put_be16(u + 2, dst_port);
	put_be16(u + 4, (uint16_t)ulen);
	put_be16(u + 6, 0);
	/* memmove: the caller may hand us bytes of the frame being built. */
	memmove(u + NET_UDP_HLEN, data, len);
	csum = net_sum_finish(net_sum(pseudo_header_sum(s->cfg.ip, dst, ulen),
				      u, ulen));
	/* A computed 0 is sent as all ones; 0 means "no checksum". */
	put_be16(u + 6, csum ? csum : 0xffff);
	return hlen + ulen;
}

static int check_send(const struct net_stack *s, uint16_t src_port,
		      uint16_t dst_port, const void *data, size_t len)
{
	if (!s->cfg.ip)
		return -NET_EUNREACH;
	if (len > NET_UDP_PAYLOAD_MAX || (len && !data) || !src_port ||
	    !dst_port)
		return -NET_EINVAL;
	return 0;
}

int net_udp_sendto(struct net_stack *s, uint32_t dst_ip, uint16_t src_port,
		   uint16_t dst_port, const void *data, size_t len)
{
	uint32_t next_hop = dst_ip;
	size_t plen;
	int rc = check_send(s, src_port, dst_port, data, len);

	if (rc)
		return rc;
	if (dst_ip == 0 || dst_ip == s->cfg.ip || (dst_ip >> 28) == 0xe ||
	    net_ipv4_is_broadcast(s, dst_ip))
		return -NET_EINVAL;	/* unicast only */
	if (!net_ipv4_on_link(s, dst_ip)) {
		if (!s->cfg.gateway)
			return -NET_EUNREACH;
		next_hop = s->cfg.gateway;
	}
	plen = build(s, dst_ip, src_port, dst_port, data, len);
	rc = net_arp_resolve_send(s, next_hop, plen);
	if (rc == 0)
		s->stats.udp_out++;
	return rc;
}

int net_udp_reply(struct net_stack *s, const struct net_udp_dgram *to,
		  const void *data, size_t len)
{
	size_t plen;
	int rc = check_send(s, to->dst_port, to->src_port, data, len);

	if (rc)
		return rc;
	plen = build(s, to->src_ip, to->dst_port, to->src_port, data, len);
	rc = net_eth_send(s, to->src_mac, ETHERTYPE_IPV4, plen);
	if (rc == 0)
		s->stats.udp_out++;
	return rc;
}
