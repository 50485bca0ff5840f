// SPDX-License-Identifier: MIT
/*
 * ICMP (RFC 792): echo requests to our own address are answered with the
 * same identifier, sequence number and data, back to the MAC they came
 * from. Everything else ICMP is dropped (we send no errors either).
 */
#include "internal.h"

#define ICMP_HLEN 8
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8

void net_icmp_input(struct net_stack *s, const struct net_ip_rx *ip)
{
	uint8_t *reply;
	size_t hlen;

	if (ip->len < ICMP_HLEN) {
		net_drop(s, NET_DROP_TRUNCATED);
		return;
	}
	if (net_sum_finish(net_sum(0, ip->payload, ip->len)) != 0) {
		net_drop(s, NET_DROP_BAD_CHECKSUM);
		return;
	}
	/* No answers to broadcast pings (RFC 1122 allows silence). */
	if (ip->payload[0] != ICMP_ECHO_REQUEST || ip->payload[1] != 0 ||
	    ip->to_broadcast) {
		net_drop(s, NET_DROP_UNSUPPORTED);
		return;
	}
	hlen = net_ipv4_header(s, ip->src, IPPROTO_ICMP_NUM, ip->len);
	reply = s->tx + NET_ETH_HLEN + hlen;
	/* ip->len <= 1480: it came in a frame no longer than ours. */
	memcpy(reply, ip->payload, ip->len);
	reply[0] = ICMP_ECHO_REPLY;
	put_be16(reply + 2, 0);
	put_be16(reply + 2, net_sum_finish(net_sum(0, reply, ip->len)));
	if (net_eth_send(s, ip->src_mac, ETHERTYPE_IPV4, hlen + ip->len) == 0)
		s->stats.icmp_echo_replies++;
}
