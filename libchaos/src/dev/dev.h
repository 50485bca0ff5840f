/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_DEV_LAYER_H
#define CHAOS_DEV_LAYER_H

/*
 * Layer dev: Devices: noxs backends through /dev/noxs, consoles, the xendevd client.
 * Internal to libchaos: declarations grouped by the file that defines them.
 */

#include <stddef.h>

#include "hyp/hyp.h"

/* ---- console_common.c ---- */

/* What both console clients share: the direct one (console.c) and the one
 * through chaosd (chaosd_console.c). */


#define CONSOLE_UNTIL_MAX 256   /* bytes of `until` text, NUL included */

/* The tail of the output seen so far, so `until` matches across reads. */
struct console_match {
	char seen[2 * CONSOLE_UNTIL_MAX];
	size_t seen_len;
};

/* Feed output; 1 once it contains until (NULL: never). */
int console_match_feed(struct console_match *m, const char *until,
		       const char *buf, size_t len);



#endif
