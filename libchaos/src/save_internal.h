/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_SAVE_INTERNAL_H
#define CHAOS_SAVE_INTERNAL_H

#include <chaos/config.h>
#include <chaos/save.h>

#include "internal.h"
#include "saveimg.h"

/*
 * The part of a guest's config that travels with it (save_config.c): name
 * (registry), memory (start_info's nr_pages), vCPUs, actions (record) and
 * vifs with their effective MACs (the config file the guest was created
 * from, MACs assigned as at create). A guest with vifs and no known
 * config is refused.
 */
int chaos_travel_config(chaos_host *host, uint32_t domid, uint64_t nr_pages,
			unsigned int vcpus, struct chaos_saveimg_config *out,
			chaos_err *err);

/* The same as a chaos_config (no kernel), for the builder's vif code. */
void chaos_travel_config_to_config(const struct chaos_saveimg_config *c,
				   chaos_config *cfg);

/* Give a live guest fresh devices: power (with noxs), then its vifs. */
int chaos_guest_recreate_devices(chaos_host *host, uint32_t domid,
				 const struct chaos_saveimg_config *c,
				 chaos_err *err);

struct chaos_saveimg_stream;
/*
 * A suspended guest's image (docs/image-format.md) out through out,
 * hashed as it goes, straight from its memory; digest gets its SHA-256.
 */
int chaos_guest_capture_to(chaos_host *host, uint32_t domid,
			   struct chaos_saveimg_stream *out,
			   uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE],
			   chaos_err *err);

#endif
