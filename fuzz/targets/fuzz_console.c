// SPDX-License-Identifier: MIT
/*
 * A guest's console, the ring page it shares with dom0 (dev/console_ring.c)
 * and the `until` matching on its output (dev/console_common.c): the
 * guest writes the page, indexes included, whenever it likes. Input:
 * byte 0 the length of the `until` text that follows (up to 255), then
 * the ring page's bytes (struct xencons_interface), then steps of
 * [read cap][write length] that drain the output ring into the matcher
 * and push keystrokes into the input ring, the guest's indexes as the
 * page holds them.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dev/dev.h"
#include <xen/io/console.h>
#include <chaos/console.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xencons_interface ring;
	static const char keys[256] = "keystrokes";
	char until[CONSOLE_UNTIL_MAX], buf[4096];
	struct console_match m = { .seen_len = 0 };
	size_t at = 1, ulen, page;

	if (size < 1)
		return 0;
	ulen = data[0];
	if (size - at < ulen)
		return 0;
	memcpy(until, data + at, ulen);
	until[ulen] = '\0';
	at += ulen;
	memset(&ring, 0, sizeof(ring));
	page = size - at < sizeof(ring) ? size - at : sizeof(ring);
	memcpy(&ring, data + at, page);
	at += page;
	for (int steps = 0; steps < 16; steps++) {
		size_t cap = at < size ? (size_t)data[at] * 16 + 1 : sizeof(buf);
		size_t len = at + 1 < size ? data[at + 1] : 0;
		XENCONS_RING_IDX before = ring.out_cons;
		bool corrupt;
		size_t n;

		at += 2;
		if (cap > sizeof(buf))
			cap = sizeof(buf);
		n = chaos_console_ring_read(&ring, buf, cap, &corrupt);
		if (n > cap || n > sizeof(ring.out) ||
		    (!corrupt && (XENCONS_RING_IDX)(ring.out_cons - before) != n))
			abort();
		if (console_match_feed(&m, until, buf, n) == 1)
			m.seen_len = 0;
		if (m.seen_len > sizeof(m.seen))
			abort();
		if (chaos_console_ring_write(&ring, keys, len) > len)
			abort();
		if (at >= size)
			break;
	}
	return 0;
}
