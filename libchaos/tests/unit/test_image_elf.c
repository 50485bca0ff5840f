// SPDX-License-Identifier: MIT
/* ELF64 kernel parsing, Xen notes, compressed wrappers, hostile inputs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <bzlib.h>
#include <lz4.h>
#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "build/build.h"
#include "image_fixture.h"

#define LINUX_BASE 0xffffffff80000000ull

/* Parsing must fail, name the problem, and leave nothing allocated. */
static void expect_fail(const uint8_t *buf, size_t len, const char *needle)
{
	struct chaos_image img;
	chaos_err err = { 0 };

	assert_int_equal(chaos_image_from_buffer(buf, len, "t", &img, &err),
			 -1);
	assert_null(img.elf);
	if (!strstr(err.msg, needle))
		fail_msg("error '%s' does not mention '%s'", err.msg, needle);
}

static void expect_fail_elf(uint8_t *elf, const char *needle)
{
	expect_fail(elf, FX_SIZE, needle);
	free(elf);
}

static void check_default(const struct chaos_image *img, uint64_t base)
{
	assert_int_equal(img->nr_segments, 2);
	assert_int_equal(img->virt_base, base);
	assert_int_equal(img->virt_entry, base + FX_ENTRY_VOFF);
	assert_int_equal(img->hypercall_page, base + FX_HYPERCALL_VOFF);
	assert_int_equal(img->virt_kstart, base + FX_TEXT_VOFF);
	assert_int_equal(img->virt_kend, base + FX_DATA_VOFF + FX_DATA_MEM);
	assert_int_equal(img->seg[0].vaddr, base + FX_TEXT_VOFF);
	assert_int_equal(img->seg[0].offset, FX_TEXT_OFF);
	assert_int_equal(img->seg[1].filesz, FX_DATA_FILE);
	assert_int_equal(img->seg[1].memsz, FX_DATA_MEM);
	assert_string_equal(img->guest_os, "chaos-test");
	assert_string_equal(img->xen_version, "xen-3.0");
	assert_string_equal(img->loader, "generic");
	assert_int_equal(img->features_required[0],
			 1u << XENFEAT_writable_page_tables);
	assert_int_equal(img->features_supported[0],
			 1u << XENFEAT_writable_page_tables |
			 1u << XENFEAT_pae_pgdir_above_4gb);
	assert_true(img->suspend_cancel);
	assert_false(img->mod_start_pfn);
	assert_int_equal(img->init_p2m, CHAOS_IMAGE_NONE);
	assert_int_equal(img->elf_size, FX_SIZE);
}

static void test_valid_both_bases(void **state)
{
	uint64_t bases[] = { 0, LINUX_BASE };

	(void)state;
	for (unsigned int i = 0; i < 2; i++) {
		uint8_t *elf = fx_default_elf(bases[i]);
		struct chaos_image img;
		chaos_err err = { 0 };

		assert_int_equal(chaos_image_from_buffer(elf, FX_SIZE, "t",
							 &img, &err), 0);
		check_default(&img, bases[i]);
		assert_string_equal(img.format, "elf");
		assert_memory_equal(img.elf, elf, FX_SIZE);
		chaos_image_release(&img);
		chaos_image_release(&img);   /* idempotent */
		free(elf);
	}
}

static void test_truncated_everywhere(void **state)
{
	uint8_t *elf = fx_default_elf(0);
	struct chaos_image img;
	chaos_err err;

	(void)state;
	for (size_t len = 0; len < FX_SIZE; len++) {
		assert_int_equal(chaos_image_from_buffer(elf, len, "t", &img,
							 &err), -1);
		assert_null(img.elf);
	}
	free(elf);
}

static void test_bad_headers(void **state)
{
	uint8_t *e;

	(void)state;
	e = fx_default_elf(0);
	e[0] = 'X';
	expect_fail_elf(e, "not an ELF, bzImage");
	e = fx_default_elf(0);
	e[EI_CLASS] = ELFCLASS32;
	expect_fail_elf(e, "not ELF64");
	e = fx_default_elf(0);
	e[EI_DATA] = ELFDATA2MSB;
	expect_fail_elf(e, "little-endian");
	e = fx_default_elf(0);
	fx_ehdr(e)->e_machine = EM_386;
	expect_fail_elf(e, "e_machine");
	e = fx_default_elf(0);
	fx_ehdr(e)->e_type = ET_DYN;
	expect_fail_elf(e, "e_type");
	e = fx_default_elf(0);
	fx_ehdr(e)->e_phentsize = 32;
	expect_fail_elf(e, "e_phentsize");
	e = fx_default_elf(0);
	fx_ehdr(e)->e_phnum = 0;
	expect_fail_elf(e, "e_phnum");
	e = fx_default_elf(0);
	fx_ehdr(e)->e_phnum = 0xffff;
	expect_fail_elf(e, "e_phnum");
	e = fx_default_elf(0);
	fx_ehdr(e)->e_phoff = FX_SIZE - 8;
	expect_fail_elf(e, "program headers");
	e = fx_default_elf(0);
	fx_ehdr(e)->e_phoff = UINT64_MAX - 10;   /* wraps when added */
	expect_fail_elf(e, "program headers");
}

static void test_bad_segments(void **state)
{
	uint8_t *e;

	(void)state;
	e = fx_default_elf(0);
	fx_phdr(e, 0)->p_offset = FX_SIZE - 0x100;
	expect_fail_elf(e, "outside the file");
	e = fx_default_elf(0);
	fx_phdr(e, 0)->p_offset = UINT64_MAX - 0x10;
	expect_fail_elf(e, "outside the file");
	e = fx_default_elf(0);
	fx_phdr(e, 1)->p_filesz = FX_DATA_MEM + 1;
	expect_fail_elf(e, "p_filesz");
	e = fx_default_elf(0);
	fx_phdr(e, 1)->p_paddr = FX_TEXT_VOFF + 0x1000;    /* inside text */
	expect_fail_elf(e, "overlap");
	e = fx_default_elf(0);
	fx_phdr(e, 1)->p_paddr = UINT64_MAX - 0x1000;      /* wraps */
	expect_fail_elf(e, "wraps");
	e = fx_default_elf(LINUX_BASE);
	fx_phdr(e, 1)->p_paddr = 0x80000000;           /* base + 2G wraps */
	expect_fail_elf(e, "wraps");
	e = fx_default_elf(0);
	fx_phdr(e, 1)->p_paddr = 0x0000800000000000ull; /* non-canonical */
	expect_fail_elf(e, "canonical");
	e = fx_default_elf(0);
	fx_phdr(e, 1)->p_memsz = 2ull << 30;
	expect_fail_elf(e, "too large");
	e = fx_default_elf(0);
	fx_phdr(e, 1)->p_paddr = 900ull << 20;          /* 900 MiB apart */
	fx_phdr(e, 1)->p_memsz = 200ull << 20;
	expect_fail_elf(e, "span");
	e = fx_default_elf(0);
	fx_phdr(e, 0)->p_type = PT_NULL;
	fx_phdr(e, 1)->p_type = PT_NULL;
	expect_fail_elf(e, "no loadable segment");
}

static uint8_t *with_notes(uint64_t base, void (*edit)(struct fx_notes *))
{
	struct fx_notes ns;

	fx_default_notes(&ns, base);
	edit(&ns);
	return fx_elf(base, &ns);
}

static void entry_outside(struct fx_notes *ns)
{
	fx_drop(ns, XEN_ELFNOTE_ENTRY);
	fx_add_num(ns, XEN_ELFNOTE_ENTRY, 0x100000);
}

static void hypercall_unaligned(struct fx_notes *ns)
{
	fx_drop(ns, XEN_ELFNOTE_HYPERCALL_PAGE);
	fx_add_num(ns, XEN_ELFNOTE_HYPERCALL_PAGE, FX_HYPERCALL_VOFF + 8);
}

static void hypercall_outside(struct fx_notes *ns)
{
	fx_drop(ns, XEN_ELFNOTE_HYPERCALL_PAGE);
	fx_add_num(ns, XEN_ELFNOTE_HYPERCALL_PAGE, 0x800000);
}

static void hypercall_straddles(struct fx_notes *ns)
{
	/* Last page of the data segment's memory + 1: half outside. */
	fx_drop(ns, XEN_ELFNOTE_HYPERCALL_PAGE);
	fx_add_num(ns, XEN_ELFNOTE_HYPERCALL_PAGE,
		   FX_DATA_VOFF + FX_DATA_MEM);
}

static void no_notes(struct fx_notes *ns)
{
	ns->n = 0;
}

static void no_xen_version(struct fx_notes *ns)
{
	fx_drop(ns, XEN_ELFNOTE_XEN_VERSION);
}

static void wrong_loader(struct fx_notes *ns)
{
	fx_drop(ns, XEN_ELFNOTE_LOADER);
	fx_add_str(ns, XEN_ELFNOTE_LOADER, "elf");
}

static void three_byte_number(struct fx_notes *ns)
{
	fx_drop(ns, XEN_ELFNOTE_VIRT_BASE);
	ns->note[ns->n++] = (struct fx_note){ XEN_ELFNOTE_VIRT_BASE, "abc",
					      3 };
}

static void control_chars(struct fx_notes *ns)
{
	fx_drop(ns, XEN_ELFNOTE_GUEST_OS);
	fx_add_str(ns, XEN_ELFNOTE_GUEST_OS, "evil\x1b[2J");
}

static void long_string(struct fx_notes *ns)
{
	fx_drop(ns, XEN_ELFNOTE_GUEST_OS);
	fx_add_str(ns, XEN_ELFNOTE_GUEST_OS,
		   "a-guest-os-name-that-is-far-too-long-for-us");
}

static void duplicate(struct fx_notes *ns)
{
	fx_add_num(ns, XEN_ELFNOTE_ENTRY, 0x1200);
}

static void unknown_required(struct fx_notes *ns)
{
	fx_drop(ns, XEN_ELFNOTE_FEATURES);
	fx_add_str(ns, XEN_ELFNOTE_FEATURES, "dom0|!time_travel");
}

static void unknown_optional(struct fx_notes *ns)
{
	fx_drop(ns, XEN_ELFNOTE_FEATURES);
	fx_add_str(ns, XEN_ELFNOTE_FEATURES, "time_travel||!dom0|");
	fx_add_num(ns, XEN_ELFNOTE_SUPPORTED_FEATURES,
		   1u << XENFEAT_linux_rsdp_unrestricted);
	fx_add_num(ns, XEN_ELFNOTE_INIT_P2M, 0x8000000000ull);
	fx_add_num(ns, XEN_ELFNOTE_MOD_START_PFN, 1);
	fx_drop(ns, XEN_ELFNOTE_HYPERCALL_PAGE);
}

static void bsd_symtab(struct fx_notes *ns)
{
	fx_add_str(ns, XEN_ELFNOTE_BSD_SYMTAB, "yes");
}

static void unaligned_base(struct fx_notes *ns)
{
	fx_drop(ns, XEN_ELFNOTE_VIRT_BASE);
	fx_add_num(ns, XEN_ELFNOTE_VIRT_BASE, 0x800);
}

static void test_bad_notes(void **state)
{
	static const struct {
		void (*edit)(struct fx_notes *);
		const char *needle;
	} cases[] = {
		{ entry_outside, "entry point" },
		{ hypercall_unaligned, "HYPERCALL_PAGE" },
		{ hypercall_outside, "HYPERCALL_PAGE" },
		{ hypercall_straddles, "HYPERCALL_PAGE" },
		{ no_notes, "no Xen ELF notes" },
		{ no_xen_version, "XEN_VERSION" },
		{ wrong_loader, "LOADER 'elf'" },
		{ three_byte_number, "3-byte" },
		{ control_chars, "non-printable" },
		{ long_string, "longer than" },
		{ duplicate, "duplicate Xen note ENTRY" },
		{ unknown_required, "time_travel" },
		{ bsd_symtab, "BSD_SYMTAB" },
		{ unaligned_base, "VIRT_BASE" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_fail_elf(with_notes(0, cases[i].edit),
				cases[i].needle);
}

static void test_optional_notes(void **state)
{
	uint8_t *e = with_notes(0, unknown_optional);
	struct chaos_image img;
	chaos_err err = { 0 };

	(void)state;
	assert_int_equal(chaos_image_from_buffer(e, FX_SIZE, "t", &img, &err),
			 0);
	assert_int_equal(img.features_required[0], 1u << XENFEAT_dom0);
	assert_int_equal(img.features_supported[0],
			 1u << XENFEAT_dom0 |
			 1u << XENFEAT_linux_rsdp_unrestricted);
	assert_int_equal(img.init_p2m, 0x8000000000ull);
	assert_true(img.mod_start_pfn);
	assert_int_equal(img.hypercall_page, CHAOS_IMAGE_NONE);
	chaos_image_release(&img);
	free(e);
}

static void test_note_area_overruns(void **state)
{
	uint8_t *e;
	uint32_t *hdr;

	(void)state;
	/* First note's descsz far beyond the note area. */
	e = fx_default_elf(0);
	hdr = (uint32_t *)(e + FX_NOTE_OFF);
	hdr[1] = 0xfffffff0u;
	expect_fail_elf(e, "overruns");
	/* namesz that wraps when padded. */
	e = fx_default_elf(0);
	hdr = (uint32_t *)(e + FX_NOTE_OFF);
	hdr[0] = 0xfffffffeu;
	expect_fail_elf(e, "overruns");
	/* PT_NOTE pointing outside the file. */
	e = fx_default_elf(0);
	fx_phdr(e, 2)->p_offset = FX_SIZE - 4;
	expect_fail_elf(e, "note area");
	/* PT_NOTE size cut mid-note: the cut note overruns. */
	e = fx_default_elf(0);
	fx_phdr(e, 2)->p_filesz = 20;
	expect_fail_elf(e, "overruns");
}

static void test_section_notes_fallback(void **state)
{
	uint8_t *e = fx_default_elf(0);
	struct chaos_image img;
	chaos_err err = { 0 };

	(void)state;
	fx_phdr(e, 2)->p_type = PT_NULL;
	assert_int_equal(chaos_image_from_buffer(e, FX_SIZE, "t", &img, &err),
			 0);
	check_default(&img, 0);
	chaos_image_release(&img);
	/* ...and hostile section tables are refused. */
	fx_ehdr(e)->e_shoff = FX_SIZE - 16;
	expect_fail(e, FX_SIZE, "section headers");
	fx_ehdr(e)->e_shoff = FX_SHOFF;
	((Elf64_Shdr *)(e + FX_SHOFF))[1].sh_size = 1ull << 40;
	expect_fail(e, FX_SIZE, "note area");
	free(e);
}

/* ---- compressed wrappers ---- */

typedef size_t (*compress_fn)(const uint8_t *in, size_t len, uint8_t *out,
			      size_t cap);

static size_t c_gzip(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	z_stream zs = { 0 };
	size_t n;

	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	n = zs.total_out;
	deflateEnd(&zs);
	return n;
}

static size_t c_xz(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	size_t pos = 0;

	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL,
						 in, len, out, &pos, cap),
			 LZMA_OK);
	return pos;
}

static size_t c_lzma(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	lzma_stream ls = LZMA_STREAM_INIT;
	lzma_options_lzma opt;
	size_t n;

	lzma_lzma_preset(&opt, 6);
	assert_int_equal(lzma_alone_encoder(&ls, &opt), LZMA_OK);
	ls.next_in = in;
	ls.avail_in = len;
	ls.next_out = out;
	ls.avail_out = cap;
	assert_int_equal(lzma_code(&ls, LZMA_FINISH), LZMA_STREAM_END);
	n = ls.total_out;
	lzma_end(&ls);
	return n;
}

static size_t c_bzip2(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	unsigned int n = (unsigned int)cap;

	assert_int_equal(BZ2_bzBuffToBuffCompress((char *)out, &n, (char *)in,
						  (unsigned int)len, 9, 0, 0),
			 BZ_OK);
	return n;
}

static size_t c_zstd(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	size_t n = ZSTD_compress(out, cap, in, len, 3);

	assert_false(ZSTD_isError(n));
	return n;
}

static size_t c_lz4f(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	size_t n = LZ4F_compressFrame(out, cap, in, len, NULL);

	assert_false(LZ4F_isError(n));
	return n;
}

/* "lz4 -l" plus the kernel build's appended le32 size. */
static size_t c_lz4l(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	uint32_t magic = 0x184c2102u, csize, size = (uint32_t)len;
	int n;

	memcpy(out, &magic, 4);
	n = LZ4_compress_default((const char *)in, (char *)out + 8, (int)len,
				 (int)cap - 12);
	assert_true(n > 0);
	csize = (uint32_t)n;
	memcpy(out + 4, &csize, 4);
	memcpy(out + 8 + n, &size, 4);
	return 12 + (size_t)n;
}

static const struct {
	compress_fn fn;
	const char *format;
	enum chaos_compression comp;
} wrappers[] = {
	{ c_gzip, "gzip+elf", CHAOS_COMP_GZIP },
	{ c_xz, "xz+elf", CHAOS_COMP_XZ },
	{ c_lzma, "lzma+elf", CHAOS_COMP_LZMA },
	{ c_bzip2, "bzip2+elf", CHAOS_COMP_BZIP2 },
	{ c_zstd, "zstd+elf", CHAOS_COMP_ZSTD },
	{ c_lz4f, "lz4+elf", CHAOS_COMP_LZ4_FRAME },
	{ c_lz4l, "lz4-legacy+elf", CHAOS_COMP_LZ4_LEGACY },
};

#define NWRAP (sizeof(wrappers) / sizeof(wrappers[0]))

static void test_compressed_wrappers(void **state)
{
	uint8_t *elf = fx_default_elf(LINUX_BASE);
	size_t cap = FX_SIZE * 2 + 1024;
	uint8_t *z = malloc(cap);

	(void)state;
	for (size_t i = 0; i < NWRAP; i++) {
		size_t n = wrappers[i].fn(elf, FX_SIZE, z, cap);
		struct chaos_image img;
		chaos_err err = { 0 };

		assert_int_equal(chaos_image_detect_compression(z, n),
				 wrappers[i].comp);
		if (chaos_image_from_buffer(z, n, "t", &img, &err) < 0)
			fail_msg("%s: %s", wrappers[i].format, err.msg);
		assert_string_equal(img.format, wrappers[i].format);
		check_default(&img, LINUX_BASE);
		assert_memory_equal(img.elf, elf, FX_SIZE);
		chaos_image_release(&img);

		/* Truncated streams fail cleanly (a few cut points). */
		for (size_t cut = 1; cut < n; cut += n / 7 + 1)
			expect_fail(z, cut, "t:");
		/* Flipped bytes in the middle: fail or parse, never crash. */
		z[n / 2] ^= 0x55;
		if (chaos_image_from_buffer(z, n, "t", &img, &err) == 0)
			chaos_image_release(&img);
	}
	free(z);
	free(elf);
}

/* Highly compressible input must not expand past the cap, in any format. */
static void test_bombs(void **state)
{
	size_t big = 4u << 20, cap = big * 2;
	uint8_t *zeros = calloc(1, big), *z = malloc(cap), *out;
	size_t out_len;

	(void)state;
	for (size_t i = 0; i < NWRAP; i++) {
		size_t n = wrappers[i].fn(zeros, big, z, cap);
		chaos_err err = { 0 };

		assert_int_equal(chaos_image_decompress(wrappers[i].comp, z, n,
							1u << 20, "bomb",
							&out, &out_len, &err),
				 -1);
		assert_null(out);
		if (!strstr(err.msg, "more than 1 MiB"))
			fail_msg("%s: %s", wrappers[i].format, err.msg);
		/* With room it decompresses exactly. */
		assert_int_equal(chaos_image_decompress(wrappers[i].comp, z, n,
							big * 2, "ok", &out,
							&out_len, &err), 0);
		assert_int_equal(out_len, big);
		free(out);
	}
	free(zeros);
	free(z);
}

/*
 * A real bomb through the public entry point: a hand-made zstd frame of
 * RLE blocks, 9 KiB that claim 264 MiB of zeros (over the 256 MiB cap).
 */
static void test_zstd_bomb_end_to_end(void **state)
{
	size_t nblocks = 2112;
	uint8_t *z = malloc(6 + nblocks * 4);

	(void)state;
	expect_fail(z, fx_zstd_zeros(z, nblocks), "more than 256 MiB");
	free(z);
}

static void test_unsupported(void **state)
{
	static const uint8_t lzo[] = { 0x89, 'L', 'Z', 'O', 0, 0x0d, 0x0a,
				       0x1a, 0x0a, 0, 0, 0 };
	static const uint8_t junk[] = "just some text, not a kernel";
	uint8_t gz_text[256];
	size_t n;

	(void)state;
	expect_fail(lzo, sizeof(lzo), "lzo compression is not supported");
	expect_fail(junk, sizeof(junk), "not an ELF, bzImage");
	expect_fail(junk, 0, "empty");
	n = c_gzip(junk, sizeof(junk), gz_text, sizeof(gz_text));
	expect_fail(gz_text, n, "does not decompress to an ELF");
}

static void test_from_file(void **state)
{
	char path[] = "/tmp/chaos-test-image-XXXXXX";
	uint8_t *elf = fx_default_elf(0);
	struct chaos_image img;
	chaos_err err = { 0 };
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, elf, FX_SIZE), FX_SIZE);
	close(fd);
	assert_int_equal(chaos_image_from_file(path, &img, &err), 0);
	check_default(&img, 0);
	chaos_image_release(&img);
	unlink(path);
	assert_int_equal(chaos_image_from_file(path, &img, &err), -1);
	assert_non_null(strstr(err.msg, path));
	assert_int_equal(chaos_image_from_file("/tmp", &img, &err), -1);
	assert_non_null(strstr(err.msg, "not a regular file"));
	assert_int_equal(chaos_image_from_file("/dev/null", &img, &err), -1);
	free(elf);
}

/*
 * Audit finding 6, "chaosd (and the CLI) hang for ever on a FIFO kernel or
 * ramdisk": opening a FIFO with no writer must fail at once. The alarm
 * turns a hang into a failure.
 */
static void test_fifo_refused(void **state)
{
	char dir[] = "/tmp/chaos-test-fifo-XXXXXX", path[64];
	struct chaos_image img;
	chaos_err err = { 0 };

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/kernel", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	alarm(5);
	assert_int_equal(chaos_image_from_file(path, &img, &err), -1);
	alarm(0);
	assert_non_null(strstr(err.msg, "not a regular file"));
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_both_bases),
		cmocka_unit_test(test_fifo_refused),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_bad_segments),
		cmocka_unit_test(test_bad_notes),
		cmocka_unit_test(test_optional_notes),
		cmocka_unit_test(test_note_area_overruns),
		cmocka_unit_test(test_section_notes_fallback),
		cmocka_unit_test(test_compressed_wrappers),
		cmocka_unit_test(test_bombs),
		cmocka_unit_test(test_zstd_bomb_end_to_end),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_from_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
