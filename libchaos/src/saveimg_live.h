/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_SAVEIMG_LIVE_H
#define CHAOS_SAVEIMG_LIVE_H

/*
 * The live stream (image version 2, docs/image-format.md): the guest's
 * size, then its pages in batches over several rounds while it runs, the
 * last round after it is suspended, then its state (saveimg.h's
 * DOMAIN..TYPES) and END with the SHA-256 of everything before. Pure
 * code over a chaos_saveimg_stream: no Xen here.
 */

#include <stdint.h>
#include <chaos/error.h>

#include "saveimg.h"
#include "saveimg_stream.h"

#define CHAOS_LIVE_VERSION 2
/* Pages in one BATCH at most. */
#define CHAOS_LIVE_BATCH_MAX 1024u
/* Rounds a receiver accepts, the final one included (round numbers
 * 0..CHAOS_LIVE_ROUNDS_MAX-1). */
#define CHAOS_LIVE_ROUNDS_MAX 32u

/* Writer. The pages of a batch follow its header: count * 4096 bytes. */
int chaos_live_put_start(struct chaos_saveimg_stream *s, uint64_t nr_pages,
			 uint32_t nr_vcpus, chaos_err *err);
int chaos_live_put_batch(struct chaos_saveimg_stream *s, uint32_t round,
			 const uint64_t *pfns, uint32_t count, chaos_err *err);
/* The state records; then chaos_saveimg_put_end. */
int chaos_live_put_state(struct chaos_saveimg_stream *s,
			 const struct chaos_saveimg *img, chaos_err *err);

/* Reader. */
struct chaos_live_rx {
	uint64_t nr_pages;
	uint32_t nr_vcpus;
	uint32_t round;		/* of the last batch */
	bool batches_seen;
	uint8_t *sent_in;	/* per pfn: 1 + the last round it came in, 0 never */
	uint64_t pages;		/* received, counting repeats */
};

/* The header and MEMORY record: the guest's size, every field checked. */
int chaos_live_read_start(struct chaos_live_rx *rx,
			  struct chaos_saveimg_stream *s, chaos_err *err);
/*
 * The next record. 1: a batch, its count pfns (each checked inside the
 * guest) in pfns, its pages next in the stream. 0: the batches are over
 * and the state was read and checked into img (the END record is next:
 * chaos_saveimg_get_end). -1: an error naming the bad field.
 */
int chaos_live_next(struct chaos_live_rx *rx, struct chaos_saveimg_stream *s,
		    uint64_t pfns[CHAOS_LIVE_BATCH_MAX], uint32_t *count,
		    struct chaos_saveimg *img, chaos_err *err);
/*
 * Once the END record checks out: every pfn came at least once, and
 * every page the final state depends on (page tables, the p2m list,
 * start info) came in the final round, sent after the guest stopped.
 */
int chaos_live_check_final(const struct chaos_live_rx *rx,
			   const struct chaos_saveimg *img, chaos_err *err);
void chaos_live_rx_free(struct chaos_live_rx *rx);

#endif
