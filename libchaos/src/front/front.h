/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_FRONT_LAYER_H
#define CHAOS_FRONT_LAYER_H

/*
 * Layer front: Front ends' shared code: chaosd's framing and client, flavours, list and info as JSON.
 * Internal to libchaos: declarations grouped by the file that defines them.
 */

#include <yajl/yajl_tree.h>
#include <chaos/chaosd.h>

#include "migrate/migrate.h"

/* ---- chaosd_reply.c ---- */

/* A string element of the array open now in (r). */
void front_reply_array_str(chaosd_reply *r, const char *value);

/* Which timing struct a reply's "timing_us" holds. */
enum front_timing { FRONT_TIMING_CREATE, FRONT_TIMING_SAVE, FRONT_TIMING_MIGRATE };
/* A reply's "timing_us" into (t), a struct of that kind (missing keys: 0). */
void front_timing_read(yajl_val top, enum front_timing which, void *t);
/* The unsigned integer at top.a (or top.a.b), 0 when absent or not one. */
uint64_t front_tree_u64(yajl_val top, const char *a, const char *b);

/* ---- chaosd_client.c ---- */

/* (s) as a JSON string literal, into a fresh buffer (NULL: no memory). */
char *front_json_string(const char *s);

/*
 * Send one request (req, len) with (fds) attached (nfds may be 0) and
 * parse chaosd's response into *top (the caller frees it with
 * yajl_tree_free): 0, or -1 with err set as chaosd_call() sets it.
 */
int front_call_fds(chaosd_conn *conn, const char *req, size_t len,
		   const int *fds, size_t nfds, int timeout_ms, yajl_val *top,
		   chaos_err *err);


#endif
