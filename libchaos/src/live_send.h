/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_LIVE_SEND_H
#define CHAOS_LIVE_SEND_H

#include <stdbool.h>
#include <stdint.h>

#include "migrate_internal.h"

struct chaos_live_stats {
	uint32_t rounds;	/* the final one included */
	uint64_t pages_sent;
	uint64_t pages_resent;	/* beyond one of each */
	bool suspended;		/* the guest is suspended (resume it on failure) */
	uint64_t stop_us;	/* when the suspend was asked for */
	uint64_t suspended_us;	/* when it was done */
};

/*
 * The live stream of domid out on m as IMAGE_PARTs (live_send.c); digest
 * gets its SHA-256 (for the IMAGE_MAC). On failure stats->suspended says
 * whether the guest must be resumed; log-dirty mode is off either way.
 */
int chaos_live_send(chaos_host *host, uint32_t domid, struct chaos_mig *m,
		    struct chaos_live_stats *stats,
		    uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE], chaos_err *err);

#endif
