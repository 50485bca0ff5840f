/* SPDX-License-Identifier: MIT */
/*
 * What netfront accepts from the backend, as pure functions of what it
 * read (one copy of each response) and what it asked for: portable, so
 * the unit tests (noxs/tests/) feed them hostile values on the build
 * machine. The caller defines xen_mb/xen_rmb/xen_wmb and includes
 * <xen/io/netif.h> first.
 */
#ifndef NOXS_NET_CHECKS_H
#define NOXS_NET_CHECKS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A response producer index is believable only if it does not run ahead
 * of the requests we made: prod - cons <= req_prod - cons (mod 2^32).
 */
static inline bool nf_responses_sane(RING_IDX prod, RING_IDX cons,
				     RING_IDX req_prod)
{
	return prod - cons <= req_prod - cons;
}

enum nf_rx_verdict {
	NF_RX_FRAME,	/* deliver page[offset .. offset + status) */
	NF_RX_ERROR,	/* the buffer is back, the frame is not usable */
	NF_RX_BAD_ID,	/* not a buffer we posted: nothing comes back */
};

/*
 * One RX response: the id must name a posted buffer; a frame is a
 * positive length up to frame_max that fits the page from its offset, in
 * a lone slot (neither more-data nor extra-info was negotiated).
 */
static inline enum nf_rx_verdict nf_rx_check(const netif_rx_response_t *rsp,
					     const bool *posted,
					     unsigned int nr_bufs,
					     unsigned int page_size,
					     unsigned int frame_max)
{
	if (rsp->id >= nr_bufs || !posted[rsp->id])
		return NF_RX_BAD_ID;
	if (rsp->status <= 0 || (unsigned int)rsp->status > frame_max ||
	    rsp->offset + (unsigned int)rsp->status > page_size ||
	    (rsp->flags & (NETRXF_more_data | NETRXF_extra_info)))
		return NF_RX_ERROR;
	return NF_RX_FRAME;
}

/* A TX response names a buffer in flight; its status says how it went. */
static inline bool nf_tx_id_ok(const netif_tx_response_t *rsp,
			       const bool *in_flight, unsigned int nr_bufs)
{
	return rsp->id < nr_bufs && in_flight[rsp->id];
}

#endif
