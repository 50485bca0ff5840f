// SPDX-License-Identifier: MIT
/* The config file: "key value..." lines, '#' comments. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#define CONFIG_FILE_MAX (64 * 1024)
#define LINE_MAX_WORDS 4
#define LINE_MAX_LEN 512

void xd_config_defaults(struct xd_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->ovsdb_socket, sizeof(cfg->ovsdb_socket), "%s",
		 XD_DEFAULT_OVSDB);
	snprintf(cfg->control_socket, sizeof(cfg->control_socket), "%s",
		 XD_DEFAULT_CONTROL);
}

bool xd_valid_ifname(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= IFNAMSIZ)
		return false;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= ' ' || c >= 0x7f || c == '/' || c == ':')
			return false;
	}
	return true;
}

static bool valid_path(const char *s)
{
	return s[0] == '/' && strlen(s) < XD_PATH_MAX;
}

static bool valid_group(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len >= XD_GROUP_MAX)
		return false;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= ' ' || c >= 0x7f || c == ':')
			return false;
	}
	return true;
}

/* Split a line in place into at most max words; returns the count or -1. */
static int split_words(char *line, char **words, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			return n;
		if (n == max)
			return -1;
		words[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '#')
			p++;
		if (*p == '#') {
			*p = '\0';
			return n;
		}
		if (*p)
			*p++ = '\0';
	}
}

static int line_error(char *err, size_t errlen, unsigned lineno,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int line_error(char *err, size_t errlen, unsigned lineno,
		      const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "config line %u: %s", lineno, msg);
	return -1;
}

static int parse_line(struct xd_config *cfg, char *line, unsigned lineno,
		      char *err, size_t errlen)
{
	char *w[LINE_MAX_WORDS];
	int n = split_words(line, w, LINE_MAX_WORDS);

	if (n == 0)
		return 0;
	if (n < 0)
		return line_error(err, errlen, lineno, "too many words");
	if (!strcmp(w[0], "default-bridge")) {
		if (n != 2)
			return line_error(err, errlen, lineno,
					  "%s takes one bridge name", w[0]);
		if (!xd_valid_ifname(w[1]))
			return line_error(err, errlen, lineno,
					  "bad bridge name '%.32s'", w[1]);
		snprintf(cfg->default_bridge, sizeof(cfg->default_bridge),
			 "%s", w[1]);
	} else if (!strcmp(w[0], "bridge")) {
		struct xd_rule *r;

		if (n != 3)
			return line_error(err, errlen, lineno,
				"%s takes a vif pattern and a bridge name",
				w[0]);
		if (strlen(w[1]) >= XD_PATTERN_MAX)
			return line_error(err, errlen, lineno,
					  "pattern '%.32s...' too long", w[1]);
		if (!xd_valid_ifname(w[2]))
			return line_error(err, errlen, lineno,
					  "bad bridge name '%.32s'", w[2]);
		if (cfg->nrules == XD_MAX_RULES)
			return line_error(err, errlen, lineno,
					  "more than %d bridge rules", XD_MAX_RULES);
		r = &cfg->rules[cfg->nrules++];
		snprintf(r->pattern, sizeof(r->pattern), "%s", w[1]);
		snprintf(r->bridge, sizeof(r->bridge), "%s", w[2]);
	} else if (!strcmp(w[0], "ovsdb-socket")) {
		if (n != 2)
			return line_error(err, errlen, lineno,
					  "%s takes one path or 'none'", w[0]);
		if (!strcmp(w[1], "none"))
			cfg->ovsdb_socket[0] = '\0';
		else if (valid_path(w[1]))
			snprintf(cfg->ovsdb_socket, sizeof(cfg->ovsdb_socket),
				 "%s", w[1]);
		else
			return line_error(err, errlen, lineno,
				"bad ovsdb-socket '%.64s' (absolute, < 108 bytes)",
				w[1]);
	} else if (!strcmp(w[0], "control-socket")) {
		if (n != 2 || !valid_path(w[1]))
			return line_error(err, errlen, lineno,
				"%s takes one absolute path (< 108 bytes)",
				w[0]);
		snprintf(cfg->control_socket, sizeof(cfg->control_socket),
			 "%s", w[1]);
	} else if (!strcmp(w[0], "control-group")) {
		if (n != 2 || !valid_group(w[1]))
			return line_error(err, errlen, lineno,
					  "%s takes one group name", w[0]);
		snprintf(cfg->control_group, sizeof(cfg->control_group),
			 "%s", w[1]);
	} else {
		return line_error(err, errlen, lineno, "unknown key '%.32s'",
				  w[0]);
	}
	return 0;
}

int xd_config_parse(struct xd_config *cfg, const char *text, size_t len,
		    char *err, size_t errlen)
{
	char line[LINE_MAX_LEN];
	unsigned lineno = 0;
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t n = end - pos;

		lineno++;
		if (n >= sizeof(line))
			return line_error(err, errlen, lineno,
					  "line longer than %d bytes", LINE_MAX_LEN - 1);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		if (memchr(line, '\0', n))
			return line_error(err, errlen, lineno,
					  "NUL byte in line");
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (parse_line(cfg, line, lineno, err, errlen) < 0)
			return -1;
		pos = end + 1;
	}
	return 0;
}

int xd_config_load(struct xd_config *cfg, const char *path,
		   char *err, size_t errlen)
{
	char *buf;
	size_t len = 0;
	ssize_t r;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "config %s: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(CONFIG_FILE_MAX + 1);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "config %s: out of memory", path);
		return -1;
	}
	while ((r = read(fd, buf + len, CONFIG_FILE_MAX + 1 - len)) > 0) {
		len += (size_t)r;
		if (len > CONFIG_FILE_MAX)
			break;
	}
	close(fd);
	if (r < 0 || len > CONFIG_FILE_MAX) {
		snprintf(err, errlen, "config %s: %s", path,
			 r < 0 ? strerror(errno) : "larger than 64 KiB");
		free(buf);
		return -1;
	}
	ret = xd_config_parse(cfg, buf, len, err, errlen);
	if (ret < 0) {
		char tmp[256];

		snprintf(tmp, sizeof(tmp), "%s", err);
		snprintf(err, errlen, "%s: %s", path, tmp);
	}
	free(buf);
	return ret;
}

const char *xd_config_bridge_for(const struct xd_config *cfg,
				 const char *ifname, const char *uevent_bridge)
{
	if (uevent_bridge && uevent_bridge[0])
		return uevent_bridge;
	for (unsigned i = 0; i < cfg->nrules; i++)
		if (fnmatch(cfg->rules[i].pattern, ifname, 0) == 0)
			return cfg->rules[i].bridge;
	return cfg->default_bridge[0] ? cfg->default_bridge : NULL;
}
