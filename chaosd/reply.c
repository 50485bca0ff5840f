// SPDX-License-Identifier: MIT
/* chaosd's replies, ok and error, for the ops, the socket loop and the
 * console thread alike (reply.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/chaosd.h>

#include "reply.h"

void gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

void gen_kv_str(yajl_gen g, const char *k, const char *v)
{
	gen_str(g, k);
	gen_str(g, v);
}

void gen_kv_uint(yajl_gen g, const char *k, unsigned long long v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%llu", v);

	gen_str(g, k);
	yajl_gen_number(g, num, (size_t)n);
}

void gen_kv_bool(yajl_gen g, const char *k, bool v)
{
	gen_str(g, k);
	yajl_gen_bool(g, v);
}

static yajl_gen begin(bool ok)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	gen_kv_bool(g, "ok", ok);
	return g;
}

yajl_gen reply_ok_begin(void)
{
	return begin(true);
}

int reply_finish(yajl_gen g, char **resp, size_t *resp_len)
{
	const unsigned char *buf;
	size_t len;

	if (!g)
		return -1;
	yajl_gen_map_close(g);
	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok ||
	    !(*resp = malloc(len + 1))) {
		yajl_gen_free(g);
		return -1;
	}
	memcpy(*resp, buf, len);
	(*resp)[len] = '\0';
	*resp_len = len;
	yajl_gen_free(g);
	return 0;
}

int reply_error(const char *msg, char **resp, size_t *resp_len)
{
	yajl_gen g = begin(false);

	if (!g)
		return -1;
	gen_kv_str(g, "error", msg);
	return reply_finish(g, resp, resp_len);
}

void reply_error_send(int fd, const char *msg, int timeout_ms)
{
	char *resp;
	size_t len;

	if (reply_error(msg, &resp, &len) == 0) {
		chaosd_frame_write(fd, resp, len, timeout_ms, NULL);
		free(resp);
	}
}
