/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_IMAGE_H
#define CHAOS_IMAGE_H

/*
 * Guest kernel images: untrusted files turned into a checked description
 * of what to load where. Pure code, no Xen calls.
 *
 * Accepted: a raw ELF64 x86_64 ET_EXEC with Xen ELF notes; the same ELF
 * wrapped in gzip, xz, lzma, bzip2, zstd or lz4; a Linux bzImage whose
 * payload is such a compressed ELF.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/features.h>
#include <chaos/error.h>

#define CHAOS_IMAGE_MAX_SEGMENTS 16
#define CHAOS_IMAGE_NONE UINT64_MAX       /* "note absent" */
#define CHAOS_IMAGE_FILE_MAX (128u << 20)  /* biggest file we read */
#define CHAOS_IMAGE_ELF_MAX (256u << 20)   /* decompression cap */
#define CHAOS_IMAGE_SPAN_MAX (1u << 30)    /* kstart..kend at most */
#define CHAOS_IMAGE_STR_MAX 32

/*
 * One PT_LOAD segment. vaddr is where the guest sees it, computed the way
 * Xen's loaders do: p_paddr - paddr_offset + virt_base. offset/filesz
 * index img->elf.
 */
struct chaos_image_segment {
	uint64_t vaddr, memsz, offset, filesz;
};

struct chaos_image {
	uint8_t *elf;                      /* owned, decompressed ELF */
	size_t elf_size;
	unsigned int nr_segments;          /* sorted by vaddr, disjoint */
	struct chaos_image_segment seg[CHAOS_IMAGE_MAX_SEGMENTS];
	uint64_t virt_base, virt_entry, paddr_offset;
	uint64_t hypercall_page;           /* vaddr, or CHAOS_IMAGE_NONE */
	uint64_t virt_kstart, virt_kend;   /* page-aligned span of segments */
	uint32_t features_supported[XENFEAT_NR_SUBMAPS];
	uint32_t features_required[XENFEAT_NR_SUBMAPS];
	char guest_os[CHAOS_IMAGE_STR_MAX];
	char guest_version[CHAOS_IMAGE_STR_MAX];
	char loader[CHAOS_IMAGE_STR_MAX];
	char xen_version[CHAOS_IMAGE_STR_MAX];
	char pae_mode[CHAOS_IMAGE_STR_MAX];
	/* INIT_P2M vaddr or NONE; recorded only: the layout keeps the p2m
	 * in the bootstrap mapping, which every PV kernel accepts. */
	uint64_t init_p2m;
	uint64_t hv_start_low;             /* or CHAOS_IMAGE_NONE */
	uint64_t phys32_entry;             /* or CHAOS_IMAGE_NONE (HVM only) */
	bool mod_start_pfn;                /* MOD_START_PFN: ramdisk by pfn ok */
	bool suspend_cancel;               /* SUSPEND_CANCEL */
	unsigned int nr_notes;             /* Xen notes seen */
	const char *format;                /* "elf", "gzip+elf", "bzImage+xz" */
};

/*
 * Parse an image held in memory (copied; buf is not kept). `what` names it
 * in error messages (a path, say). On failure img holds nothing to release.
 */
int chaos_image_from_buffer(const uint8_t *buf, size_t len, const char *what,
			    struct chaos_image *img, chaos_err *err);

/* Read a regular file of at most CHAOS_IMAGE_FILE_MAX bytes and parse it. */
int chaos_image_from_file(const char *path, struct chaos_image *img,
			  chaos_err *err);

/* Free what the image owns; safe on a zeroed or released image. */
void chaos_image_release(struct chaos_image *img);

/* Is the (page-aligned) vaddr range [va, va+len) inside one segment? */
bool chaos_image_range_in_segment(const struct chaos_image *img, uint64_t va,
				  uint64_t len);

/* ---- internals shared by image*.c (and their unit tests) ---- */

enum chaos_compression {
	CHAOS_COMP_NONE,     /* not a known compressed stream */
	CHAOS_COMP_GZIP,
	CHAOS_COMP_XZ,
	CHAOS_COMP_LZMA,     /* legacy .lzma ("alone") */
	CHAOS_COMP_BZIP2,
	CHAOS_COMP_ZSTD,
	CHAOS_COMP_LZ4_FRAME,
	CHAOS_COMP_LZ4_LEGACY, /* what the kernel's bzImage uses */
	CHAOS_COMP_LZO,      /* recognised only, to name it in the error */
};

enum chaos_compression chaos_image_detect_compression(const uint8_t *buf,
						      size_t len);
const char *chaos_compression_name(enum chaos_compression c);

/*
 * Decompress one stream of kind c (trailing bytes after the end of the
 * stream are ignored, as the kernel appends the size). Fails cleanly if
 * the output would exceed cap bytes. *out is malloc'd.
 */
int chaos_image_decompress(enum chaos_compression c, const uint8_t *in,
			   size_t in_len, size_t cap, const char *what,
			   uint8_t **out, size_t *out_len, chaos_err *err);

/*
 * bzImage: returns 1 and the payload span if buf has a valid setup header,
 * 0 if buf is not a bzImage, -1 (err set) if it claims to be one but lies.
 */
int chaos_image_bzimage_payload(const uint8_t *buf, size_t len,
				const char *what, const uint8_t **payload,
				size_t *payload_len, chaos_err *err);

/* Validate img->elf/elf_size and fill every other field. */
int chaos_image_parse_elf(struct chaos_image *img, const char *what,
			  chaos_err *err);

#endif
