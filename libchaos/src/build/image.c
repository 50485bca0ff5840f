// SPDX-License-Identifier: MIT
/* Kernel images: recognise the container, unwrap it, parse the ELF. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build/build.h"

static const char *format_name(bool bzimage, enum chaos_compression c)
{
	static const char *const wrapped[] = {
		[CHAOS_COMP_NONE] = "elf",
		[CHAOS_COMP_GZIP] = "gzip+elf",
		[CHAOS_COMP_XZ] = "xz+elf",
		[CHAOS_COMP_LZMA] = "lzma+elf",
		[CHAOS_COMP_BZIP2] = "bzip2+elf",
		[CHAOS_COMP_ZSTD] = "zstd+elf",
		[CHAOS_COMP_LZ4_FRAME] = "lz4+elf",
		[CHAOS_COMP_LZ4_LEGACY] = "lz4-legacy+elf",
		[CHAOS_COMP_LZO] = "lzo+elf",
	};
	static const char *const bz[] = {
		[CHAOS_COMP_NONE] = "bzImage+elf",
		[CHAOS_COMP_GZIP] = "bzImage+gzip",
		[CHAOS_COMP_XZ] = "bzImage+xz",
		[CHAOS_COMP_LZMA] = "bzImage+lzma",
		[CHAOS_COMP_BZIP2] = "bzImage+bzip2",
		[CHAOS_COMP_ZSTD] = "bzImage+zstd",
		[CHAOS_COMP_LZ4_FRAME] = "bzImage+lz4",
		[CHAOS_COMP_LZ4_LEGACY] = "bzImage+lz4-legacy",
		[CHAOS_COMP_LZO] = "bzImage+lzo",
	};

	return bzimage ? bz[c] : wrapped[c];
}

static bool is_elf(const uint8_t *buf, size_t len)
{
	return len >= 4 && memcmp(buf, "\x7f" "ELF", 4) == 0;
}

/* Turn data (ELF or compressed ELF) into an owned ELF copy in img. */
static int unwrap(const uint8_t *data, size_t len, bool bzimage,
		  const char *what, size_t limit, struct chaos_image *img,
		  chaos_err *err)
{
	enum chaos_compression c = chaos_image_detect_compression(data, len);

	img->format = format_name(bzimage, c);
	if (c == CHAOS_COMP_NONE) {
		if (!is_elf(data, len))
			return chaos_err_set(err, EINVAL,
					     bzimage ?
					     "%s: bzImage payload is neither "
					     "ELF nor a known compression" :
					     "%s: not an ELF, bzImage or "
					     "compressed ELF image", what);
		if (len > limit)
			return chaos_err_set(err, EFBIG,
					     "%s: ELF larger than %zu MiB", what,
					     limit >> 20);
		img->elf = malloc(len);
		if (!img->elf)
			return chaos_err_set(err, ENOMEM,
					     "%s: out of memory", what);
		memcpy(img->elf, data, len);
		img->elf_size = len;
		return 0;
	}
	if (chaos_image_decompress(c, data, len, limit, what,
				   &img->elf, &img->elf_size, err) < 0)
		return -1;
	if (!is_elf(img->elf, img->elf_size))
		return chaos_err_set(err, EINVAL,
				     "%s: %s data does not decompress to an "
				     "ELF image", what,
				     chaos_compression_name(c));
	return 0;
}

int chaos_image_from_buffer(const uint8_t *buf, size_t len, const char *what,
			    struct chaos_image *img, chaos_err *err)
{
	return chaos_image_from_buffer_max(buf, len, what, 0, img, err);
}

int chaos_image_from_buffer_max(const uint8_t *buf, size_t len,
				const char *what, size_t limit,
				struct chaos_image *img, chaos_err *err)
{
	const uint8_t *payload;
	size_t payload_len;
	int rc;

	/* The guest's memory, when the caller knows it: a kernel that
	 * decompresses to more could never be loaded, and refusing it early
	 * keeps a decompression bomb from costing the daemon more than the
	 * guest would have. */
	if (!limit || limit > CHAOS_IMAGE_ELF_MAX)
		limit = CHAOS_IMAGE_ELF_MAX;
	memset(img, 0, sizeof(*img));
	if (!what)
		what = "kernel image";
	if (!buf || len == 0)
		return chaos_err_set(err, EINVAL, "%s: empty image", what);
	if (is_elf(buf, len))
		rc = unwrap(buf, len, false, what, limit, img, err);
	else {
		rc = chaos_image_bzimage_payload(buf, len, what, &payload,
						 &payload_len, err);
		if (rc == 1)
			rc = unwrap(payload, payload_len, true, what, limit, img,
				    err);
		else if (rc == 0)
			rc = unwrap(buf, len, false, what, limit, img, err);
	}
	if (rc == 0)
		rc = chaos_image_parse_elf(img, what, err);
	if (rc < 0) {
		chaos_image_release(img);
		return -1;
	}
	return 0;
}

int chaos_image_from_fd(int fd, const struct stat *st, const char *path,
			size_t limit, struct chaos_image *img, chaos_err *err)
{
	uint8_t *buf;
	ssize_t n;
	int rc;

	memset(img, 0, sizeof(*img));
	if (st->st_size <= 0 || (uint64_t)st->st_size > CHAOS_IMAGE_FILE_MAX)
		return chaos_err_set(err, EFBIG,
				     "%s: size %lld is not in 1..%u MiB", path,
				     (long long)st->st_size,
				     CHAOS_IMAGE_FILE_MAX >> 20);
	buf = malloc((size_t)st->st_size);
	if (!buf)
		return chaos_err_set(err, ENOMEM, "%s: out of memory", path);
	n = lseek(fd, 0, SEEK_SET) == 0 ?
	    chaos_read_full(fd, buf, (size_t)st->st_size) : -1;
	if (n != (ssize_t)st->st_size) {
		rc = n < 0 ? errno : EIO;
		free(buf);
		return chaos_err_set(err, rc, "%s: read failed: %s", path,
				     n < 0 ? strerror(rc) : "file shrank");
	}
	rc = chaos_image_from_buffer_max(buf, (size_t)n, path, limit, img,
					 err);
	free(buf);
	return rc;
}

int chaos_image_from_file(const char *path, struct chaos_image *img,
			  chaos_err *err)
{
	struct stat st;
	int fd, rc;

	memset(img, 0, sizeof(*img));
	fd = chaos_open_regular(path, "", &st, err);
	if (fd < 0)
		return -1;
	rc = chaos_image_from_fd(fd, &st, path, 0, img, err);
	close(fd);
	return rc;
}

void chaos_image_release(struct chaos_image *img)
{
	if (!img)
		return;
	free(img->elf);
	img->elf = NULL;
	img->elf_size = 0;
	img->nr_segments = 0;
}
