/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_TEST_IMAGE_FIXTURE_H
#define CHAOS_TEST_IMAGE_FIXTURE_H

/*
 * Synthetic Xen PV kernels for the image and layout tests: a small ELF64
 * with two PT_LOAD segments, a PT_NOTE area and a section table, built in
 * memory so tests can then break any field they like.
 *
 *   0x000 Ehdr   0x040 Phdr[0..2]   0x200 notes (up to 0x300 bytes)
 *   0x500 Shdr[0..1]   0x1000 text (0x2000)   0x3000 data (0x1000 file,
 *   0x3000 in memory). Loaded at base + 0x1000 and base + 0x4000.
 */

#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xen/elfnote.h>

#define FX_SIZE       0x4000u
#define FX_PHOFF      0x40u
#define FX_NOTE_OFF   0x200u
#define FX_NOTE_MAX   0x300u
#define FX_SHOFF      0x500u
#define FX_TEXT_OFF   0x1000u
#define FX_TEXT_SIZE  0x2000u
#define FX_DATA_OFF   0x3000u
#define FX_DATA_FILE  0x1000u
#define FX_DATA_MEM   0x3000u
#define FX_TEXT_VOFF  0x1000u   /* text vaddr - base */
#define FX_DATA_VOFF  0x4000u
#define FX_ENTRY_VOFF 0x1100u
#define FX_HYPERCALL_VOFF 0x2000u
#define FX_MAX_NOTES  24

struct fx_note {
	uint32_t type;
	const void *desc;
	uint32_t len;
};

struct fx_notes {
	unsigned int n;
	struct fx_note note[FX_MAX_NOTES];
	uint64_t nums[FX_MAX_NOTES];     /* storage for numeric values */
};

static inline void fx_add_str(struct fx_notes *ns, uint32_t type,
			      const char *s)
{
	ns->note[ns->n++] = (struct fx_note){ type, s,
					      (uint32_t)strlen(s) + 1 };
}

static inline void fx_add_num(struct fx_notes *ns, uint32_t type,
			      uint64_t v)
{
	ns->nums[ns->n] = v;
	ns->note[ns->n] = (struct fx_note){ type, &ns->nums[ns->n], 8 };
	ns->n++;
}

/* Remove every note of a type. */
static inline void fx_drop(struct fx_notes *ns, uint32_t type)
{
	unsigned int j = 0;

	for (unsigned int i = 0; i < ns->n; i++) {
		if (ns->note[i].type == type)
			continue;
		ns->nums[j] = ns->nums[i];
		ns->note[j] = ns->note[i];
		if (ns->note[j].desc == &ns->nums[i])
			ns->note[j].desc = &ns->nums[j];
		j++;
	}
	ns->n = j;
}

static inline void fx_default_notes(struct fx_notes *ns, uint64_t base)
{
	ns->n = 0;
	fx_add_str(ns, XEN_ELFNOTE_GUEST_OS, "chaos-test");
	fx_add_str(ns, XEN_ELFNOTE_GUEST_VERSION, "1");
	fx_add_str(ns, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
	fx_add_str(ns, XEN_ELFNOTE_LOADER, "generic");
	fx_add_num(ns, XEN_ELFNOTE_VIRT_BASE, base);
	fx_add_num(ns, XEN_ELFNOTE_PADDR_OFFSET, 0);
	fx_add_num(ns, XEN_ELFNOTE_ENTRY, base + FX_ENTRY_VOFF);
	fx_add_num(ns, XEN_ELFNOTE_HYPERCALL_PAGE, base + FX_HYPERCALL_VOFF);
	fx_add_str(ns, XEN_ELFNOTE_FEATURES,
		   "!writable_page_tables|pae_pgdir_above_4gb");
	fx_add_num(ns, XEN_ELFNOTE_SUSPEND_CANCEL, 1);
}

static inline Elf64_Phdr *fx_phdr(uint8_t *elf, unsigned int i)
{
	return (Elf64_Phdr *)(elf + FX_PHOFF + i * sizeof(Elf64_Phdr));
}

static inline Elf64_Ehdr *fx_ehdr(uint8_t *elf)
{
	return (Elf64_Ehdr *)elf;
}

/* Serialise notes at FX_NOTE_OFF; returns the byte count. */
static inline uint32_t fx_write_notes(uint8_t *elf, const struct fx_notes *ns)
{
	uint32_t pos = FX_NOTE_OFF;

	for (unsigned int i = 0; i < ns->n; i++) {
		uint32_t hdr[3] = { 4, ns->note[i].len, ns->note[i].type };
		uint32_t dlen = (ns->note[i].len + 3) & ~3u;

		if (pos + 12 + 4 + dlen > FX_NOTE_OFF + FX_NOTE_MAX)
			abort();
		memcpy(elf + pos, hdr, 12);
		memcpy(elf + pos + 12, "Xen", 4);
		memcpy(elf + pos + 16, ns->note[i].desc, ns->note[i].len);
		pos += 16 + dlen;
	}
	return pos - FX_NOTE_OFF;
}

/* A whole image (FX_SIZE bytes, malloc'd) with the given notes. */
static inline uint8_t *fx_elf(uint64_t base, const struct fx_notes *ns)
{
	uint8_t *elf = calloc(1, FX_SIZE);
	Elf64_Ehdr *eh = fx_ehdr(elf);
	Elf64_Shdr *sh = (Elf64_Shdr *)(elf + FX_SHOFF);
	uint32_t note_len;

	if (!elf)
		abort();
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = base + FX_ENTRY_VOFF;
	eh->e_phoff = FX_PHOFF;
	eh->e_shoff = FX_SHOFF;
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 3;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = 2;

	note_len = fx_write_notes(elf, ns);
	*fx_phdr(elf, 0) = (Elf64_Phdr){
		.p_type = PT_LOAD, .p_flags = PF_R | PF_X,
		.p_offset = FX_TEXT_OFF, .p_vaddr = base + FX_TEXT_VOFF,
		.p_paddr = FX_TEXT_VOFF, .p_filesz = FX_TEXT_SIZE,
		.p_memsz = FX_TEXT_SIZE, .p_align = 0x1000 };
	*fx_phdr(elf, 1) = (Elf64_Phdr){
		.p_type = PT_LOAD, .p_flags = PF_R | PF_W,
		.p_offset = FX_DATA_OFF, .p_vaddr = base + FX_DATA_VOFF,
		.p_paddr = FX_DATA_VOFF, .p_filesz = FX_DATA_FILE,
		.p_memsz = FX_DATA_MEM, .p_align = 0x1000 };
	*fx_phdr(elf, 2) = (Elf64_Phdr){
		.p_type = PT_NOTE, .p_offset = FX_NOTE_OFF,
		.p_filesz = note_len, .p_align = 4 };
	sh[1] = (Elf64_Shdr){ .sh_type = SHT_NOTE, .sh_offset = FX_NOTE_OFF,
			      .sh_size = note_len, .sh_addralign = 4 };
	/* Recognisable contents: byte i of the file is (i * 7 + 1) & 0xff. */
	for (uint32_t i = FX_TEXT_OFF; i < FX_SIZE; i++)
		elf[i] = (uint8_t)(i * 7 + 1);
	return elf;
}

static inline uint8_t *fx_default_elf(uint64_t base)
{
	struct fx_notes ns;

	fx_default_notes(&ns, base);
	return fx_elf(base, &ns);
}

#ifdef CHAOS_BUILD_LAYER_H   /* include "build/build.h" first for these */
/*
 * Guest memory for the layout tests: pages allocated on first touch (so a
 * 1 GiB guest costs only what is written), and a p2m that is not the
 * identity, so a pfn used where an mfn belongs shows up.
 */
#define FX_MFN(pfn) ((pfn) * 3 + 0x10000)
#define FX_PFN(mfn) (((mfn) - 0x10000) / 3)

struct fx_mem {
	uint64_t nr_pages;
	uint64_t *p2m;
	uint8_t **pages;
	uint64_t hole;          /* pfn whose page() fails, or UINT64_MAX */
	uint8_t fill;           /* initial byte of new pages */
};

static inline void *fx_page(void *ctx, uint64_t pfn)
{
	struct fx_mem *m = ctx;

	if (pfn >= m->nr_pages || pfn == m->hole)
		return NULL;
	if (!m->pages[pfn]) {
		m->pages[pfn] = malloc(4096);
		if (!m->pages[pfn])
			abort();
		memset(m->pages[pfn], m->fill, 4096);
	}
	return m->pages[pfn];
}

/* Read-only look: NULL when never written. */
static inline const uint8_t *fx_peek(const struct fx_mem *m, uint64_t pfn)
{
	return pfn < m->nr_pages ? m->pages[pfn] : NULL;
}

static inline struct chaos_guest_mem fx_mem_init(struct fx_mem *m,
						 uint64_t nr_pages)
{
	m->nr_pages = nr_pages;
	m->p2m = malloc(nr_pages * sizeof(*m->p2m));
	m->pages = calloc(nr_pages, sizeof(*m->pages));
	m->hole = UINT64_MAX;
	m->fill = 0xaa;
	if (!m->p2m || !m->pages)
		abort();
	for (uint64_t i = 0; i < nr_pages; i++)
		m->p2m[i] = FX_MFN(i);
	return (struct chaos_guest_mem){ nr_pages, m->p2m, fx_page, m };
}

static inline void fx_mem_free(struct fx_mem *m)
{
	for (uint64_t i = 0; i < m->nr_pages; i++)
		free(m->pages[i]);
	free(m->pages);
	free(m->p2m);
}

#endif /* CHAOS_BUILD_LAYER_H */

/*
 * A zstd frame of nblocks RLE blocks of 128 KiB of zeros each (4 bytes a
 * block): a decompression bomb in 6 + 4 * nblocks bytes. Its length.
 */
static inline size_t fx_zstd_zeros(uint8_t *z, size_t nblocks)
{
	size_t pos = 0;

	z[pos++] = 0x28; z[pos++] = 0xb5; z[pos++] = 0x2f; z[pos++] = 0xfd;
	z[pos++] = 0x00;   /* FHD: no content size, no checksum, windowed */
	z[pos++] = 0x50;   /* window descriptor: 128 KiB window */
	for (size_t i = 0; i < nblocks; i++) {
		/* Block header: last bit, type 1 (RLE), size 128 KiB. */
		uint32_t h = (i + 1 == nblocks) | 1u << 1 | (128u << 10) << 3;

		z[pos++] = (uint8_t)h;
		z[pos++] = (uint8_t)(h >> 8);
		z[pos++] = (uint8_t)(h >> 16);
		z[pos++] = 0;
	}
	return pos;
}

#endif
