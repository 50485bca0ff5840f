// SPDX-License-Identifier: MIT
/*
 * The guest IP stack (minios-noxs/net) on the build machine: crafted and
 * malformed frames in, replies checked byte for byte. Every frame is fed
 * from a heap buffer of exactly its length, so valgrind or ASan catch any
 * read past its end. Expected replies were computed independently of the
 * stack (checksums included).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/net.h"

#define MS 1000000ull
#define SEC 1000000000ull

static const uint8_t our_mac[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t peer_mac[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t other_mac[6] = { 2, 0, 0, 0, 0, 9 };
static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
#define OUR_IP 0x0a0a0002u	/* 10.10.0.2/24 */
#define PEER_IP 0x0a0a0001u	/* 10.10.0.1, also the gateway */
#define FAR_IP 0xc0a80105u	/* 192.168.1.5, off-link */

static const uint8_t expected_arp_reply[60] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x02, 0x0a, 0x0a, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00,
	0x00, 0x01, 0x0a, 0x0a, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
/* Echo reply, id 0x1234 seq 1, "abcdefgh" x 4, IP id 0x0777, DF. */
static const uint8_t expected_echo_reply[74] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x3c, 0x07, 0x77, 0x40, 0x00, 0x40, 0x01,
	0x1f, 0x34, 0x0a, 0x0a, 0x00, 0x02, 0x0a, 0x0a, 0x00, 0x01, 0x00, 0x00,
	0xa7, 0x74, 0x12, 0x34, 0x00, 0x01, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66,
	0x67, 0x68, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x61, 0x62,
	0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66,
	0x67, 0x68,
};
/* UDP 10.10.0.2:7 -> 10.10.0.1:40000 "hello", IP id 0x0777 (47 bytes). */
static const uint8_t expected_udp_reply[47] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x21, 0x07, 0x77, 0x40, 0x00, 0x40, 0x11,
	0x1f, 0x3f, 0x0a, 0x0a, 0x00, 0x02, 0x0a, 0x0a, 0x00, 0x01, 0x00, 0x07,
	0x9c, 0x40, 0x00, 0x0d, 0x0b, 0xa4, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
};

/* ---- what the stack sends ---- */

#define MAX_SENT 16

struct sent {
	size_t count;
	size_t len[MAX_SENT];
	uint8_t frame[MAX_SENT][NET_FRAME_MAX];
	int refuse;		/* make the output fail */
};

static int capture(void *ctx, const uint8_t *frame, size_t len)
{
	struct sent *out = ctx;

	assert_true(len >= NET_FRAME_MIN && len <= NET_FRAME_MAX);
	if (out->refuse)
		return -1;
	assert_true(out->count < MAX_SENT);
	memcpy(out->frame[out->count], frame, len);
	out->len[out->count++] = len;
	return 0;
}

struct fixture {
	struct net_stack s;
	struct sent out;
	struct net_udp_dgram got;	/* last datagram delivered */
	uint8_t got_data[NET_FRAME_MAX];
	int got_count;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct net_config cfg = {
		.ip = OUR_IP, .netmask = 0xffffff00u, .gateway = PEER_IP,
	};

	assert_non_null(f);
	memcpy(cfg.mac, our_mac, 6);
	net_init(&f->s, &cfg, capture, &f->out, 1 * SEC);
	f->s.ip_id = 0x0777;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* Feed from a buffer of exactly len bytes. */
static void feed(struct fixture *f, const uint8_t *frame, size_t len,
		 uint64_t now)
{
	uint8_t *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, frame, len);
	net_input(&f->s, copy, len, now);
	free(copy);
}

/* ---- building frames ---- */

static uint16_t csum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
	be16(p, (uint16_t)(v >> 16));
	be16(p + 2, (uint16_t)v);
}

static size_t eth(uint8_t *f, const uint8_t *dst, const uint8_t *src,
		  uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	be16(f + 12, type);
	return 14;
}

static size_t arp(uint8_t *f, const uint8_t *dst, uint16_t op,
		  const uint8_t *sha, uint32_t spa, uint32_t tpa)
{
	size_t n = eth(f, dst, sha, 0x0806);
	uint8_t *a = f + n;

	be16(a, 1);
	be16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	be16(a + 6, op);
	memcpy(a + 8, sha, 6);
	be32(a + 14, spa);
	memset(a + 18, 0, 6);
	be32(a + 24, tpa);
	return n + 28;
}

/* IPv4 header (+ options of opt_len bytes, zeros) then payload. */
static size_t ipv4(uint8_t *f, const uint8_t *dst_mac, uint32_t src,
		   uint32_t dst, uint8_t proto, const uint8_t *payload,
		   size_t plen, size_t opt_len, uint16_t frag)
{
	size_t n = eth(f, dst_mac, peer_mac, 0x0800);
	uint8_t *h = f + n;
	size_t hlen = 20 + opt_len;

	memset(h, 0, hlen);
	h[0] = (uint8_t)(0x40 | hlen / 4);
	be16(h + 2, (uint16_t)(hlen + plen));
	be16(h + 4, 0x4242);
	be16(h + 6, frag);
	h[8] = 64;
	h[9] = proto;
	be32(h + 12, src);
	be32(h + 16, dst);
	be16(h + 10, csum(h, hlen, 0));
	memcpy(h + hlen, payload, plen);
	return n + hlen + plen;
}

static size_t echo_request(uint8_t *icmp, size_t data_len)
{
	icmp[0] = 8;
	icmp[1] = 0;
	be16(icmp + 2, 0);
	be16(icmp + 4, 0x1234);
	be16(icmp + 6, 1);
	for (size_t i = 0; i < data_len; i++)
		icmp[8 + i] = (uint8_t)('a' + i % 8);
	be16(icmp + 2, csum(icmp, 8 + data_len, 0));
	return 8 + data_len;
}

static size_t ping(uint8_t *f)
{
	uint8_t icmp[64];
	size_t len = echo_request(icmp, 32);

	return ipv4(f, our_mac, PEER_IP, OUR_IP, 1, icmp, len, 0, 0);
}

/* UDP with a correct checksum (or none with no_csum). */
static size_t udp(uint8_t *f, uint32_t src, uint32_t dst, uint16_t sport,
		  uint16_t dport, const char *data, bool no_csum)
{
	uint8_t u[NET_FRAME_MAX];
	size_t dlen = strlen(data), ulen = 8 + dlen;
	uint8_t ph[12];

	be16(u, sport);
	be16(u + 2, dport);
	be16(u + 4, (uint16_t)ulen);
	be16(u + 6, 0);
	memcpy(u + 8, data, dlen);
	if (!no_csum) {
		uint16_t c;
		uint32_t sum = 0;

		be32(ph, src);
		be32(ph + 4, dst);
		ph[8] = 0;
		ph[9] = 17;
		be16(ph + 10, (uint16_t)ulen);
		sum = (uint16_t)~csum(ph, 12, 0);
		c = csum(u, ulen, sum);
		be16(u + 6, c ? c : 0xffff);
	}
	return ipv4(f, our_mac, src, dst, 17, u, ulen, 0, 0);
}

static uint64_t dropped(const struct fixture *f, enum net_drop why)
{
	return f->s.stats.drop[why];
}

/* ---- ARP ---- */

static void test_arp_request_answered(void **state)
{
	struct fixture *f = *state;
	uint8_t fr[64], mac[6];
	size_t len = arp(fr, bcast_mac, 1, peer_mac, PEER_IP, OUR_IP);

	feed(f, fr, len, 2 * SEC);
	assert_int_equal(f->out.count, 1);
	assert_int_equal(f->out.len[0], sizeof(expected_arp_reply));
	assert_memory_equal(f->out.frame[0], expected_arp_reply,
			    sizeof(expected_arp_reply));
	assert_true(net_arp_lookup(&f->s, PEER_IP, mac));
	assert_memory_equal(mac, peer_mac, 6);
	assert_int_equal(f->s.stats.arp_replies_out, 1);
}

static void test_arp_padded_request_answered(void **state)
{
	struct fixture *f = *state;
	uint8_t fr[60] = { 0 };

	arp(fr, bcast_mac, 1, peer_mac, PEER_IP, OUR_IP);
	memset(fr + 42, 0xee, sizeof(fr) - 42);	/* trailer garbage */
	feed(f, fr, sizeof(fr), 2 * SEC);
	assert_int_equal(f->out.count, 1);
	assert_memory_equal(f->out.frame[0], expected_arp_reply,
			    sizeof(expected_arp_reply));
}

static void test_arp_for_someone_else(void **state)
{
	struct fixture *f = *state;
	uint8_t fr[64], mac[6];
	size_t len = arp(fr, bcast_mac, 1, peer_mac, PEER_IP, 0x0a0a0063u);

	feed(f, fr, len, 2 * SEC);
	assert_int_equal(f->out.count, 0);
	assert_false(net_arp_lookup(&f->s, PEER_IP, mac));
	assert_int_equal(dropped(f, NET_DROP_NOT_FOR_US), 1);
}

static void test_arp_malformed(void **state)
{
	struct fixture *f = *state;
	uint8_t fr[64];
	size_t len = arp(fr, bcast_mac, 1, peer_mac, PEER_IP, OUR_IP);

	feed(f, fr, len - 1, 2 * SEC);		/* 27 bytes of ARP */
	assert_int_equal(dropped(f, NET_DROP_TRUNCATED), 1);

	fr[18] = 8;				/* hlen 8 */
	feed(f, fr, len, 2 * SEC);
	fr[18] = 6;
	fr[21] = 3;				/* op 3 (RARP) */
	feed(f, fr, len, 2 * SEC);
	fr[21] = 1;
	be16(fr + 16, 0x86dd);			/* ptype IPv6 */
	feed(f, fr, len, 2 * SEC);
	assert_int_equal(dropped(f, NET_DROP_UNSUPPORTED), 3);

	len = arp(fr, bcast_mac, 1, peer_mac, 0, OUR_IP);	/* probe */
	feed(f, fr, len, 2 * SEC);
	len = arp(fr, bcast_mac, 1, peer_mac, OUR_IP, OUR_IP);	/* conflict */
	feed(f, fr, len, 2 * SEC);
	len = arp(fr, bcast_mac, 1, peer_mac, 0x0a0a00ffu, OUR_IP);
	feed(f, fr, len, 2 * SEC);
	len = arp(fr, bcast_mac, 1, peer_mac, PEER_IP, OUR_IP);
	fr[22] |= 1;				/* multicast sender MAC */
	feed(f, fr, len, 2 * SEC);
	assert_int_equal(dropped(f, NET_DROP_BAD_SOURCE), 4);
	assert_int_equal(f->out.count, 0);
}

static void test_arp_cache_expires(void **state)
{
	struct fixture *f = *state;
	uint8_t fr[64], mac[6];
	size_t len = arp(fr, bcast_mac, 1, peer_mac, PEER_IP, OUR_IP);

	feed(f, fr, len, 2 * SEC);
	assert_true(net_arp_lookup(&f->s, PEER_IP, mac));
	net_tick(&f->s, 2 * SEC + NET_ARP_TIMEOUT_NS - 1);
	assert_true(net_arp_lookup(&f->s, PEER_IP, mac));
	net_tick(&f->s, 2 * SEC + NET_ARP_TIMEOUT_NS);
	assert_false(net_arp_lookup(&f->s, PEER_IP, mac));
	/* Time never runs backwards, whatever the caller says. */
	net_tick(&f->s, 0);
	assert_false(net_arp_lookup(&f->s, PEER_IP, mac));
}

static void test_arp_reply_updates_entry(void **state)
{
	struct fixture *f = *state;
	uint8_t fr[64], mac[6];
	size_t len = arp(fr, bcast_mac, 1, peer_mac, PEER_IP, OUR_IP);

	feed(f, fr, len, 2 * SEC);
	/* Merge rule: a known sender is updated even if not asking us. */
	len = arp(fr, bcast_mac, 1, other_mac, PEER_IP, 0x0a0a0063u);
	feed(f, fr, len, 3 * SEC);
	assert_true(net_arp_lookup(&f->s, PEER_IP, mac));
	assert_memory_equal(mac, other_mac, 6);
	assert_int_equal(f->out.count, 1);	/* only the first reply */
}

static void test_arp_cache_full_evicts_oldest(void **state)
{
	struct fixture *f = *state;
	uint8_t fr[64], mac[6];

	for (uint32_t i = 0; i < NET_ARP_ENTRIES + 1; i++) {
		uint8_t sha[6] = { 2, 0, 0, 0, 1, (uint8_t)i };
		size_t len = arp(fr, bcast_mac, 1, sha, 0x0a0a0010u + i,
				 OUR_IP);

		f->out.count = 0;
		feed(f, fr, len, (10 + i) * SEC);
	}
	assert_false(net_arp_lookup(&f->s, 0x0a0a0010u, mac));
	assert_true(net_arp_lookup(&f->s, 0x0a0a0011u, mac));
	assert_true(net_arp_lookup(&f->s, 0x0a0a0010u + NET_ARP_ENTRIES, mac));
}

/* ---- Ethernet ---- */

static void test_eth_filters(void **state)
{
	struct fixture *f = *state;
	uint8_t fr[NET_FRAME_MAX + 8];
	size_t len = ping(fr);

	feed(f, fr, 0, 2 * SEC);
	feed(f, fr, 13, 2 * SEC);
	assert_int_equal(dropped(f, NET_DROP_TRUNCATED), 2);

	memset(fr, 0, sizeof(fr));
	len = eth(fr, our_mac, peer_mac, 0x0800);
	feed(f, fr, NET_FRAME_MAX + 1, 2 * SEC);
	assert_int_equal(dropped(f, NET_DROP_OVERSIZED), 1);

	len = ping(fr);
	memcpy(fr, other_mac, 6);
	feed(f, fr, len, 2 * SEC);
	fr[0] = 0x01;				/* multicast destination */
	feed(f, fr, len, 2 * SEC);
	assert_int_equal(dropped(f, NET_DROP_NOT_FOR_US), 2);

	len = ping(fr);
	memcpy(fr + 6, our_mac, 6);		/* our own frame looped */
	feed(f, fr, len, 2 * SEC);
	memcpy(fr + 6, bcast_mac, 6);
	feed(f, fr, len, 2 * SEC);
	assert_int_equal(dropped(f, NET_DROP_BAD_SOURCE), 2);

	len = ping(fr);
	be16(fr + 12, 0x8100);			/* VLAN tag */
	feed(f, fr, len, 2 * SEC);
	be16(fr + 12, 0x86dd);
	feed(f, fr, len, 2 * SEC);
	assert_int_equal(dropped(f, NET_DROP_UNSUPPORTED), 2);
	assert_int_equal(f->out.count, 0);
	assert_int_equal(f->s.stats.rx_frames, 9);
}

/* ---- IPv4 and ICMP ---- */

static void test_ping_answered(void **state)
{
	struct fixture *f = *state;
	uint8_t fr[128];
	size_t len = ping(fr);

	feed(f, fr, len, 2 * SEC);
	assert_int_equal(f->out.count, 1);
	assert_int_equal(f->out.len[0], sizeof(expected_echo_reply));
	assert_memory_equal(f->out.frame[0], expected_echo_reply,
			    sizeof(expected_echo_reply));
	assert_int_equal(f->s.stats.icmp_echo_replies, 1);
}

static void test_ping_with_padding_and_options(void **state)
{
	struct fixture *f = *state;
	uint8_t fr[160], icmp[64];
	size_t ilen = echo_request(icmp, 32);
	size_t len = ipv4(fr, our_mac, PEER_IP, OUR_IP, 1, icmp, ilen, 8, 0);

	memset(fr + len, 0xab, 16);		/* Ethernet trailer */
	feed(f, fr, len + 16, 2 * SEC);
	assert_int_equal(f->out.count, 1);
	/* The reply carries no options: the same bytes as a plain ping's. */
	assert_memory_equal(f->out.frame[0], expected_echo_reply,
			    sizeof(expected_echo_reply));
}

static void test_ping_largest(void **state)
{
	struct fixture *f = *state;
	uint8_t fr[NET_FRAME_MAX], icmp[NET_ETH_MTU];
	size_t ilen = echo_request(icmp, NET_ETH_MTU - 20 - 8);
	size_t len = ipv4(fr, our_mac, PEER_IP, OUR_IP, 1, icmp, ilen, 0, 0);

	assert_int_equal(len, NET_FRAME_MAX);
	feed(f, fr, len, 2 * SEC);
	assert_int_equal(f->out.count, 1);
	assert_int_equal(f->out.len[0], NET_FRAME_MAX);
	assert_memory_equal(f->out.frame[0] + 42, fr + 42, len - 42);
	assert_int_equal(csum(f->out.frame[0] + 34, len - 34, 0), 0);
	assert_int_equal(csum(f->out.frame[0] + 14, 20, 0), 0);
}

static void test_ip_malformed(void **state)
{
	struct fixture *f = *state;
	uint8_t fr[128];
	size_t len;

	len = ping(fr);
	feed(f, fr, 14 + 19, 2 * SEC);		/* header cut */
	feed(f, fr, len - 1, 2 * SEC);		/* total length > frame */
	assert_int_equal(dropped(f, NET_DROP_TRUNCATED), 2);

	len = ping(fr);
	fr[14] = 0x65;				/* version 6 */
	feed(f, fr, len, 2 * SEC);
	len = ping(fr);
	fr[14] = 0x44;				/* IHL 4 */
	feed(f, fr, len, 2 * SEC);
	len = ping(fr);
	be16(fr + 16, 19);			/* total < header */
	feed(f, fr, len, 2 * SEC);
	assert_int_equal(dropped(f, NET_DROP_BAD_HEADER), 3);

	len = ping(fr);
	fr[14] = 0x4f;				/* IHL 15: 60 > packet */
	feed(f, fr, 14 + 40, 2 * SEC);
	assert_int_equal(dropped(f, NET_DROP_TRUNCATED), 3);

	len = ping(fr);
	fr[24] ^= 1;				/* header checksum */
	feed(f, fr, len, 2 * SEC);
	len = ping(fr);
	fr[len - 1] ^= 1;			/* ICMP checksum */
	feed(f, fr, len, 2 * SEC);
	assert_int_equal(dropped(f, NET_DROP_BAD_CHECKSUM), 2);
	assert_int_equal(f->out.count, 0);
}

static void test_ip_fragments_dropped(void **state)
{
	struct fixture *f = *state;
	uint8_t fr[128], icmp[64];
	size_t ilen = echo_request(icmp, 32);
	uint16_t frags[] = { 0x2000, 0x0001, 0x6000, 0x00b9 };

	for (size_t i = 0; i < 4; i++) {
		size_t len = ipv4(fr, our_mac, PEER_IP, OUR_IP, 1, icmp, ilen,
				  0, frags[i]);

		feed(f, fr, len, 2 * SEC);
	}
	assert_int_equal(dropped(f, NET_DROP_FRAGMENT), 4);
	assert_int_equal(f->out.count, 0);
}

static void test_ip_addresses(void **state)
{
	struct fixture *f = *state;
	uint8_t fr[128], icmp[64];
	size_t ilen = echo_request(icmp, 32);
	uint32_t martians[] = { 0, 0x7f000001u, OUR_IP, 0xffffffffu,
				0x0a0a00ffu, 0xe0000001u };
	size_t len;

	len = ipv4(fr, our_mac, PEER_IP, 0x0a0a0063u, 1, icmp, ilen, 0, 0);
	feed(f, fr, len, 2 * SEC);
	assert_int_equal(dropped(f, NET_DROP_NOT_FOR_US), 1);
	for (size_t i = 0; i < 6; i++) {
		len = ipv4(fr, our_mac, martians[i], OUR_IP, 1, icmp, ilen, 0,
			   0);
		feed(f, fr, len, 2 * SEC);
	}
	assert_int_equal(dropped(f, NET_DROP_BAD_SOURCE), 6);
	/* Broadcast pings are not answered. */
	len = ipv4(fr, bcast_mac, PEER_IP, 0x0a0a00ffu, 1, icmp, ilen, 0, 0);
	feed(f, fr, len, 2 * SEC);
	/* Neither are other ICMP types (an echo reply here). */
	icmp[0] = 0;
	be16(icmp + 2, 0);
	be16(icmp + 2, csum(icmp, ilen, 0));
	len = ipv4(fr, our_mac, PEER_IP, OUR_IP, 1, icmp, ilen, 0, 0);
	feed(f, fr, len, 2 * SEC);
	/* Nor TCP. */
	len = ipv4(fr, our_mac, PEER_IP, OUR_IP, 6, icmp, ilen, 0, 0);
	feed(f, fr, len, 2 * SEC);
	assert_int_equal(dropped(f, NET_DROP_UNSUPPORTED), 3);
	assert_int_equal(f->out.count, 0);
}

/* A gratuitous ARP request: from us, for our own address, broadcast. */
static void assert_announce(const struct fixture *f, size_t i)
{
	uint8_t want[NET_FRAME_MIN] = { 0 };

	arp(want, bcast_mac, 1, our_mac, OUR_IP, OUR_IP);
	assert_int_equal(f->out.len[i], sizeof(want));
	assert_memory_equal(f->out.frame[i], want, sizeof(want));
}

static void test_announce_rounds(void **state)
{
	struct fixture *f = *state;
	/* When each round after the first is due: the gap doubles. */
	static const uint64_t due_ms[] = { 100, 300, 700, 1500 };
	uint64_t t0 = 2 * SEC;

	assert_int_equal(NET_ANNOUNCE_ROUNDS, 5);
	assert_int_equal(net_next_announce(&f->s), 0);
	assert_int_equal(net_announce_start(&f->s, t0), 0);
	assert_int_equal(f->out.count, 1);
	assert_announce(f, 0);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(net_next_announce(&f->s), t0 + due_ms[i] * MS);
		net_tick(&f->s, t0 + due_ms[i] * MS - 1);
		assert_int_equal(f->out.count, i + 1);
		net_tick(&f->s, t0 + due_ms[i] * MS);
		assert_int_equal(f->out.count, i + 2);
		assert_announce(f, i + 1);
	}
	assert_int_equal(net_next_announce(&f->s), 0);
	net_tick(&f->s, 60 * SEC);
	assert_int_equal(f->out.count, 5);
	assert_int_equal(f->s.stats.arp_requests_out, 5);
}

static void test_announce_restart_and_refused(void **state)
{
	struct fixture *f = *state;

	/* A refused first frame is retried by the next round. */
	f->out.refuse = 1;
	assert_int_equal(net_announce_start(&f->s, 2 * SEC), -NET_EIO);
	assert_int_equal(net_next_announce(&f->s), 2 * SEC + 100 * MS);
	f->out.refuse = 0;
	net_tick(&f->s, 2 * SEC + 100 * MS);
	assert_int_equal(f->out.count, 1);
	assert_announce(f, 0);
	/* Reconnecting again starts the rounds over. */
	assert_int_equal(net_announce_start(&f->s, 3 * SEC), 0);
	assert_int_equal(f->out.count, 2);
	assert_int_equal(net_next_announce(&f->s), 3 * SEC + 100 * MS);
	/* A clock that goes back does not send early. */
	net_tick(&f->s, 1 * SEC);
	assert_int_equal(f->out.count, 2);
}

static void test_no_address_no_answers(void **state)
{
	struct fixture *f = *state;
	struct net_config cfg = { .ip = 0 };
	uint8_t fr[128];
	size_t len;

	memcpy(cfg.mac, our_mac, 6);
	net_init(&f->s, &cfg, capture, &f->out, 0);
	len = ping(fr);
	feed(f, fr, len, 2 * SEC);
	assert_int_equal(dropped(f, NET_DROP_NO_ADDRESS), 1);
	len = arp(fr, bcast_mac, 1, peer_mac, PEER_IP, 0);
	feed(f, fr, len, 2 * SEC);
	assert_int_equal(f->out.count, 0);
	assert_int_equal(net_arp_announce(&f->s), -NET_EUNREACH);
	assert_int_equal(net_announce_start(&f->s, 2 * SEC), -NET_EUNREACH);
	assert_int_equal(net_next_announce(&f->s), 0);
	assert_int_equal(net_udp_sendto(&f->s, PEER_IP, 1, 2, "x", 1),
			 -NET_EUNREACH);
}

/* ---- UDP ---- */

static void record(void *ctx, struct net_stack *s,
		   const struct net_udp_dgram *d)
{
	struct fixture *f = ctx;

	(void)s;
	f->got = *d;
	memcpy(f->got_data, d->data, d->len);
	f->got.data = f->got_data;
	f->got_count++;
}

static void echo(void *ctx, struct net_stack *s,
		 const struct net_udp_dgram *d)
{
	record(ctx, s, d);
	assert_int_equal(net_udp_reply(s, d, d->data, d->len), 0);
}

static void test_udp_delivered_and_echoed(void **state)
{
	struct fixture *f = *state;
	uint8_t fr[128];
	size_t len = udp(fr, PEER_IP, OUR_IP, 40000, 7, "hello", false);

	assert_int_equal(net_udp_bind(&f->s, 7, echo, f), 0);
	feed(f, fr, len, 2 * SEC);
	assert_int_equal(f->got_count, 1);
	assert_int_equal(f->got.src_ip, PEER_IP);
	assert_int_equal(f->got.dst_ip, OUR_IP);
	assert_int_equal(f->got.src_port, 40000);
	assert_int_equal(f->got.dst_port, 7);
	assert_int_equal(f->got.len, 5);
	assert_memory_equal(f->got.data, "hello", 5);
	assert_memory_equal(f->got.src_mac, peer_mac, 6);

	assert_int_equal(f->out.count, 1);
	assert_int_equal(f->out.len[0], NET_FRAME_MIN);
	assert_memory_equal(f->out.frame[0], expected_udp_reply,
			    sizeof(expected_udp_reply));
	for (size_t i = sizeof(expected_udp_reply); i < NET_FRAME_MIN; i++)
		assert_int_equal(f->out.frame[0][i], 0);
}

static void test_udp_bindings(void **state)
{
	struct fixture *f = *state;
	uint8_t fr[128];
	size_t len;

	assert_int_equal(net_udp_bind(&f->s, 13, record, f), 0);
	assert_int_equal(net_udp_bind(&f->s, 13, record, f), -NET_EINVAL);
	assert_int_equal(net_udp_bind(&f->s, 14, NULL, f), -NET_EINVAL);
	len = udp(fr, PEER_IP, OUR_IP, 40000, 99, "x", false);
	feed(f, fr, len, 2 * SEC);
	assert_int_equal(dropped(f, NET_DROP_NO_PORT), 1);
	/* The catch-all takes every port without its own binding. */
	assert_int_equal(net_udp_bind(&f->s, 0, record, f), 0);
	feed(f, fr, len, 2 * SEC);
	assert_int_equal(f->got_count, 1);
	assert_int_equal(f->got.dst_port, 99);
	assert_int_equal(net_udp_bind(&f->s, 1, record, f), 0);
	assert_int_equal(net_udp_bind(&f->s, 2, record, f), 0);
	assert_int_equal(net_udp_bind(&f->s, 3, record, f), -NET_EAGAIN);
}

static void test_udp_malformed(void **state)
{
	struct fixture *f = *state;
	uint8_t fr[128];
	size_t len;

	assert_int_equal(net_udp_bind(&f->s, 0, record, f), 0);
	/* Without a checksum: accepted. */
	len = udp(fr, PEER_IP, OUR_IP, 40000, 7, "hello", true);
	feed(f, fr, len, 2 * SEC);
	assert_int_equal(f->got_count, 1);

	len = udp(fr, PEER_IP, OUR_IP, 40000, 7, "hello", false);
	fr[len - 1] ^= 0x20;			/* payload changed */
	feed(f, fr, len, 2 * SEC);
	assert_int_equal(dropped(f, NET_DROP_BAD_CHECKSUM), 1);

	len = udp(fr, PEER_IP, OUR_IP, 40000, 7, "hello", true);
	be16(fr + 38, 14);			/* UDP length > IP payload */
	feed(f, fr, len, 2 * SEC);
	be16(fr + 38, 7);			/* UDP length < header */
	feed(f, fr, len, 2 * SEC);
	be16(fr + 38, 13);
	be16(fr + 34, 0);			/* source port 0 */
	feed(f, fr, len, 2 * SEC);
	assert_int_equal(dropped(f, NET_DROP_TRUNCATED), 1);
	assert_int_equal(dropped(f, NET_DROP_BAD_HEADER), 2);

	/* An IP payload shorter than a UDP header. */
	len = ipv4(fr, our_mac, PEER_IP, OUR_IP, 17, (const uint8_t *)"1234567",
		   7, 0, 0);
	feed(f, fr, len, 2 * SEC);
	assert_int_equal(dropped(f, NET_DROP_TRUNCATED), 2);

	/* A UDP length shorter than the IP payload: only it counts. */
	len = udp(fr, PEER_IP, OUR_IP, 40000, 7, "hello", true);
	be16(fr + 38, 10);
	feed(f, fr, len, 2 * SEC);
	assert_int_equal(f->got_count, 2);
	assert_int_equal(f->got.len, 2);
	assert_int_equal(f->out.count, 0);
}

static void test_udp_to_broadcast(void **state)
{
	struct fixture *f = *state;
	uint8_t fr[128];
	size_t len = udp(fr, PEER_IP, 0x0a0a00ffu, 40000, 13, "?", false);

	memcpy(fr, bcast_mac, 6);
	assert_int_equal(net_udp_bind(&f->s, 13, record, f), 0);
	feed(f, fr, len, 2 * SEC);
	assert_int_equal(f->got_count, 1);
	assert_int_equal(f->got.dst_ip, 0x0a0a00ffu);
}

static void test_udp_sendto_resolves(void **state)
{
	struct fixture *f = *state;
	uint8_t fr[64];
	size_t len;

	assert_int_equal(net_udp_sendto(&f->s, PEER_IP, 7, 40000, "hello", 5),
			 0);
	/* First an ARP request for the destination... */
	assert_int_equal(f->out.count, 1);
	assert_memory_equal(f->out.frame[0], bcast_mac, 6);
	assert_int_equal(f->out.frame[0][12], 0x08);
	assert_int_equal(f->out.frame[0][13], 0x06);
	assert_int_equal(f->out.frame[0][21], 1);
	assert_memory_equal(f->out.frame[0] + 38, "\x0a\x0a\x00\x01", 4);
	/* ...then the datagram, once the answer came. */
	len = arp(fr, our_mac, 2, peer_mac, PEER_IP, OUR_IP);
	feed(f, fr, len, 2 * SEC);
	assert_int_equal(f->out.count, 2);
	assert_int_equal(f->out.len[1], NET_FRAME_MIN);
	assert_memory_equal(f->out.frame[1], expected_udp_reply,
			    sizeof(expected_udp_reply));
	/* Resolved now: the next goes out at once. */
	assert_int_equal(net_udp_sendto(&f->s, PEER_IP, 7, 40000, "hello", 5),
			 0);
	assert_int_equal(f->out.count, 3);
	assert_int_equal(f->s.stats.udp_out, 2);
}

static void test_udp_sendto_unresolved(void **state)
{
	struct fixture *f = *state;

	/* Off-link: the gateway is asked for. */
	assert_int_equal(net_udp_sendto(&f->s, FAR_IP, 7, 9, "a", 1), 0);
	assert_int_equal(net_udp_sendto(&f->s, FAR_IP, 7, 9, "b", 1), 0);
	assert_int_equal(net_udp_sendto(&f->s, FAR_IP, 7, 9, "c", 1),
			 -NET_EAGAIN);
	assert_int_equal(f->out.count, 1);	/* one request so far */
	assert_memory_equal(f->out.frame[0] + 38, "\x0a\x0a\x00\x01", 4);
	net_tick(&f->s, 1 * SEC + NET_ARP_RETRY_NS);
	net_tick(&f->s, 1 * SEC + 2 * NET_ARP_RETRY_NS);
	assert_int_equal(f->out.count, NET_ARP_TRIES);
	net_tick(&f->s, 1 * SEC + 3 * NET_ARP_RETRY_NS);
	assert_int_equal(f->out.count, NET_ARP_TRIES);
	assert_int_equal(f->s.stats.unresolved, 2);
	/* The queue is free again. */
	assert_int_equal(net_udp_sendto(&f->s, FAR_IP, 7, 9, "d", 1), 0);
}

static void test_udp_send_refused(void **state)
{
	struct fixture *f = *state;
	static uint8_t big[NET_UDP_PAYLOAD_MAX + 1];
	struct net_udp_dgram to = {
		.src_ip = PEER_IP, .dst_ip = OUR_IP, .src_port = 1,
		.dst_port = 2,
	};

	assert_int_equal(net_udp_sendto(&f->s, PEER_IP, 7, 9, big,
					sizeof(big)), -NET_EINVAL);
	assert_int_equal(net_udp_sendto(&f->s, 0x0a0a00ffu, 7, 9, "x", 1),
			 -NET_EINVAL);
	assert_int_equal(net_udp_sendto(&f->s, OUR_IP, 7, 9, "x", 1),
			 -NET_EINVAL);
	assert_int_equal(net_udp_sendto(&f->s, PEER_IP, 0, 9, "x", 1),
			 -NET_EINVAL);
	f->s.cfg.gateway = 0;
	assert_int_equal(net_udp_sendto(&f->s, FAR_IP, 7, 9, "x", 1),
			 -NET_EUNREACH);
	memcpy(to.src_mac, peer_mac, 6);
	assert_int_equal(net_udp_reply(&f->s, &to, big, sizeof(big)),
			 -NET_EINVAL);
	/* The largest fits exactly in one frame. */
	assert_int_equal(net_udp_reply(&f->s, &to, big, sizeof(big) - 1), 0);
	assert_int_equal(f->out.len[0], NET_FRAME_MAX);
	f->out.refuse = 1;
	assert_int_equal(net_udp_reply(&f->s, &to, "x", 1), -NET_EIO);
	assert_int_equal(f->s.stats.tx_errors, 1);
	assert_int_equal(f->out.count, 1);
}

/* ---- hostile input at large ---- */

/* Every single-byte change to a ping, and every length: no crash, and any
 * answer is a well-formed echo reply. */
static void test_mutated_pings(void **state)
{
	struct fixture *f = *state;
	uint8_t fr[128];
	size_t len = ping(fr);

	for (size_t i = 0; i < len; i++) {
		for (unsigned int bit = 0; bit < 8; bit++) {
			uint8_t m[128];

			memcpy(m, fr, len);
			m[i] ^= (uint8_t)(1u << bit);
			f->out.count = 0;
			feed(f, m, len, 2 * SEC);
			if (f->out.count)
				assert_int_equal(f->out.frame[0][34], 0);
		}
	}
	for (size_t cut = 0; cut < len; cut++) {
		f->out.count = 0;
		feed(f, fr, cut, 2 * SEC);
		assert_int_equal(f->out.count, 0);
	}
}

static void test_random_frames(void **state)
{
	struct fixture *f = *state;
	uint32_t seed = 12345;

	assert_int_equal(net_udp_bind(&f->s, 0, echo, f), 0);
	for (int n = 0; n < 20000; n++) {
		uint8_t fr[NET_FRAME_MAX + 4];
		size_t len;

		seed = seed * 1103515245u + 12345u;
		len = (seed >> 8) % sizeof(fr);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			fr[i] = (uint8_t)(seed >> 16);
		}
		/* Mostly plausible headers, so the deeper layers are reached. */
		if (len >= 14 && (n & 1)) {
			memcpy(fr, our_mac, 6);
			fr[6] = 2;
			be16(fr + 12, (n & 2) ? 0x0800 : 0x0806);
			if (len >= 34 && (n & 2)) {
				fr[14] = 0x45;
				be16(fr + 16, (uint16_t)(len - 14));
				be16(fr + 20, 0);
				be32(fr + 30, OUR_IP);
				be16(fr + 24, 0);
				be16(fr + 24, csum(fr + 14, 20, 0));
			}
		}
		f->out.count = 0;
		feed(f, fr, len, 2 * SEC);
	}
	assert_int_equal(f->s.stats.rx_frames, 20000);
}

/* ---- daytime text ---- */

#include "net/daytime_text.h"

static void test_daytime_text(void **state)
{
	char buf[DAYTIME_TEXT_MAX];

	(void)state;
	assert_int_equal(daytime_text(0, buf, sizeof(buf)), 40);
	assert_string_equal(buf, "Thursday, January 1, 1970 00:00:00-UTC\r\n");
	daytime_text(951825909, buf, sizeof(buf));
	assert_string_equal(buf, "Tuesday, February 29, 2000 12:05:09-UTC\r\n");
	daytime_text(1764000000, buf, sizeof(buf));
	assert_string_equal(buf, "Monday, November 24, 2025 16:00:00-UTC\r\n");
	daytime_text(4102444800, buf, sizeof(buf));
	assert_string_equal(buf, "Friday, January 1, 2100 00:00:00-UTC\r\n");
	assert_true(daytime_text(UINT64_MAX, buf, sizeof(buf)) <
		    DAYTIME_TEXT_MAX);
	assert_int_equal(daytime_text(0, buf, DAYTIME_TEXT_MAX - 1), 0);
}

static void test_ip_to_text(void **state)
{
	char buf[16], small[5];

	(void)state;
	net_ip_to_text(0x0a0a0002u, buf, sizeof(buf));
	assert_string_equal(buf, "10.10.0.2");
	net_ip_to_text(0xffffffffu, buf, sizeof(buf));
	assert_string_equal(buf, "255.255.255.255");
	net_ip_to_text(0xc0a80105u, small, sizeof(small));
	assert_string_equal(small, "192.");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_arp_request_answered),
		T(test_arp_padded_request_answered),
		T(test_arp_for_someone_else),
		T(test_arp_malformed),
		T(test_arp_cache_expires),
		T(test_arp_reply_updates_entry),
		T(test_arp_cache_full_evicts_oldest),
		T(test_eth_filters),
		T(test_ping_answered),
		T(test_ping_with_padding_and_options),
		T(test_ping_largest),
		T(test_ip_malformed),
		T(test_ip_fragments_dropped),
		T(test_ip_addresses),
		T(test_announce_rounds),
		T(test_announce_restart_and_refused),
		T(test_no_address_no_answers),
		T(test_udp_delivered_and_echoed),
		T(test_udp_bindings),
		T(test_udp_malformed),
		T(test_udp_to_broadcast),
		T(test_udp_sendto_resolves),
		T(test_udp_sendto_unresolved),
		T(test_udp_send_refused),
		T(test_mutated_pings),
		T(test_random_frames),
		cmocka_unit_test(test_daytime_text),
		cmocka_unit_test(test_ip_to_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
