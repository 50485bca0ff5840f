/* SPDX-License-Identifier: MIT */
#ifndef CHAOSD_CONSOLE_LOG_H
#define CHAOSD_CONSOLE_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <chaos/error.h>

#include "console_escape.h"

/*
 * One guest's console log: <dir>/<base>.log, escaped (console_escape.h),
 * appended to across chaosd restarts. When the next write would take it
 * past max bytes it becomes <base>.log.1 (replacing the older one) and a
 * fresh <base>.log starts, so a guest never holds more than 2 * max bytes
 * of disk however much it prints.
 */

#define CONSOLE_LOG_MAX_DEFAULT (1024 * 1024)
/* The most one console_log_write escapes at once: a chunk is at most one
 * ring (2 KiB) and max must hold several. */
#define CONSOLE_LOG_CHUNK_MAX 4096
#define CONSOLE_LOG_MAX_MIN (4 * CONSOLE_ESCAPE_ROOM(CONSOLE_LOG_CHUNK_MAX))

struct console_log {
	int dir_fd;             /* not owned */
	char name[96];          /* <base>.log */
	char old_name[100];     /* <base>.log.1 */
	int fd;
	uint64_t size;          /* of the current file */
	uint64_t max;
	uint64_t rotations;
	struct console_escape esc;
};

/*
 * Open (append, create 0640) <base>.log in dir_fd. base must be a plain
 * file name (no '/', not starting with '.'); max at least
 * CONSOLE_LOG_MAX_MIN.
 */
int console_log_open(struct console_log *l, int dir_fd, const char *base,
		     uint64_t max, chaos_err *err);

/* Append guest output (len <= CONSOLE_LOG_CHUNK_MAX), escaped. */
int console_log_write(struct console_log *l, const char *raw, size_t len,
		      chaos_err *err);

/* Append one line of chaosd's own ("[chaosd: ...]"), not escaped; a held
 * CR of the guest's is written first. */
int console_log_note(struct console_log *l, const char *text,
		     chaos_err *err);

/*
 * The end of the current file as the guest wrote it (unescaped), from the
 * first whole line within the last 4 * cap bytes; at most cap bytes. For
 * replaying recent output after a restart. Returns the bytes in raw.
 */
size_t console_log_tail(struct console_log *l, char *raw, size_t cap);

void console_log_close(struct console_log *l);

#endif
