// SPDX-License-Identifier: MIT
/*
 * ARP for IPv4 over Ethernet (RFC 826): answer requests for our address,
 * learn from what we receive with the RFC's merge rule, resolve next hops
 * for datagrams we originate (they wait in a small queue meanwhile), and
 * forget entries that were not refreshed for NET_ARP_TIMEOUT_NS.
 */
#include "internal.h"

#define ARP_LEN 28
#define ARP_HTYPE_ETHERNET 1
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

static const uint8_t broadcast_mac[NET_MAC_LEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};
static const uint8_t zero_mac[NET_MAC_LEN];

static struct net_arp_entry *find(struct net_stack *s, uint32_t ip)
{
	for (size_t i = 0; i < NET_ARP_ENTRIES; i++)
		if (s->arp[i].state != NET_ARP_FREE && s->arp[i].ip == ip)
			return &s->arp[i];
	return NULL;
}

static bool expired(const struct net_stack *s, const struct net_arp_entry *e)
{
	return s->now_ns >= e->deadline_ns;
}

bool net_arp_lookup(const struct net_stack *s, uint32_t ip,
		    uint8_t mac[NET_MAC_LEN])
{
	for (size_t i = 0; i < NET_ARP_ENTRIES; i++) {
		const struct net_arp_entry *e = &s->arp[i];

		if (e->state == NET_ARP_RESOLVED && e->ip == ip &&
		    !expired(s, e)) {
			memcpy(mac, e->mac, NET_MAC_LEN);
			return true;
		}
	}
	return false;
}

/* Datagrams waiting for ip are given up. */
static void drop_pending(struct net_stack *s, uint32_t ip)
{
	for (size_t i = 0; i < NET_PENDING_MAX; i++) {
		if (s->pending[i].used && s->pending[i].next_hop == ip) {
			s->pending[i].used = false;
			s->stats.unresolved++;
		}
	}
}

/* A free slot, else the one closest to its deadline. */
static struct net_arp_entry *evict(struct net_stack *s)
{
	struct net_arp_entry *victim = &s->arp[0];

	for (size_t i = 0; i < NET_ARP_ENTRIES; i++) {
		if (s->arp[i].state == NET_ARP_FREE)
			return &s->arp[i];
		if (s->arp[i].deadline_ns < victim->deadline_ns)
			victim = &s->arp[i];
	}
	if (victim->state == NET_ARP_INCOMPLETE)
		drop_pending(s, victim->ip);
	victim->state = NET_ARP_FREE;
	return victim;
}

static int send_arp(struct net_stack *s, uint16_t op, const uint8_t *dst_mac,
		    const uint8_t *target_mac, uint32_t target_ip)
{
	uint8_t *p = s->tx + NET_ETH_HLEN;

	put_be16(p, ARP_HTYPE_ETHERNET);
	put_be16(p + 2, ETHERTYPE_IPV4);
	p[4] = NET_MAC_LEN;
	p[5] = 4;
	put_be16(p + 6, op);
	memcpy(p + 8, s->cfg.mac, NET_MAC_LEN);
	put_be32(p + 14, s->cfg.ip);
	memcpy(p + 18, target_mac, NET_MAC_LEN);
	put_be32(p + 24, target_ip);
	if (op == ARP_OP_REPLY)
		s->stats.arp_replies_out++;
	else
		s->stats.arp_requests_out++;
	return net_eth_send(s, dst_mac, ETHERTYPE_ARP, ARP_LEN);
}

static int send_request(struct net_stack *s, uint32_t ip)
{
	return send_arp(s, ARP_OP_REQUEST, broadcast_mac, zero_mac, ip);
}

int net_arp_announce(struct net_stack *s)
{
	if (!s->cfg.ip)
		return -NET_EUNREACH;
	/* Gratuitous: asks for our own address, so every cache updates. */
	return send_request(s, s->cfg.ip);
}

int net_announce_start(struct net_stack *s, uint64_t now_ns)
{
	if (now_ns > s->now_ns)
		s->now_ns = now_ns;
	s->announce_left = 0;
	if (!s->cfg.ip)
		return -NET_EUNREACH;
	s->announce_left = NET_ANNOUNCE_ROUNDS - 1;
	s->announce_gap_ns = NET_ANNOUNCE_GAP_NS;
	s->announce_at_ns = s->now_ns + NET_ANNOUNCE_GAP_NS;
	/* A refused frame is a lost one: the next round is the retry. */
	return net_arp_announce(s);
}

uint64_t net_next_announce(const struct net_stack *s)
{
	return s->announce_left ? s->announce_at_ns : 0;
}

static void announce_tick(struct net_stack *s)
{
	if (!s->announce_left || s->now_ns < s->announce_at_ns)
		return;
	s->announce_left--;
	s->announce_gap_ns *= 2;
	s->announce_at_ns = s->now_ns + s->announce_gap_ns;
	net_arp_announce(s);
}

/* Send what waited for ip, now that its MAC is known. */
static void flush_pending(struct net_stack *s, uint32_t ip,
			  const uint8_t *mac)
{
	for (size_t i = 0; i < NET_PENDING_MAX; i++) {
		struct net_pending *p = &s->pending[i];

		if (!p->used || p->next_hop != ip)
			continue;
		p->used = false;
		memcpy(s->tx + NET_ETH_HLEN, p->frame, p->len);
		net_eth_send(s, mac, ETHERTYPE_IPV4, p->len);
	}
}

static void learn(struct net_stack *s, struct net_arp_entry *e, uint32_t ip,
		  const uint8_t *mac)
{
	e->ip = ip;
	memcpy(e->mac, mac, NET_MAC_LEN);
	e->state = NET_ARP_RESOLVED;
	e->tries = 0;
	e->deadline_ns = s->now_ns + NET_ARP_TIMEOUT_NS;
	flush_pending(s, ip, mac);
}

static bool bad_sender_ip(const struct net_stack *s, uint32_t ip)
{
	return ip == IP_BROADCAST || (ip >> 28) == 0xe ||
	       (s->cfg.ip && ip == s->cfg.ip) ||
	       net_ipv4_is_broadcast(s, ip);
}

void net_arp_input(struct net_stack *s, const uint8_t *pkt, size_t len)
{
	const uint8_t *sha = pkt + 8;
	struct net_arp_entry *e;
	uint32_t spa, tpa;
	uint16_t op;
	bool merged = false, for_us;

	/* Ethernet pads short frames: anything after the 28 bytes is fine. */
	if (len < ARP_LEN) {
		net_drop(s, NET_DROP_TRUNCATED);
		return;
	}
	op = get_be16(pkt + 6);
	if (get_be16(pkt) != ARP_HTYPE_ETHERNET ||
	    get_be16(pkt + 2) != ETHERTYPE_IPV4 || pkt[4] != NET_MAC_LEN ||
	    pkt[5] != 4 || (op != ARP_OP_REQUEST && op != ARP_OP_REPLY)) {
		net_drop(s, NET_DROP_UNSUPPORTED);
		return;
	}
	spa = get_be32(pkt + 14);
	tpa = get_be32(pkt + 24);
	if (op == ARP_OP_REQUEST)
		s->stats.arp_requests_in++;
	else
		s->stats.arp_replies_in++;
	/* A probe (sender 0.0.0.0) teaches nothing; we do no conflict detection. */
	if (spa == 0 || bad_sender_ip(s, spa) || mac_is_multicast(sha) ||
	    !memcmp(sha, s->cfg.mac, NET_MAC_LEN)) {
		net_drop(s, NET_DROP_BAD_SOURCE);
		return;
	}
	e = find(s, spa);
	if (e) {
		learn(s, e, spa, sha);
		merged = true;
	}
	for_us = s->cfg.ip && tpa == s->cfg.ip;
	if (!for_us) {
		if (!merged)
			net_drop(s, NET_DROP_NOT_FOR_US);
		return;
	}
	if (!merged)
		learn(s, evict(s), spa, sha);
	if (op == ARP_OP_REQUEST)
		send_arp(s, ARP_OP_REPLY, sha, sha, spa);
}

int net_arp_resolve_send(struct net_stack *s, uint32_t next_hop,
			 size_t payload_len)
{
	struct net_arp_entry *e;
	struct net_pending *slot = NULL;
	uint8_t mac[NET_MAC_LEN];

	if (net_arp_lookup(s, next_hop, mac))
		return net_eth_send(s, mac, ETHERTYPE_IPV4, payload_len);
	for (size_t i = 0; i < NET_PENDING_MAX && !slot; i++)
		if (!s->pending[i].used)
			slot = &s->pending[i];
	if (!slot)
		return -NET_EAGAIN;
	slot->used = true;
	slot->next_hop = next_hop;
	slot->len = payload_len;
	memcpy(slot->frame, s->tx + NET_ETH_HLEN, payload_len);

	e = find(s, next_hop);
	if (e && e->state == NET_ARP_INCOMPLETE)
		return 0;	/* a request is out already; tick repeats it */
	if (!e)
		e = evict(s);
	e->ip = next_hop;
	e->state = NET_ARP_INCOMPLETE;
	e->tries = 1;
	e->deadline_ns = s->now_ns + NET_ARP_RETRY_NS;
	/* The datagram stays queued even if this request did not go out. */
	send_request(s, next_hop);
	return 0;
}

void net_arp_tick(struct net_stack *s)
{
	for (size_t i = 0; i < NET_ARP_ENTRIES; i++) {
		struct net_arp_entry *e = &s->arp[i];

		if (e->state == NET_ARP_FREE || !expired(s, e))
			continue;
		if (e->state == NET_ARP_RESOLVED) {
			e->state = NET_ARP_FREE;
		} else if (e->tries < NET_ARP_TRIES) {
			e->tries++;
			e->deadline_ns = s->now_ns + NET_ARP_RETRY_NS;
			send_request(s, e->ip);
		} else {
			drop_pending(s, e->ip);
			e->state = NET_ARP_FREE;
		}
	}
}

void net_tick(struct net_stack *s, uint64_t now_ns)
{
	if (now_ns > s->now_ns)
		s->now_ns = now_ns;
	net_arp_tick(s);
	announce_tick(s);
}
