/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_SAVEIMG_H
#define CHAOS_SAVEIMG_H

/*
 * The saved-guest image (docs/image-format.md): a header, then records in
 * a fixed order (DOMAIN, CONFIG, one VCPU per vCPU, P2M_FRAMES, PAGES,
 * END), every length checked, ending with a SHA-256 of everything before
 * it. Pure code: encoding into and decoding from a buffer, no Xen calls.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <xenctrl.h>
#include <chaos/config.h>
#include <chaos/error.h>

#define CHAOS_SAVEIMG_MAGIC "CHAOSIMG"
#define CHAOS_SAVEIMG_VERSION 1
#define CHAOS_SAVEIMG_HEADER_SIZE 32
#define CHAOS_SAVEIMG_RECORD_HEADER 16
#define CHAOS_SAVEIMG_HASH_SIZE 32

enum chaos_saveimg_record {
	CHAOS_REC_DOMAIN = 1,
	CHAOS_REC_CONFIG = 2,
	CHAOS_REC_VCPU = 3,
	CHAOS_REC_P2M_FRAMES = 4,
	CHAOS_REC_PAGES = 5,
	CHAOS_REC_END = 6,
	/* Version 2 (the live stream, saveimg_live.h) only. */
	CHAOS_REC_MEMORY = 7,
	CHAOS_REC_BATCH = 8,
	CHAOS_REC_TYPES = 9,
};

/* Page types in the PAGES record: 0 data, 1-4 a page table of that level,
 * with CHAOS_PAGE_PINNED if the guest had it pinned. */
#define CHAOS_PAGE_DATA 0
#define CHAOS_PAGE_LEVEL_MASK 0x0f
#define CHAOS_PAGE_PINNED 0x10

#define CHAOS_SAVEIMG_VCPU_ONLINE 1u

/* What travels of the guest's config: no kernel, no disk, no host path. */
struct chaos_saveimg_config {
	char name[CHAOS_NAME_MAX];
	uint64_t memory_mib;
	uint32_t vcpus;
	uint8_t on_poweroff, on_reboot, on_crash; /* chaos_config_action */
	uint8_t nr_vifs;
	struct chaos_saveimg_vif {
		uint8_t mac[6];
		uint8_t ip_set;			/* 0 or 1 */
		uint8_t ip[4];
		uint8_t reserved[5];
		char bridge[CHAOS_CONFIG_BRIDGE_MAX];
	} vifs[CHAOS_CONFIG_VIFS_MAX];
};

struct chaos_saveimg_vcpu {
	uint32_t online;			/* CHAOS_SAVEIMG_VCPU_ONLINE */
	vcpu_guest_context_x86_64_t ctx;	/* canonical (pfns) */
};

struct chaos_saveimg {
	uint64_t nr_pages;
	uint64_t start_info_pfn;
	uint32_t nr_vcpus;
	struct chaos_saveimg_config cfg;
	struct chaos_saveimg_vcpu *vcpus;	/* nr_vcpus */
	uint64_t nr_p2m_frames;
	uint64_t *p2m_frames;			/* pfns of the guest's p2m list */
	uint8_t *types;				/* nr_pages page types */
	void *owned;				/* what types points into, if ours */
};

/* Pages the guest's p2m list (8 bytes per pfn) takes. */
uint64_t chaos_saveimg_p2m_frames(uint64_t nr_pages);

/* Bytes of the encoded image, or 0 if the numbers are out of range. */
size_t chaos_saveimg_size(uint64_t nr_pages, uint32_t nr_vcpus);

/* Frees vcpus, p2m_frames and owned. */
void chaos_saveimg_free(struct chaos_saveimg *img);

/*
 * Streaming (save.c, restore.c): an image is its head (header and every
 * record up to the PAGES record's header), the page types (padded to 8),
 * the pages, and its tail (the END record).
 */
#define CHAOS_SAVEIMG_TAIL_SIZE                                             \
	(CHAOS_SAVEIMG_RECORD_HEADER + CHAOS_SAVEIMG_HASH_SIZE)
/* The header and the DOMAIN record: what tells how long the head is. */
#define CHAOS_SAVEIMG_PEEK_SIZE (CHAOS_SAVEIMG_HEADER_SIZE + CHAOS_SAVEIMG_RECORD_HEADER + 32)

/* Bytes of the head (0 if the numbers are out of range), of the types. */
size_t chaos_saveimg_head_size(uint64_t nr_pages, uint32_t nr_vcpus);
size_t chaos_saveimg_types_size(uint64_t nr_pages);
/* The head for img's metadata into buf (chaos_saveimg_head_size bytes). */
int chaos_saveimg_encode_head(uint8_t *buf, size_t len,
			      const struct chaos_saveimg *img, chaos_err *err);
/* The END record's header (the SHA-256 follows it). */
void chaos_saveimg_end_header(uint8_t out[CHAOS_SAVEIMG_RECORD_HEADER]);
int chaos_saveimg_check_end(const uint8_t hdr[CHAOS_SAVEIMG_RECORD_HEADER],
			    chaos_err *err);
/*
 * From the first CHAOS_SAVEIMG_PEEK_SIZE bytes of an image of total bytes
 * (have of them at hand): the length of its head plus its types, once the
 * header and the DOMAIN record are checked.
 */
int chaos_saveimg_head_len(const uint8_t *buf, size_t have, uint64_t total,
			   size_t *head_len, chaos_err *err);
/*
 * Check and decode a head with its types (have bytes of an image of total
 * bytes): every field is checked, the message names the bad one.
 * img->types points into buf; img->vcpus and img->p2m_frames are
 * allocated (chaos_saveimg_free). The checksum is the caller's, over
 * everything it reads.
 */
int chaos_saveimg_decode_head(const uint8_t *buf, size_t have, uint64_t total,
			      struct chaos_saveimg *img, chaos_err *err);

/* The smallest and largest sizes an image can have (for reading files). */
#define CHAOS_SAVEIMG_MIN_SIZE                                              \
	(CHAOS_SAVEIMG_HEADER_SIZE + CHAOS_SAVEIMG_RECORD_HEADER +           \
	 CHAOS_SAVEIMG_HASH_SIZE)
/* The header's total_size, once checked: lets readers bound a read. */
int chaos_saveimg_peek_size(const uint8_t *hdr, size_t len, uint64_t *total,
			    chaos_err *err);

/*
 * The guest's state as the live stream (version 2, saveimg_live.h) ends:
 * DOMAIN, CONFIG, VCPUs, P2M_FRAMES and TYPES, the same records and
 * checks as version 1's head (TYPES holds what PAGES' first part does).
 */
size_t chaos_saveimg_state_size(uint64_t nr_pages, uint32_t nr_vcpus);
/* Encode img's state into buf (chaos_saveimg_state_size bytes). */
int chaos_saveimg_encode_state(uint8_t *buf, size_t len,
			       const struct chaos_saveimg *img, chaos_err *err);
/*
 * Check and decode a state of len bytes for a guest of nr_pages pages and
 * nr_vcpus vCPUs (both already known from the stream). As decode_head.
 */
int chaos_saveimg_decode_state(const uint8_t *buf, size_t len,
			       uint64_t nr_pages, uint32_t nr_vcpus,
			       struct chaos_saveimg *img, chaos_err *err);

/*
 * Little-endian fields at any alignment (x86 only, like the image), and
 * a record header: type, zero, length. Shared by both stream formats.
 */
static inline void saveimg_put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static inline void saveimg_put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static inline uint32_t saveimg_get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static inline uint64_t saveimg_get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline void saveimg_record_header(uint8_t *p, uint32_t type,
					 uint64_t length)
{
	saveimg_put32(p, type);
	saveimg_put32(p + 4, 0);
	saveimg_put64(p + 8, length);
}

#endif
