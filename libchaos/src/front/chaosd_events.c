// SPDX-License-Identifier: MIT
/*
 * chaosd's events: one frame each on a subscribed connection. Written
 * here for the daemon and parsed here for clients, each key spelled once;
 * the parser takes hostile input (it is fuzzed: fuzz_chaosd_client).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include <chaos/chaosd.h>
#include <chaos/format.h>

#include "front/front.h"
#include "util/util.h"

/* An event is one flat object: anything nested deeper is refused before
 * yajl (whose tree code recurses) sees it. */
#define EVENT_DEPTH_MAX 4

static const char *const type_names[] = {
	[CHAOSD_EVENT_CREATED] = "created",
	[CHAOSD_EVENT_STARTED] = "started",
	[CHAOSD_EVENT_PAUSED] = "paused",
	[CHAOSD_EVENT_UNPAUSED] = "unpaused",
	[CHAOSD_EVENT_SHUTDOWN] = "shutdown",
	[CHAOSD_EVENT_CRASHED] = "crashed",
	[CHAOSD_EVENT_DESTROYED] = "destroyed",
	[CHAOSD_EVENT_SAVED] = "saved",
	[CHAOSD_EVENT_RESTORED] = "restored",
	[CHAOSD_EVENT_MIGRATED_AWAY] = "migrated-away",
	[CHAOSD_EVENT_MIGRATED_IN] = "migrated-in",
	[CHAOSD_EVENT_RESUMED] = "resumed",
	[CHAOSD_EVENT_OVERFLOW] = "overflow",
};

#define NR_TYPES (sizeof(type_names) / sizeof(type_names[0]))

const char *chaosd_event_type_name(chaosd_event_type type)
{
	if ((size_t)type >= NR_TYPES || !type_names[type])
		return NULL;
	return type_names[type];
}

int chaosd_event_encode(const chaosd_event *ev, char **out, size_t *len,
			chaos_err *err)
{
	const char *type = chaosd_event_type_name(ev->type);
	yajl_gen g;

	if (!type)
		return chaos_err_set(err, EINVAL, "event: unknown type %d",
				     (int)ev->type);
	if (memchr(ev->name, '\0', sizeof(ev->name)) == NULL ||
	    memchr(ev->reason, '\0', sizeof(ev->reason)) == NULL)
		return chaos_err_set(err, EINVAL, "event: unterminated string");
	g = chaos_json_begin_as(false, err);
	if (!g)
		return -1;
	yajl_gen_map_open(g);
	chaos_json_str(g, "event", type);
	chaos_json_uint(g, "seq", ev->seq);
	chaos_json_uint(g, "time_ms", ev->time_ms);
	if (ev->type == CHAOSD_EVENT_OVERFLOW) {
		chaos_json_uint(g, "lost", ev->lost);
	} else {
		chaos_json_uint(g, "domid", ev->domid);
		chaos_json_uint(g, "owner", ev->owner);
		chaos_json_str(g, "name", ev->name);
		if (ev->reason[0])
			chaos_json_str(g, "reason", ev->reason);
	}
	yajl_gen_map_close(g);
	if (chaos_json_finish(g, out, err))
		return -1;
	*len = strlen(*out);
	return 0;
}

static int get_u64(yajl_val v, const char *key, uint64_t max, uint64_t *out,
		   chaos_err *err)
{
	if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0 ||
	    (uint64_t)YAJL_GET_INTEGER(v) > max)
		return chaos_err_set(err, EINVAL,
				     "event: %s: expected an integer from 0 to %llu",
				     key, (unsigned long long)max);
	*out = (uint64_t)YAJL_GET_INTEGER(v);
	return 0;
}

static int get_str(yajl_val v, const char *key, char *out, size_t cap,
		   chaos_err *err)
{
	const char *s = YAJL_GET_STRING(v);

	if (!s || strlen(s) >= cap)
		return chaos_err_set(err, EINVAL,
				     "event: %s: expected a string shorter than %zu bytes",
				     key, cap);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static int get_type(yajl_val v, chaosd_event_type *out, chaos_err *err)
{
	const char *s = YAJL_GET_STRING(v);

	for (size_t i = 1; s && i < NR_TYPES; i++)
		if (type_names[i] && !strcmp(s, type_names[i])) {
			*out = (chaosd_event_type)i;
			return 0;
		}
	return chaos_err_set(err, EINVAL, "event: event: unknown type");
}

static int set_key(yajl_val v, const char *key, chaosd_event *ev,
		   unsigned int *seen, chaos_err *err)
{
	uint64_t n = 0;

	if (!strcmp(key, "event")) {
		*seen |= 1;
		return get_type(v, &ev->type, err);
	}
	if (!strcmp(key, "seq")) {
		*seen |= 2;
		return get_u64(v, key, INT64_MAX, &ev->seq, err);
	}
	if (!strcmp(key, "time_ms"))
		return get_u64(v, key, INT64_MAX, &ev->time_ms, err);
	if (!strcmp(key, "lost"))
		return get_u64(v, key, INT64_MAX, &ev->lost, err);
	if (!strcmp(key, "domid")) {
		if (get_u64(v, key, 0x7fef, &n, err))
			return -1;
		ev->domid = (uint32_t)n;
		return 0;
	}
	if (!strcmp(key, "owner")) {
		if (get_u64(v, key, UINT32_MAX, &n, err))
			return -1;
		ev->owner = (uint32_t)n;
		return 0;
	}
	if (!strcmp(key, "name"))
		return get_str(v, key, ev->name, sizeof(ev->name), err);
	if (!strcmp(key, "reason"))
		return get_str(v, key, ev->reason, sizeof(ev->reason), err);
	return 0;  /* a key of a later version */
}

int chaosd_event_parse(const char *text, size_t len, chaosd_event *ev,
		       chaos_err *err)
{
	char errbuf[128] = "", *copy;
	unsigned int seen = 0;
	yajl_val top;
	int rc = 0;

	memset(ev, 0, sizeof(*ev));
	if (len == 0 || len > CHAOSD_FRAME_MAX)
		return chaos_err_set(err, EINVAL, "event: %zu bytes is not from 1 to %u",
				     len, CHAOSD_FRAME_MAX);
	if (memchr(text, '\0', len))
		return chaos_err_set(err, EINVAL, "event: contains a NUL byte");
	if (chaos_json_depth(text, len) > EVENT_DEPTH_MAX)
		return chaos_err_set(err, EINVAL, "event: nested too deep");
	copy = malloc(len + 1);
	if (!copy)
		return chaos_err_set(err, ENOMEM, "event: out of memory");
	memcpy(copy, text, len);
	copy[len] = '\0';
	top = yajl_tree_parse(copy, errbuf, sizeof(errbuf));
	free(copy);
	if (!top || !YAJL_IS_OBJECT(top)) {
		yajl_tree_free(top);
		return chaos_err_set(err, EINVAL, "event: not a JSON object");
	}
	for (size_t i = 0; i < top->u.object.len && !rc; i++)
		rc = set_key(top->u.object.values[i], top->u.object.keys[i], ev,
			     &seen, err);
	yajl_tree_free(top);
	if (!rc && !(seen & 1))
		rc = chaos_err_set(err, EINVAL, "event: event: missing");
	else if (!rc && !(seen & 2))
		rc = chaos_err_set(err, EINVAL, "event: seq: missing");
	if (rc)
		memset(ev, 0, sizeof(*ev));
	return rc;
}

int chaosd_subscribe(chaosd_conn *conn, chaos_err *err)
{
	static const char req[] = "{\"op\":\"subscribe\"}";
	int fd = chaosd_conn_fd(conn), flags;
	yajl_val top;

	if (front_call_fds(conn, req, sizeof(req) - 1, NULL, 0, 10000, &top,
			   err))
		return -1;
	yajl_tree_free(top);
	/* Non-blocking from now on, so chaosd_event_next's timeout holds
	 * (a blocking read would wait for ever). */
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK))
		return chaos_err_set(err, errno, "chaosd: subscribe: %s",
				     strerror(errno));
	return 0;
}

int chaosd_event_next(chaosd_conn *conn, int timeout_ms, chaosd_event *ev,
		      chaos_err *err)
{
	char *text;
	size_t len;
	int rc;

	if (chaosd_frame_read(chaosd_conn_fd(conn), &text, &len, timeout_ms,
			      err))
		return -1;
	rc = chaosd_event_parse(text, len, ev, err);
	free(text);
	return rc;
}
