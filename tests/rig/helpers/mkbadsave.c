// SPDX-License-Identifier: MIT
/*
 * mkbadsave: hostile saved-guest images for the restore-bad scenario.
 *   mkbadsave MUTATION GOOD.img OUT.img
 * Mutations that change a field recompute the checksum, so the restore's
 * own field checks (or the hypervisor's) must catch them:
 *   truncate magic version          (no reseal: refused up front)
 *   flip                            (no reseal: the checksum, mid-build)
 *   vcpus0 cr3 name                 (refused before any domain exists)
 *   pte-range xen-slot start-info   (refused while building: rolled back)
 *   pt-writable                     (refused by Xen when pinning)
 *   huge                            (a 16 GiB guest: refused before its
 *                                    head is read, more than the host has)
 *   cpu-feature                     (AVX-512F in the guest's CPUID, which
 *                                    no emulated host has: refused before
 *                                    any domain exists)
 * The layout is docs/image-format.md's; a good image is assumed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenctrl.h>
#include <xxhash.h>

#define HDR 32
#define REC 16
#define SUM 16
#define PAGE 4096
#define P 1ull
#define RW 2ull
#define ADDR 0x000ffffffffff000ull

static uint8_t *img;
static size_t len;

static void die(const char *msg)
{
	fprintf(stderr, "mkbadsave: %s\n", msg);
	exit(1);
}

static uint8_t *record(unsigned int type)
{
	size_t at = HDR;

	while (at + REC <= len) {
		uint32_t t;
		uint64_t n;

		memcpy(&t, img + at, 4);
		memcpy(&n, img + at + 8, 8);
		if (t == type)
			return img + at + REC;
		at += REC + ((n + 7) & ~7ull);
	}
	die("record not found");
	return NULL;
}

static uint64_t nr_pages(void)
{
	uint64_t n;

	memcpy(&n, record(1), 8);
	return n;
}

static uint8_t *types(void)
{
	return record(5);
}

/* Version 3: the types, the map of pages with bytes, those pages. */
static uint8_t *present_map(void)
{
	return record(5) + ((nr_pages() + 7) & ~7ull);
}

static int has_bytes(uint64_t pfn)
{
	return present_map()[pfn / 8] & (1u << (pfn % 8));
}

static uint64_t *page(uint64_t pfn)
{
	uint8_t *pages = present_map() + (nr_pages() + 63) / 64 * 8;
	uint64_t index = 0;

	if (!has_bytes(pfn))
		die("that page is all zero: not in the image");
	for (uint64_t p = 0; p < pfn; p++)
		index += has_bytes(p) ? 1 : 0;
	return (uint64_t *)(pages + index * PAGE);
}

static uint64_t find_type(uint8_t want, uint8_t mask)
{
	for (uint64_t pfn = 0; pfn < nr_pages(); pfn++)
		if ((types()[pfn] & mask) == want)
			return pfn;
	die("no page of that type");
	return 0;
}

/* XXH64, big-endian, in the first 8 bytes of the END record's 16. */
static void reseal(void)
{
	XXH64_canonical_t c;

	XXH64_canonicalFromHash(&c, XXH64(img, len - SUM, 0));
	memset(img + len - SUM, 0, SUM);
	memcpy(img + len - SUM, c.digest, sizeof(c.digest));
}

static void pt_writable(void)
{
	for (uint64_t pfn = 0; pfn < nr_pages(); pfn++) {
		uint64_t *t;

		if ((types()[pfn] & 0xf) != 1 || !has_bytes(pfn))
			continue;
		t = page(pfn);
		for (int i = 0; i < 512; i++) {
			uint64_t target = (t[i] & ADDR) >> 12;

			if ((t[i] & P) && target < nr_pages() &&
			    (types()[target] & 0xf)) {
				t[i] |= RW;
				return;
			}
		}
	}
	die("no read-only mapping of a page table found");
}

/* Leaf 7 subleaf 0's ebx in the CPU record: AVX512F (bit 16) set. */
static void cpu_feature(void)
{
	uint8_t *cpu = record(12);
	uint32_t nr, leaf, subleaf, ebx;

	memcpy(&nr, cpu, 4);
	for (uint32_t i = 0; i < nr && i < 160; i++) {
		uint8_t *l = cpu + 32 + i * 24;

		memcpy(&leaf, l, 4);
		memcpy(&subleaf, l + 4, 4);
		if (leaf != 7 || subleaf != 0)
			continue;
		memcpy(&ebx, l + 12, 4);
		ebx |= 1u << 16;
		memcpy(l + 12, &ebx, 4);
		return;
	}
	die("no CPUID leaf 7 subleaf 0 in the CPU record");
}

/*
 * The DOMAIN record says 16 GiB and the file is as long as such a guest
 * with no page bytes makes (docs/image-format.md), zeros after DOMAIN: a
 * restore must refuse it from DOMAIN alone, not allocate its head (about
 * 4.6 MiB here) and read on.
 */
static void huge(void)
{
	uint64_t n = 1ull << 22, vcpus;
	size_t keep = (size_t)(record(1) + 32 - img), total;

	memcpy(&vcpus, record(1) + 16, 4);
	vcpus &= 0xffffffffu;
	total = HDR + (REC + 32) + (REC + 336) + (REC + 4096) + (REC + 4096) +
		vcpus * (REC + 5176 + REC + 4424) + (REC + (n * 8 + PAGE - 1) / PAGE * 8) +
		(REC + ((n + 7) & ~7ull) + (n + 63) / 64 * 8) + (REC + SUM);
	memcpy(record(1), &n, 8);
	img = realloc(img, total);
	if (!img)
		die("out of memory");
	memset(img + keep, 0, total - keep);
	len = total;
	memcpy(img + 16, &len, 8);  /* the header's total_size */
}

int main(int argc, char **argv)
{
	const char *m;
	FILE *f;

	if (argc != 4)
		die("usage: mkbadsave MUTATION GOOD.img OUT.img");
	m = argv[1];
	f = fopen(argv[2], "rb");
	if (!f || fseek(f, 0, SEEK_END))
		die("cannot read the image");
	len = (size_t)ftell(f);
	rewind(f);
	img = malloc(len);
	if (!img || fread(img, 1, len, f) != len)
		die("cannot read the image");
	fclose(f);

	if (!strcmp(m, "truncate")) {
		len -= 100;
	} else if (!strcmp(m, "flip")) {
		/* In the last page with bytes: seen only at the END record. */
		uint64_t last = nr_pages();

		while (last-- && !has_bytes(last))
			;
		((uint8_t *)page(last))[100] ^= 0x40;
	} else if (!strcmp(m, "magic")) {
		memcpy(img, "XXXXXXXX", 8);
	} else if (!strcmp(m, "version")) {
		img[8] = 6; /* an older image: no VCPU_EXT */
	} else if (!strcmp(m, "vcpus0")) {
		memset(record(1) + 16, 0, 4);
		reseal();
	} else if (!strcmp(m, "cr3")) {
		uint64_t cr3 = find_type(1, 0xf) << 12;

		memcpy(record(3) + 8 + offsetof(vcpu_guest_context_x86_64_t,
						ctrlreg[3]), &cr3, 8);
		reseal();
	} else if (!strcmp(m, "name")) {
		memcpy(record(2), "../etc", 7);
		reseal();
	} else if (!strcmp(m, "pte-range")) {
		page(find_type(1, 0xf))[511] = (0xfffffull << 12) | P | RW;
		reseal();
	} else if (!strcmp(m, "xen-slot")) {
		page(find_type(4 | 0x10, 0xff))[256] = (1ull << 12) | P;
		reseal();
	} else if (!strcmp(m, "start-info")) {
		uint64_t si;
		start_info_t *s;

		memcpy(&si, record(1) + 8, 8);
		s = (start_info_t *)page(si);
		s->console.domU.mfn = 0x7fffffff;
		reseal();
	} else if (!strcmp(m, "pt-writable")) {
		pt_writable();
		reseal();
	} else if (!strcmp(m, "huge")) {
		huge();
	} else if (!strcmp(m, "cpu-feature")) {
		cpu_feature();
		reseal();
	} else {
		die("unknown mutation");
	}
	f = fopen(argv[3], "wb");
	if (!f || fwrite(img, 1, len, f) != len || fclose(f))
		die("cannot write the output");
	free(img);
	return 0;
}
