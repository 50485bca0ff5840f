// SPDX-License-Identifier: MIT
/* A guest's console log file, bounded by one rotation (console_log.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console_log.h"
#include "daemon.h"

static int open_current(struct console_log *l, chaos_err *err)
{
	struct stat st;

	/* O_NOFOLLOW: a planted symlink must not redirect guest output. */
	l->fd = openat(l->dir_fd, l->name,
		       O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		       0640);
	if (l->fd < 0)
		return derr(err, errno, "%s: %s", l->name, strerror(errno));
	if (fstat(l->fd, &st) || !S_ISREG(st.st_mode)) {
		int e = errno ? errno : EINVAL;

		close(l->fd);
		l->fd = -1;
		return derr(err, e, "%s: not a regular file", l->name);
	}
	l->size = (uint64_t)st.st_size;
	return 0;
}

int console_log_open(struct console_log *l, int dir_fd, const char *base,
		     uint64_t max, chaos_err *err)
{
	memset(l, 0, sizeof(*l));
	l->fd = -1;
	if (!base[0] || base[0] == '.' || strchr(base, '/'))
		return derr(err, EINVAL, "console log: bad file name '%s'", base);
	if (max < CONSOLE_LOG_MAX_MIN)
		return derr(err, EINVAL, "console log: max %llu below %d bytes",
			    (unsigned long long)max, CONSOLE_LOG_MAX_MIN);
	if (snprintf(l->name, sizeof(l->name), "%s.log", base) >=
	    (int)sizeof(l->name))
		return derr(err, ENAMETOOLONG, "console log: name '%s' too long",
			    base);
	snprintf(l->old_name, sizeof(l->old_name), "%s.1", l->name);
	l->dir_fd = dir_fd;
	l->max = max;
	return open_current(l, err);
}

static int rotate(struct console_log *l, chaos_err *err)
{
	close(l->fd);
	l->fd = -1;
	if (renameat(l->dir_fd, l->name, l->dir_fd, l->old_name))
		return derr(err, errno, "%s: cannot rotate: %s", l->name,
			    strerror(errno));
	l->rotations++;
	return open_current(l, err);
}

/* Append bytes already in log form, rotating first if they do not fit. */
static int append(struct console_log *l, const char *buf, size_t len,
		  chaos_err *err)
{
	if (l->fd < 0 && open_current(l, err))
		return -1;
	if (l->size > 0 && l->size + len > l->max && rotate(l, err))
		return -1;
	while (len) {
		ssize_t n = write(l->fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return derr(err, n < 0 ? errno : EIO, "%s: write: %s",
				    l->name, n < 0 ? strerror(errno) : "short");
		buf += n;
		len -= (size_t)n;
		l->size += (uint64_t)n;
	}
	return 0;
}

int console_log_write(struct console_log *l, const char *raw, size_t len,
		      chaos_err *err)
{
	char out[CONSOLE_ESCAPE_ROOM(CONSOLE_LOG_CHUNK_MAX)];
	size_t n;

	if (len > CONSOLE_LOG_CHUNK_MAX)
		return derr(err, EINVAL, "console log: chunk of %zu bytes", len);
	n = console_escape(&l->esc, raw, len, out);
	return n ? append(l, out, n, err) : 0;
}

int console_log_note(struct console_log *l, const char *text, chaos_err *err)
{
	char out[512];
	size_t n = console_escape_flush(&l->esc, out);
	int m = snprintf(out + n, sizeof(out) - n, "\n[chaosd: %s]\n", text);

	if (m < 0 || (size_t)m >= sizeof(out) - n)
		return derr(err, EINVAL, "console log: note too long");
	return append(l, out, n + (size_t)m, err);
}

size_t console_log_tail(struct console_log *l, char *raw, size_t cap)
{
	size_t want = 4 * cap, got = 0, n;
	uint64_t from;
	char *buf, *start;

	if (l->fd < 0 || l->size == 0 || cap == 0)
		return 0;
	if (want > l->size)
		want = (size_t)l->size;
	from = l->size - want;
	buf = malloc(want);
	if (!buf)
		return 0;
	while (got < want) {
		ssize_t r = pread(l->fd, buf + got, want - got,
				  (off_t)(from + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	start = buf;
	/* Mid-file: start at a line, not inside an escape. */
	if (from > 0) {
		char *nl = memchr(buf, '\n', got);

		start = nl ? nl + 1 : buf + got;
	}
	n = console_unescape(start, got - (size_t)(start - buf), buf);
	if (n > cap) {
		memmove(buf, buf + n - cap, cap);
		n = cap;
	}
	memcpy(raw, buf, n);
	free(buf);
	return n;
}

void console_log_close(struct console_log *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}
