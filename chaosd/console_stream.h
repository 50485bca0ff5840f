/* SPDX-License-Identifier: MIT */
#ifndef CHAOSD_CONSOLE_STREAM_H
#define CHAOSD_CONSOLE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One client attached to a guest's console through chaosd: the guest's
 * output queued for the client's non-blocking socket, the client's
 * keystrokes waiting for room in the guest's input ring. Both sides are
 * bounded: a client that reads too slowly loses output (and is told how
 * much, in the stream), it never makes chaosd buffer without limit; a
 * client that types faster than the guest reads is simply not read.
 */

#define STREAM_OUT_MAX (64 * 1024)
#define STREAM_IN_MAX  256

struct console_stream {
	int fd;
	uint32_t domid;
	uint32_t uid;          /* the client's: root's streams are counted apart */
	char *out;             /* STREAM_OUT_MAX bytes */
	size_t out_off, out_len;
	uint64_t dropped;      /* output lost since the last marker */
	char in[STREAM_IN_MAX];
	size_t in_off, in_len;
	bool closing;          /* the console is gone: send what is queued */
	long long close_by_ms; /* ... until then at most */
};

/* Take fd (non-blocking). -1: out of memory (fd is left open). */
int stream_init(struct console_stream *s, int fd, uint32_t domid);
/* Close the socket, free the buffers. */
void stream_free(struct console_stream *s);

/* Queue bytes for the client; what does not fit is dropped and counted,
 * and a "[chaosd: N bytes of output dropped ...]" line follows once there
 * is room again. */
void stream_queue(struct console_stream *s, const char *buf, size_t len);

bool stream_has_output(const struct console_stream *s);

/* Write what the socket takes now. -1: the client is gone. */
int stream_flush(struct console_stream *s);

/* Read keystrokes if none are waiting. -1: the client closed or failed
 * (it detached). */
int stream_read_input(struct console_stream *s);

/* Keystrokes waiting for the guest. */
bool stream_has_input(const struct console_stream *s);
const char *stream_input(const struct console_stream *s, size_t *len);
void stream_input_consumed(struct console_stream *s, size_t n);

#endif
