/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_MIGRATE_INTERNAL_H
#define CHAOS_MIGRATE_INTERNAL_H

/* What migrate.c shares with the live (pre-copy) migration's two ends. */

#include <stdbool.h>
#include <stdint.h>
#include <chaos/migrate.h>
#include <chaos/save.h>

#include "migrate_wire.h"
#include "saveimg_stream.h"

/* The destination builds the domain before answering. */
#define CHAOS_MIG_RESTORE_TIMEOUT_MS 120000u
#define CHAOS_MIG_STEP_TIMEOUT_MS 30000u
/* One IMAGE_PART at most: a batch of pages with its record header. */
#define CHAOS_MIG_PART_MAX (64u << 20)

/* The image as it comes off the stream, hashed (chaos_saveimg_get). */
struct chaos_mig_image_in {
	struct chaos_saveimg_stream stream;
	struct chaos_mig *m;
	uint64_t left;	/* bytes of the current message still to read */
	bool parts;	/* IMAGE_PARTs follow one another (a live stream) */
};

void chaos_mig_image_in_init(struct chaos_mig_image_in *in,
			     struct chaos_mig *m, uint64_t first_len,
			     bool parts);
/* A chaos_image_check: nothing left over, then the IMAGE_MAC (with a key). */
int chaos_mig_check_image_mac(void *ctx,
			      const uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE],
			      chaos_err *err);

/* Destination of a live migration (live_receive.c): as a restore. */
int chaos_live_receive(chaos_host *host, struct chaos_mig_image_in *in,
		       const chaos_restore_opts *opts, uint32_t *domid,
		       char *name, chaos_err *err);

#endif
