// SPDX-License-Identifier: MIT
/* Console helpers shared by the direct and the chaosd client. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "console_common.h"

long long console_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int console_write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

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
