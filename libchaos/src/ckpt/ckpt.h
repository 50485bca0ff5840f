/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_CKPT_LAYER_H
#define CHAOS_CKPT_LAYER_H

/*
 * Layer ckpt: Checkpoints: suspend and resume, the saved image, page-table canonicalisation, save and restore.
 * Internal to libchaos: declarations grouped by the file that defines them.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <nettle/umac.h>
#include <xxhash.h>
#include <xenctrl.h>
#include <chaos/config.h>
#include <chaos/error.h>
#include <chaos/guest.h>
#include <chaos/checkpoint.h>

#include "guest/guest.h"

/* ---- image_vcpu_ext.c ---- */

/* The VCPU_EXT payload of vCPU vcpu at p (CHAOS_SAVEIMG_VCPU_EXT_SIZE
 * bytes, zero where nothing is). */
void chaos_saveimg_vcpu_ext_encode(uint8_t *p, uint32_t vcpu,
				   const struct chaos_vcpu_ext *ext);
/* Checks and reads one; an offline vCPU's must be zero but for its id.
 * 0, or -1 with err naming the field. */
int chaos_saveimg_vcpu_ext_decode(const uint8_t *p, uint32_t vcpu,
				  bool online, struct chaos_vcpu_ext *ext,
				  chaos_err *err);

/* ---- image_cpu.c ---- */

/* The CPU record's payload: a head, 160 CPUID leaves, 14 MSRs. */
#define CHAOS_SAVEIMG_CPU_SIZE 4096u
/* cpu into p (CHAOS_SAVEIMG_CPU_SIZE bytes, zero where nothing is). */
void chaos_saveimg_cpu_encode(uint8_t *p, const struct chaos_cpu_state *cpu);
/* Checks and reads one (hostile). 0, or -1 with err naming the field. */
int chaos_saveimg_cpu_decode(const uint8_t *p, struct chaos_cpu_state *cpu,
			     chaos_err *err);
/* The checks of a decoded one: counts, order, TSC mode, MSR flags. */
int chaos_saveimg_cpu_check(const struct chaos_cpu_state *cpu,
			    chaos_err *err);
/* 0 if host_max (the most a host gives a PV guest) has every CPU feature
 * guest had; else -1, ENODEV, err naming the first register lacking. */
int chaos_saveimg_cpu_fits(const struct chaos_cpu_policy *guest,
			   const struct chaos_cpu_policy *host_max,
			   chaos_err *err);

/* ---- image_format.c ---- */

/*
 * The saved-guest image (docs/image-format.md): a header, then records in
 * a fixed order (DOMAIN, CONFIG, DEVICES, CPU, a VCPU and a VCPU_EXT per
 * vCPU, P2M_FRAMES, PAGES, END), every length checked, ending with a checksum
 * of everything before it. Pure code: encoding into and decoding from a
 * buffer, no Xen calls.
 */


#define CHAOS_SAVEIMG_MAGIC "CHAOSIMG"
#define CHAOS_SAVEIMG_VERSION 10
#define CHAOS_SAVEIMG_HEADER_SIZE 32
#define CHAOS_SAVEIMG_RECORD_HEADER 16
#define CHAOS_SAVEIMG_HASH_SIZE 16

enum chaos_saveimg_record {
	CHAOS_REC_DOMAIN = 1,
	CHAOS_REC_CONFIG = 2,
	CHAOS_REC_VCPU = 3,
	CHAOS_REC_P2M_FRAMES = 4,
	CHAOS_REC_PAGES = 5,
	CHAOS_REC_END = 6,
	/* The live stream (live_format.c) only. */
	CHAOS_REC_MEMORY = 7,
	CHAOS_REC_BATCH = 8,
	CHAOS_REC_TYPES = 9,
	/* Version 6 (and the live stream's version 7): after CONFIG. */
	CHAOS_REC_DEVICES = 10,
	/* Version 8 (and the live stream's version 9): after each VCPU. */
	CHAOS_REC_VCPU_EXT = 11,
	/* Version 10 (and the live stream's version 11): after DEVICES;
	 * the live stream has one after MEMORY too. */
	CHAOS_REC_CPU = 12,
};

/* Page types in the PAGES record: 0 data, 1-4 a page table of that level,
 * with CHAOS_PAGE_PINNED if the guest had it pinned. */
#define CHAOS_PAGE_DATA 0
#define CHAOS_PAGE_LEVEL_MASK 0x0f
#define CHAOS_PAGE_PINNED 0x10

#define CHAOS_SAVEIMG_VCPU_ONLINE 1u
/* VCPU_EXT's payload: the fields, 16 MSR slots, the XSAVE blob's room. */
#define CHAOS_SAVEIMG_VCPU_EXT_SIZE (72u + 16u * 16u + 4096u)

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

/*
 * How the guest's devices are served, and its disks (DEVICES record,
 * version 6). A fixed 4096 bytes: the disks' targets are packed in
 * targets[], each followed by a NUL, in disk order, zero after the last.
 */
#define CHAOS_SAVEIMG_DEVICES_SIZE 4096u
#define CHAOS_SAVEIMG_DEVICES_NOXS 1u
#define CHAOS_SAVEIMG_DEVICES_XENSTORE 2u
struct chaos_saveimg_disk {
	uint32_t devid;				/* Xen's number for vdev */
	uint8_t kind;				/* chaos_config_disk_kind */
	uint8_t readonly;			/* 0 or 1 */
	uint16_t target_len;			/* bytes in targets[], no NUL */
	char vdev[CHAOS_CONFIG_VDEV_MAX];	/* zero after its NUL */
	uint8_t reserved[8];
};

struct chaos_saveimg_devices {
	uint8_t devices;			/* CHAOS_SAVEIMG_DEVICES_* */
	uint8_t nr_disks;			/* 0 for a noxs guest */
	uint8_t reserved[6];
	struct chaos_saveimg_disk disks[CHAOS_CONFIG_DISKS_MAX];
	char targets[CHAOS_SAVEIMG_DEVICES_SIZE - 8 -
		     CHAOS_CONFIG_DISKS_MAX * sizeof(struct chaos_saveimg_disk)];
};

struct chaos_saveimg_vcpu {
	uint32_t online;			/* CHAOS_SAVEIMG_VCPU_ONLINE */
	vcpu_guest_context_x86_64_t ctx;	/* canonical (pfns) */
	struct chaos_vcpu_ext ext;		/* version 8; zero when offline */
};

struct chaos_saveimg {
	uint64_t nr_pages;
	uint64_t start_info_pfn;
	uint32_t nr_vcpus;
	struct chaos_saveimg_config cfg;
	struct chaos_saveimg_devices dev;	/* version 6 */
	struct chaos_cpu_state cpu;		/* version 10 */
	struct chaos_saveimg_vcpu *vcpus;	/* nr_vcpus */
	uint64_t nr_p2m_frames;
	uint64_t *p2m_frames;			/* pfns of the guest's p2m list */
	uint8_t *types;				/* nr_pages page types */
	/* Bit n (byte n / 8, bit n % 8: little-endian u64s) set when pfn
	 * n's bytes are in the image, the others being all zero; present
	 * counts them. */
	uint8_t *present_map;
	uint64_t present;
	void *owned;		/* what types and present_map point into, if ours */
};

/* ---- image_devices.c: the DEVICES record's contents ---- */

/*
 * Fill d from cfg (its devices and disks; targets[i] the absolute path
 * disks[i] is served from, as resolved at create). xenstore: the guest is
 * served through XenStore, else noxs (which has no disks). E2BIG naming
 * the disk whose target no longer fits targets[]; EINVAL for a noxs
 * guest with disks.
 */
int chaos_saveimg_devices_pack(struct chaos_saveimg_devices *d,
			       bool xenstore, const chaos_config *cfg,
			       const char *const *targets, chaos_err *err);
/* Every field of a decoded DEVICES record (hostile), naming the bad one
 * as "image: DEVICES disks[1].vdev ...". */
int chaos_saveimg_devices_check(const struct chaos_saveimg_devices *d,
				chaos_err *err);
/* A checked d into cfg: cfg->devices (NOXS or XENSTORE), nr_disks and the
 * disks (targets strdup'd, freed by chaos_config_free). */
int chaos_saveimg_devices_unpack(const struct chaos_saveimg_devices *d,
				 chaos_config *cfg, chaos_err *err);

/* Pages the guest's p2m list (8 bytes per pfn) takes. */
uint64_t chaos_saveimg_p2m_frames(uint64_t nr_pages);

/* Bytes of the encoded image with every page's bytes in it (the most it
 * can be), or 0 if the numbers are out of range. */
size_t chaos_saveimg_size(uint64_t nr_pages, uint32_t nr_vcpus);
/* The same with only present of the pages' bytes in it. */
size_t chaos_saveimg_size_with(uint64_t nr_pages, uint32_t nr_vcpus,
			       uint64_t present);

/* Frees vcpus, p2m_frames and owned. */
void chaos_saveimg_free(struct chaos_saveimg *img);

/*
 * Streaming (save.c, restore.c): an image is its head (header and every
 * record up to the PAGES record's header), the page types (padded to 8),
 * the map of pages with bytes, those pages, and its tail (the END record).
 */
#define CHAOS_SAVEIMG_TAIL_SIZE                                             \
	(CHAOS_SAVEIMG_RECORD_HEADER + CHAOS_SAVEIMG_HASH_SIZE)
/* The header and the DOMAIN record: what tells how long the head is. */
#define CHAOS_SAVEIMG_PEEK_SIZE (CHAOS_SAVEIMG_HEADER_SIZE + CHAOS_SAVEIMG_RECORD_HEADER + 32)

/* Bytes of the head (0 if the numbers are out of range), of the types. */
size_t chaos_saveimg_head_size(uint64_t nr_pages, uint32_t nr_vcpus);
size_t chaos_saveimg_types_size(uint64_t nr_pages);
/* Per pfn of img (nr_pages bytes, malloc'd): 1 where its p2m list lies
 * (img->p2m_frames, already checked inside nr_pages). NULL: no memory. */
uint8_t *chaos_saveimg_p2m_pages(const struct chaos_saveimg *img);
/* Bytes of the map of pages with bytes (a bit per page, whole u64s). */
size_t chaos_saveimg_map_size(uint64_t nr_pages);
static inline bool chaos_saveimg_has_bytes(const uint8_t *map, uint64_t pfn)
{
	return map[pfn / 8] & (1u << (pfn % 8));
}
/* The head for img's metadata into buf (chaos_saveimg_head_size bytes). */
int chaos_saveimg_encode_head(uint8_t *buf, size_t len,
			      const struct chaos_saveimg *img, chaos_err *err);
/* The END record's header (the checksum follows it). */
void chaos_saveimg_end_header(uint8_t out[CHAOS_SAVEIMG_RECORD_HEADER]);
int chaos_saveimg_check_end(const uint8_t hdr[CHAOS_SAVEIMG_RECORD_HEADER],
			    chaos_err *err);
/*
 * From the first CHAOS_SAVEIMG_PEEK_SIZE bytes of an image of total bytes
 * (have of them at hand): the length of its head plus its types, once the
 * header and the DOMAIN record are checked, and the guest's pages.
 */
int chaos_saveimg_head_len(const uint8_t *buf, size_t have, uint64_t total,
			   size_t *head_len, uint64_t *nr_pages,
			   chaos_err *err);
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
 * The guest's state as the live stream (version 11, live_format.c) ends:
 * DOMAIN, CONFIG, DEVICES, CPU, VCPUs, P2M_FRAMES and TYPES, the same
 * records and checks as version 10's head (TYPES holds what PAGES' first part
 * does).
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

/* ---- image_stream.c ---- */

/*
 * An image on its way to or from a file descriptor or a migration stream,
 * checksummed as it goes: no second pass over the image, no copy of it in
 * memory. The writer ends with the END record and the checksum; the
 * reader checks them. The checksum is XXH64 (libxxhash), in the first 8
 * bytes of a 16-byte field: it catches damage, not an attacker, who could
 * recompute any unkeyed hash of a file he can write (XXH64 rather than
 * XXH3 or SHA-256: the fastest where instructions are emulated, see
 * docs/benchmarks.md). Where an attacker sits on the path (a migration with a
 * pre-shared key) the stream is keyed instead (chaos_saveimg_stream_key):
 * UMAC-128 (nettle), a MAC as fast as the checksum.
 */
typedef int (*chaos_saveimg_io)(void *ctx, void *buf, size_t len,
				chaos_err *err);

struct chaos_saveimg_stream {
	chaos_saveimg_io io;	/* writes, or reads exactly, len bytes */
	void *ctx;
	XXH64_state_t *xxh;	/* unkeyed */
	struct umac128_ctx *umac; /* keyed */
	uint64_t done;		/* bytes through io so far */
	chaos_ckpt_phases *ph;	/* hash_us and io_us go here */
	chaos_ckpt_phases scratch; /* ph until the caller points it elsewhere */
	struct chaos_saveimg_async *async; /* writes on their own thread */
};

/*
 * From now on the stream's writes are done by a thread of its own
 * (image_writer.c), in order: put copies its bytes, put_held does not
 * and hands back a ticket; the bytes stay valid until chaos_saveimg_wait
 * for it returns. put_end waits for every write. Writes only.
 */
int chaos_saveimg_stream_async(struct chaos_saveimg_stream *s, chaos_err *err);
int chaos_saveimg_put_held(struct chaos_saveimg_stream *s, const void *buf,
			   size_t len, uint64_t *ticket, chaos_err *err);
/* Every write up to ticket done (0, or a stream without a thread: at
 * once); -1 with the first write's failure. */
int chaos_saveimg_wait(struct chaos_saveimg_stream *s, uint64_t ticket,
		       chaos_err *err);
int chaos_saveimg_flush(struct chaos_saveimg_stream *s, chaos_err *err);
/* image_stream.c's side of the writer. */
int chaos_saveimg_async_queue(struct chaos_saveimg_stream *s, const void *buf,
			      size_t len, bool held, uint64_t *ticket,
			      chaos_err *err);
void chaos_saveimg_async_stop(struct chaos_saveimg_stream *s);

/* A stream with the unkeyed checksum (ENOMEM: no memory for its state).
 * chaos_saveimg_stream_free releases it, whatever happened. */
int chaos_saveimg_stream_init(struct chaos_saveimg_stream *s,
			      chaos_saveimg_io io, void *ctx, chaos_err *err);
#define CHAOS_SAVEIMG_KEY_SIZE 16
/* Keyed from here on (before the first byte): both ends derive key and
 * nonce from the session; a nonce is never used twice with one key. */
int chaos_saveimg_stream_key(struct chaos_saveimg_stream *s,
			     const uint8_t key[CHAOS_SAVEIMG_KEY_SIZE],
			     const uint8_t nonce[CHAOS_SAVEIMG_KEY_SIZE],
			     chaos_err *err);
void chaos_saveimg_stream_free(struct chaos_saveimg_stream *s);

/* Out (writer) or in (reader), hashed. */
int chaos_saveimg_put(struct chaos_saveimg_stream *s, const void *buf,
		      size_t len, chaos_err *err);
int chaos_saveimg_get(struct chaos_saveimg_stream *s, void *buf, size_t len,
		      chaos_err *err);
/* The END record and the checksum of everything before it, out or in and
 * checked; digest gets it. */
int chaos_saveimg_put_end(struct chaos_saveimg_stream *s,
			  uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE],
			  chaos_err *err);
int chaos_saveimg_get_end(struct chaos_saveimg_stream *s,
			  uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE],
			  chaos_err *err);

/*
 * Version 6, read side: the head, the page types and the map of an image of total
 * bytes (the file's size, or what the migration stream announced) from
 * the stream, every field checked (chaos_saveimg_decode_head). img owns
 * what it points into (chaos_saveimg_free). The pages follow in the
 * stream, then the END record (chaos_saveimg_get_end). max_pages (0: no
 * bound): a guest of more pages is refused (ENOMEM) before its head, about
 * a byte and a bit per page, is allocated.
 */
int chaos_saveimg_read_head(struct chaos_saveimg_stream *s, uint64_t total,
			    uint64_t max_pages, struct chaos_saveimg *img,
			    chaos_err *err);

/* io for a file descriptor: write all, or read exactly (EOF is an error). */
int chaos_saveimg_fd_write(void *fdp, void *buf, size_t len, chaos_err *err);
int chaos_saveimg_fd_read(void *fdp, void *buf, size_t len, chaos_err *err);

/* ---- live_format.c ---- */

/*
 * The live stream (image version 11, docs/image-format.md): the guest's
 * size and CPU, then its pages in batches over several rounds while it runs, the
 * last round after it is suspended, then its state (DOMAIN..TYPES, as
 * chaos_saveimg_encode_state) and END with the checksum of everything
 * before. Page tables and the p2m list go machine-independent in
 * whichever round they are due (the hypervisor marks a page dirty when it
 * becomes or stops being a page table), so the final round holds only
 * what changed.
 * Pure code over a chaos_saveimg_stream: no Xen here.
 */
#define CHAOS_LIVE_VERSION 11
/* Pages in one BATCH at most. */
#define CHAOS_LIVE_BATCH_MAX 1024u
/* In a BATCH's pfn list: the page is all zero and no bytes follow. */
#define CHAOS_LIVE_ZERO (UINT64_C(1) << 63)
/* ...the page's bytes are machine-independent (a page table or a page of
 * the p2m list, at the time it was read). Never with CHAOS_LIVE_ZERO. */
#define CHAOS_LIVE_CANON (UINT64_C(1) << 62)
#define CHAOS_LIVE_PFN_MASK (CHAOS_LIVE_CANON - 1)
/* Rounds a receiver accepts, the final one included (round numbers
 * 0..CHAOS_LIVE_ROUNDS_MAX-1). */
#define CHAOS_LIVE_ROUNDS_MAX 32u

/* Writer. The pages of a batch follow its header: 4096 bytes for each pfn
 * without CHAOS_LIVE_ZERO, in order. */
int chaos_live_put_start(struct chaos_saveimg_stream *s, uint64_t nr_pages,
			 uint32_t nr_vcpus, const struct chaos_cpu_state *cpu,
			 chaos_err *err);
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
	uint8_t *canon;		/* per pfn: its last bytes were machine-independent */
	uint64_t pages;		/* received, counting repeats */
	/* From the CPU record after MEMORY, read while the guest ran: what
	 * a host must have to take it (the state's is what it gets). */
	struct chaos_cpu_state cpu;
};

/*
 * The header, MEMORY and CPU records: the guest's size and CPU, every
 * field checked.
 * Nothing is allocated: the size is only a claim until the hypervisor
 * has given a domain that memory.
 */
int chaos_live_read_start(struct chaos_live_rx *rx,
			  struct chaos_saveimg_stream *s, chaos_err *err);
/* Once the domain of rx->nr_pages exists: the per-page bookkeeping
 * (two bytes a page) that chaos_live_next needs. */
int chaos_live_rx_track(struct chaos_live_rx *rx, chaos_err *err);
/*
 * The next record. 1: a batch: count entries in pfns (each pfn checked
 * inside the guest), the pages of those without CHAOS_LIVE_ZERO next in
 * the stream; one with CHAOS_LIVE_ZERO must be cleared (a zero page not
 * seen before is left out: a new domain's memory is zero already). 0: the batches are over
 * and the state was read and checked into img (the END record is next:
 * chaos_saveimg_get_end). -1: an error naming the bad field.
 */
int chaos_live_next(struct chaos_live_rx *rx, struct chaos_saveimg_stream *s,
		    uint64_t pfns[CHAOS_LIVE_BATCH_MAX], uint32_t *count,
		    struct chaos_saveimg *img, chaos_err *err);
/*
 * Once the END record checks out: every pfn came at least once, the
 * pages the final state says are page tables or the p2m list came last
 * machine-independent and no other page did, and the start info came in
 * the final round, sent after the guest stopped.
 */
int chaos_live_check_final(const struct chaos_live_rx *rx,
			   const struct chaos_saveimg *img, chaos_err *err);
void chaos_live_rx_free(struct chaos_live_rx *rx);

/* ---- canon.c ---- */

/*
 * Making a PV guest's state machine-independent and back (pure code, no
 * Xen calls: the tests run it on plain buffers).
 *
 * A PV guest's page tables, its vCPUs' CR3 and GDT frames and the start
 * info frame in %rdx hold machine frame numbers (mfns). A saved image holds
 * pfns instead ("canonical" form); a restore puts the new domain's mfns
 * back ("localised" form). Both directions check every frame: on save it
 * must be one of the guest's own (its p2m), on restore inside its memory.
 */


#define CHAOS_PT_ENTRIES 512
/* Xen's own L4 slots in every 64-bit PV L4 (it fills them on pinning). */
#define CHAOS_PT_XEN_SLOT_FIRST 256
#define CHAOS_PT_XEN_SLOT_LAST 271

/* mfn -> pfn, built from a guest's p2m (sorted; duplicates refused). */
struct chaos_m2p {
	struct chaos_m2p_entry {
		uint64_t mfn, pfn;
	} *e;
	uint64_t n;
	/* When the guest's frames lie close together (they are allocated
	 * in extents): pfn + 1 by mfn - base, 0 for none; else NULL. */
	uint32_t *dense;
	uint64_t base, span;
};

/*
 * Build the reverse map of p2m[0..nr_pages). Refuses an mfn listed for two
 * pfns and entries that do not fit a page-table entry (INVALID_MFN too:
 * the image format wants every pfn populated).
 */
int chaos_m2p_build(const uint64_t *p2m, uint64_t nr_pages,
		    struct chaos_m2p *m, chaos_err *err);
void chaos_m2p_free(struct chaos_m2p *m);
/* 0 and *pfn, or -1 when mfn is not one of the guest's frames. */
int chaos_m2p_lookup(const struct chaos_m2p *m, uint64_t mfn, uint64_t *pfn);

/*
 * One page-table page of level 1..4 (at pfn, for messages), in place.
 * Canonicalise: every present entry's frame becomes its pfn; Xen's L4
 * slots are cleared. Localise: every present entry's pfn must be below
 * nr_pages and becomes p2m[pfn]; Xen's L4 slots must be empty. Superpage
 * entries are refused both ways (64-bit PV guests do not get them).
 */
int chaos_pt_canonicalize(uint64_t table[CHAOS_PT_ENTRIES], unsigned int level,
			  uint64_t pfn, const struct chaos_m2p *m,
			  chaos_err *err);
int chaos_pt_localize(uint64_t table[CHAOS_PT_ENTRIES], unsigned int level,
		      uint64_t pfn, const uint64_t *p2m, uint64_t nr_pages,
		      chaos_err *err);

/*
 * One vCPU's context: CR3 (and the user-mode CR3, if any) and the GDT
 * frames; for vCPU 0 also %rdx, the start info frame of the suspend call.
 */
int chaos_vcpu_canonicalize(vcpu_guest_context_x86_64_t *c, unsigned int vcpu,
			    const struct chaos_m2p *m, chaos_err *err);
int chaos_vcpu_localize(vcpu_guest_context_x86_64_t *c, unsigned int vcpu,
			const uint64_t *p2m, uint64_t nr_pages, chaos_err *err);

/* ---- travel.c, save.c, restore.c ---- */

/*
 * The part of a guest's config that travels with it (save_config.c): name
 * (registry), memory (start_info's nr_pages), vCPUs, actions (record) and
 * vifs with their effective MACs (the config file the guest was created
 * from, MACs assigned as at create; a XenStore guest's from its backends,
 * and its disks into dev). A noxs guest with vifs and no known config is
 * refused.
 */
int chaos_travel_config(chaos_host *host, uint32_t domid, uint64_t nr_pages,
			unsigned int vcpus, struct chaos_saveimg_config *out,
			struct chaos_saveimg_devices *dev, chaos_err *err);

/* ---- travel_xs.c ---- */

/* A XenStore guest's vifs (into out) and disks (dev) from its backends. */
int chaos_travel_xs(chaos_host *host, uint32_t domid,
		    struct chaos_saveimg_config *out,
		    struct chaos_saveimg_devices *dev, chaos_err *err);
/* Where an incoming guest's disks are served from: each target the
 * image names must be allowed or mapped by opts->disks (rewritten in d
 * when mapped), else EACCES naming the disk. Before anything is built. */
int chaos_ckpt_place_disks(struct chaos_saveimg_devices *d,
			   const chaos_restore_opts *opts, chaos_err *err);
/* Mark (lend) or unmark each of domid's vbd backends with
 * CHAOS_XS_LENT_NODE: only while the domain is suspended. */
int chaos_ckpt_lend_disks(chaos_host *host, uint32_t domid, bool lend,
			  chaos_err *err);

/*
 * Where an incoming guest's vifs go: each bridge the image names must be
 * allowed or mapped by opts->bridges (rewritten in c when mapped), else
 * EACCES naming the vif and the bridge. Before anything is built.
 */
int chaos_ckpt_place_vifs(struct chaos_saveimg_config *c,
			  const chaos_restore_opts *opts, chaos_err *err);

/* The vifs an image gives its restored guest (bridges as placed here),
 * into the guest's record: what its next save carries. */
void chaos_travel_vifs_to_record(const struct chaos_saveimg_config *c,
				 chaos_domain_record *rec);

/* The same as a chaos_config (no kernel), for the builder's vif code. */
void chaos_travel_config_to_config(const struct chaos_saveimg_config *c,
				   chaos_config *cfg);

/* Give a live guest fresh devices: power (with noxs), then its vifs. */
int chaos_ckpt_recreate_devices(chaos_host *host, uint32_t domid,
				 const struct chaos_saveimg_config *c,
				 chaos_err *err);

struct chaos_saveimg_stream;
struct chaos_disk_target;

/* A guest's memory and state as save.c reads them (pt_canon.h's m2p). */
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
	uint64_t *pass_pfns, *pass_mfns; /* MAP_BATCH each, writing */
	uint8_t *zero;			/* nr_pages: 1 if the hypervisor saw zeros */
	bool zero_known;		/* it answers NOXS_DOMCTL_getpageframeinfo_zero */
	uint8_t *p2m_frame;		/* nr_pages: 1 where the guest keeps its p2m */
	bool p2m_clean;			/* no page of the p2m list written since
					 * it was read (log-dirty says so) */
	chaos_ckpt_phases *ph;		/* where the time goes */
	chaos_ckpt_phases scratch;	/* ph unless the caller gives one */
	/* Per capture, never static: two threads may save two guests. */
	uint64_t walk_table[4][CHAOS_PT_ENTRIES]; /* the last table per level */
	uint64_t walk_mfn[4];			/* its frame + 1 (0: none) */
	uint64_t page_copy[XC_PAGE_SIZE / 8];	/* a page made canonical */
};

/*
 * Which pages the hypervisor sees all zero, into c->zero (zero_known
 * false, and nothing else, on a hypervisor without the noxs call). For a
 * running guest the answer is of the moment: pair it with log-dirty.
 */
int chaos_capture_query_zero(struct chaos_capture *c, chaos_err *err);

/* A page of 4096 bytes all zero (no bytes in an image). */
bool chaos_page_is_zero(const uint8_t *page);

/* The start info a guest wrote, checked against what the hypervisor says
 * the domain may own (max_pages) before anything is sized by it. */
int chaos_capture_check_si(const start_info_t *si, uint64_t max_pages,
			   uint32_t domid, chaos_err *err);
/* A suspended guest's console and store frames (pfns then), within its
 * nr_pages (already checked): what a restore would refuse. */
int chaos_capture_check_si_frames(const start_info_t *si, uint32_t domid,
				  chaos_err *err);

/*
 * Everything but the pages of a suspended guest, checked; with find_zero
 * also which pages the hypervisor sees all zero (c->zero, zero_known).
 * known (or NULL): a capture of the same guest while it ran. When its p2m
 * list is in the same frames and p2m_clean, the list is taken as known
 * read it instead of mapped again; when it is the same, its sorted m2p is
 * taken over instead of sorted anew;
 * when it holds page types, they are taken as they are, and the caller
 * reads anew those of the pages written since (a live migration's last
 * dirty set: Xen marks a page dirty when its type changes).
 */
int chaos_capture_suspended(struct chaos_capture *c, chaos_host *host,
			    uint32_t domid, bool find_zero,
			    struct chaos_capture *known,
			    chaos_ckpt_phases *ph, chaos_err *err);
/*
 * Only the p2m of a running guest (nr_pages, p2m, m2p, p2m frames and
 * p2m_frame), from its start info frame (the domain's record) and vCPU
 * 0's page tables, with img.types zero for its rounds to fill.
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
/* The page types of pfns (n of them) into c->img.types, read now. */
int chaos_capture_types_of(struct chaos_capture *c, const uint64_t *pfns,
			   size_t n, chaos_err *err);
int chaos_capture_canonical(struct chaos_capture *c, uint64_t pfn,
			    uint8_t *page, chaos_err *err);
void chaos_capture_free(struct chaos_capture *c);

/*
 * A suspended guest's image (docs/image-format.md) out through out,
 * hashed as it goes, straight from its memory; digest gets its checksum.
 */
int chaos_ckpt_capture_to(chaos_host *host, uint32_t domid,
			   struct chaos_saveimg_stream *out,
			   uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE],
			   chaos_err *err);

/* A check of the image's checksum beyond the image's own (a migration's
 * MAC), before anything of it is believed. */
typedef int (*chaos_image_check)(void *ctx,
				 const uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE],
				 chaos_err *err);

/*
 * Restore a version 10 image of total bytes from in (restore.c), the pages
 * straight into the new domain; check (may be NULL) runs once the END
 * record is verified, before the final state is built.
 */
int chaos_ckpt_restore_stream(chaos_host *host,
			       struct chaos_saveimg_stream *in, uint64_t total,
			       chaos_image_check check, void *check_ctx,
			       const chaos_restore_opts *opts, uint32_t *domid,
			       char *name, int *mark, chaos_err *err);

/* Checkpoints move pages through the hypervisor (hyp/page_copy.c) a
 * batch at a time: one buffer filled while the other is written. */
#define CHAOS_PAGE_COPY_BATCH 1024u
#define CHAOS_PAGE_COPY_BUFFERS 2u

/* ---- restore_domain.c ---- */

/*
 * Building a guest from an image (restore, and both kinds of migration
 * receiver): a paused shell first, the pages read straight into it as
 * they arrive (still canonical: pfns in the page tables), and only once
 * the whole image is authenticated the final state: page tables, the p2m
 * list and start info localised in place, vifs, shared info, the tables
 * pinned (Xen validates them), vCPUs set, the record written. Any failure
 * destroys the new domain.
 */



/* Pages mapped at once while they stream in: 16 MiB. */
#define CHAOS_RESTORE_BATCH 4096u

struct chaos_restore {
	chaos_host *host;
	struct chaos_saveimg img;	/* decoded state (types, vCPUs, config) */
	struct chaos_shell shell;
	bool have_shell;
	uint64_t console_pfn;
	int *map_errs;			/* CHAOS_RESTORE_BATCH */
	struct chaos_page_copy copy;	/* ready: pages in through the hypervisor */
	chaos_ckpt_phases *ph;		/* where the time goes */
	chaos_ckpt_phases scratch;	/* ph unless the caller gives one */
	/* Served through XenStore (restore_xs.c): its vifs and disks, the
	 * disks' targets as checked, its store page, and whether its
	 * entries are written (taken back on a discard). */
	bool xenstore, xs_added;
	chaos_config xs_cfg;
	struct chaos_disk_target *targets;
	uint64_t store_pfn;
	/* Where it restarts from (opts->config_path, checked), or "". */
	char config_path[CHAOS_RECORD_PATH_MAX];
};

/* opts->config_path checked for the image's guest, into r->config_path
 * (guest_restart_config); nothing without one. */
int chaos_ckpt_place_config(struct chaos_restore *r,
			    const chaos_restore_opts *opts, chaos_err *err);

/* ---- restore_xs.c ---- */

/* Before the pages are localised: a XenStore image's disks checked (with
 * opts->as's file rights, free of other users), xenstored reachable, and
 * the new store channel (r->shell.store_port). Nothing for noxs. */
int chaos_restore_xs_prepare(struct chaos_restore *r,
			     const chaos_restore_opts *opts, chaos_err *err);
/* Before the unpause: grants, entries, introduction, backends set up. */
int chaos_restore_xs_attach(struct chaos_restore *r, chaos_err *err);
/* Free what prepare kept; discard: also take back the entries. */
void chaos_restore_xs_free(struct chaos_restore *r, bool discard);

/* 0 if this host gives a PV guest every CPU feature guest (an image's
 * policy) has; else -1 with err naming what it lacks (ENODEV). */
int chaos_restore_cpu_admit(chaos_host *host,
			    const struct chaos_cpu_policy *guest,
			    chaos_err *err);
/* A paused shell of nr_pages pages (whole MiB) and nr_vcpus vCPUs. */
int chaos_restore_shell(struct chaos_restore *r, chaos_host *host,
			uint64_t nr_pages, uint32_t nr_vcpus, chaos_err *err);
/*
 * Map n (at most CHAOS_RESTORE_BATCH) of the new domain's pages
 * writable: pfns[0..n) (each checked below nr_pages by the caller), or
 * with pfns NULL the run from first.
 */
void *chaos_restore_map(struct chaos_restore *r, const uint64_t *pfns,
			uint64_t first, size_t n, chaos_err *err);
void chaos_restore_unmap(struct chaos_restore *r, void *p, size_t n);
/*
 * Pages streaming in: chaos_restore_pages_begin gives a buffer for n
 * pages (at most chaos_restore_pages_max), pfns[0..n) each checked below
 * nr_pages by the caller, who fills every one of them; _end puts them
 * into the domain (with the noxs hypervisor the buffer is ours and the
 * hypervisor copies it in; otherwise it is the pages themselves, mapped)
 * and gives the buffer back, also when the caller failed (fill false).
 */
size_t chaos_restore_pages_max(const struct chaos_restore *r);
uint8_t *chaos_restore_pages_begin(struct chaos_restore *r,
				   const uint64_t *pfns, size_t n,
				   chaos_err *err);
int chaos_restore_pages_end(struct chaos_restore *r, uint8_t *buf,
			    const uint64_t *pfns, size_t n, bool fill,
			    chaos_err *err);
/*
 * Notes in a migration's busy marks (state/busy.c), read by recovery
 * when their holder died:
 * - RECEIVED: a destination holds the guest, paused, before "go": the
 *   source still has it, so recovery destroys this copy;
 * - RUNNING " NAME": a destination was told "go": this copy is the guest;
 *   recovery runs it and gives it NAME once no live domain holds it;
 * - SENT_GO: a source sent "go": the destination may run the guest, so
 *   this copy stays suspended for an operator (the mark is kept).
 */
#define CHAOS_MARK_RECEIVED "received"
#define CHAOS_MARK_RUNNING "running"
#define CHAOS_MARK_SENT_GO "sent-go"

/*
 * The final state from r->img, then unpaused unless opts->paused. With
 * mark non-NULL (a migration's destination), the guest's busy mark is
 * noted CHAOS_MARK_RECEIVED first and handed over in *mark on success.
 */
int chaos_restore_finish(struct chaos_restore *r,
			 const chaos_restore_opts *opts, uint32_t *domid,
			 char *name, int *mark, chaos_err *err);
/* After a failure: the new domain destroyed, everything freed. */
void chaos_restore_discard(struct chaos_restore *r);

/* ---- suspend.c ---- */

/*
 * Mark domid busy for a checkpoint (state/busy.c), its handle into
 * handle: the mark's fd, or -1 (EBUSY: another process checkpoints it).
 */
int chaos_ckpt_mark(chaos_host *host, uint32_t domid, uint8_t handle[16],
		    chaos_err *err);
/* chaos_checkpoint_resume for a caller that holds the mark. */
int chaos_ckpt_resume(chaos_host *host, uint32_t domid, chaos_err *err);

/* The domain is a guest stopped by its suspend (SHUTDOWN_suspend); *xi
 * gets the hypervisor's view of it. -1 with EINVAL if it is not. */
int chaos_ckpt_require_suspended(chaos_host *host, uint32_t domid,
				 xc_domaininfo_t *xi, chaos_err *err);

#endif
