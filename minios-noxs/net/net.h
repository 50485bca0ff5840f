/* SPDX-License-Identifier: MIT */
/*
 * A minimal IPv4 stack for one Ethernet interface: Ethernet II, ARP
 * (requests, replies, a small cache with expiry), IPv4 (no fragments,
 * either way), ICMP echo replies and UDP.
 *
 * It is portable C with no unikernel dependency: the caller feeds it each
 * received frame with net_input(), gives it the time (any monotonic clock
 * in nanoseconds), and it sends frames through the output callback. Every
 * received byte is treated as hostile: a frame that is truncated, too
 * long, badly formed, badly checksummed or not for us is dropped and
 * counted, never trusted.
 *
 * Addresses in this API are IPv4 in host order (10.0.0.1 is 0x0a000001).
 */
#ifndef NET_NET_H
#define NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_MAC_LEN 6
#define NET_ETH_HLEN 14
#define NET_ETH_MTU 1500
/* The longest frame we accept or send (no FCS, no VLAN tag). */
#define NET_FRAME_MAX (NET_ETH_HLEN + NET_ETH_MTU)
/* Short frames are padded to this on output (60 bytes plus the FCS). */
#define NET_FRAME_MIN 60
#define NET_IP_HLEN 20
#define NET_UDP_HLEN 8
#define NET_UDP_PAYLOAD_MAX (NET_ETH_MTU - NET_IP_HLEN - NET_UDP_HLEN)

#define NET_ARP_ENTRIES 16
/* A resolved entry is forgotten after this long without being refreshed. */
#define NET_ARP_TIMEOUT_NS (60ull * 1000000000ull)
/* An unanswered request is repeated this often, this many times in all. */
#define NET_ARP_RETRY_NS (1000ull * 1000000ull)
#define NET_ARP_TRIES 3
/*
 * After a (re)connection the address is announced this many times, the
 * gap doubling from NET_ANNOUNCE_GAP_NS (0, 0.1, 0.3, 0.7, 1.5 s): the
 * bridge port behind a new backend may still be coming up when the first
 * one leaves, and one that is lost leaves a bridge forwarding our frames
 * to the host we left.
 */
#define NET_ANNOUNCE_ROUNDS 5
#define NET_ANNOUNCE_GAP_NS (100ull * 1000000ull)
/* Datagrams waiting for an address to be resolved. */
#define NET_PENDING_MAX 2
#define NET_UDP_BINDINGS 4

/* Why a received frame was dropped (indexes of net_counters.drop). */
enum net_drop {
	NET_DROP_TRUNCATED,	/* shorter than its headers or length fields */
	NET_DROP_OVERSIZED,	/* longer than NET_FRAME_MAX */
	NET_DROP_NOT_FOR_US,	/* another MAC or IP address */
	NET_DROP_BAD_SOURCE,	/* broadcast, multicast or our own source */
	NET_DROP_UNSUPPORTED,	/* EtherType, ARP kind, IP protocol, ICMP type */
	NET_DROP_BAD_HEADER,	/* version, header length, length fields */
	NET_DROP_BAD_CHECKSUM,
	NET_DROP_FRAGMENT,	/* IPv4 fragments are not reassembled */
	NET_DROP_NO_PORT,	/* UDP to a port nobody listens on */
	NET_DROP_NO_ADDRESS,	/* IP traffic before we have an address */
	NET_DROP_COUNT
};

struct net_counters {
	uint64_t rx_frames;
	uint64_t drop[NET_DROP_COUNT];
	uint64_t arp_requests_in, arp_replies_in;
	uint64_t arp_replies_out, arp_requests_out;
	uint64_t icmp_echo_replies;
	uint64_t udp_in, udp_out;
	uint64_t tx_frames, tx_errors;	/* output callback accepted/refused */
	uint64_t unresolved;		/* datagrams given up: no ARP reply */
};

struct net_config {
	uint8_t mac[NET_MAC_LEN];
	uint32_t ip;		/* 0: no address, only ARP learning */
	uint32_t netmask;
	uint32_t gateway;	/* 0: none, off-link destinations fail */
};

struct net_stack;

/* Send one complete Ethernet frame; 0 if it was taken, negative if not. */
typedef int (*net_output_fn)(void *ctx, const uint8_t *frame, size_t len);

/* A received UDP datagram (payload points into the received frame). */
struct net_udp_dgram {
	uint8_t src_mac[NET_MAC_LEN];
	uint32_t src_ip, dst_ip;
	uint16_t src_port, dst_port;
	const uint8_t *data;
	size_t len;
};

typedef void (*net_udp_fn)(void *ctx, struct net_stack *s,
			   const struct net_udp_dgram *d);

enum net_arp_state { NET_ARP_FREE, NET_ARP_INCOMPLETE, NET_ARP_RESOLVED };

struct net_arp_entry {
	uint32_t ip;
	uint8_t mac[NET_MAC_LEN];
	uint8_t state;		/* enum net_arp_state */
	uint8_t tries;		/* requests sent while incomplete */
	uint64_t deadline_ns;	/* resolved: expiry; incomplete: next retry */
};

struct net_pending {
	bool used;
	uint32_t next_hop;
	size_t len;
	uint8_t frame[NET_FRAME_MAX];	/* destination MAC filled in later */
};

struct net_udp_binding {
	bool used;
	uint16_t port;		/* 0: every port without its own binding */
	net_udp_fn fn;
	void *ctx;
};

struct net_stack {
	struct net_config cfg;
	net_output_fn output;
	void *output_ctx;
	uint64_t now_ns;	/* the latest time we were given */
	uint16_t ip_id;
	struct net_arp_entry arp[NET_ARP_ENTRIES];
	struct net_pending pending[NET_PENDING_MAX];
	struct net_udp_binding udp[NET_UDP_BINDINGS];
	struct net_counters stats;
	uint8_t announce_left;		/* announce rounds still to send */
	uint64_t announce_gap_ns;	/* before the next one */
	uint64_t announce_at_ns;	/* when the next one is due */
	uint8_t tx[NET_FRAME_MAX];	/* frames are built here */
};

/* Errors returned by the sending functions (negative). */
#define NET_EINVAL 22		/* bad argument (too long, bad address) */
#define NET_EUNREACH 113	/* off-link without a gateway, or no address */
#define NET_EAGAIN 11		/* no room to queue while resolving */
#define NET_EIO 5		/* the output callback refused the frame */

/* Start with an empty ARP cache and no UDP bindings. */
void net_init(struct net_stack *s, const struct net_config *cfg,
	      net_output_fn output, void *output_ctx, uint64_t now_ns);
/*
 * Swap the output (a reconnected device) while keeping the ARP cache, the
 * bindings and the counters.
 */
void net_set_output(struct net_stack *s, net_output_fn output, void *ctx);

/* One received frame (any alignment). */
void net_input(struct net_stack *s, const uint8_t *frame, size_t len,
	       uint64_t now_ns);

/*
 * ARP retries and expiry, and announce rounds that are due; call at least
 * every NET_ARP_RETRY_NS, and at net_next_announce() while it is not 0.
 */
void net_tick(struct net_stack *s, uint64_t now_ns);

/* Receive datagrams for port (0: any port not bound otherwise). */
int net_udp_bind(struct net_stack *s, uint16_t port, net_udp_fn fn,
		 void *ctx);

/*
 * Send a datagram from our address. The next hop's MAC comes from the ARP
 * cache; if unknown, a request goes out and the datagram waits (0 is
 * returned, counted as unresolved if no reply comes).
 */
int net_udp_sendto(struct net_stack *s, uint32_t dst_ip, uint16_t src_port,
		   uint16_t dst_port, const void *data, size_t len);
/* Answer a received datagram: back to the MAC and port it came from. */
int net_udp_reply(struct net_stack *s, const struct net_udp_dgram *to,
		  const void *data, size_t len);

/* The cached MAC for ip, if resolved and not expired. */
bool net_arp_lookup(const struct net_stack *s, uint32_t ip,
		    uint8_t mac[NET_MAC_LEN]);
/* Announce our address once (a gratuitous ARP request). */
int net_arp_announce(struct net_stack *s);
/*
 * Announce our address now and NET_ANNOUNCE_ROUNDS - 1 more times from
 * net_tick(), e.g. each time the device (re)connects. Starting again
 * restarts the rounds. -NET_EUNREACH without an address (no rounds).
 */
int net_announce_start(struct net_stack *s, uint64_t now_ns);
/* When the next announce round is due; 0 if none is left. */
uint64_t net_next_announce(const struct net_stack *s);

/* "10.0.0.2" into buf (at least 16 bytes). */
void net_ip_to_text(uint32_t ip, char *buf, size_t size);

#endif
