// SPDX-License-Identifier: MIT
/* A console client's bounded buffers (console_stream.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console_stream.h"

int stream_init(struct console_stream *s, int fd, uint32_t domid)
{
	memset(s, 0, sizeof(*s));
	s->out = malloc(STREAM_OUT_MAX);
	if (!s->out)
		return -1;
	s->fd = fd;
	s->domid = domid;
	return 0;
}

void stream_free(struct console_stream *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	free(s->out);
	s->out = NULL;
}

/* Room at the end of the buffer, after moving the queued bytes down. */
static size_t make_room(struct console_stream *s)
{
	if (s->out_off) {
		memmove(s->out, s->out + s->out_off, s->out_len);
		s->out_off = 0;
	}
	return STREAM_OUT_MAX - s->out_len;
}

void stream_queue(struct console_stream *s, const char *buf, size_t len)
{
	size_t room = make_room(s), take;

	if (s->dropped) {
		char note[96];
		int n = snprintf(note, sizeof(note),
				 "\r\n[chaosd: %llu bytes of output dropped: the client reads too slowly]\r\n",
				 (unsigned long long)s->dropped);

		if (n > 0 && (size_t)n <= room) {
			memcpy(s->out + s->out_len, note, (size_t)n);
			s->out_len += (size_t)n;
			room -= (size_t)n;
			s->dropped = 0;
		}
	}
	take = len < room ? len : room;
	memcpy(s->out + s->out_len, buf, take);
	s->out_len += take;
	s->dropped += len - take;
}

bool stream_has_output(const struct console_stream *s)
{
	return s->out_len > 0;
}

int stream_flush(struct console_stream *s)
{
	while (s->out_len) {
		ssize_t n = write(s->fd, s->out + s->out_off, s->out_len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return -1;
		s->out_off += (size_t)n;
		s->out_len -= (size_t)n;
	}
	s->out_off = 0;
	return 0;
}

int stream_read_input(struct console_stream *s)
{
	ssize_t n;

	if (s->in_len)
		return 0;
	n = read(s->fd, s->in, sizeof(s->in));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	if (n <= 0)
		return -1;
	s->in_off = 0;
	s->in_len = (size_t)n;
	return 0;
}

bool stream_has_input(const struct console_stream *s)
{
	return s->in_len > 0;
}

const char *stream_input(const struct console_stream *s, size_t *len)
{
	*len = s->in_len;
	return s->in + s->in_off;
}

void stream_input_consumed(struct console_stream *s, size_t n)
{
	if (n > s->in_len)
		n = s->in_len;
	s->in_off += n;
	s->in_len -= n;
}
