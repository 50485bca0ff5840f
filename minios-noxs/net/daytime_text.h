/* SPDX-License-Identifier: MIT */
/* The text a daytime server (RFC 867) answers with. */
#ifndef NET_DAYTIME_TEXT_H
#define NET_DAYTIME_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Room for the longest answer and its NUL. */
#define DAYTIME_TEXT_MAX 64

/*
 * "Tuesday, February 29, 2000 13:05:09-UTC\r\n" for seconds since the Unix
 * epoch (UTC); the RFC's suggested form. Returns the length (without the
 * NUL), or 0 if size is below DAYTIME_TEXT_MAX.
 */
size_t daytime_text(uint64_t epoch_s, char *buf, size_t size);

#endif
