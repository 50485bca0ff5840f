// SPDX-License-Identifier: MIT
/*
 * Kernel images (build/image*.c): any bytes as a kernel file, the way
 * chaos_image_from_buffer reads them: a raw ELF with Xen notes, a bzImage,
 * or either compressed. Decompression is capped at FUZZ_CAP here instead
 * of 256 MiB (fuzz_decompress covers the decompressors on their own). An
 * image that parses is then laid out and loaded into guest memory made of
 * one scratch page, as the builder would, and its description checked.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "build/build.h"
#include "fuzz.h"

#define FUZZ_CAP (1u << 20)

static uint8_t scratch[CHAOS_PAGE_SIZE];

static void *one_page(void *ctx, uint64_t pfn)
{
	(void)ctx;
	(void)pfn;
	return scratch;
}

static void check(const struct chaos_image *img)
{
	uint64_t prev_end = 0;

	if (img->nr_segments == 0 || img->nr_segments > CHAOS_IMAGE_MAX_SEGMENTS)
		abort();
	for (unsigned int i = 0; i < img->nr_segments; i++) {
		const struct chaos_image_segment *s = &img->seg[i];

		if (s->filesz > s->memsz || s->offset > img->elf_size ||
		    s->filesz > img->elf_size - s->offset)
			abort();   /* a segment reads outside the file */
		if (i && s->vaddr < prev_end)
			abort();   /* not sorted and disjoint */
		prev_end = s->vaddr + s->memsz;
	}
	if (img->virt_kstart > img->virt_kend ||
	    img->virt_kend - img->virt_kstart > CHAOS_IMAGE_SPAN_MAX)
		abort();
	if (memchr(img->guest_os, 0, CHAOS_IMAGE_STR_MAX) == NULL ||
	    memchr(img->loader, 0, CHAOS_IMAGE_STR_MAX) == NULL)
		abort();
}

static void load(const struct chaos_image *img)
{
	struct chaos_pv_layout lay;
	struct chaos_guest_mem mem = { .page = one_page };
	uint64_t *p2m;
	uint64_t pages = ((img->virt_kend - img->virt_base) >> CHAOS_PAGE_SHIFT) +
			 1024;
	chaos_err err;

	if (img->virt_kend < img->virt_base || pages > (1u << 18))
		return;
	if (chaos_pv_layout_compute(img, pages, 0, &lay, &err) < 0)
		return;
	p2m = calloc(pages, sizeof(*p2m));
	if (!p2m)
		return;
	for (uint64_t i = 0; i < pages; i++)
		p2m[i] = 0x100000 + i;
	mem.nr_pages = pages;
	mem.p2m = p2m;
	(void)chaos_pv_load_segments(img, &lay, &mem, &err);
	free(p2m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chaos_image img;
	const uint8_t *body = data, *payload;
	size_t body_len = size, payload_len;
	enum chaos_compression c;
	chaos_err err;
	int rc;

	if (size == 0)
		return 0;
	rc = chaos_image_bzimage_payload(data, size, "fuzz", &payload,
					 &payload_len, &err);
	if (rc < 0)
		return 0;
	if (rc == 1 && !(size >= 4 && !memcmp(data, "\x7f" "ELF", 4))) {
		body = payload;
		body_len = payload_len;
	}
	c = chaos_image_detect_compression(body, body_len);
	if (c == CHAOS_COMP_NONE ||
	    (size >= 4 && !memcmp(data, "\x7f" "ELF", 4))) {
		/* Nothing to decompress: the library's own entry point. */
		if (chaos_image_from_buffer(data, size, "fuzz", &img, &err) < 0) {
			FZ_SAY("%s\n", err.msg);
			return 0;
		}
	} else {
		/* As unwrap() does, with a small cap. */
		memset(&img, 0, sizeof(img));
		if (chaos_image_decompress(c, body, body_len, FUZZ_CAP, "fuzz",
					   &img.elf, &img.elf_size, &err) < 0)
			return 0;
		if (img.elf_size > FUZZ_CAP)
			abort();
		if (img.elf_size < 4 || memcmp(img.elf, "\x7f" "ELF", 4) ||
		    chaos_image_parse_elf(&img, "fuzz", &err) < 0) {
			chaos_image_release(&img);
			return 0;
		}
	}
	check(&img);
	load(&img);
	FZ_SAY("%s image, %u segments\n", img.format ? img.format : "?",
	       img.nr_segments);
	chaos_image_release(&img);
	return 0;
}
