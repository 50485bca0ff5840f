/* SPDX-License-Identifier: MIT */
/*
 * netfront over noxs (noxs/net.c): one struct netfront per vif devid,
 * alive for the guest's whole life; it is connected (rings, buffers,
 * event channel) while its device is, and reconnected after a resume.
 *
 * Apps call these from their main loop, never from an event handler: the
 * functions mask events while they touch the rings, so a disconnect in the
 * upcall can only happen between two calls.
 */
#ifndef MINIOS_NETFRONT_H
#define MINIOS_NETFRONT_H

#include <minios/xen.h>

/* vif devids handled (a guest config has at most 8 vifs). */
#define NETFRONT_MAX 8
/* RX buffers kept posted and TX buffers, one granted page each. */
#define NETFRONT_RX_BUFS 64
#define NETFRONT_TX_BUFS 64
/* Longest frame either way: MTU 1500, Ethernet and VLAN headers. */
#define NETFRONT_FRAME_MAX 1518

struct netfront;

/* What the backend wrote into the control page (checked; host order). */
struct netfront_info {
	uint8_t mac[6];
	uint32_t ip;		/* 0: none given */
	uint32_t netmask;
	uint32_t gateway;	/* 0: none (or not on the subnet) */
};

struct netfront_stats {
	uint64_t rx_frames, rx_bytes;
	uint64_t rx_errors;	/* backend said error, or impossible size */
	uint64_t tx_frames, tx_bytes;
	uint64_t tx_errors;	/* backend answered error or dropped */
	uint64_t tx_no_buffer;	/* send refused: every TX buffer in flight */
	uint64_t bad_responses;	/* unknown or repeated ids */
	uint64_t connects;	/* including reconnects after a resume */
};

/* The netfront of vif devid, or NULL if the device page has no such vif. */
struct netfront *netfront_get(uint16_t devid);
bool netfront_connected(const struct netfront *nf);
/* 0 and the addresses, or -1 if never connected. */
int netfront_info(const struct netfront *nf, struct netfront_info *info);
const struct netfront_stats *netfront_stats(const struct netfront *nf);

/*
 * Hand up to budget received frames to fn (the frame is only valid during
 * the call; fn may call netfront_send()), then post the buffers again.
 * Returns the number of ring responses consumed.
 */
typedef void (*netfront_rx_fn)(void *ctx, const uint8_t *frame, size_t len);
unsigned int netfront_receive(struct netfront *nf, netfront_rx_fn fn,
			      void *ctx, unsigned int budget);
/* Copy one frame into a free TX buffer and send it; 0 or -1. */
int netfront_send(struct netfront *nf, const uint8_t *frame, size_t len);
/* Free TX buffers now (completed sends are collected first). */
unsigned int netfront_tx_free(struct netfront *nf);
/*
 * Anything to do: received frames (while a TX buffer is free, so answers
 * have room), or completed sends when every TX buffer was in flight. When
 * it returns false, the backend has been asked to send an event for the
 * next of these, so blocking is safe. Call with events masked.
 */
bool netfront_has_work(struct netfront *nf);

#endif
