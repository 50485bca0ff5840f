/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_CONSOLE_COMMON_H
#define CHAOS_CONSOLE_COMMON_H

/* What both console clients share: the direct one (console.c) and the one
 * through chaosd (chaosd_console.c). */

#include <stddef.h>

#define CONSOLE_UNTIL_MAX 256   /* bytes of `until` text, NUL included */

/* The tail of the output seen so far, so `until` matches across reads. */
struct console_match {
	char seen[2 * CONSOLE_UNTIL_MAX];
	size_t seen_len;
};

/* Feed output; 1 once it contains until (NULL: never). */
int console_match_feed(struct console_match *m, const char *until,
		       const char *buf, size_t len);

/* Write all of buf (blocking fd); -1 on error. */
int console_write_all(int fd, const char *buf, size_t len);

long long console_now_ms(void);

#endif
