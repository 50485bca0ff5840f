// SPDX-License-Identifier: MIT
/*
 * ELF64 kernel images and their Xen notes (xen/elfnote.h). Every header
 * field, offset and size comes from an untrusted file: each is checked
 * before use, and a failure names the field.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <xen/elfnote.h>

#include "build/build.h"

#define PAGE_SIZE_4K 4096ull
#define MAX_PHNUM 64
#define MAX_SHNUM 4096

static const char *const note_names[] = {
	[XEN_ELFNOTE_INFO] = "INFO",
	[XEN_ELFNOTE_ENTRY] = "ENTRY",
	[XEN_ELFNOTE_HYPERCALL_PAGE] = "HYPERCALL_PAGE",
	[XEN_ELFNOTE_VIRT_BASE] = "VIRT_BASE",
	[XEN_ELFNOTE_PADDR_OFFSET] = "PADDR_OFFSET",
	[XEN_ELFNOTE_XEN_VERSION] = "XEN_VERSION",
	[XEN_ELFNOTE_GUEST_OS] = "GUEST_OS",
	[XEN_ELFNOTE_GUEST_VERSION] = "GUEST_VERSION",
	[XEN_ELFNOTE_LOADER] = "LOADER",
	[XEN_ELFNOTE_PAE_MODE] = "PAE_MODE",
	[XEN_ELFNOTE_FEATURES] = "FEATURES",
	[XEN_ELFNOTE_BSD_SYMTAB] = "BSD_SYMTAB",
	[XEN_ELFNOTE_HV_START_LOW] = "HV_START_LOW",
	[XEN_ELFNOTE_L1_MFN_VALID] = "L1_MFN_VALID",
	[XEN_ELFNOTE_SUSPEND_CANCEL] = "SUSPEND_CANCEL",
	[XEN_ELFNOTE_INIT_P2M] = "INIT_P2M",
	[XEN_ELFNOTE_MOD_START_PFN] = "MOD_START_PFN",
	[XEN_ELFNOTE_SUPPORTED_FEATURES] = "SUPPORTED_FEATURES",
	[XEN_ELFNOTE_PHYS32_ENTRY] = "PHYS32_ENTRY",
};

/* Names as in xen/features.h without the XENFEAT_ prefix. */
static const char *const feature_names[] = {
	[XENFEAT_writable_page_tables] = "writable_page_tables",
	[XENFEAT_writable_descriptor_tables] = "writable_descriptor_tables",
	[XENFEAT_auto_translated_physmap] = "auto_translated_physmap",
	[XENFEAT_supervisor_mode_kernel] = "supervisor_mode_kernel",
	[XENFEAT_pae_pgdir_above_4gb] = "pae_pgdir_above_4gb",
	[XENFEAT_mmu_pt_update_preserve_ad] = "mmu_pt_update_preserve_ad",
	[XENFEAT_highmem_assist] = "highmem_assist",
	[XENFEAT_gnttab_map_avail_bits] = "gnttab_map_avail_bits",
	[XENFEAT_hvm_callback_vector] = "hvm_callback_vector",
	[XENFEAT_hvm_safe_pvclock] = "hvm_safe_pvclock",
	[XENFEAT_hvm_pirqs] = "hvm_pirqs",
	[XENFEAT_dom0] = "dom0",
	[12] = "grant_map_identity",    /* deprecated */
	[XENFEAT_memory_op_vnode_supported] = "memory_op_vnode_supported",
	[XENFEAT_ARM_SMCCC_supported] = "ARM_SMCCC_supported",
	[XENFEAT_linux_rsdp_unrestricted] = "linux_rsdp_unrestricted",
	[XENFEAT_not_direct_mapped] = "not_direct_mapped",
	[XENFEAT_direct_mapped] = "direct_mapped",
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct note_state {
	const char *what;
	uint32_t seen;             /* bit per note type, for duplicates */
	bool have_entry;
};

static const char *note_name(uint32_t type)
{
	if (type < ARRAY_LEN(note_names) && note_names[type])
		return note_names[type];
	return "unknown";
}

/* [off, off+len) inside a buffer of size total, without overflow. */
static bool in_bounds(uint64_t off, uint64_t len, uint64_t total)
{
	return off <= total && len <= total - off;
}

static int note_number(const uint8_t *desc, uint32_t descsz, uint32_t type,
		       const char *what, uint64_t *val, chaos_err *err)
{
	uint64_t v = 0;

	if (descsz != 1 && descsz != 2 && descsz != 4 && descsz != 8)
		return chaos_err_set(err, EINVAL,
				     "%s: Xen note %s has a %" PRIu32
				     "-byte value (want 1, 2, 4 or 8)",
				     what, note_name(type), descsz);
	for (uint32_t i = descsz; i-- > 0;)
		v = v << 8 | desc[i];
	*val = v;
	return 0;
}

/* A printable string (up to a NUL or descsz) that fits in out[outsz]. */
static int note_string(const uint8_t *desc, uint32_t descsz, uint32_t type,
		       const char *what, char *out, size_t outsz,
		       chaos_err *err)
{
	const uint8_t *nul = memchr(desc, 0, descsz);
	size_t len;

	/* Linux emits FEATURES with .ascii: the NUL is optional. */
	len = nul ? (size_t)(nul - desc) : descsz;
	for (size_t i = 0; i < len; i++)
		if (desc[i] < 0x20 || desc[i] > 0x7e)
			return chaos_err_set(err, EINVAL,
					     "%s: Xen note %s has a "
					     "non-printable byte", what,
					     note_name(type));
	if (out) {
		if (len >= outsz)
			return chaos_err_set(err, EINVAL,
					     "%s: Xen note %s is longer than "
					     "%zu bytes", what,
					     note_name(type), outsz - 1);
		memcpy(out, desc, len);
		out[len] = '\0';
	}
	return 0;
}

/* "name|!name|..." where '!' marks a feature the kernel cannot do without. */
static int parse_features(struct chaos_image *img, const char *s,
			  const char *what, chaos_err *err)
{
	while (*s) {
		const char *end = strchr(s, '|');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		bool required = false;
		const char *name = s;
		size_t nlen = len;
		unsigned int i;

		if (nlen && name[0] == '!') {
			required = true;
			name++;
			nlen--;
		}
		for (i = 0; i < ARRAY_LEN(feature_names); i++)
			if (feature_names[i] &&
			    strlen(feature_names[i]) == nlen &&
			    memcmp(feature_names[i], name, nlen) == 0)
				break;
		if (i < ARRAY_LEN(feature_names)) {
			img->features_supported[i / 32] |= 1u << (i % 32);
			if (required)
				img->features_required[i / 32] |=
					1u << (i % 32);
		} else if (required) {
			return chaos_err_set(err, EINVAL,
					     "%s: Xen note FEATURES requires "
					     "unknown feature '%.*s'", what,
					     (int)(nlen > 64 ? 64 : nlen),
					     name);
		}
		s += len;
		if (*s == '|')
			s++;
	}
	return 0;
}

static int handle_note(struct chaos_image *img, struct note_state *st,
		       uint32_t type, const uint8_t *desc, uint32_t descsz,
		       chaos_err *err)
{
	const char *what = st->what;
	char feat[1024];
	uint64_t v = 0;

	if (type < 32) {
		if (st->seen & (1u << type))
			return chaos_err_set(err, EINVAL,
					     "%s: duplicate Xen note %s", what,
					     note_name(type));
		st->seen |= 1u << type;
	}
	img->nr_notes++;
	switch (type) {
	case XEN_ELFNOTE_ENTRY:
	case XEN_ELFNOTE_HYPERCALL_PAGE:
	case XEN_ELFNOTE_VIRT_BASE:
	case XEN_ELFNOTE_PADDR_OFFSET:
	case XEN_ELFNOTE_HV_START_LOW:
	case XEN_ELFNOTE_SUSPEND_CANCEL:
	case XEN_ELFNOTE_INIT_P2M:
	case XEN_ELFNOTE_MOD_START_PFN:
	case XEN_ELFNOTE_SUPPORTED_FEATURES:
	case XEN_ELFNOTE_PHYS32_ENTRY:
		if (note_number(desc, descsz, type, what, &v, err) < 0)
			return -1;
		break;
	default:
		break;
	}
	switch (type) {
	case XEN_ELFNOTE_ENTRY:
		img->virt_entry = v;
		st->have_entry = true;
		return 0;
	case XEN_ELFNOTE_HYPERCALL_PAGE:
		img->hypercall_page = v;
		return 0;
	case XEN_ELFNOTE_VIRT_BASE:
		img->virt_base = v;
		return 0;
	case XEN_ELFNOTE_PADDR_OFFSET:
		img->paddr_offset = v;
		return 0;
	case XEN_ELFNOTE_HV_START_LOW:
		img->hv_start_low = v;
		return 0;
	case XEN_ELFNOTE_SUSPEND_CANCEL:
		img->suspend_cancel = v != 0;
		return 0;
	case XEN_ELFNOTE_INIT_P2M:
		img->init_p2m = v;
		return 0;
	case XEN_ELFNOTE_MOD_START_PFN:
		img->mod_start_pfn = v != 0;
		return 0;
	case XEN_ELFNOTE_SUPPORTED_FEATURES:
		img->features_supported[0] |= (uint32_t)v;
		return 0;
	case XEN_ELFNOTE_PHYS32_ENTRY:
		img->phys32_entry = v;
		return 0;
	case XEN_ELFNOTE_XEN_VERSION:
		return note_string(desc, descsz, type, what, img->xen_version,
				   sizeof(img->xen_version), err);
	case XEN_ELFNOTE_GUEST_OS:
		return note_string(desc, descsz, type, what, img->guest_os,
				   sizeof(img->guest_os), err);
	case XEN_ELFNOTE_GUEST_VERSION:
		return note_string(desc, descsz, type, what,
				   img->guest_version,
				   sizeof(img->guest_version), err);
	case XEN_ELFNOTE_LOADER:
		return note_string(desc, descsz, type, what, img->loader,
				   sizeof(img->loader), err);
	case XEN_ELFNOTE_PAE_MODE:
		return note_string(desc, descsz, type, what, img->pae_mode,
				   sizeof(img->pae_mode), err);
	case XEN_ELFNOTE_FEATURES:
		if (note_string(desc, descsz, type, what, feat, sizeof(feat),
				err) < 0)
			return -1;
		return parse_features(img, feat, what, err);
	case XEN_ELFNOTE_BSD_SYMTAB:
		if (note_string(desc, descsz, type, what, feat, sizeof(feat),
				err) < 0)
			return -1;
		if (strcmp(feat, "yes") == 0)
			return chaos_err_set(err, ENOTSUP,
					     "%s: Xen note BSD_SYMTAB asks for "
					     "a symbol table; not supported",
					     what);
		return 0;
	default:
		/* INFO, L1_MFN_VALID (save/restore only) and newer types. */
		return 0;
	}
}

/* Walk the notes in elf[off, off+size); only "Xen" notes are used. */
static int parse_note_area(struct chaos_image *img, struct note_state *st,
			   uint64_t off, uint64_t size, chaos_err *err)
{
	const uint8_t *p;
	uint64_t pos = 0;

	if (!in_bounds(off, size, img->elf_size))
		return chaos_err_set(err, EINVAL,
				     "%s: note area (offset %" PRIu64
				     ", size %" PRIu64 ") lies outside the "
				     "file", st->what, off, size);
	p = img->elf + off;
	while (size - pos >= 12) {
		uint32_t namesz, descsz, type;
		uint64_t name_pad, desc_off;

		memcpy(&namesz, p + pos, 4);
		memcpy(&descsz, p + pos + 4, 4);
		memcpy(&type, p + pos + 8, 4);
		name_pad = ((uint64_t)namesz + 3) & ~3ull;
		desc_off = pos + 12 + name_pad;
		if (desc_off > size || descsz > size - desc_off)
			return chaos_err_set(err, EINVAL,
					     "%s: ELF note at offset %" PRIu64
					     " (namesz %" PRIu32 ", descsz %"
					     PRIu32 ") overruns its area",
					     st->what, off + pos, namesz,
					     descsz);
		if (namesz == 4 && memcmp(p + pos + 12, "Xen", 4) == 0 &&
		    handle_note(img, st, type, p + desc_off, descsz, err) < 0)
			return -1;
		pos = desc_off + (((uint64_t)descsz + 3) & ~3ull);
		if (pos > size)
			pos = size;
	}
	return 0;
}

static int parse_notes(struct chaos_image *img, const Elf64_Ehdr *eh,
		       struct note_state *st, chaos_err *err)
{
	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, img->elf + eh->e_phoff + (uint64_t)i * sizeof(ph),
		       sizeof(ph));
		if (ph.p_type == PT_NOTE &&
		    parse_note_area(img, st, ph.p_offset, ph.p_filesz,
				    err) < 0)
			return -1;
	}
	if (img->nr_notes || eh->e_shoff == 0 || eh->e_shnum == 0)
		return 0;
	/* Fallback: note sections, for images without PT_NOTE. */
	if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shnum > MAX_SHNUM ||
	    !in_bounds(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr),
		       img->elf_size))
		return chaos_err_set(err, EINVAL,
				     "%s: ELF section headers (e_shoff %"
				     PRIu64 ", e_shnum %u) lie outside the "
				     "file or are malformed", st->what,
				     (uint64_t)eh->e_shoff, eh->e_shnum);
	for (unsigned int i = 0; i < eh->e_shnum; i++) {
		Elf64_Shdr sh;

		memcpy(&sh, img->elf + eh->e_shoff + (uint64_t)i * sizeof(sh),
		       sizeof(sh));
		if (sh.sh_type == SHT_NOTE &&
		    parse_note_area(img, st, sh.sh_offset, sh.sh_size,
				    err) < 0)
			return -1;
	}
	return 0;
}

static int check_header(const struct chaos_image *img, Elf64_Ehdr *eh,
			const char *what, chaos_err *err)
{
	if (img->elf_size < sizeof(*eh))
		return chaos_err_set(err, EINVAL,
				     "%s: too short for an ELF header (%zu "
				     "bytes)", what, img->elf_size);
	memcpy(eh, img->elf, sizeof(*eh));
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return chaos_err_set(err, EINVAL, "%s: not an ELF file", what);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return chaos_err_set(err, EINVAL,
				     "%s: ELF class %u is not ELF64 (only "
				     "64-bit PV kernels are supported)", what,
				     eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return chaos_err_set(err, EINVAL,
				     "%s: ELF is not little-endian", what);
	if (eh->e_machine != EM_X86_64)
		return chaos_err_set(err, EINVAL,
				     "%s: ELF e_machine %u is not x86_64",
				     what, eh->e_machine);
	if (eh->e_type != ET_EXEC)
		return chaos_err_set(err, EINVAL,
				     "%s: ELF e_type %u is not ET_EXEC", what,
				     eh->e_type);
	if (eh->e_version != EV_CURRENT)
		return chaos_err_set(err, EINVAL, "%s: ELF e_version %u", what,
				     eh->e_version);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return chaos_err_set(err, EINVAL,
				     "%s: ELF e_phentsize %u (want %zu)", what,
				     eh->e_phentsize, sizeof(Elf64_Phdr));
	if (eh->e_phnum == 0 || eh->e_phnum > MAX_PHNUM)
		return chaos_err_set(err, EINVAL,
				     "%s: ELF e_phnum %u (want 1..%d)", what,
				     eh->e_phnum, MAX_PHNUM);
	if (!in_bounds(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr),
		       img->elf_size))
		return chaos_err_set(err, EINVAL,
				     "%s: ELF program headers (e_phoff %" PRIu64
				     ", e_phnum %u) lie outside the file",
				     what, (uint64_t)eh->e_phoff, eh->e_phnum);
	return 0;
}

/* Xen's loaders accept "generic" loaders or Linux, built for xen-3.0. */
static int check_guest_notes(const struct chaos_image *img, const char *what,
			     chaos_err *err)
{
	if (img->nr_notes == 0)
		return chaos_err_set(err, EINVAL,
				     "%s: no Xen ELF notes: not a Xen PV "
				     "kernel", what);
	if (strncmp(img->loader, "generic", 7) != 0 &&
	    strncmp(img->guest_os, "linux", 5) != 0)
		return chaos_err_set(err, EINVAL,
				     "%s: Xen notes LOADER '%s' and GUEST_OS "
				     "'%s': need loader 'generic' or a Linux "
				     "guest", what, img->loader,
				     img->guest_os);
	if (strncmp(img->xen_version, "xen-3.0", 7) != 0)
		return chaos_err_set(err, EINVAL,
				     "%s: Xen note XEN_VERSION '%s' is not "
				     "'xen-3.0'", what, img->xen_version);
	for (unsigned int i = 0; i < XENFEAT_NR_SUBMAPS; i++)
		if (img->features_required[i] & ~img->features_supported[i])
			return chaos_err_set(err, EINVAL,
					     "%s: Xen notes require features "
					     "they do not support", what);
	return 0;
}

static bool canonical(uint64_t va)
{
	return va < 0x0000800000000000ull || va >= 0xffff800000000000ull;
}

static int collect_segments(struct chaos_image *img, const Elf64_Ehdr *eh,
			    const char *what, chaos_err *err)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		struct chaos_image_segment s;
		Elf64_Phdr ph;
		unsigned int j;

		memcpy(&ph, img->elf + eh->e_phoff + (uint64_t)i * sizeof(ph),
		       sizeof(ph));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (ph.p_filesz > ph.p_memsz)
			return chaos_err_set(err, EINVAL,
					     "%s: segment %u: p_filesz %" PRIu64
					     " > p_memsz %" PRIu64, what, i,
					     (uint64_t)ph.p_filesz,
					     (uint64_t)ph.p_memsz);
		if (!in_bounds(ph.p_offset, ph.p_filesz, img->elf_size))
			return chaos_err_set(err, EINVAL,
					     "%s: segment %u: file range "
					     "(p_offset %" PRIu64 ", p_filesz %"
					     PRIu64 ") lies outside the file",
					     what, i, (uint64_t)ph.p_offset,
					     (uint64_t)ph.p_filesz);
		if (ph.p_memsz > CHAOS_IMAGE_SPAN_MAX)
			return chaos_err_set(err, EINVAL,
					     "%s: segment %u: p_memsz %" PRIu64
					     " is too large", what, i,
					     (uint64_t)ph.p_memsz);
		if (ph.p_paddr < img->paddr_offset)
			return chaos_err_set(err, EINVAL,
					     "%s: segment %u: p_paddr %#" PRIx64
					     " is below PADDR_OFFSET %#" PRIx64,
					     what, i, (uint64_t)ph.p_paddr,
					     img->paddr_offset);
		s.vaddr = img->virt_base + (ph.p_paddr - img->paddr_offset);
		s.memsz = ph.p_memsz;
		s.offset = ph.p_offset;
		s.filesz = ph.p_filesz;
		if (s.vaddr < img->virt_base ||
		    s.vaddr + s.memsz < s.vaddr ||
		    s.vaddr + s.memsz > UINT64_MAX - PAGE_SIZE_4K ||
		    !canonical(s.vaddr) || !canonical(s.vaddr + s.memsz - 1))
			return chaos_err_set(err, EINVAL,
					     "%s: segment %u: address %#" PRIx64
					     " + %#" PRIx64 " wraps or is not "
					     "canonical", what, i, s.vaddr,
					     s.memsz);
		if (n == CHAOS_IMAGE_MAX_SEGMENTS)
			return chaos_err_set(err, EINVAL,
					     "%s: more than %d loadable "
					     "segments", what,
					     CHAOS_IMAGE_MAX_SEGMENTS);
		/* Insert sorted by vaddr. */
		for (j = n; j > 0 && img->seg[j - 1].vaddr > s.vaddr; j--)
			img->seg[j] = img->seg[j - 1];
		img->seg[j] = s;
		n++;
	}
	if (n == 0)
		return chaos_err_set(err, EINVAL,
				     "%s: no loadable segment", what);
	for (unsigned int i = 0; i + 1 < n; i++)
		if (img->seg[i].vaddr + img->seg[i].memsz > img->seg[i + 1].vaddr)
			return chaos_err_set(err, EINVAL,
					     "%s: segments at %#" PRIx64
					     " and %#" PRIx64 " overlap", what,
					     img->seg[i].vaddr,
					     img->seg[i + 1].vaddr);
	img->nr_segments = n;
	img->virt_kstart = img->seg[0].vaddr & ~(PAGE_SIZE_4K - 1);
	img->virt_kend = (img->seg[n - 1].vaddr + img->seg[n - 1].memsz +
			  PAGE_SIZE_4K - 1) & ~(PAGE_SIZE_4K - 1);
	if (img->virt_kend - img->virt_kstart > CHAOS_IMAGE_SPAN_MAX)
		return chaos_err_set(err, EINVAL,
				     "%s: segments span %" PRIu64 " MiB "
				     "(more than %u MiB)", what,
				     (img->virt_kend - img->virt_kstart) >> 20,
				     CHAOS_IMAGE_SPAN_MAX >> 20);
	return 0;
}

bool chaos_image_range_in_segment(const struct chaos_image *img, uint64_t va,
				  uint64_t len)
{
	for (unsigned int i = 0; i < img->nr_segments; i++) {
		const struct chaos_image_segment *s = &img->seg[i];

		if (va >= s->vaddr && va - s->vaddr <= s->memsz &&
		    len <= s->memsz - (va - s->vaddr))
			return true;
	}
	return false;
}

int chaos_image_parse_elf(struct chaos_image *img, const char *what,
			  chaos_err *err)
{
	struct note_state st = { .what = what };
	Elf64_Ehdr eh;

	img->nr_segments = 0;
	img->virt_base = 0;
	img->paddr_offset = 0;
	img->hypercall_page = CHAOS_IMAGE_NONE;
	img->init_p2m = CHAOS_IMAGE_NONE;
	img->hv_start_low = CHAOS_IMAGE_NONE;
	img->phys32_entry = CHAOS_IMAGE_NONE;
	img->nr_notes = 0;
	if (check_header(img, &eh, what, err) < 0 ||
	    parse_notes(img, &eh, &st, err) < 0 ||
	    check_guest_notes(img, what, err) < 0)
		return -1;
	if (!st.have_entry)
		img->virt_entry = eh.e_entry;
	if (img->virt_base & (PAGE_SIZE_4K - 1) || !canonical(img->virt_base))
		return chaos_err_set(err, EINVAL,
				     "%s: Xen note VIRT_BASE %#" PRIx64
				     " is not a page-aligned canonical "
				     "address", what, img->virt_base);
	if (collect_segments(img, &eh, what, err) < 0)
		return -1;
	if (!chaos_image_range_in_segment(img, img->virt_entry, 1))
		return chaos_err_set(err, EINVAL,
				     "%s: entry point %#" PRIx64 " is not "
				     "inside a loaded segment", what,
				     img->virt_entry);
	if (img->hypercall_page != CHAOS_IMAGE_NONE &&
	    (img->hypercall_page & (PAGE_SIZE_4K - 1) ||
	     !chaos_image_range_in_segment(img, img->hypercall_page,
					   PAGE_SIZE_4K)))
		return chaos_err_set(err, EINVAL,
				     "%s: Xen note HYPERCALL_PAGE %#" PRIx64
				     " is not a page inside a loaded "
				     "segment", what, img->hypercall_page);
	return 0;
}
