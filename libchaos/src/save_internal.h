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

/* A guest's memory and state as save.c reads them (pt_canon.h's m2p). */
#include "pt_canon.h"
struct chaos_capture {
	chaos_host *host;
	uint32_t domid;
	uint64_t cr3_mfn;
	uint64_t si_mfn;
	start_info_t si;
	uint64_t nr_pages;
	uint64_t *p2m;			/* pfn -> frame */
	uint64_t *p2m_frame_mfns;
	struct chaos_m2p m2p;
	struct chaos_saveimg img;	/* canonical vCPUs, config, types */
	int *map_errs;			/* MAP_BATCH */
	uint8_t *p2m_frame;		/* nr_pages: 1 where the guest keeps its p2m */
};

/* Everything but the pages of a suspended guest, checked. */
int chaos_capture_suspended(struct chaos_capture *c, chaos_host *host,
			    uint32_t domid, chaos_err *err);
/*
 * Only the p2m of a running guest (nr_pages, p2m, m2p, p2m frames), from
 * its start info frame (the domain's record) and vCPU 0's page tables.
 */
int chaos_capture_running_p2m(struct chaos_capture *c, chaos_host *host,
			      uint32_t domid, uint64_t start_info_mfn,
			      chaos_err *err);
/* Map n (at most 4096) frames of the guest read-only; each must map. */
void *chaos_capture_map(struct chaos_capture *c, const uint64_t *mfns,
			size_t n, chaos_err *err);
/* Pages that cannot go out as they are (page tables, the p2m list), and
 * such a page (a copy) made machine-independent. */
bool chaos_capture_rewritten(const struct chaos_capture *c, uint64_t pfn);
int chaos_capture_canonical(struct chaos_capture *c, uint64_t pfn,
			    uint8_t *page, chaos_err *err);
void chaos_capture_free(struct chaos_capture *c);

/*
 * A suspended guest's image (docs/image-format.md) out through out,
 * hashed as it goes, straight from its memory; digest gets its SHA-256.
 */
int chaos_guest_capture_to(chaos_host *host, uint32_t domid,
			   struct chaos_saveimg_stream *out,
			   uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE],
			   chaos_err *err);

/* A check of the image's SHA-256 beyond the image's own (a migration's
 * MAC), before anything of it is believed. */
typedef int (*chaos_image_check)(void *ctx,
				 const uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE],
				 chaos_err *err);

/*
 * Restore a version 1 image of total bytes from in (restore.c), the pages
 * straight into the new domain; check (may be NULL) runs once the END
 * record is verified, before the final state is built.
 */
int chaos_guest_restore_stream(chaos_host *host,
			       struct chaos_saveimg_stream *in, uint64_t total,
			       chaos_image_check check, void *check_ctx,
			       const chaos_restore_opts *opts, uint32_t *domid,
			       char *name, chaos_err *err);

#endif
