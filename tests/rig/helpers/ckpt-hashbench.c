// SPDX-License-Identifier: MIT
/*
 * ckpt-hashbench [MiB]: how fast this host checksums, MACs, scans and
 * copies guest-sized memory, one line per method, and what one reading of
 * the clock costs, so the checkpoint code
 * can pick what pays on the machine it runs on (the rig emulates every
 * instruction, and the ranking differs from a native host's).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <nettle/sha2.h>
#include <nettle/poly1305.h>
#include <nettle/umac.h>
#include <xxhash.h>
#include <zlib.h>

#define CLOCK_READS 2000u

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int page_is_zero(const uint64_t *p)
{
	uint64_t acc = 0;

	for (unsigned int i = 0; i < 512; i += 8)
		acc |= p[i] | p[i + 1] | p[i + 2] | p[i + 3] | p[i + 4] |
		       p[i + 5] | p[i + 6] | p[i + 7];
	return acc == 0;
}

static void report(const char *what, size_t len, double secs, uint64_t sink)
{
	printf("HASHBENCH %-10s %8.1f MiB/s (%.1f ms for %zu MiB) %llx\n", what,
	       (double)len / (1 << 20) / secs, secs * 1e3, len >> 20,
	       (unsigned long long)(sink & 0xf));
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 32;
	size_t len = mib << 20;
	uint8_t *buf = malloc(len), *dst = malloc(len);
	uint8_t out[32];
	uint64_t sink = 0;
	double t;

	if (!buf || !dst)
		return 1;
	for (size_t i = 0; i < len; i += 8) {
		uint64_t v = (uint64_t)i * 0x9e3779b97f4a7c15ull;

		memcpy(buf + i, &v, 8);
	}
	memset(dst, 0, len);

	t = now_s();
	{
		struct sha256_ctx c;

		sha256_init(&c);
		sha256_update(&c, len, buf);
		sha256_digest(&c, 32, out);
	}
	report("sha256", len, now_s() - t, out[0]);

	t = now_s();
	{
		struct umac128_ctx c;
		uint8_t key[16] = { 1 }, nonce[16] = { 2 };

		umac128_set_key(&c, key);
		umac128_set_nonce(&c, sizeof(nonce), nonce);
		umac128_update(&c, len, buf);
		umac128_digest(&c, 16, out);
	}
	report("umac128", len, now_s() - t, out[0]);

	t = now_s();
	{
		struct poly1305_aes_ctx c;
		uint8_t key[POLY1305_AES_KEY_SIZE] = { 3 }, nonce[16] = { 4 };

		poly1305_aes_set_key(&c, key);
		poly1305_aes_set_nonce(&c, nonce);
		poly1305_aes_update(&c, len, buf);
		poly1305_aes_digest(&c, 16, out);
	}
	report("poly1305", len, now_s() - t, out[0]);

	t = now_s();
	sink = XXH64(buf, len, 0);
	report("xxh64", len, now_s() - t, sink);

	t = now_s();
	{
		XXH128_hash_t h = XXH3_128bits(buf, len);

		sink = h.low64;
	}
	report("xxh3-128", len, now_s() - t, sink);

	t = now_s();
	sink = crc32(0, buf, (uInt)len);
	report("crc32", len, now_s() - t, sink);

	t = now_s();
	sink = 0;
	for (size_t i = 0; i < len; i += 4096)
		sink += page_is_zero((const uint64_t *)(dst + i));
	report("zeroscan", len, now_s() - t, sink);

	t = now_s();
	memcpy(dst, buf, len);
	report("memcpy", len, now_s() - t, dst[len - 1]);

	/* What reading the clock costs: a system call where the clocksource
	 * has no vDSO path (Xen's PV clock without a stable TSC), so the
	 * checkpoint code reads it per batch, never per page. */
	t = now_s();
	for (unsigned int i = 0; i < CLOCK_READS; i++)
		sink += (uint64_t)(now_s() * 1e9);
	printf("HASHBENCH clock      %8.2f us per clock_gettime (%u reads) %llx\n",
	       (now_s() - t) * 1e6 / CLOCK_READS, CLOCK_READS,
	       (unsigned long long)(sink & 0xf));
	return 0;
}
