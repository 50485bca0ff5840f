// SPDX-License-Identifier: MIT
/*
 * Decompressing untrusted kernel images with a hard output cap, so a
 * "zip bomb" fails with a clear error instead of eating dom0's memory.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <bzlib.h>
#include <lz4.h>
#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "build/build.h"

#define LZ4_LEGACY_MAGIC 0x184c2102u
#define LZ4_LEGACY_BLOCK (8u << 20)    /* fixed block size of lz4 -l */
#define XZ_MEMLIMIT (128u << 20)       /* decoder dictionary limit */

static bool has_magic(const uint8_t *buf, size_t len, const void *magic,
		      size_t mlen)
{
	return len >= mlen && memcmp(buf, magic, mlen) == 0;
}

enum chaos_compression chaos_image_detect_compression(const uint8_t *buf,
						      size_t len)
{
	static const uint8_t gz[] = { 0x1f, 0x8b, 0x08 };
	static const uint8_t xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
	static const uint8_t lzma_alone[] = { 0x5d, 0x00, 0x00 };
	static const uint8_t zst[] = { 0x28, 0xb5, 0x2f, 0xfd };
	static const uint8_t lz4f[] = { 0x04, 0x22, 0x4d, 0x18 };
	static const uint8_t lz4l[] = { 0x02, 0x21, 0x4c, 0x18 };
	static const uint8_t lzo[] = { 0x89, 'L', 'Z', 'O', 0x00, 0x0d,
				       0x0a, 0x1a, 0x0a };

	if (has_magic(buf, len, gz, sizeof(gz)))
		return CHAOS_COMP_GZIP;
	if (has_magic(buf, len, xz, sizeof(xz)))
		return CHAOS_COMP_XZ;
	if (has_magic(buf, len, zst, sizeof(zst)))
		return CHAOS_COMP_ZSTD;
	if (has_magic(buf, len, lz4f, sizeof(lz4f)))
		return CHAOS_COMP_LZ4_FRAME;
	if (has_magic(buf, len, lz4l, sizeof(lz4l)))
		return CHAOS_COMP_LZ4_LEGACY;
	if (has_magic(buf, len, lzo, sizeof(lzo)))
		return CHAOS_COMP_LZO;
	if (len >= 4 && buf[0] == 'B' && buf[1] == 'Z' && buf[2] == 'h' &&
	    buf[3] >= '1' && buf[3] <= '9')
		return CHAOS_COMP_BZIP2;
	if (has_magic(buf, len, lzma_alone, sizeof(lzma_alone)))
		return CHAOS_COMP_LZMA;
	return CHAOS_COMP_NONE;
}

const char *chaos_compression_name(enum chaos_compression c)
{
	switch (c) {
	case CHAOS_COMP_NONE:
		return "none";
	case CHAOS_COMP_GZIP:
		return "gzip";
	case CHAOS_COMP_XZ:
		return "xz";
	case CHAOS_COMP_LZMA:
		return "lzma";
	case CHAOS_COMP_BZIP2:
		return "bzip2";
	case CHAOS_COMP_ZSTD:
		return "zstd";
	case CHAOS_COMP_LZ4_FRAME:
		return "lz4";
	case CHAOS_COMP_LZ4_LEGACY:
		return "lz4-legacy";
	case CHAOS_COMP_LZO:
		return "lzo";
	}
	return "?";
}

/* Output buffer that grows by doubling up to a hard limit. */
struct outbuf {
	uint8_t *p;
	size_t len, alloc, limit;
};

/* Make room; returns -1 when already at the limit (the "bomb" case). */
static int out_grow(struct outbuf *o, size_t want_free)
{
	size_t n = o->alloc ? o->alloc : (1u << 20);
	uint8_t *p;

	if (o->alloc - o->len >= want_free && o->alloc)
		return 0;
	if (o->alloc >= o->limit)
		return -1;
	while (n - o->len < want_free && n < o->limit)
		n *= 2;
	if (n > o->limit)
		n = o->limit;
	if (n <= o->alloc)
		return -1;
	p = realloc(o->p, n);
	if (!p)
		return -1;
	o->p = p;
	o->alloc = n;
	return 0;
}

static int bomb(const char *what, const char *kind, size_t cap,
		chaos_err *err)
{
	return chaos_err_set(err, EFBIG,
			     "%s: %s data decompresses to more than %zu MiB",
			     what, kind, cap >> 20);
}

static int corrupt(const char *what, const char *kind, const char *why,
		   chaos_err *err)
{
	return chaos_err_set(err, EINVAL, "%s: corrupt %s data: %s", what,
			     kind, why);
}

static int do_gzip(const uint8_t *in, size_t in_len, struct outbuf *o,
		   const char *what, chaos_err *err)
{
	z_stream zs;
	int rc, ret = -1;

	memset(&zs, 0, sizeof(zs));
	if (in_len > UINT_MAX)
		return corrupt(what, "gzip", "input too large", err);
	if (inflateInit2(&zs, 15 + 16) != Z_OK)
		return chaos_err_set(err, ENOMEM, "%s: zlib init failed",
				     what);
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)in_len;
	for (;;) {
		if (o->alloc == o->len && out_grow(o, 1) < 0) {
			bomb(what, "gzip", o->limit, err);
			break;
		}
		zs.next_out = o->p + o->len;
		zs.avail_out = (uInt)(o->alloc - o->len > UINT_MAX ?
				      UINT_MAX : o->alloc - o->len);
		rc = inflate(&zs, Z_NO_FLUSH);
		o->len = (size_t)(zs.next_out - o->p);
		if (rc == Z_STREAM_END) {
			ret = 0;
			break;
		}
		if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
			corrupt(what, "gzip", "truncated", err);
			break;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			corrupt(what, "gzip", zs.msg ? zs.msg : "inflate",
				err);
			break;
		}
	}
	inflateEnd(&zs);
	return ret;
}

static int do_lzma(bool alone, const uint8_t *in, size_t in_len,
		   struct outbuf *o, const char *what, chaos_err *err)
{
	lzma_stream ls = LZMA_STREAM_INIT;
	const char *kind = alone ? "lzma" : "xz";
	lzma_ret rc;
	int ret = -1;

	rc = alone ? lzma_alone_decoder(&ls, XZ_MEMLIMIT)
		   : lzma_stream_decoder(&ls, XZ_MEMLIMIT, 0);
	if (rc != LZMA_OK)
		return chaos_err_set(err, ENOMEM, "%s: %s init failed", what,
				     kind);
	ls.next_in = in;
	ls.avail_in = in_len;
	for (;;) {
		if (o->alloc == o->len && out_grow(o, 1) < 0) {
			bomb(what, kind, o->limit, err);
			break;
		}
		ls.next_out = o->p + o->len;
		ls.avail_out = o->alloc - o->len;
		rc = lzma_code(&ls, LZMA_FINISH);
		o->len = (size_t)(ls.next_out - o->p);
		if (rc == LZMA_STREAM_END) {
			ret = 0;
			break;
		}
		if (rc == LZMA_OK)
			continue;
		if (rc == LZMA_BUF_ERROR && ls.avail_out != 0)
			corrupt(what, kind, "truncated", err);
		else if (rc == LZMA_MEMLIMIT_ERROR)
			corrupt(what, kind, "dictionary too large", err);
		else
			corrupt(what, kind, "bad stream", err);
		break;
	}
	lzma_end(&ls);
	return ret;
}

static int do_bzip2(const uint8_t *in, size_t in_len, struct outbuf *o,
		    const char *what, chaos_err *err)
{
	bz_stream bs;
	int rc, ret = -1;

	memset(&bs, 0, sizeof(bs));
	if (in_len > UINT_MAX)
		return corrupt(what, "bzip2", "input too large", err);
	if (BZ2_bzDecompressInit(&bs, 0, 0) != BZ_OK)
		return chaos_err_set(err, ENOMEM, "%s: bzip2 init failed",
				     what);
	bs.next_in = (char *)in;
	bs.avail_in = (unsigned int)in_len;
	for (;;) {
		size_t before;

		if (o->alloc == o->len && out_grow(o, 1) < 0) {
			bomb(what, "bzip2", o->limit, err);
			break;
		}
		before = o->len;
		bs.next_out = (char *)(o->p + o->len);
		bs.avail_out = (unsigned int)(o->alloc - o->len > UINT_MAX ?
					      UINT_MAX : o->alloc - o->len);
		rc = BZ2_bzDecompress(&bs);
		o->len = (size_t)((uint8_t *)bs.next_out - o->p);
		if (rc == BZ_STREAM_END) {
			ret = 0;
			break;
		}
		if (rc != BZ_OK) {
			corrupt(what, "bzip2", "bad stream", err);
			break;
		}
		if (bs.avail_in == 0 && o->len == before) {
			corrupt(what, "bzip2", "truncated", err);
			break;
		}
	}
	BZ2_bzDecompressEnd(&bs);
	return ret;
}

static int do_zstd(const uint8_t *in, size_t in_len, struct outbuf *o,
		   const char *what, chaos_err *err)
{
	ZSTD_DCtx *dctx = ZSTD_createDCtx();
	ZSTD_inBuffer zin = { in, in_len, 0 };
	int ret = -1;

	if (!dctx)
		return chaos_err_set(err, ENOMEM, "%s: zstd init failed",
				     what);
	/* Refuse frames that ask for a window beyond our cap. */
	ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, 27);
	for (;;) {
		ZSTD_outBuffer zout;
		size_t rc;

		if (o->alloc == o->len && out_grow(o, 1) < 0) {
			bomb(what, "zstd", o->limit, err);
			break;
		}
		zout.dst = o->p;
		zout.size = o->alloc;
		zout.pos = o->len;
		rc = ZSTD_decompressStream(dctx, &zout, &zin);
		o->len = zout.pos;
		if (ZSTD_isError(rc)) {
			corrupt(what, "zstd", ZSTD_getErrorName(rc), err);
			break;
		}
		if (rc == 0) {
			ret = 0;
			break;
		}
		if (zin.pos == zin.size && zout.pos < zout.size) {
			corrupt(what, "zstd", "truncated", err);
			break;
		}
	}
	ZSTD_freeDCtx(dctx);
	return ret;
}

static int do_lz4_frame(const uint8_t *in, size_t in_len, struct outbuf *o,
			const char *what, chaos_err *err)
{
	LZ4F_dctx *dctx;
	size_t pos = 0;
	int ret = -1;

	if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx,
							 LZ4F_VERSION)))
		return chaos_err_set(err, ENOMEM, "%s: lz4 init failed",
				     what);
	for (;;) {
		size_t dst_size, src_size, rc;

		if (o->alloc == o->len && out_grow(o, 1) < 0) {
			bomb(what, "lz4", o->limit, err);
			break;
		}
		dst_size = o->alloc - o->len;
		src_size = in_len - pos;
		rc = LZ4F_decompress(dctx, o->p + o->len, &dst_size, in + pos,
				     &src_size, NULL);
		o->len += dst_size;
		pos += src_size;
		if (LZ4F_isError(rc)) {
			corrupt(what, "lz4", LZ4F_getErrorName(rc), err);
			break;
		}
		if (rc == 0) {
			ret = 0;
			break;
		}
		if (pos == in_len && dst_size == 0) {
			corrupt(what, "lz4", "truncated", err);
			break;
		}
	}
	LZ4F_freeDecompressionContext(dctx);
	return ret;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/*
 * "lz4 -l": magic, then blocks of <le32 compressed size><data>, each
 * expanding to at most 8 MiB. The kernel build appends a le32 size.
 */
static int do_lz4_legacy(const uint8_t *in, size_t in_len, struct outbuf *o,
			 const char *what, chaos_err *err)
{
	size_t pos = 4;
	unsigned int blocks = 0;

	/* Shorter than its magic: in_len - pos below would wrap. */
	if (in_len < 4)
		return corrupt(what, "lz4", "truncated", err);
	while (in_len - pos >= 4) {
		uint32_t csize = le32(in + pos);
		size_t room;
		int n;

		if (csize == LZ4_LEGACY_MAGIC) {   /* concatenated stream */
			pos += 4;
			continue;
		}
		if (blocks && in_len - pos == 4)   /* appended size */
			break;
		pos += 4;
		if (csize == 0 || csize > (uint32_t)LZ4_compressBound(
				LZ4_LEGACY_BLOCK))
			return corrupt(what, "lz4", "bad block size", err);
		if (csize > in_len - pos)
			return corrupt(what, "lz4", "truncated", err);
		if (out_grow(o, LZ4_LEGACY_BLOCK) < 0 && o->alloc == o->len)
			return bomb(what, "lz4", o->limit, err);
		room = o->alloc - o->len;
		if (room > LZ4_LEGACY_BLOCK)
			room = LZ4_LEGACY_BLOCK;
		n = LZ4_decompress_safe((const char *)in + pos,
					(char *)o->p + o->len, (int)csize,
					(int)room);
		if (n < 0) {
			if (room < LZ4_LEGACY_BLOCK)
				return bomb(what, "lz4", o->limit, err);
			return corrupt(what, "lz4", "bad block", err);
		}
		o->len += (size_t)n;
		pos += csize;
		blocks++;
	}
	if (!blocks)
		return corrupt(what, "lz4", "no data", err);
	return 0;
}

int chaos_image_decompress(enum chaos_compression c, const uint8_t *in,
			   size_t in_len, size_t cap, const char *what,
			   uint8_t **out, size_t *out_len, chaos_err *err)
{
	struct outbuf o = { .limit = cap };
	int rc;

	*out = NULL;
	*out_len = 0;
	if (out_grow(&o, in_len < cap / 4 ? in_len * 4 : cap) < 0 && !o.p)
		return chaos_err_set(err, ENOMEM, "%s: out of memory", what);
	switch (c) {
	case CHAOS_COMP_GZIP:
		rc = do_gzip(in, in_len, &o, what, err);
		break;
	case CHAOS_COMP_XZ:
	case CHAOS_COMP_LZMA:
		rc = do_lzma(c == CHAOS_COMP_LZMA, in, in_len, &o, what, err);
		break;
	case CHAOS_COMP_BZIP2:
		rc = do_bzip2(in, in_len, &o, what, err);
		break;
	case CHAOS_COMP_ZSTD:
		rc = do_zstd(in, in_len, &o, what, err);
		break;
	case CHAOS_COMP_LZ4_FRAME:
		rc = do_lz4_frame(in, in_len, &o, what, err);
		break;
	case CHAOS_COMP_LZ4_LEGACY:
		rc = do_lz4_legacy(in, in_len, &o, what, err);
		break;
	default:
		rc = chaos_err_set(err, ENOTSUP,
				   "%s: %s compression is not supported", what,
				   chaos_compression_name(c));
		break;
	}
	if (rc < 0) {
		free(o.p);
		return -1;
	}
	*out = o.p;
	*out_len = o.len;
	return 0;
}
