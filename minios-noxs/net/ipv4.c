// SPDX-License-Identifier: MIT
/*
 * IPv4 (RFC 791) for an end host: packets to our address (UDP also to the
 * limited or subnet broadcast) with a correct header checksum and length
 * fields go up; fragments are dropped (nothing is reassembled, and we
 * never fragment: every packet we send carries DF); options are skipped.
 */
#include "internal.h"

#define IP_VERSION 4
#define IP_TTL 64
#define IP_FLAG_DF 0x4000
#define IP_FLAG_MF 0x2000
#define IP_OFFSET_MASK 0x1fff

bool net_ipv4_is_broadcast(const struct net_stack *s, uint32_t ip)
{
	uint32_t mask = s->cfg.netmask;

	if (ip == IP_BROADCAST)
		return true;
	/* A /31 or /32 has no subnet broadcast address. */
	if (!s->cfg.ip || mask >= 0xfffffffeu)
		return false;
	return (ip & mask) == (s->cfg.ip & mask) && (ip | mask) == IP_BROADCAST;
}

bool net_ipv4_on_link(const struct net_stack *s, uint32_t ip)
{
	return (ip & s->cfg.netmask) == (s->cfg.ip & s->cfg.netmask);
}

static bool martian_source(const struct net_stack *s, uint32_t ip)
{
	uint8_t top = (uint8_t)(ip >> 24);

	return ip == 0 || top == 127 || (top >> 4) == 0xe || top >= 0xf0 ||
	       ip == s->cfg.ip || net_ipv4_is_broadcast(s, ip);
}

void net_ipv4_input(struct net_stack *s, const uint8_t *src_mac,
		    const uint8_t *pkt, size_t len)
{
	struct net_ip_rx rx;
	size_t hlen, total;
	uint16_t frag;

	if (len < NET_IP_HLEN) {
		net_drop(s, NET_DROP_TRUNCATED);
		return;
	}
	hlen = (size_t)(pkt[0] & 0x0f) * 4;
	total = get_be16(pkt + 2);
	if ((pkt[0] >> 4) != IP_VERSION || hlen < NET_IP_HLEN ||
	    total < hlen) {
		net_drop(s, NET_DROP_BAD_HEADER);
		return;
	}
	/* The frame may carry Ethernet padding after the packet, not less. */
	if (hlen > len || total > len) {
		net_drop(s, NET_DROP_TRUNCATED);
		return;
	}
	if (net_sum_finish(net_sum(0, pkt, hlen)) != 0) {
		net_drop(s, NET_DROP_BAD_CHECKSUM);
		return;
	}
	frag = get_be16(pkt + 6);
	if (frag & (IP_FLAG_MF | IP_OFFSET_MASK)) {
		net_drop(s, NET_DROP_FRAGMENT);
		return;
	}
	if (!s->cfg.ip) {
		net_drop(s, NET_DROP_NO_ADDRESS);
		return;
	}
	rx.src_mac = src_mac;
	rx.src = get_be32(pkt + 12);
	rx.dst = get_be32(pkt + 16);
	rx.to_broadcast = net_ipv4_is_broadcast(s, rx.dst);
	rx.payload = pkt + hlen;
	rx.len = total - hlen;
	if (rx.dst != s->cfg.ip && !rx.to_broadcast) {
		net_drop(s, NET_DROP_NOT_FOR_US);
		return;
	}
	if (martian_source(s, rx.src)) {
		net_drop(s, NET_DROP_BAD_SOURCE);
		return;
	}
	switch (pkt[9]) {
	case IPPROTO_ICMP_NUM:
		net_icmp_input(s, &rx);
		break;
	case IPPROTO_UDP_NUM:
		net_udp_input(s, &rx);
		break;
	default:
		net_drop(s, NET_DROP_UNSUPPORTED);
	}
}

size_t net_ipv4_header(struct net_stack *s, uint32_t dst, uint8_t proto,
		       size_t payload_len)
{
	uint8_t *h = s->tx + NET_ETH_HLEN;

	h[0] = IP_VERSION << 4 | NET_IP_HLEN / 4;
	h[1] = 0;
	put_be16(h + 2, (uint16_t)(NET_IP_HLEN + payload_len));
	put_be16(h + 4, s->ip_id++);
	put_be16(h + 6, IP_FLAG_DF);
	h[8] = IP_TTL;
	h[9] = proto;
	put_be16(h + 10, 0);
	put_be32(h + 12, s->cfg.ip);
	put_be32(h + 16, dst);
	put_be16(h + 10, net_sum_finish(net_sum(0, h, NET_IP_HLEN)));
	return NET_IP_HLEN;
}

void net_ip_to_text(uint32_t ip, char *buf, size_t size)
{
	char tmp[16];
	size_t n = 0;

	for (int shift = 24; shift >= 0; shift -= 8) {
		unsigned int octet = (ip >> shift) & 0xff;

		if (octet >= 100)
			tmp[n++] = (char)('0' + octet / 100);
		if (octet >= 10)
			tmp[n++] = (char)('0' + octet / 10 % 10);
		tmp[n++] = (char)('0' + octet % 10);
		if (shift)
			tmp[n++] = '.';
	}
	if (!size)
		return;
	if (n >= size)
		n = size - 1;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
}
