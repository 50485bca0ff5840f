// SPDX-License-Identifier: MIT
/*
 * Writes the generated seeds of fuzz/corpus/ (make fuzz-seeds): the unit
 * tests' synthetic kernel (image_fixture.h) raw and in a bzImage, and
 * saved images made by the library's own writers, version 10 images
 * (saveimg/) and version 11 live streams (saveimg_live/), all-zero pages
 * left out or flagged, a noxs guest's or a XenStore guest's disks in the
 * DEVICES record, in the form the image targets read (fuzz_stream.h:
 * one byte a page with bytes, 0xff and the page for the page tables).
 * The compressed variants come from fuzz/gen_seeds.sh.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "build/build.h"
#include "ckpt/ckpt.h"
#include "cpu_fixture.h"
#include "image_fixture.h"

#define PAGES 256   /* 1 MiB: the smallest guest */
#define SI_PFN 3
#define P2M_PFN 7
#define L4_PFN 10   /* then L3, L2, L1 */

static const char *dir;

static void put(const char *sub, const char *name, const void *buf,
		size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	le16(p, (uint16_t)v);
	le16(p + 2, (uint16_t)(v >> 16));
}

static void kernels(void)
{
	uint8_t *elf = fx_default_elf(0xffffffff80000000ull);
	size_t pm = 4 * 512, n = pm + 0x40 + FX_SIZE + 4;
	uint8_t *bz = calloc(1, n);

	/* The parser reads headers and notes; the bytes loaded do not matter
	 * and zeros keep the compressed seeds small. */
	memset(elf + FX_TEXT_OFF, 0, FX_SIZE - FX_TEXT_OFF);
	put("image", "fixture.elf", elf, FX_SIZE);
	bz[0x1f1] = 3;
	le16(bz + 0x1fe, 0xaa55);
	memcpy(bz + 0x202, "HdrS", 4);
	le16(bz + 0x206, 0x020f);
	le32(bz + 0x248, 0x40);
	le32(bz + 0x24c, FX_SIZE + 4);
	memcpy(bz + pm + 0x40, elf, FX_SIZE);
	le32(bz + pm + 0x40 + FX_SIZE, FX_SIZE);
	put("image", "fixture.bzimage", bz, n);
	free(bz);
	free(elf);
}

/* An image writer's io that writes pages the targets' way. */
struct out {
	uint8_t *buf;
	size_t len, cap;
	bool pages;
};

static void grow(struct out *o, const void *p, size_t len)
{
	if (o->len + len > o->cap) {
		o->cap = (o->len + len) * 2;
		o->buf = realloc(o->buf, o->cap);
		if (!o->buf)
			abort();
	}
	memcpy(o->buf + o->len, p, len);
	o->len += len;
}

static int out_write(void *ctx, void *buf, size_t len, chaos_err *err)
{
	struct out *o = ctx;
	const uint8_t *p = buf;

	(void)err;
	if (!o->pages) {
		grow(o, buf, len);
		return 0;
	}
	for (size_t off = 0; off < len; off += 4096) {
		uint8_t b = p[off], lit = 0xff;
		bool same = true;

		for (size_t i = 1; i < 4096 && same; i++)
			same = p[off + i] == b;
		if (same && b != 0xff) {
			grow(o, &b, 1);
		} else {
			grow(o, &lit, 1);
			grow(o, p + off, 4096);
		}
	}
	return 0;
}

/*
 * Page pfn of the guest: page tables mapping pfns 0..3, the rest filled,
 * but for the all-zero ones: every fourth data page and the last quarter
 * of the guest (memory it never touched), and with empty_l1 the L1 too.
 */
static bool zero_page(uint64_t pfn, bool empty_l1)
{
	if (pfn == L4_PFN + 3)
		return empty_l1;
	if (pfn >= L4_PFN && pfn < L4_PFN + 3)
		return false;
	return pfn % 4 == 0 || pfn >= PAGES - PAGES / 4;
}

static void page(uint64_t pfn, bool empty_l1, uint64_t *pg)
{
	memset(pg, 0, 4096);
	if (zero_page(pfn, empty_l1))
		return;
	if (pfn >= L4_PFN && pfn < L4_PFN + 3)
		pg[0] = ((pfn + 1) << 12) | 7;
	else if (pfn == L4_PFN + 3)
		for (uint64_t i = 0; i < 4; i++)
			pg[i] = (i << 12) | 3;
	else
		memset(pg, (int)((pfn & 0x7f) | 1), 4096);
}

/* A XenStore guest's DEVICES record: a file, a read-only block device
 * and one whose kind is found at attach time. */
static void disks(struct chaos_saveimg_devices *dev)
{
	static const char *const targets[] = {
		"/srv/fz/root.img", "/dev/vg0/fz-data", "/srv/fz/swap",
	};
	static const char *const vdevs[] = { "xvda", "xvdb", "xvdq" };
	chaos_config cfg;
	chaos_err err;

	chaos_config_init(&cfg);
	cfg.nr_disks = 3;
	cfg.disks[0].kind = CHAOS_DISK_FILE;
	cfg.disks[1].kind = CHAOS_DISK_BLOCK;
	cfg.disks[1].readonly = true;
	cfg.disks[2].kind = CHAOS_DISK_AUTO;
	for (size_t i = 0; i < cfg.nr_disks; i++) {
		strcpy(cfg.disks[i].vdev, vdevs[i]);
		if (chaos_config_parse_vdev(vdevs[i], &cfg.disks[i].devid, &err))
			abort();
	}
	if (chaos_saveimg_devices_pack(dev, true, &cfg, targets, &err)) {
		fprintf(stderr, "devices: %s\n", err.msg);
		exit(1);
	}
	chaos_config_free(&cfg);
}

static void state(struct chaos_saveimg *img, struct chaos_saveimg_vcpu *v,
		  uint32_t nr_vcpus, uint64_t *frame, uint8_t *types, bool vif,
		  bool xenstore)
{
	memset(img, 0, sizeof(*img));
	memset(v, 0, sizeof(*v) * nr_vcpus);
	img->nr_pages = PAGES;
	img->start_info_pfn = SI_PFN;
	img->nr_vcpus = nr_vcpus;
	strcpy(img->cfg.name, "fz");
	img->cfg.memory_mib = 1;
	img->cfg.vcpus = nr_vcpus;
	if (vif) {
		img->cfg.nr_vifs = 1;
		memcpy(img->cfg.vifs[0].mac, "\x00\x16\x3e\x01\x02\x03", 6);
		img->cfg.vifs[0].ip_set = 1;
		memcpy(img->cfg.vifs[0].ip, "\x0a\x00\x00\x02", 4);
		strcpy(img->cfg.vifs[0].bridge, "br0");
	}
	if (xenstore)
		disks(&img->dev);
	else
		img->dev.devices = CHAOS_SAVEIMG_DEVICES_NOXS;
	fx_cpu_state(&img->cpu);
	for (uint32_t i = 0; i < nr_vcpus; i++) {
		v[i].online = CHAOS_SAVEIMG_VCPU_ONLINE;
		v[i].ctx.flags = VGCF_online;
		v[i].ctx.ctrlreg[3] = (uint64_t)L4_PFN << 12;
		/* VCPU_EXT as a 64-bit Linux guest's: a 32-bit syscall
		 * callback, one MSR, an XSAVE blob of x87, SSE and AVX. */
		v[i].ext.syscall32_eip = 0xffffffff81a00000ull;
		v[i].ext.syscall32_cs = 0xe033;
		v[i].ext.nr_msrs = 1;
		v[i].ext.msrs[0].index = 0xc0000103;
		v[i].ext.msrs[0].value = i;
		v[i].ext.xsave_len = 16 + 832;
		v[i].ext.xsave[0] = 7;
		v[i].ext.xsave[8] = 7;
	}
	v[0].ctx.user_regs.rdx = SI_PFN;
	img->vcpus = v;
	*frame = P2M_PFN;
	img->nr_p2m_frames = 1;
	img->p2m_frames = frame;
	memset(types, CHAOS_PAGE_DATA, PAGES);
	types[L4_PFN] = 4 | CHAOS_PAGE_PINNED;
	types[L4_PFN + 1] = 3;
	types[L4_PFN + 2] = 2;
	types[L4_PFN + 3] = 1;
	img->types = types;
}

/* A version 10 image: only the pages with bytes, the others in the map. */
static void v6(uint32_t nr_vcpus, bool vif, bool empty_l1, bool xenstore,
	       const char *name)
{
	struct chaos_saveimg img;
	struct chaos_saveimg_vcpu v[2];
	struct chaos_saveimg_stream s;
	struct out o = { 0 };
	uint64_t frame, pg[512];
	uint8_t types[PAGES], digest[CHAOS_SAVEIMG_HASH_SIZE];
	uint8_t map[(PAGES + 63) / 64 * 8] = { 0 };
	size_t head = chaos_saveimg_head_size(PAGES, nr_vcpus);
	uint8_t *buf = malloc(head);
	chaos_err err;

	_Static_assert(sizeof(map) == (PAGES + 63) / 64 * 8, "map size");
	state(&img, v, nr_vcpus, &frame, types, vif, xenstore);
	for (uint64_t pfn = 0; pfn < PAGES; pfn++)
		if (!zero_page(pfn, empty_l1)) {
			map[pfn / 8] |= (uint8_t)(1u << (pfn % 8));
			img.present++;
		}
	img.present_map = map;
	if (!buf || chaos_saveimg_map_size(PAGES) != sizeof(map) ||
	    chaos_saveimg_stream_init(&s, out_write, &o, &err) ||
	    chaos_saveimg_encode_head(buf, head, &img, &err) ||
	    chaos_saveimg_put(&s, buf, head, &err) ||
	    chaos_saveimg_put(&s, types, sizeof(types), &err) ||
	    chaos_saveimg_put(&s, map, sizeof(map), &err)) {
		fprintf(stderr, "v6: %s\n", err.msg);
		exit(1);
	}
	o.pages = true;
	for (uint64_t pfn = 0; pfn < PAGES; pfn++) {
		if (!chaos_saveimg_has_bytes(map, pfn))
			continue;
		page(pfn, empty_l1, pg);
		if (chaos_saveimg_put(&s, pg, sizeof(pg), &err)) {
			fprintf(stderr, "v6: %s\n", err.msg);
			exit(1);
		}
	}
	o.pages = false;
	if (chaos_saveimg_put_end(&s, digest, &err)) {
		fprintf(stderr, "v6: %s\n", err.msg);
		exit(1);
	}
	chaos_saveimg_stream_free(&s);
	put("saveimg", name, o.buf, o.len);
	free(o.buf);
	free(buf);
}

/*
 * A live BATCH as live_send.c writes it: an all-zero page as a flag, no
 * bytes; in round 1 pfn 21, sent with bytes in round 0, is zero now.
 */
static bool live_zero(uint32_t round, uint64_t pfn)
{
	return zero_page(pfn, false) || (round == 1 && pfn == 21);
}

static void batch(struct chaos_saveimg_stream *s, struct out *o,
		  uint32_t round, const uint64_t *pfns, uint32_t n)
{
	uint64_t pg[512], entries[PAGES];
	chaos_err err;

	for (uint32_t i = 0; i < n; i++) {
		entries[i] = pfns[i] |
			     (live_zero(round, pfns[i]) ? CHAOS_LIVE_ZERO : 0);
		/* Page tables and the p2m list: machine-independent. */
		if (pfns[i] == P2M_PFN ||
		    (pfns[i] >= L4_PFN && pfns[i] <= L4_PFN + 3))
			entries[i] |= CHAOS_LIVE_CANON;
	}
	if (chaos_live_put_batch(s, round, entries, n, &err)) {
		fprintf(stderr, "v7: %s\n", err.msg);
		exit(1);
	}
	o->pages = true;
	for (uint32_t i = 0; i < n; i++) {
		if (entries[i] & CHAOS_LIVE_ZERO)
			continue;
		page(pfns[i], false, pg);
		chaos_saveimg_put(s, pg, sizeof(pg), &err);
	}
	o->pages = false;
}

/*
 * A live stream: round 0 every page (the last quarter, all zero, in a
 * batch of its own: nothing for the receiver to do), round 1 pfns
 * 20..29 (21 cleared), the final round the pages the state depends on,
 * pfn 41 and pfn 44 (zero, flagged again: it is cleared this time).
 */
static void v7(bool xenstore, const char *name)
{
	struct chaos_saveimg img;
	struct chaos_saveimg_vcpu v;
	struct chaos_saveimg_stream s;
	struct out o = { 0 };
	uint64_t frame, pfns[PAGES];
	uint64_t final[] = { SI_PFN, P2M_PFN, L4_PFN, L4_PFN + 1, L4_PFN + 2,
			     L4_PFN + 3, 41, 44 };
	uint8_t types[PAGES], digest[CHAOS_SAVEIMG_HASH_SIZE];
	chaos_err err;

	state(&img, &v, 1, &frame, types, !xenstore, xenstore);
	for (uint64_t i = 0; i < PAGES; i++)
		pfns[i] = i;
	if (chaos_saveimg_stream_init(&s, out_write, &o, &err) ||
	    chaos_live_put_start(&s, PAGES, 1, &img.cpu, &err)) {
		fprintf(stderr, "v7: %s\n", err.msg);
		exit(1);
	}
	batch(&s, &o, 0, pfns, PAGES - PAGES / 4);
	batch(&s, &o, 0, pfns + PAGES - PAGES / 4, PAGES / 4);
	batch(&s, &o, 1, pfns + 20, 10);
	batch(&s, &o, 2, final, sizeof(final) / sizeof(final[0]));
	if (chaos_live_put_state(&s, &img, &err) ||
	    chaos_saveimg_put_end(&s, digest, &err)) {
		fprintf(stderr, "v7: %s\n", err.msg);
		exit(1);
	}
	chaos_saveimg_stream_free(&s);
	put("saveimg_live", name, o.buf, o.len);
	free(o.buf);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s corpus-dir\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	kernels();
	v6(1, true, false, false, "v6-1vcpu-vif");
	v6(2, false, false, false, "v6-2vcpus");
	v6(1, false, true, false, "v6-empty-l1");
	v6(1, false, false, true, "v6-xenstore-disks");
	v7(false, "v7-three-rounds");
	v7(true, "v7-xenstore-disks");
	return 0;
}
