/* SPDX-License-Identifier: MIT */
/* Inside the stack: what its layers (one file each) call of each other. */
#ifndef NET_INTERNAL_H
#define NET_INTERNAL_H

#include "bytes.h"
#include "compat.h"
#include "net.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806

#define IPPROTO_ICMP_NUM 1
#define IPPROTO_UDP_NUM 17

#define IP_BROADCAST 0xffffffffu

/* What the IPv4 layer learnt about a received packet, for upper layers. */
struct net_ip_rx {
	const uint8_t *src_mac;
	uint32_t src, dst;
	bool to_broadcast;	/* limited or subnet broadcast */
	const uint8_t *payload;
	size_t len;		/* from the IP length field, not the frame */
};

static inline void net_drop(struct net_stack *s, enum net_drop why)
{
	s->stats.drop[why]++;
}

static inline bool mac_is_multicast(const uint8_t *mac)
{
	return mac[0] & 1;	/* broadcast included */
}

/* checksum.c: the Internet checksum (RFC 1071), folded, not inverted. */
uint32_t net_sum(uint32_t sum, const uint8_t *data, size_t len);
uint16_t net_sum_finish(uint32_t sum);	/* the value to store */

/* eth.c: header at s->tx, pad short frames, hand to the output. */
int net_eth_send(struct net_stack *s, const uint8_t *dst_mac,
		 uint16_t ethertype, size_t payload_len);

/* arp.c */
/* The sender's addresses come from the ARP packet, not the frame. */
void net_arp_input(struct net_stack *s, const uint8_t *pkt, size_t len);
/*
 * Send the frame in s->tx (payload_len bytes of IPv4 after the Ethernet
 * header) to the next hop: at once if resolved, else queued.
 */
int net_arp_resolve_send(struct net_stack *s, uint32_t next_hop,
			 size_t payload_len);
void net_arp_tick(struct net_stack *s);

/* ipv4.c */
void net_ipv4_input(struct net_stack *s, const uint8_t *src_mac,
		    const uint8_t *pkt, size_t len);
/* Fill the IPv4 header at s->tx + NET_ETH_HLEN; returns its length. */
size_t net_ipv4_header(struct net_stack *s, uint32_t dst, uint8_t proto,
		       size_t payload_len);
bool net_ipv4_is_broadcast(const struct net_stack *s, uint32_t ip);
/* On our subnet: the destination itself is the next hop. */
bool net_ipv4_on_link(const struct net_stack *s, uint32_t ip);

/* icmp.c */
void net_icmp_input(struct net_stack *s, const struct net_ip_rx *ip);

/* udp.c */
void net_udp_input(struct net_stack *s, const struct net_ip_rx *ip);

#endif
