// SPDX-License-Identifier: MIT
/*
 * The decompressors (build/image_decompress.c) on their own: the first
 * byte picks one (gzip, xz, lzma, bzip2, zstd, lz4 frame, lz4 legacy, or
 * detection by magic as the image loader does), the second the output
 * cap (4 KiB to 1 MiB), the rest is the stream. The output must respect
 * the cap whatever the input.
 */
#include <stdint.h>
#include <stdlib.h>

#include "build/build.h"

static const enum chaos_compression kinds[] = {
	CHAOS_COMP_GZIP, CHAOS_COMP_XZ, CHAOS_COMP_LZMA, CHAOS_COMP_BZIP2,
	CHAOS_COMP_ZSTD, CHAOS_COMP_LZ4_FRAME, CHAOS_COMP_LZ4_LEGACY,
	CHAOS_COMP_NONE, /* detect */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum chaos_compression c;
	uint8_t *out;
	size_t out_len, cap;
	chaos_err err;

	if (size < 2)
		return 0;
	c = kinds[data[0] % (sizeof(kinds) / sizeof(kinds[0]))];
	cap = (size_t)4096 << (data[1] % 9);
	data += 2;
	size -= 2;
	if (c == CHAOS_COMP_NONE) {
		c = chaos_image_detect_compression(data, size);
		if (c == CHAOS_COMP_NONE)
			return 0;
	}
	if (chaos_image_decompress(c, data, size, cap, "fuzz", &out, &out_len,
				   &err) < 0)
		return 0;
	if (out_len > cap)
		abort();
	free(out);
	return 0;
}
