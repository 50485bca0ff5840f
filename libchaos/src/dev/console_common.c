// SPDX-License-Identifier: MIT
/* Console helpers shared by the direct and the chaosd client. */
#include <string.h>

#include "dev/dev.h"

int console_match_feed(struct console_match *m, const char *until,
		       const char *buf, size_t len)
{
	size_t ulen;

	if (!until)
		return 0;
	ulen = strlen(until);
	for (size_t i = 0; i < len; i++) {
		if (m->seen_len == sizeof(m->seen)) {
			/* Keep just enough to match across this point. */
			memmove(m->seen, m->seen + m->seen_len - ulen, ulen);
			m->seen_len = ulen;
		}
		m->seen[m->seen_len++] = buf[i];
		if (m->seen_len >= ulen &&
		    !memcmp(m->seen + m->seen_len - ulen, until, ulen))
			return 1;
	}
	return 0;
}
