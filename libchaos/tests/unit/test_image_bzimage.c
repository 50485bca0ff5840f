// SPDX-License-Identifier: MIT
/* bzImage containers: setup header checks, payloads, the Debian kernel. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <lzma.h>
#include <zlib.h>

#include "build/build.h"
#include "image_fixture.h"

#define SETUP_SECTS 3
#define PM_START ((SETUP_SECTS + 1) * 512)
#define PAYLOAD_REL 0x40      /* payload_offset, from PM_START */
#define DEBIAN_KERNEL "/.cache/chaos/x/boot/vmlinuz-6.1.0-56-amd64"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static size_t xz(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	size_t pos = 0;

	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL,
						 in, len, out, &pos, cap),
			 LZMA_OK);
	return pos;
}

/*
 * A bzImage around payload[len]: setup sectors, the header fields we
 * read, the payload, and the le32 size the kernel build appends.
 */
static uint8_t *make_bzimage(const uint8_t *payload, size_t len,
			     size_t *total)
{
	size_t n = PM_START + PAYLOAD_REL + len + 4 + 64;
	uint8_t *b = calloc(1, n);

	b[0x1f1] = SETUP_SECTS;
	put16(b + 0x1fe, 0xaa55);
	memcpy(b + 0x202, "HdrS", 4);
	put16(b + 0x206, 0x020f);
	put32(b + 0x248, PAYLOAD_REL);
	put32(b + 0x24c, (uint32_t)len + 4);
	memcpy(b + PM_START + PAYLOAD_REL, payload, len);
	put32(b + PM_START + PAYLOAD_REL + len, FX_SIZE);
	*total = n;
	return b;
}

static void expect_fail(const uint8_t *buf, size_t len, const char *needle)
{
	struct chaos_image img;
	chaos_err err = { 0 };

	assert_int_equal(chaos_image_from_buffer(buf, len, "bz", &img, &err),
			 -1);
	assert_null(img.elf);
	if (!strstr(err.msg, needle))
		fail_msg("error '%s' does not mention '%s'", err.msg, needle);
}

struct fixture {
	uint8_t *elf, *z, *bz;
	size_t zlen, bzlen;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->elf = fx_default_elf(0xffffffff80000000ull);
	f->z = malloc(FX_SIZE * 2);
	f->zlen = xz(f->elf, FX_SIZE, f->z, FX_SIZE * 2);
	f->bz = make_bzimage(f->z, f->zlen, &f->bzlen);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->elf);
	free(f->z);
	free(f->bz);
	free(f);
	return 0;
}

static void test_valid(void **state)
{
	struct fixture *f = *state;
	struct chaos_image img;
	chaos_err err = { 0 };
	const uint8_t *p;
	size_t plen;

	assert_int_equal(chaos_image_bzimage_payload(f->bz, f->bzlen, "bz", &p,
						     &plen, &err), 1);
	assert_ptr_equal(p, f->bz + PM_START + PAYLOAD_REL);
	assert_int_equal(plen, f->zlen + 4);
	assert_int_equal(chaos_image_from_buffer(f->bz, f->bzlen, "bz", &img,
						 &err), 0);
	assert_string_equal(img.format, "bzImage+xz");
	assert_memory_equal(img.elf, f->elf, FX_SIZE);
	assert_int_equal(img.virt_entry,
			 0xffffffff80000000ull + FX_ENTRY_VOFF);
	chaos_image_release(&img);
	/* Not a bzImage at all: 0, no error. */
	assert_int_equal(chaos_image_bzimage_payload(f->elf, FX_SIZE, "bz", &p,
						     &plen, &err), 0);
}

static void test_gzip_payload_and_zero_setup_sects(void **state)
{
	struct fixture *f = *state;
	uint8_t gz[FX_SIZE * 2];
	z_stream zs = { 0 };
	struct chaos_image img;
	chaos_err err = { 0 };
	uint8_t *b;
	size_t n;

	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 31, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = f->elf;
	zs.avail_in = FX_SIZE;
	zs.next_out = gz;
	zs.avail_out = sizeof(gz);
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	b = make_bzimage(gz, zs.total_out, &n);
	deflateEnd(&zs);
	assert_int_equal(chaos_image_from_buffer(b, n, "bz", &img, &err), 0);
	assert_string_equal(img.format, "bzImage+gzip");
	chaos_image_release(&img);
	/* setup_sects 0 means 4 (boot protocol): payload is then elsewhere. */
	b[0x1f1] = 0;
	expect_fail(b, n, "");
	free(b);
}

static void test_hostile_headers(void **state)
{
	struct fixture *f = *state;
	uint8_t *b = malloc(f->bzlen);

#define RESET() memcpy(b, f->bz, f->bzlen)
	RESET();
	put16(b + 0x206, 0x0207);
	expect_fail(b, f->bzlen, "older than 2.08");
	RESET();
	put16(b + 0x1fe, 0x1234);
	expect_fail(b, f->bzlen, "boot_flag");
	RESET();
	b[0x1f1] = 0xff;               /* 128 KiB of setup: past the end */
	expect_fail(b, f->bzlen, "setup_sects");
	RESET();
	put32(b + 0x248, 0x7fffffff);
	expect_fail(b, f->bzlen, "outside the file");
	RESET();
	put32(b + 0x24c, (uint32_t)f->bzlen);
	expect_fail(b, f->bzlen, "outside the file");
	RESET();
	put32(b + 0x248, 0xffffffff);
	put32(b + 0x24c, 0xffffffff);
	expect_fail(b, f->bzlen, "outside the file");
	RESET();
	put32(b + 0x24c, 3);
	expect_fail(b, f->bzlen, "too small");
	RESET();
	put32(b + 0x248, 0);           /* points at zeros: no known format */
	expect_fail(b, f->bzlen, "neither ELF nor a known compression");
	RESET();
	b[PM_START + PAYLOAD_REL + f->zlen / 2] ^= 0xff;   /* corrupt xz */
	expect_fail(b, f->bzlen, "corrupt xz");
	RESET();
	memcpy(b + PM_START + PAYLOAD_REL,
	       "\x89LZO\0\r\n\x1a\n", 9);
	expect_fail(b, f->bzlen, "lzo compression is not supported");
	RESET();
	memcpy(b + 0x202, "HdrX", 4);  /* no longer a bzImage at all */
	expect_fail(b, f->bzlen, "not an ELF, bzImage");
	/* Truncated anywhere: never accepted, never a crash. */
	for (size_t len = 0; len < f->bzlen - 64 - 4; len += 7)
		expect_fail(f->bz, len, "");
#undef RESET
	free(b);
}

/* A bzImage whose payload is a compressed ELF with a bad note. */
static void test_hostile_inner_elf(void **state)
{
	uint8_t *elf = fx_default_elf(0), z[FX_SIZE * 2], *b;
	size_t zl, n;

	(void)state;
	fx_ehdr(elf)->e_machine = EM_AARCH64;
	zl = xz(elf, FX_SIZE, z, sizeof(z));
	b = make_bzimage(z, zl, &n);
	expect_fail(b, n, "e_machine");
	free(b);
	free(elf);
}

static void test_debian_kernel(void **state)
{
	const char *home = getenv("HOME");
	char path[512];
	struct chaos_image img;
	chaos_err err = { 0 };
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s%s", home ? home : "", DEBIAN_KERNEL);
	if (stat(path, &st) < 0) {
		print_message("skip: %s not present (extract "
			      "linux-image-6.1.0-56-amd64 there)\n", path);
		skip();
	}
	if (chaos_image_from_file(path, &img, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(img.format, "bzImage+xz");
	assert_string_equal(img.guest_os, "linux");
	assert_string_equal(img.loader, "generic");
	assert_string_equal(img.xen_version, "xen-3.0");
	assert_int_equal(img.virt_base, 0xffffffff80000000ull);
	assert_true(img.nr_segments >= 3);
	assert_true(img.virt_kstart >= img.virt_base);
	assert_true(img.virt_entry >= img.virt_kstart &&
		    img.virt_entry < img.virt_kend);
	assert_true(img.mod_start_pfn);
	print_message("debian kernel: %u segments, kernel %#llx-%#llx, entry "
		      "%#llx, %zu bytes of ELF\n", img.nr_segments,
		      (unsigned long long)img.virt_kstart,
		      (unsigned long long)img.virt_kend,
		      (unsigned long long)img.virt_entry, img.elf_size);
	chaos_image_release(&img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_gzip_payload_and_zero_setup_sects),
		cmocka_unit_test(test_hostile_headers),
		cmocka_unit_test(test_hostile_inner_elf),
		cmocka_unit_test(test_debian_kernel),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
