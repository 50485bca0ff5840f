/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_BUILD_LAYER_H
#define CHAOS_BUILD_LAYER_H

/*
 * Layer build: The PV builder: kernel images, the memory layout, page tables, start_info, shells and their boot.
 * Internal to libchaos: declarations grouped by the file that defines them.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/features.h>
#include <chaos/shell.h>
#include <chaos/error.h>

#include "dev/dev.h"

/* ---- image.c, image_elf.c, image_bzimage.c, image_decompress.c ---- */

/*
 * Guest kernel images: untrusted files turned into a checked description
 * of what to load where. Pure code, no Xen calls.
 *
 * Accepted: a raw ELF64 x86_64 ET_EXEC with Xen ELF notes; the same ELF
 * wrapped in gzip, xz, lzma, bzip2, zstd or lz4; a Linux bzImage whose
 * payload is such a compressed ELF.
 */



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

/* The same with the ELF (decompressed) bounded by limit bytes, which is
 * then at most CHAOS_IMAGE_ELF_MAX (0: that bound); EFBIG past it. */
int chaos_image_from_buffer_max(const uint8_t *buf, size_t len,
				const char *what, size_t limit,
				struct chaos_image *img, chaos_err *err);

/* Read a regular file of at most CHAOS_IMAGE_FILE_MAX bytes and parse it. */
int chaos_image_from_file(const char *path, struct chaos_image *img,
			  chaos_err *err);

/* The same from an open file (st: its fstat; path names it in errors),
 * the ELF bounded as by chaos_image_from_buffer_max. */
struct stat;
int chaos_image_from_fd(int fd, const struct stat *st, const char *path,
			size_t limit, struct chaos_image *img, chaos_err *err);

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

/* ---- pv_layout.c, pv_pagetable.c, pv_start_info.c ---- */

/*
 * Where everything goes in a new x86_64 PV guest (the start-of-day layout
 * in xen/xen.h), and the pure code that fills guest memory: kernel
 * segments, the p2m list, bootstrap page tables and start_info. Memory is
 * reached through an accessor so the same code writes into a plain buffer
 * (unit tests) or foreign-mapped guest pages (the builder).
 *
 * From virt_base, in pfn order (each region page-aligned, 1:1 with pfns):
 *   [gap up to the kernel] kernel, ramdisk, p2m list, start_info,
 *   xenstore page, console page, page tables (L4, L3s, L2s, L1s), stack.
 * The bootstrap mapping covers [virt_base, virt_map_end): everything up to
 * virt_alloc_end plus at least 512 KiB, rounded up to 4 MiB, but never
 * beyond the domain's memory (small unikernels get a shorter mapping).
 */




#define CHAOS_PAGE_SHIFT 12
#define CHAOS_PAGE_SIZE (UINT64_C(1) << CHAOS_PAGE_SHIFT)
/* Free mapped space promised after the last bootstrap region. */
#define CHAOS_PV_SLACK (UINT64_C(512) << 10)
#define CHAOS_PV_MAP_ALIGN (UINT64_C(4) << 20)
#define CHAOS_PV_MAX_PAGES (UINT64_C(1) << 32) /* 16 TiB */

/* Guest memory as pages: pfn -> mfn, and a writable view of each page. */
struct chaos_guest_mem {
	uint64_t nr_pages;
	const uint64_t *p2m;                     /* nr_pages entries */
	void *(*page)(void *ctx, uint64_t pfn);  /* 4 KiB, or NULL */
	void *ctx;
};

/* Every region: first pfn and page count; vaddr = virt_base + pfn*4K. */
struct chaos_pv_layout {
	uint64_t virt_base, nr_pages;
	uint64_t kernel_pfn, kernel_pages;
	uint64_t ramdisk_pfn, ramdisk_pages;   /* pages 0: no ramdisk */
	uint64_t ramdisk_bytes;
	uint64_t p2m_pfn, p2m_pages;           /* the guest's mfn_list */
	uint64_t start_info_pfn, xenstore_pfn, console_pfn;
	uint64_t pt_pfn, pt_pages;             /* L4 first, then L3, L2, L1 */
	uint64_t nr_l3, nr_l2, nr_l1;          /* tables per level (L4: 1) */
	uint64_t stack_pfn;
	uint64_t virt_alloc_end;               /* first unused vaddr */
	uint64_t virt_map_end;                 /* end of bootstrap mapping */
	uint64_t virt_entry;                   /* from the image: %rip */
	uint64_t hypercall_page;               /* vaddr or CHAOS_IMAGE_NONE */
};

/* Plan the layout of img in nr_pages pages with a ramdisk_bytes ramdisk. */
int chaos_pv_layout_compute(const struct chaos_image *img, uint64_t nr_pages,
			    uint64_t ramdisk_bytes, struct chaos_pv_layout *lay,
			    chaos_err *err);

/* Zero the kernel region and copy every segment into it. */
int chaos_pv_load_segments(const struct chaos_image *img,
			   const struct chaos_pv_layout *lay,
			   const struct chaos_guest_mem *mem, chaos_err *err);

/* Copy the ramdisk (len == lay->ramdisk_bytes) into its region. */
int chaos_pv_load_ramdisk(const struct chaos_pv_layout *lay,
			  const struct chaos_guest_mem *mem, const void *data,
			  uint64_t len, chaos_err *err);

/* Write mem->p2m[0..nr_pages) as 64-bit entries into the p2m region. */
int chaos_pv_write_p2m(const struct chaos_pv_layout *lay,
		       const struct chaos_guest_mem *mem, chaos_err *err);

/*
 * Build the 4-level bootstrap tables in the pt region, mapping
 * [virt_base, virt_map_end) to pfns 0.. (as MFNs), the tables read-only.
 */
int chaos_pv_build_pagetables(const struct chaos_pv_layout *lay,
			      const struct chaos_guest_mem *mem,
			      chaos_err *err);

struct chaos_pv_start_params {
	const char *cmdline;            /* NULL = empty; < 1024 bytes */
	uint64_t shared_info_mfn;
	uint64_t console_mfn;
	uint32_t console_evtchn;
	uint64_t store_mfn;             /* 0 when no XenStore */
	uint32_t store_evtchn;          /* 0 when no XenStore */
	uint32_t flags;                 /* SIF_*; SIF_MOD_START_PFN makes
					 * mod_start a pfn */
	uint64_t ramdisk_bytes;         /* <= the layout's ramdisk region */
};

/* Fill start_info, and zero the xenstore and console pages. */
int chaos_pv_write_start_info(const struct chaos_pv_layout *lay,
			      const struct chaos_guest_mem *mem,
			      const struct chaos_pv_start_params *p,
			      chaos_err *err);

/* Copy len bytes to guest vaddr (src NULL: zero-fill), page by page. */
int chaos_pv_copy_to_guest(const struct chaos_pv_layout *lay,
			   const struct chaos_guest_mem *mem, uint64_t vaddr,
			   const void *src, uint64_t len, chaos_err *err);

static inline uint64_t chaos_pv_pfn_vaddr(const struct chaos_pv_layout *lay,
					  uint64_t pfn)
{
	return lay->virt_base + (pfn << CHAOS_PAGE_SHIFT);
}

/* Initial vCPU state: %rsp, %rsi and the L4 pfn whose mfn goes in CR3. */
static inline uint64_t chaos_pv_stack_top(const struct chaos_pv_layout *lay)
{
	return chaos_pv_pfn_vaddr(lay, lay->stack_pfn + 1);
}

static inline uint64_t
chaos_pv_start_info_vaddr(const struct chaos_pv_layout *lay)
{
	return chaos_pv_pfn_vaddr(lay, lay->start_info_pfn);
}

static inline uint64_t chaos_pv_l4_pfn(const struct chaos_pv_layout *lay)
{
	return lay->pt_pfn;
}

/* pfn of the hypercall page, or CHAOS_IMAGE_NONE. */
static inline uint64_t
chaos_pv_hypercall_pfn(const struct chaos_pv_layout *lay)
{
	if (lay->hypercall_page == CHAOS_IMAGE_NONE)
		return CHAOS_IMAGE_NONE;
	return (lay->hypercall_page - lay->virt_base) >> CHAOS_PAGE_SHIFT;
}

/* ---- shell_prepare.c, shell_boot.c, shell_public.c ---- */

/*
 * A shell is a domain with everything done that does not depend on the
 * kernel: created, vCPUs allocated, memory populated, console event channel
 * ready. chaos_shell_boot() then does what is specific to one guest. The
 * split is what lets chaosd keep shells ready ahead of time.
 */



struct chaos_shell {
	uint32_t domid;
	uint8_t handle[16];
	uint64_t nr_pages;
	xen_pfn_t *p2m;              /* pfn -> mfn, nr_pages entries */
	unsigned int vcpus;
	uint32_t console_port;       /* the guest's end, unbound for dom0 */
	/* A XenStore guest's store channel (its end, unbound for dom0) and
	 * page, set by the load from the layout; 0 for a noxs guest. */
	uint32_t store_port;
	uint64_t store_mfn;
	unsigned int nr_vifs;        /* unconfigured vifs made ahead */
	/* Their net devices made ahead too, on vif_bridge ("" for
	 * xendevd's choice): a guest's vifs must all name it. */
	bool vifs_ahead;
	char vif_bridge[16];
	/* xendevd said they were on it (it ran when they were made). */
	bool vifs_attached;
	uint64_t shared_info_mfn;
	/* A guest built in one go is marked busy (state/busy.c) from before
	 * its domain exists until the shell is released, after its record
	 * is written: a builder killed in between leaves a mark whose lock
	 * is free. -1 for a pooled shell, which chaosd owns. */
	int busy_fd;
	const char *busy_dir;        /* the host's state directory */
	/* Primed (chaos_shell_prime_layout): the p2m list and the bootstrap page
	 * tables of primed_layout are written and pinned, and the shared
	 * info page is fresh; a kernel of that layout only needs loading. */
	bool primed;
	struct chaos_pv_layout primed_layout;
	/* A primed shell also keeps pfns [0, boot_map_pages) mapped
	 * writable in this process (everything below its pinned tables),
	 * so that its load does not map them; NULL if not. Kept through the
	 * load: a create hands it to the host once the guest runs
	 * (chaos_host_unmap_later); dropped before the domain is destroyed
	 * (a mapped page would keep it a zombie). */
	uint8_t *boot_map;
	uint64_t boot_map_pages;
	/* A pooled shell's record file, made ahead and open as record_fd
	 * (chaos_shell_stage_record): its create writes into it where it
	 * would make a file. */
	bool record_staged;
	int record_fd;
};

/* ---- shell_record.c ---- */

/*
 * Make a shell's record file ahead (state/record.c's stage_open): a
 * pooled shell's, off the path of the create that takes it. Nothing is
 * left behind on failure. Short of descriptors (none left, or the file
 * would take one from the upper half of what the process may open), the
 * shell is kept without one (record_staged false) and this succeeds.
 */
int chaos_shell_stage_record(chaos_host *host, struct chaos_shell *shell,
			     chaos_err *err);
/* Drop it, if the shell has one: a shell discarded (before its domain
 * goes). */
void chaos_shell_unstage_record(chaos_host *host, struct chaos_shell *shell);

/* Build a shell of memory_mib MiB and vcpus vCPUs, with nr_vifs vifs
 * still to be configured (noxs only), their net devices made now on
 * vif_bridge unless it is NULL. Nothing is left behind on failure.
 * Fills timing->domain_us, memory_us and devices_us. */
int chaos_shell_prepare(chaos_host *host, uint64_t memory_mib,
			unsigned int vcpus, unsigned int nr_vifs,
			const char *vif_bridge, enum chaos_domain_kind kind,
			struct chaos_shell *shell, chaos_create_timing *timing,
			chaos_err *err);

/*
 * A boot in two halves. chaos_shell_prime_layout writes what depends only on the
 * layout (p2m list, bootstrap page tables, pinned; a fresh shared info),
 * so that a shell can be primed ahead for the kernel it will run (once
 * per layout: a shell primed for another is unpinned and primed again).
 * Primed ahead of a create (not in one), it also maps the memory the
 * load writes (shell->boot_map). chaos_shell_load then copies kernel and
 * ramdisk, writes start_info, the hypercall page and vCPU 0 (fills
 * load_us and pagetables_us). *mark is the time the step before ended
 * (chaos_now_us()): each phase runs from the mark, which moves to its
 * end.
 */
int chaos_shell_prime_layout(chaos_host *host, struct chaos_shell *shell,
			     const struct chaos_pv_layout *lay, bool ahead,
			     chaos_err *err);
/* Is the shell primed for a layout with lay's p2m list and tables? */
bool chaos_shell_primed_as(const struct chaos_shell *shell,
			   const struct chaos_pv_layout *lay);
int chaos_shell_load(chaos_host *host, struct chaos_shell *shell,
		     const struct chaos_image *img,
		     const struct chaos_pv_layout *lay, const void *ramdisk,
		     uint64_t ramdisk_len, const char *cmdline,
		     chaos_create_timing *timing, uint64_t *mark,
		     chaos_err *err);
/* The kernel's hypercall page, and vCPU 0 at its entry, on the layout's
 * stack and (pinned) tables. */
int chaos_shell_set_boot_vcpu(chaos_host *host, struct chaos_shell *shell,
			      const struct chaos_pv_layout *lay,
			      chaos_err *err);

/* Both halves: load img (and a ramdisk) into the shell and make vCPU 0
 * ready to run. The domain stays paused. Fills load_us and pagetables_us
 * from *mark, as chaos_shell_load. */
int chaos_shell_boot(chaos_host *host, struct chaos_shell *shell,
		     const struct chaos_image *img, const void *ramdisk,
		     uint64_t ramdisk_len, const char *cmdline,
		     uint64_t *console_mfn, uint64_t *start_info_mfn,
		     chaos_create_timing *timing, uint64_t *mark,
		     chaos_err *err);

/* ---- grant_seed.c ---- */

/*
 * A XenStore guest's reserved grant entries, as Xen's toolstacks leave
 * them: entry 0 its console page, entry 1 its xenstore page, both granted
 * to dom0, through which xenstored (and xenconsoled) map them. The guest
 * has not run: its table is still in version 1.
 */
int chaos_shell_seed_grants(chaos_host *host, uint32_t domid,
			    uint64_t console_mfn, uint64_t store_mfn,
			    chaos_err *err);

/* A fresh shared info page, event delivery masked on every vCPU (the
 * builder's, and a restore's: the guest unmasks when it is ready). */
int chaos_shell_init_shared_info(chaos_host *host, struct chaos_shell *shell,
				 chaos_err *err);

/* Take down a primed shell's kept mapping (none: nothing). */
void chaos_shell_drop_boot_map(struct chaos_shell *shell);

/* What became of a shell's domain (shell_fate.c): its owner is not the
 * only one who can destroy it. */
enum chaos_shell_fate {
	CHAOS_SHELL_LIVE,     /* the shell's, and not dying */
	CHAOS_SHELL_DYING,    /* the shell's, destroyed by someone else */
	CHAOS_SHELL_GONE,     /* no domain of its id, or another's (same id) */
	CHAOS_SHELL_UNKNOWN,  /* the hypervisor could not be asked */
};
enum chaos_shell_fate chaos_shell_fate(chaos_host *host,
				       const struct chaos_shell *shell);
/* Its domain is dying or gone: someone else destroyed it. */
bool chaos_shell_destroyed(chaos_host *host, const struct chaos_shell *shell);

/* Destroy the shell's domain and free the shell. A domain that is gone
 * is left alone: its id may be another domain's by now. */
void chaos_shell_discard(chaos_host *host, struct chaos_shell *shell);

/* Free the shell's memory, leaving its domain alone. */
void chaos_shell_release(struct chaos_shell *shell);


#endif
