// SPDX-License-Identifier: MIT
/*
 * Reading a config: the file (bounded, regular files only), then the parser
 * for its format. The format is told from the content alone, so that every
 * reader of a config (chaos create, chaosd, a restart or a migration
 * parsing the recorded path again) agrees without a file name. A JSON
 * config starts with '{' (or, when wrong, with something else JSON can
 * start with); an xl.cfg file starts with a key or a '#' comment. The only
 * overlap, a bare word, is a JSON literal when it is true, false or null.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"

/* A config file's first buffer, at least: most fit, and a grown file
 * is read on in a larger one. */
#define CONFIG_BUF_MIN 4096u

static bool word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

static bool is_xl(const char *text, size_t len)
{
	static const char *const literals[] = { "true", "false", "null" };
	size_t i = 0, end;

	while (i < len && (text[i] == ' ' || text[i] == '\t' ||
			   text[i] == '\n' || text[i] == '\r'))
		i++;
	if (i == len)
		return false;
	if (text[i] == '#')
		return true;
	if (!((text[i] >= 'a' && text[i] <= 'z') ||
	      (text[i] >= 'A' && text[i] <= 'Z') || text[i] == '_'))
		return false;
	for (end = i; end < len && word_char(text[end]); end++)
		;
	for (size_t k = 0; k < sizeof(literals) / sizeof(*literals); k++)
		if (strlen(literals[k]) == end - i &&
		    !memcmp(text + i, literals[k], end - i))
			return false;
	return true;
}

int chaos_config_parse_buffer(const char *text, size_t len,
			      const char *source_name, chaos_config *cfg,
			      chaos_err *err)
{
	if (text && len <= CHAOS_CONFIG_FILE_MAX && is_xl(text, len))
		return chaos_config_parse_xl_buffer(text, len, source_name,
						    cfg, err);
	return cfg_parse_json_buffer(text, len, source_name, cfg, err);
}

int chaos_config_parse_file(const char *path, chaos_config *cfg,
			    chaos_err *err)
{
	struct stat st;
	char *buf;
	size_t got = 0, cap;
	int fd, rc;

	chaos_config_init(cfg);
	/* O_NONBLOCK: a FIFO must not hang us before fstat rejects it. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return chaos_err_set(err, errno, "%s: cannot open: %s", path,
				     strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return chaos_err_set(err, EINVAL, "%s: not a regular file",
				     path);
	}
	if (st.st_size > CHAOS_CONFIG_FILE_MAX) {
		close(fd);
		return chaos_err_set(err, EFBIG,
				     "%s: larger than 1 MiB (%lld bytes)", path,
				     (long long)st.st_size);
	}
	/* Sized to the file, with a byte of slack that tells us if it grew
	 * while we read it (then grown, up to the limit and one): a 1 MiB
	 * buffer for a 100-byte config was a mapping made and torn down. */
	cap = (size_t)st.st_size + 1 < CONFIG_BUF_MIN ? CONFIG_BUF_MIN :
							(size_t)st.st_size + 1;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return chaos_err_set(err, ENOMEM, "out of memory");
	}
	while (got <= CHAOS_CONFIG_FILE_MAX) {
		ssize_t n;

		if (got == cap) {
			size_t grown = cap * 2 > CHAOS_CONFIG_FILE_MAX + 1 ?
				       CHAOS_CONFIG_FILE_MAX + 1 : cap * 2;
			char *more = realloc(buf, grown);

			if (!more) {
				rc = chaos_err_set(err, ENOMEM,
						   "out of memory");
				goto out;
			}
			buf = more;
			cap = grown;
		}
		n = read(fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = chaos_err_set(err, errno, "%s: cannot read: %s",
					   path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > CHAOS_CONFIG_FILE_MAX) {
		rc = chaos_err_set(err, EFBIG, "%s: larger than 1 MiB", path);
		goto out;
	}
	rc = chaos_config_parse_buffer(buf, got, path, cfg, err);
out:
	free(buf);
	close(fd);
	return rc;
}
