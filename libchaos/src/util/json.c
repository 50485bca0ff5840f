// SPDX-License-Identifier: MIT
/* yajl generator helpers shared by every JSON writer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

yajl_gen chaos_json_begin_as(bool pretty, chaos_err *err)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (!g) {
		chaos_err_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	yajl_gen_config(g, yajl_gen_beautify, pretty ? 1 : 0);
	yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	return g;
}

yajl_gen chaos_json_begin(chaos_err *err)
{
	return chaos_json_begin_as(true, err);
}

void chaos_json_key(yajl_gen g, const char *key)
{
	yajl_gen_string(g, (const unsigned char *)key, strlen(key));
}

void chaos_json_str(yajl_gen g, const char *key, const char *value)
{
	chaos_json_key(g, key);
	yajl_gen_string(g, (const unsigned char *)value, strlen(value));
}

void chaos_json_uint(yajl_gen g, const char *key, unsigned long long value)
{
	chaos_json_key(g, key);
	yajl_gen_integer(g, (long long)value);
}

void chaos_json_bool(yajl_gen g, const char *key, bool value)
{
	chaos_json_key(g, key);
	yajl_gen_bool(g, value);
}

void chaos_json_double(yajl_gen g, const char *key, double value)
{
	chaos_json_key(g, key);
	yajl_gen_double(g, value);
}

int chaos_json_finish(yajl_gen g, char **json, chaos_err *err)
{
	const unsigned char *buf;
	size_t len;

	*json = NULL;
	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok) {
		yajl_gen_free(g);
		return chaos_err_set(err, EINVAL, "JSON generation failed");
	}
	*json = malloc(len + 1);
	if (!*json) {
		yajl_gen_free(g);
		return chaos_err_set(err, ENOMEM, "out of memory");
	}
	memcpy(*json, buf, len);
	(*json)[len] = '\0';
	yajl_gen_free(g);
	return 0;
}
