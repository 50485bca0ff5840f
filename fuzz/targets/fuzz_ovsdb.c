// SPDX-License-Identifier: MIT
/*
 * xendevd's reading of OVSDB JSON-RPC (xendevd/ovsdb_json.c, as
 * ovsdb.c's wait_reply uses it): the input is what ovsdb-server sends,
 * objects back to back, unframed. Each complete object is cut out with
 * xd_json_object_len, parsed, answered if it is an echo request, and read
 * as each kind of reply (transact result, port lookup, port list).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "ovsdb_json.h"
#include "fuzz.h"

#define MSG_MAX (1 << 20)   /* ovsdb.c's OVSDB_MSG_MAX */

static void row(const char *name, const char *uuid, void *arg)
{
	(void)arg;
	if (!name || !uuid)
		abort();
	FZ_SAY("port %s %s\n", name, uuid);
}

static void one(yajl_val msg)
{
	static const char *mp[] = { "method", NULL };
	struct xd_ovsdb_lookup look;
	char err[128];
	yajl_val v = yajl_tree_get(msg, mp, yajl_t_string);

	if (YAJL_IS_STRING(v) && v->u.string && !strcmp(v->u.string, "echo")) {
		char *r = xd_ovsdb_echo_reply(msg);
		yajl_val back;

		/* Our answer must itself be one JSON object. */
		if (r) {
			if (xd_json_object_len(r, strlen(r)) != (long)strlen(r) ||
			    !(back = yajl_tree_parse(r, NULL, 0)))
				abort();
			yajl_tree_free(back);
		}
		free(r);
	}
	(void)xd_ovsdb_check_reply(msg, err, sizeof(err));
	memset(&look, 0, sizeof(look));
	if (xd_ovsdb_parse_lookup(msg, &look, err, sizeof(err)) == 0 &&
	    !memchr(look.port_uuid, 0, sizeof(look.port_uuid)))
		abort();
	(void)xd_ovsdb_parse_ports(msg, row, NULL, err, sizeof(err));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, perr[128];
	size_t at = 0;

	if (size > MSG_MAX)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	while (at < size) {
		long n = xd_json_object_len(buf + at, size - at);
		yajl_val msg;
		char save;

		if (n <= 0)
			break;
		if ((size_t)n > size - at)
			abort();
		save = buf[at + (size_t)n];
		buf[at + (size_t)n] = '\0';
		msg = yajl_tree_parse(buf + at, perr, sizeof(perr));
		buf[at + (size_t)n] = save;
		at += (size_t)n;
		if (!msg)
			break;   /* ovsdb.c drops the connection */
		one(msg);
		yajl_tree_free(msg);
	}
	free(buf);
	return 0;
}
