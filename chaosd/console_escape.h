/* SPDX-License-Identifier: MIT */
#ifndef CHAOSD_CONSOLE_ESCAPE_H
#define CHAOSD_CONSOLE_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Guest console output made safe for a log file a person will `less` or
 * `tail -f`: printable ASCII, newline and tab as they are; a backslash as
 * "\\"; a CR directly before a LF dropped (CRLF line ends become LF); every
 * other byte, CR and escape sequences included, as "\xNN". The mapping is
 * one-to-one, so the raw output can be recovered from the log.
 */
struct console_escape {
	bool pending_cr;     /* a CR ended the last chunk: LF next or not? */
};

/* Room escaping len bytes may need (flush included). */
#define CONSOLE_ESCAPE_ROOM(len) ((len) * 4 + 4)

/* Escape in[0..len) into out (CONSOLE_ESCAPE_ROOM(len) bytes); returns the
 * bytes written. A trailing CR is held until the next call or a flush. */
size_t console_escape(struct console_escape *st, const char *in, size_t len,
		      char *out);

/* Write a held CR (as "\x0d"); returns the bytes written (0 or 4). */
size_t console_escape_flush(struct console_escape *st, char *out);

/*
 * The way back, for replaying the tail of a log: "\\" and "\xNN" become
 * the bytes they stand for, everything else is copied; a malformed escape
 * (a cut-off tail) is copied as it is. out needs len bytes; returns the
 * bytes written.
 */
size_t console_unescape(const char *in, size_t len, char *out);

#endif
