// SPDX-License-Identifier: MIT
/* chaosd's error replies on connections it refuses or drops (reply.h). */
#include <stdlib.h>

#include <chaos/chaosd.h>

#include "reply.h"

void reply_error_send(int fd, const char *msg, int timeout_ms)
{
	char *resp;
	size_t len;

	if (chaosd_reply_error(msg, &resp, &len) == 0) {
		chaosd_frame_write(fd, resp, len, timeout_ms, NULL);
		free(resp);
	}
}
