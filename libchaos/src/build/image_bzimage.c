// SPDX-License-Identifier: MIT
/*
 * Linux bzImage: find the compressed vmlinux inside, from the x86 boot
 * protocol's setup header (Documentation/arch/x86/boot.rst), trusting
 * none of its fields.
 */
#include <errno.h>
#include <string.h>

#include "build/build.h"

#define SETUP_SECTS_OFF    0x1f1
#define BOOT_FLAG_OFF      0x1fe
#define HEADER_MAGIC_OFF   0x202
#define VERSION_OFF        0x206
#define PAYLOAD_OFFSET_OFF 0x248
#define PAYLOAD_LENGTH_OFF 0x24c
#define SETUP_HEADER_END   0x250
#define MIN_VERSION        0x0208  /* first with payload_offset/length */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

int chaos_image_bzimage_payload(const uint8_t *buf, size_t len,
				const char *what, const uint8_t **payload,
				size_t *payload_len, chaos_err *err)
{
	unsigned int setup_sects;
	uint16_t version;
	uint64_t pm_start, off, plen;

	if (len < SETUP_HEADER_END ||
	    memcmp(buf + HEADER_MAGIC_OFF, "HdrS", 4) != 0)
		return 0;
	if (get16(buf + BOOT_FLAG_OFF) != 0xaa55)
		return chaos_err_set(err, EINVAL,
				     "%s: bzImage boot_flag is not 0xaa55",
				     what);
	version = get16(buf + VERSION_OFF);
	if (version < MIN_VERSION)
		return chaos_err_set(err, EINVAL,
				     "%s: bzImage boot protocol %u.%02u is "
				     "older than 2.08 (no payload_offset)",
				     what, version >> 8, version & 0xff);
	setup_sects = buf[SETUP_SECTS_OFF];
	if (setup_sects == 0)
		setup_sects = 4;    /* the boot protocol's historic rule */
	pm_start = ((uint64_t)setup_sects + 1) * 512;
	if (pm_start >= len)
		return chaos_err_set(err, EINVAL,
				     "%s: bzImage setup_sects %u runs past "
				     "the end of the file (%zu bytes)",
				     what, setup_sects, len);
	off = pm_start + get32(buf + PAYLOAD_OFFSET_OFF);
	plen = get32(buf + PAYLOAD_LENGTH_OFF);
	if (plen < 16)
		return chaos_err_set(err, EINVAL,
				     "%s: bzImage payload_length %llu is too "
				     "small", what, (unsigned long long)plen);
	if (off >= len || plen > len - off)
		return chaos_err_set(err, EINVAL,
				     "%s: bzImage payload (offset %llu, "
				     "length %llu) lies outside the file "
				     "(%zu bytes)", what,
				     (unsigned long long)off,
				     (unsigned long long)plen, len);
	*payload = buf + off;
	*payload_len = (size_t)plen;
	return 1;
}
