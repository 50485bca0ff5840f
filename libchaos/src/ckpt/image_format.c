// SPDX-License-Identifier: MIT
/*
 * The saved-guest image, encoded and decoded (docs/image-format.md).
 * Decoding treats the buffer as hostile: the total size, the checksum,
 * then each record's type, order and length, then every field.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt/ckpt.h"
#include "util/util.h"

#define PAGE_SIZE 4096u

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "the image is written in host order, which must be little-endian");
_Static_assert(sizeof(struct chaos_saveimg_vif) == 32, "vif record size");
_Static_assert(sizeof(struct chaos_saveimg_config) == 336, "config size");
_Static_assert(sizeof(struct chaos_saveimg_disk) == 32, "disk slot size");
_Static_assert(sizeof(struct chaos_saveimg_devices) == 4096 &&
	       CHAOS_SAVEIMG_DEVICES_SIZE == 4096, "DEVICES record size");
_Static_assert(offsetof(struct chaos_saveimg_devices, targets) ==
	       8 + CHAOS_CONFIG_DISKS_MAX * 32, "targets follow the disk slots");

/* Fixed payload sizes. */
#define DOMAIN_SIZE 32u
#define VCPU_SIZE (8u + sizeof(vcpu_guest_context_x86_64_t))
#define VCPU_EXT_SIZE CHAOS_SAVEIMG_VCPU_EXT_SIZE
#define CONFIG_SIZE sizeof(struct chaos_saveimg_config)
#define DEVICES_SIZE CHAOS_SAVEIMG_DEVICES_SIZE
#define CPU_SIZE CHAOS_SAVEIMG_CPU_SIZE

static uint64_t pad8(uint64_t n)
{
	return (n + 7) & ~UINT64_C(7);
}

uint64_t chaos_saveimg_p2m_frames(uint64_t nr_pages)
{
	return (nr_pages * 8 + PAGE_SIZE - 1) / PAGE_SIZE;
}

static uint64_t max_pages(void)
{
	return (uint64_t)CHAOS_CONFIG_MEMORY_MAX * PAGES_PER_MIB;
}

static uint64_t map_bytes(uint64_t nr_pages)
{
	return (nr_pages + 63) / 64 * 8;
}

/* PAGES: the types, the map of pages with bytes, then those pages. */
static uint64_t pages_payload(uint64_t nr_pages, uint64_t present)
{
	return pad8(nr_pages) + map_bytes(nr_pages) + present * PAGE_SIZE;
}

size_t chaos_saveimg_size(uint64_t nr_pages, uint32_t nr_vcpus)
{
	return chaos_saveimg_size_with(nr_pages, nr_vcpus, nr_pages);
}

size_t chaos_saveimg_size_with(uint64_t nr_pages, uint32_t nr_vcpus,
			       uint64_t present)
{
	uint64_t n = CHAOS_SAVEIMG_HEADER_SIZE;

	if (!nr_pages || nr_pages > max_pages() || !nr_vcpus ||
	    nr_vcpus > CHAOS_CONFIG_VCPUS_MAX || present > nr_pages)
		return 0;
	n += CHAOS_SAVEIMG_RECORD_HEADER + DOMAIN_SIZE;
	n += CHAOS_SAVEIMG_RECORD_HEADER + pad8(CONFIG_SIZE);
	n += CHAOS_SAVEIMG_RECORD_HEADER + DEVICES_SIZE;
	n += CHAOS_SAVEIMG_RECORD_HEADER + CPU_SIZE;
	n += (uint64_t)nr_vcpus * (CHAOS_SAVEIMG_RECORD_HEADER + pad8(VCPU_SIZE));
	n += (uint64_t)nr_vcpus * (CHAOS_SAVEIMG_RECORD_HEADER + pad8(VCPU_EXT_SIZE));
	n += CHAOS_SAVEIMG_RECORD_HEADER + chaos_saveimg_p2m_frames(nr_pages) * 8;
	n += CHAOS_SAVEIMG_RECORD_HEADER + pages_payload(nr_pages, present);
	n += CHAOS_SAVEIMG_RECORD_HEADER + CHAOS_SAVEIMG_HASH_SIZE;
	if (n > SIZE_MAX)
		return 0;
	return (size_t)n;
}

/* Writes a record header; returns where the payload goes. */
static uint8_t *record(uint8_t **at, uint32_t type, uint64_t length)
{
	uint8_t *p = *at;

	saveimg_record_header(p, type, length);
	memset(p + CHAOS_SAVEIMG_RECORD_HEADER, 0, pad8(length));
	*at = p + CHAOS_SAVEIMG_RECORD_HEADER + pad8(length);
	return p + CHAOS_SAVEIMG_RECORD_HEADER;
}

size_t chaos_saveimg_head_size(uint64_t nr_pages, uint32_t nr_vcpus)
{
	size_t total = chaos_saveimg_size(nr_pages, nr_vcpus);

	if (!total)
		return 0;
	return total - pages_payload(nr_pages, nr_pages) - CHAOS_SAVEIMG_TAIL_SIZE;
}

uint8_t *chaos_saveimg_p2m_pages(const struct chaos_saveimg *img)
{
	uint8_t *marks = calloc(img->nr_pages ? img->nr_pages : 1, 1);

	if (marks)
		for (uint64_t i = 0; i < img->nr_p2m_frames; i++)
			marks[img->p2m_frames[i]] = 1;
	return marks;
}

size_t chaos_saveimg_types_size(uint64_t nr_pages)
{
	return (size_t)pad8(nr_pages);
}

size_t chaos_saveimg_map_size(uint64_t nr_pages)
{
	return (size_t)map_bytes(nr_pages);
}

/* DOMAIN, CONFIG, DEVICES, CPU, VCPUs with their VCPU_EXTs and
 * P2M_FRAMES at at; returns where they end. */
static uint8_t *encode_state_records(uint8_t *at,
				     const struct chaos_saveimg *img)
{
	uint8_t *p;

	p = record(&at, CHAOS_REC_DOMAIN, DOMAIN_SIZE);
	saveimg_put64(p, img->nr_pages);
	saveimg_put64(p + 8, img->start_info_pfn);
	saveimg_put32(p + 16, img->nr_vcpus);

	p = record(&at, CHAOS_REC_CONFIG, CONFIG_SIZE);
	memcpy(p, &img->cfg, CONFIG_SIZE);

	p = record(&at, CHAOS_REC_DEVICES, DEVICES_SIZE);
	memcpy(p, &img->dev, DEVICES_SIZE);

	chaos_saveimg_cpu_encode(record(&at, CHAOS_REC_CPU, CPU_SIZE), &img->cpu);

	for (uint32_t v = 0; v < img->nr_vcpus; v++) {
		p = record(&at, CHAOS_REC_VCPU, VCPU_SIZE);
		saveimg_put32(p, v);
		saveimg_put32(p + 4, img->vcpus[v].online);
		memcpy(p + 8, &img->vcpus[v].ctx, sizeof(img->vcpus[v].ctx));
		p = record(&at, CHAOS_REC_VCPU_EXT, VCPU_EXT_SIZE);
		chaos_saveimg_vcpu_ext_encode(p, v, &img->vcpus[v].ext);
	}

	p = record(&at, CHAOS_REC_P2M_FRAMES, img->nr_p2m_frames * 8);
	for (uint64_t i = 0; i < img->nr_p2m_frames; i++)
		saveimg_put64(p + i * 8, img->p2m_frames[i]);

	return at;
}

int chaos_saveimg_encode_head(uint8_t *buf, size_t len,
			      const struct chaos_saveimg *img, chaos_err *err)
{
	size_t total = chaos_saveimg_size_with(img->nr_pages, img->nr_vcpus,
					       img->present);
	uint8_t *at = buf;

	if (!total || len != chaos_saveimg_head_size(img->nr_pages, img->nr_vcpus))
		return chaos_err_set(err, EINVAL,
				     "image: %llu pages and %u vCPUs do not fit a %zu-byte head",
				     (unsigned long long)img->nr_pages,
				     img->nr_vcpus, len);
	if (img->nr_p2m_frames != chaos_saveimg_p2m_frames(img->nr_pages))
		return chaos_err_set(err, EINVAL,
				     "image: %llu p2m frames for %llu pages",
				     (unsigned long long)img->nr_p2m_frames,
				     (unsigned long long)img->nr_pages);
	/* A DEVICES or CPU record nobody filled in (all zero) is not
	 * written. */
	if (chaos_saveimg_devices_check(&img->dev, err) ||
	    chaos_saveimg_cpu_check(&img->cpu, err))
		return -1;
	memset(buf, 0, CHAOS_SAVEIMG_HEADER_SIZE);
	memcpy(buf, CHAOS_SAVEIMG_MAGIC, 8);
	saveimg_put32(buf + 8, CHAOS_SAVEIMG_VERSION);
	saveimg_put32(buf + 12, CHAOS_SAVEIMG_HEADER_SIZE);
	saveimg_put64(buf + 16, total);
	at += CHAOS_SAVEIMG_HEADER_SIZE;

	at = encode_state_records(at, img);
	/* Only the header: the payload (types, map, pages) is the caller's. */
	saveimg_record_header(at, CHAOS_REC_PAGES,
			      pages_payload(img->nr_pages, img->present));
	return 0;
}

void chaos_saveimg_end_header(uint8_t out[CHAOS_SAVEIMG_RECORD_HEADER])
{
	saveimg_record_header(out, CHAOS_REC_END, CHAOS_SAVEIMG_HASH_SIZE);
}

void chaos_saveimg_free(struct chaos_saveimg *img)
{
	free(img->vcpus);
	free(img->p2m_frames);
	free(img->owned);
	img->vcpus = NULL;
	img->p2m_frames = NULL;
	img->owned = NULL;
	img->types = NULL;
	img->present_map = NULL;
}

int chaos_saveimg_peek_size(const uint8_t *hdr, size_t len, uint64_t *total,
			    chaos_err *err)
{
	uint32_t version, hsize;

	if (len < CHAOS_SAVEIMG_HEADER_SIZE)
		return chaos_err_set(err, EINVAL,
				     "image: %zu bytes, too short for the %u-byte header",
				     len, CHAOS_SAVEIMG_HEADER_SIZE);
	if (memcmp(hdr, CHAOS_SAVEIMG_MAGIC, 8))
		return chaos_err_set(err, EINVAL,
				     "image: bad magic (not a chaos saved guest)");
	version = saveimg_get32(hdr + 8);
	if (version != CHAOS_SAVEIMG_VERSION)
		return chaos_err_set(err, EINVAL,
				     "image: version %u, this chaos reads version %u",
				     version, CHAOS_SAVEIMG_VERSION);
	hsize = saveimg_get32(hdr + 12);
	if (hsize != CHAOS_SAVEIMG_HEADER_SIZE)
		return chaos_err_set(err, EINVAL, "image: header_size %u, expected %u",
				     hsize, CHAOS_SAVEIMG_HEADER_SIZE);
	if (saveimg_get64(hdr + 24))
		return chaos_err_set(err, EINVAL, "image: header reserved field not zero");
	*total = saveimg_get64(hdr + 16);
	if (*total < CHAOS_SAVEIMG_MIN_SIZE ||
	    *total > chaos_saveimg_size(max_pages(), CHAOS_CONFIG_VCPUS_MAX))
		return chaos_err_set(err, EINVAL,
				     "image: total_size %llu is not a possible image size",
				     (unsigned long long)*total);
	return 0;
}

/* A cursor over the records. */
struct reader {
	const uint8_t *buf;
	size_t len, at;	/* len: the whole image's */
	size_t have;	/* bytes of it in buf (the head only, when streaming) */
	unsigned int index;
	bool sized;	/* len is the whole image's: DOMAIN must match it */
};

static int next_record(struct reader *r, uint32_t want, uint64_t *length,
		       const uint8_t **payload, chaos_err *err)
{
	static const char *const names[] = {
		[CHAOS_REC_DOMAIN] = "DOMAIN", [CHAOS_REC_CONFIG] = "CONFIG",
		[CHAOS_REC_VCPU] = "VCPU", [CHAOS_REC_P2M_FRAMES] = "P2M_FRAMES",
		[CHAOS_REC_PAGES] = "PAGES", [CHAOS_REC_END] = "END",
		[CHAOS_REC_MEMORY] = "MEMORY", [CHAOS_REC_BATCH] = "BATCH",
		[CHAOS_REC_TYPES] = "TYPES", [CHAOS_REC_DEVICES] = "DEVICES",
		[CHAOS_REC_VCPU_EXT] = "VCPU_EXT", [CHAOS_REC_CPU] = "CPU",
	};
	uint32_t type;
	uint64_t n;

	r->index++;
	if (r->have - r->at < CHAOS_SAVEIMG_RECORD_HEADER)
		return chaos_err_set(err, EINVAL,
				     "image: record %u (%s) missing: the image ends at byte %zu",
				     r->index, names[want], r->at);
	type = saveimg_get32(r->buf + r->at);
	n = saveimg_get64(r->buf + r->at + 8);
	if (type != want)
		return chaos_err_set(err, EINVAL,
				     "image: record %u at byte %zu has type %u, expected %s (%u)",
				     r->index, r->at, type, names[want], want);
	if (saveimg_get32(r->buf + r->at + 4))
		return chaos_err_set(err, EINVAL,
				     "image: record %u (%s): flags not zero",
				     r->index, names[want]);
	if (n > r->len - r->at - CHAOS_SAVEIMG_RECORD_HEADER ||
	    pad8(n) > r->len - r->at - CHAOS_SAVEIMG_RECORD_HEADER)
		return chaos_err_set(err, EINVAL,
				     "image: record %u (%s): length %llu runs past the end",
				     r->index, names[want], (unsigned long long)n);
	/* Every payload but the pages must be at hand. */
	if (want != CHAOS_REC_PAGES &&
	    pad8(n) > r->have - r->at - CHAOS_SAVEIMG_RECORD_HEADER)
		return chaos_err_set(err, EINVAL,
				     "image: record %u (%s): length %llu runs past the head",
				     r->index, names[want], (unsigned long long)n);
	*length = n;
	*payload = r->buf + r->at + CHAOS_SAVEIMG_RECORD_HEADER;
	r->at += CHAOS_SAVEIMG_RECORD_HEADER + pad8(n);
	return 0;
}

static int expect_length(const char *what, uint64_t got, uint64_t want,
			 chaos_err *err)
{
	if (got != want)
		return chaos_err_set(err, EINVAL,
				     "image: %s record is %llu bytes, expected %llu",
				     what, (unsigned long long)got,
				     (unsigned long long)want);
	return 0;
}

static int decode_domain(struct reader *r, struct chaos_saveimg *img,
			 chaos_err *err)
{
	const uint8_t *p;
	uint64_t n;

	if (next_record(r, CHAOS_REC_DOMAIN, &n, &p, err) ||
	    expect_length("DOMAIN", n, DOMAIN_SIZE, err))
		return -1;
	img->nr_pages = saveimg_get64(p);
	img->start_info_pfn = saveimg_get64(p + 8);
	img->nr_vcpus = saveimg_get32(p + 16);
	if (!img->nr_pages || img->nr_pages > max_pages())
		return chaos_err_set(err, EINVAL,
				     "image: DOMAIN nr_pages %llu is not from 1 to %llu",
				     (unsigned long long)img->nr_pages,
				     (unsigned long long)max_pages());
	if (!img->nr_vcpus || img->nr_vcpus > CHAOS_CONFIG_VCPUS_MAX)
		return chaos_err_set(err, EINVAL,
				     "image: DOMAIN nr_vcpus %u is not from 1 to %u",
				     img->nr_vcpus, CHAOS_CONFIG_VCPUS_MAX);
	if (img->start_info_pfn >= img->nr_pages)
		return chaos_err_set(err, EINVAL,
				     "image: DOMAIN start_info_pfn %#llx is outside %llu pages",
				     (unsigned long long)img->start_info_pfn,
				     (unsigned long long)img->nr_pages);
	if (saveimg_get32(p + 20) || saveimg_get64(p + 24))
		return chaos_err_set(err, EINVAL, "image: DOMAIN reserved fields not zero");
	if (r->sized) {
		/* Between no page with bytes and all of them, in whole pages;
		 * the PAGES map must then account for exactly that many. */
		size_t least = chaos_saveimg_size_with(img->nr_pages,
						       img->nr_vcpus, 0);
		size_t most = chaos_saveimg_size(img->nr_pages, img->nr_vcpus);

		if (r->len < least || r->len > most ||
		    (r->len - least) % PAGE_SIZE)
			return chaos_err_set(err, EINVAL,
					     "image: %zu bytes, but %llu pages and %u vCPUs make %zu to %zu in whole pages",
					     r->len,
					     (unsigned long long)img->nr_pages,
					     img->nr_vcpus, least, most);
	}
	return 0;
}

static bool bridge_ok(const char *b)
{
	size_t n = strnlen(b, CHAOS_CONFIG_BRIDGE_MAX);

	if (n == CHAOS_CONFIG_BRIDGE_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = b[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.'))
			return false;
	}
	/* Unused bytes are zero: nothing hides behind the NUL. */
	for (size_t i = n; i < CHAOS_CONFIG_BRIDGE_MAX; i++)
		if (b[i])
			return false;
	return true;
}

static int check_vif(const struct chaos_saveimg_vif *v, unsigned int i,
		     chaos_err *err)
{
	static const uint8_t zero[6];

	if ((v->mac[0] & 1) || !memcmp(v->mac, zero, 6))
		return chaos_err_set(err, EINVAL,
				     "image: CONFIG vifs[%u].mac is not a unicast address", i);
	if (v->ip_set > 1)
		return chaos_err_set(err, EINVAL, "image: CONFIG vifs[%u].ip_set is %u",
				     i, v->ip_set);
	if (!v->ip_set && memcmp(v->ip, zero, 4))
		return chaos_err_set(err, EINVAL,
				     "image: CONFIG vifs[%u].ip set without ip_set", i);
	for (size_t k = 0; k < sizeof(v->reserved); k++)
		if (v->reserved[k])
			return chaos_err_set(err, EINVAL,
					     "image: CONFIG vifs[%u] reserved bytes not zero", i);
	if (!bridge_ok(v->bridge))
		return chaos_err_set(err, EINVAL,
				     "image: CONFIG vifs[%u].bridge is not an interface name", i);
	return 0;
}

static int decode_config(struct reader *r, struct chaos_saveimg *img,
			 chaos_err *err)
{
	struct chaos_saveimg_config *c = &img->cfg;
	static const struct chaos_saveimg_vif unused;
	const uint8_t *p;
	uint64_t n;
	size_t name_len;

	if (next_record(r, CHAOS_REC_CONFIG, &n, &p, err) ||
	    expect_length("CONFIG", n, CONFIG_SIZE, err))
		return -1;
	memcpy(c, p, sizeof(*c));
	name_len = strnlen(c->name, sizeof(c->name));
	if (name_len == sizeof(c->name))
		return chaos_err_set(err, EINVAL, "image: CONFIG name is not terminated");
	for (size_t i = name_len; i < sizeof(c->name); i++)
		if (c->name[i])
			return chaos_err_set(err, EINVAL,
					     "image: CONFIG name has bytes after its end");
	if (name_len && chaos_config_check_name(c->name, NULL))
		return chaos_err_set(err, EINVAL, "image: CONFIG name is not a valid guest name");
	if (c->memory_mib * PAGES_PER_MIB != img->nr_pages ||
	    c->memory_mib > CHAOS_CONFIG_MEMORY_MAX)
		return chaos_err_set(err, EINVAL,
				     "image: CONFIG memory %llu MiB does not match %llu pages",
				     (unsigned long long)c->memory_mib,
				     (unsigned long long)img->nr_pages);
	if (c->vcpus != img->nr_vcpus)
		return chaos_err_set(err, EINVAL,
				     "image: CONFIG vcpus %u does not match DOMAIN's %u",
				     c->vcpus, img->nr_vcpus);
	if (c->on_poweroff > CHAOS_ACTION_PRESERVE ||
	    c->on_reboot > CHAOS_ACTION_PRESERVE ||
	    c->on_crash > CHAOS_ACTION_PRESERVE)
		return chaos_err_set(err, EINVAL, "image: CONFIG has an unknown on_* action");
	if (c->nr_vifs > CHAOS_CONFIG_VIFS_MAX)
		return chaos_err_set(err, EINVAL, "image: CONFIG nr_vifs %u is more than %u",
				     c->nr_vifs, CHAOS_CONFIG_VIFS_MAX);
	for (unsigned int i = 0; i < CHAOS_CONFIG_VIFS_MAX; i++) {
		if (i >= c->nr_vifs) {
			if (memcmp(&c->vifs[i], &unused, sizeof(unused)))
				return chaos_err_set(err, EINVAL,
						     "image: CONFIG unused vifs[%u] not zero", i);
			continue;
		}
		if (check_vif(&c->vifs[i], i, err))
			return -1;
		for (unsigned int j = 0; j < i; j++)
			if (!memcmp(c->vifs[i].mac, c->vifs[j].mac, 6))
				return chaos_err_set(err, EINVAL,
						     "image: CONFIG vifs[%u].mac is also vifs[%u]'s",
						     i, j);
	}
	return 0;
}

/* Version 6: how the guest's devices are served, its disks. */
static int decode_devices(struct reader *r, struct chaos_saveimg *img,
			  chaos_err *err)
{
	const uint8_t *p;
	uint64_t n;

	if (next_record(r, CHAOS_REC_DEVICES, &n, &p, err) ||
	    expect_length("DEVICES", n, DEVICES_SIZE, err))
		return -1;
	memcpy(&img->dev, p, DEVICES_SIZE);
	return chaos_saveimg_devices_check(&img->dev, err);
}

/* Version 10 (the live stream's 11): the guest's CPU. */
static int decode_cpu(struct reader *r, struct chaos_saveimg *img,
		      chaos_err *err)
{
	const uint8_t *p;
	uint64_t n;

	if (next_record(r, CHAOS_REC_CPU, &n, &p, err) ||
	    expect_length("CPU", n, CPU_SIZE, err))
		return -1;
	return chaos_saveimg_cpu_decode(p, &img->cpu, err);
}

static int decode_vcpus(struct reader *r, struct chaos_saveimg *img,
			chaos_err *err)
{
	img->vcpus = calloc(img->nr_vcpus, sizeof(*img->vcpus));
	if (!img->vcpus)
		return chaos_err_set(err, ENOMEM, "out of memory");
	for (uint32_t v = 0; v < img->nr_vcpus; v++) {
		struct chaos_saveimg_vcpu *vc = &img->vcpus[v];
		const uint8_t *p;
		uint64_t n;

		if (next_record(r, CHAOS_REC_VCPU, &n, &p, err) ||
		    expect_length("VCPU", n, VCPU_SIZE, err))
			return -1;
		if (saveimg_get32(p) != v)
			return chaos_err_set(err, EINVAL,
					     "image: VCPU record for vCPU %u where vCPU %u belongs",
					     saveimg_get32(p), v);
		vc->online = saveimg_get32(p + 4);
		if (vc->online > CHAOS_SAVEIMG_VCPU_ONLINE)
			return chaos_err_set(err, EINVAL,
					     "image: VCPU %u: flags %#x unknown", v,
					     vc->online);
		memcpy(&vc->ctx, p + 8, sizeof(vc->ctx));
		if (!!vc->online != !!(vc->ctx.flags & VGCF_online))
			return chaos_err_set(err, EINVAL,
					     "image: VCPU %u: online flag and context disagree", v);
		if (next_record(r, CHAOS_REC_VCPU_EXT, &n, &p, err) ||
		    expect_length("VCPU_EXT", n, VCPU_EXT_SIZE, err) ||
		    chaos_saveimg_vcpu_ext_decode(p, v, vc->online, &vc->ext, err))
			return -1;
	}
	if (!img->vcpus[0].online)
		return chaos_err_set(err, EINVAL, "image: vCPU 0 is not online");
	return 0;
}

static int decode_p2m_frames(struct reader *r, struct chaos_saveimg *img,
			     chaos_err *err)
{
	const uint8_t *p;
	uint64_t n;

	img->nr_p2m_frames = chaos_saveimg_p2m_frames(img->nr_pages);
	if (next_record(r, CHAOS_REC_P2M_FRAMES, &n, &p, err) ||
	    expect_length("P2M_FRAMES", n, img->nr_p2m_frames * 8, err))
		return -1;
	img->p2m_frames = calloc(img->nr_p2m_frames, sizeof(uint64_t));
	if (!img->p2m_frames)
		return chaos_err_set(err, ENOMEM, "out of memory");
	for (uint64_t i = 0; i < img->nr_p2m_frames; i++) {
		img->p2m_frames[i] = saveimg_get64(p + i * 8);
		if (img->p2m_frames[i] >= img->nr_pages)
			return chaos_err_set(err, EINVAL,
					     "image: P2M_FRAMES[%llu] pfn %#llx is outside %llu pages",
					     (unsigned long long)i,
					     (unsigned long long)img->p2m_frames[i],
					     (unsigned long long)img->nr_pages);
	}
	return 0;
}

/* Every page type known; the p2m list, start info and CR3s where they fit. */
static int check_types(const struct chaos_saveimg *img, chaos_err *err)
{
	for (uint64_t pfn = 0; pfn < img->nr_pages; pfn++) {
		uint8_t t = img->types[pfn];
		uint8_t level = t & CHAOS_PAGE_LEVEL_MASK;

		if ((t & ~(CHAOS_PAGE_LEVEL_MASK | CHAOS_PAGE_PINNED)) ||
		    level > 4 || (level == 0 && (t & CHAOS_PAGE_PINNED)))
			return chaos_err_set(err, EINVAL,
					     "image: PAGES type %#x of pfn %#llx is unknown",
					     t, (unsigned long long)pfn);
	}
	for (uint64_t i = 0; i < img->nr_p2m_frames; i++)
		if (img->types[img->p2m_frames[i]] != CHAOS_PAGE_DATA)
			return chaos_err_set(err, EINVAL,
					     "image: p2m frame pfn %#llx is a page table",
					     (unsigned long long)img->p2m_frames[i]);
	if (img->types[img->start_info_pfn] != CHAOS_PAGE_DATA)
		return chaos_err_set(err, EINVAL, "image: the start info pfn is a page table");
	for (uint32_t v = 0; v < img->nr_vcpus; v++) {
		const vcpu_guest_context_x86_64_t *c = &img->vcpus[v].ctx;
		uint64_t cr3 = c->ctrlreg[3] >> 12;

		if (!img->vcpus[v].online)
			continue;
		if (cr3 >= img->nr_pages ||
		    img->types[cr3] != (4 | CHAOS_PAGE_PINNED))
			return chaos_err_set(err, EINVAL,
					     "image: vCPU %u: cr3 pfn %#llx is not a pinned L4 table",
					     v, (unsigned long long)cr3);
	}
	return 0;
}

/* The map of pages with bytes: no bit past the last page; how many. */
static int decode_map(const uint8_t *map, uint64_t nr_pages,
		      uint64_t *present, chaos_err *err)
{
	uint64_t words = map_bytes(nr_pages) / 8, count = 0;

	for (uint64_t w = 0; w < words; w++) {
		uint64_t bits = saveimg_get64(map + w * 8);

		if (w == words - 1 && nr_pages % 64 &&
		    (bits >> (nr_pages % 64)))
			return chaos_err_set(err, EINVAL,
					     "image: PAGES map marks pages past the guest's %llu",
					     (unsigned long long)nr_pages);
		count += (uint64_t)__builtin_popcountll(bits);
	}
	*present = count;
	return 0;
}

/* The PAGES record's header, types and map (the pages follow). */
static int decode_pages(struct reader *r, struct chaos_saveimg *img,
			chaos_err *err)
{
	size_t meta = (size_t)(pad8(img->nr_pages) + map_bytes(img->nr_pages));
	const uint8_t *p;
	uint64_t n;

	if (next_record(r, CHAOS_REC_PAGES, &n, &p, err))
		return -1;
	if (meta > r->have - (size_t)(p - r->buf))
		return chaos_err_set(err, EINVAL,
				     "image: PAGES types and map run past the head");
	img->types = (uint8_t *)p;
	img->present_map = (uint8_t *)p + pad8(img->nr_pages);
	if (decode_map(img->present_map, img->nr_pages, &img->present, err) ||
	    expect_length("PAGES", n, pages_payload(img->nr_pages, img->present),
			  err))
		return -1;
	/* The record fills the image up to END: no room for anything else. */
	if (r->sized && r->at + CHAOS_SAVEIMG_TAIL_SIZE != r->len)
		return chaos_err_set(err, EINVAL,
				     "image: PAGES maps %llu pages with bytes, the image's size says otherwise",
				     (unsigned long long)img->present);
	return check_types(img, err);
}

/* The live stream's TYPES record, whole. */
static int decode_types(struct reader *r, struct chaos_saveimg *img,
			chaos_err *err)
{
	const uint8_t *p;
	uint64_t n;

	if (next_record(r, CHAOS_REC_TYPES, &n, &p, err) ||
	    expect_length("TYPES", n, img->nr_pages, err))
		return -1;
	img->types = (uint8_t *)p;
	return check_types(img, err);
}

int chaos_saveimg_head_len(const uint8_t *buf, size_t have, uint64_t total,
			   size_t *head_len, uint64_t *nr_pages,
			   chaos_err *err)
{
	struct reader r = { .buf = buf, .len = (size_t)total, .have = have,
			    .at = CHAOS_SAVEIMG_HEADER_SIZE, .sized = true };
	struct chaos_saveimg img = { 0 };
	uint64_t said;

	if (chaos_saveimg_peek_size(buf, have, &said, err))
		return -1;
	if (said != total)
		return chaos_err_set(err, EINVAL,
				     "image: %llu bytes, the header says %llu (truncated or padded)",
				     (unsigned long long)total,
				     (unsigned long long)said);
	if (have < CHAOS_SAVEIMG_PEEK_SIZE)
		return chaos_err_set(err, EINVAL, "image: %zu bytes, too short", have);
	/* Checks the counts and that they can make total bytes. */
	if (decode_domain(&r, &img, err))
		return -1;
	*head_len = chaos_saveimg_head_size(img.nr_pages, img.nr_vcpus) +
		    (size_t)pad8(img.nr_pages) + (size_t)map_bytes(img.nr_pages);
	if (nr_pages)
		*nr_pages = img.nr_pages;
	return 0;
}

int chaos_saveimg_decode_head(const uint8_t *buf, size_t have, uint64_t total,
			      struct chaos_saveimg *img, chaos_err *err)
{
	struct reader r = { .buf = buf, .len = (size_t)total, .have = have,
			    .at = CHAOS_SAVEIMG_HEADER_SIZE, .sized = true };

	memset(img, 0, sizeof(*img));
	if (have > total || have < CHAOS_SAVEIMG_PEEK_SIZE)
		return chaos_err_set(err, EINVAL, "image: a %zu-byte head", have);
	if (decode_domain(&r, img, err) || decode_config(&r, img, err) ||
	    decode_devices(&r, img, err) || decode_cpu(&r, img, err) ||
	    decode_vcpus(&r, img, err) || decode_p2m_frames(&r, img, err) ||
	    decode_pages(&r, img, err)) {
		chaos_saveimg_free(img);
		return -1;
	}
	return 0;
}

int chaos_saveimg_check_end(const uint8_t hdr[CHAOS_SAVEIMG_RECORD_HEADER],
			    chaos_err *err)
{
	uint8_t want[CHAOS_SAVEIMG_RECORD_HEADER];

	chaos_saveimg_end_header(want);
	if (memcmp(hdr, want, sizeof(want)))
		return chaos_err_set(err, EINVAL,
				     "image: the END record (type %u, %u bytes) is not where it belongs",
				     CHAOS_REC_END, CHAOS_SAVEIMG_HASH_SIZE);
	return 0;
}

size_t chaos_saveimg_state_size(uint64_t nr_pages, uint32_t nr_vcpus)
{
	size_t head = chaos_saveimg_head_size(nr_pages, nr_vcpus);

	/* The head without the file header and PAGES' header, plus TYPES. */
	if (!head)
		return 0;
	return head - CHAOS_SAVEIMG_HEADER_SIZE + (size_t)pad8(nr_pages);
}

int chaos_saveimg_encode_state(uint8_t *buf, size_t len,
			       const struct chaos_saveimg *img, chaos_err *err)
{
	uint8_t *at;

	if (!chaos_saveimg_state_size(img->nr_pages, img->nr_vcpus) ||
	    len != chaos_saveimg_state_size(img->nr_pages, img->nr_vcpus) ||
	    img->nr_p2m_frames != chaos_saveimg_p2m_frames(img->nr_pages))
		return chaos_err_set(err, EINVAL,
				     "image: %llu pages and %u vCPUs do not fit a %zu-byte state",
				     (unsigned long long)img->nr_pages,
				     img->nr_vcpus, len);
	if (chaos_saveimg_devices_check(&img->dev, err) ||
	    chaos_saveimg_cpu_check(&img->cpu, err))
		return -1;
	at = encode_state_records(buf, img);
	memcpy(record(&at, CHAOS_REC_TYPES, img->nr_pages), img->types,
	       img->nr_pages);
	return 0;
}

int chaos_saveimg_decode_state(const uint8_t *buf, size_t len,
			       uint64_t nr_pages, uint32_t nr_vcpus,
			       struct chaos_saveimg *img, chaos_err *err)
{
	struct reader r = { .buf = buf, .len = len, .have = len };

	memset(img, 0, sizeof(*img));
	if (decode_domain(&r, img, err))
		goto fail;
	/* The stream said how big the guest is before its pages came. */
	if (img->nr_pages != nr_pages || img->nr_vcpus != nr_vcpus) {
		chaos_err_set(err, EINVAL,
			      "image: DOMAIN says %llu pages and %u vCPUs, MEMORY said %llu and %u",
			      (unsigned long long)img->nr_pages, img->nr_vcpus,
			      (unsigned long long)nr_pages, nr_vcpus);
		goto fail;
	}
	if (decode_config(&r, img, err) || decode_devices(&r, img, err) ||
	    decode_cpu(&r, img, err) || decode_vcpus(&r, img, err) ||
	    decode_p2m_frames(&r, img, err) || decode_types(&r, img, err))
		goto fail;
	if (r.at != len) {
		chaos_err_set(err, EINVAL, "image: %zu bytes after the TYPES record",
			      len - r.at);
		goto fail;
	}
	return 0;
fail:
	chaos_saveimg_free(img);
	return -1;
}
