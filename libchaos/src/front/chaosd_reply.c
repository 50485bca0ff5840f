// SPDX-License-Identifier: MIT
/*
 * chaosd's replies, written here for the daemon with the one set of JSON
 * writers (util/json.c), and their fields read back here for the client
 * beside this file: the daemon keeps no JSON writer of its own, and each
 * key is spelled once.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include <chaos/chaosd.h>

#include "front/front.h"

struct chaosd_reply {
	yajl_gen g;
};

static chaosd_reply *begin(bool ok)
{
	chaosd_reply *r = malloc(sizeof(*r));

	if (!r)
		return NULL;
	r->g = chaos_json_begin_as(false, NULL);
	if (!r->g) {
		free(r);
		return NULL;
	}
	yajl_gen_map_open(r->g);
	chaos_json_bool(r->g, "ok", ok);
	return r;
}

chaosd_reply *chaosd_reply_ok(void)
{
	return begin(true);
}

chaosd_reply *chaosd_reply_failed(const char *msg)
{
	chaosd_reply *r = begin(false);

	if (r)
		chaos_json_str(r->g, "error", msg);
	return r;
}

void chaosd_reply_str(chaosd_reply *r, const char *key, const char *value)
{
	if (r)
		chaos_json_str(r->g, key, value);
}

void chaosd_reply_uint(chaosd_reply *r, const char *key,
		       unsigned long long value)
{
	if (r)
		chaos_json_uint(r->g, key, value);
}

void front_reply_array_str(chaosd_reply *r, const char *value)
{
	if (r)
		yajl_gen_string(r->g, (const unsigned char *)value,
				strlen(value));
}

void chaosd_reply_bool(chaosd_reply *r, const char *key, bool value)
{
	if (r)
		chaos_json_bool(r->g, key, value);
}

void chaosd_reply_open(chaosd_reply *r, const char *key, bool array)
{
	if (!r)
		return;
	if (key)
		chaos_json_key(r->g, key);
	if (array)
		yajl_gen_array_open(r->g);
	else
		yajl_gen_map_open(r->g);
}

void chaosd_reply_close(chaosd_reply *r, bool array)
{
	if (!r)
		return;
	if (array)
		yajl_gen_array_close(r->g);
	else
		yajl_gen_map_close(r->g);
}

void chaosd_reply_free(chaosd_reply *r)
{
	if (!r)
		return;
	yajl_gen_free(r->g);
	free(r);
}

int chaosd_reply_finish(chaosd_reply *r, char **out, size_t *len)
{
	yajl_gen g;

	if (!r)
		return -1;
	g = r->g;
	free(r);
	yajl_gen_map_close(g);
	if (chaos_json_finish(g, out, NULL))
		return -1;
	*len = strlen(*out);
	return 0;
}

int chaosd_reply_error(const char *msg, char **out, size_t *len)
{
	return chaosd_reply_finish(chaosd_reply_failed(msg), out, len);
}

/* The unsigned integer at top.a (or top.a.b) of a reply, 0 if none. */
uint64_t front_tree_u64(yajl_val top, const char *a, const char *b)
{
	const char *path[3] = { a, b, NULL };
	yajl_val v = yajl_tree_get(top, path, yajl_t_number);

	return v && YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) >= 0 ?
	       (uint64_t)YAJL_GET_INTEGER(v) : 0;
}

/* ---- timings: one table per struct, written here and read by the
 * client (front_timing_read), so the keys exist once ---- */

struct field {
	const char *key;
	size_t off;             /* of a uint64_t (a time, or a count) */
};

#define F(type, key, member) { key, offsetof(type, member) }

static const struct field create_fields[] = {
	F(chaos_create_timing, "parse", parse_us),
	F(chaos_create_timing, "domain", domain_us),
	F(chaos_create_timing, "memory", memory_us),
	F(chaos_create_timing, "load", load_us),
	F(chaos_create_timing, "pagetables", pagetables_us),
	F(chaos_create_timing, "devices", devices_us),
	F(chaos_create_timing, "unpause", unpause_us),
	F(chaos_create_timing, "total", total_us),
};
/* A checkpoint's phases (chaos_ckpt_phases) inside a timing struct. */
#define PHASES(type)                                                   \
	F(type, "state", phases.state_us),                             \
	F(type, "types", phases.types_us),                             \
	F(type, "alloc", phases.alloc_us),                             \
	F(type, "map", phases.map_us),                                 \
	F(type, "scan", phases.scan_us),                               \
	F(type, "hash", phases.hash_us),                               \
	F(type, "canon", phases.canon_us),                             \
	F(type, "io", phases.io_us),                                   \
	F(type, "pin", phases.pin_us),                                 \
	F(type, "devices", phases.devices_us),                         \
	F(type, "pages", phases.pages),                                \
	F(type, "zero_pages", phases.zero_pages),                      \
	F(type, "image_bytes", phases.image_bytes)

static const struct field save_fields[] = {
	F(chaos_save_timing, "suspend", suspend_us),
	F(chaos_save_timing, "capture", capture_us),
	F(chaos_save_timing, "write", write_us),
	F(chaos_save_timing, "finish", finish_us),
	F(chaos_save_timing, "total", total_us),
	PHASES(chaos_save_timing),
};
static const struct field migrate_fields[] = {
	F(chaos_migrate_timing, "suspend", suspend_us),
	F(chaos_migrate_timing, "capture", capture_us),
	F(chaos_migrate_timing, "transfer", transfer_us),
	F(chaos_migrate_timing, "downtime", downtime_us),
	F(chaos_migrate_timing, "total", total_us),
	PHASES(chaos_migrate_timing),
};

static const struct {
	const struct field *f;
	size_t n;
} tables[] = {
	[FRONT_TIMING_CREATE] = { create_fields, sizeof(create_fields) / sizeof(create_fields[0]) },
	[FRONT_TIMING_SAVE] = { save_fields, sizeof(save_fields) / sizeof(save_fields[0]) },
	[FRONT_TIMING_MIGRATE] = { migrate_fields, sizeof(migrate_fields) / sizeof(migrate_fields[0]) },
};

static void put_timing(chaosd_reply *r, enum front_timing which, const void *t)
{
	if (!r)
		return;
	chaos_json_key(r->g, "timing_us");
	yajl_gen_map_open(r->g);
	for (size_t i = 0; i < tables[which].n; i++) {
		uint64_t v;

		memcpy(&v, (const char *)t + tables[which].f[i].off, sizeof(v));
		chaos_json_uint(r->g, tables[which].f[i].key, v);
	}
	yajl_gen_map_close(r->g);
}

void front_timing_read(yajl_val top, enum front_timing which, void *t)
{
	for (size_t i = 0; i < tables[which].n; i++) {
		uint64_t v = front_tree_u64(top, "timing_us",
					    tables[which].f[i].key);

		memcpy((char *)t + tables[which].f[i].off, &v, sizeof(v));
	}
}

void chaosd_reply_create_timing(chaosd_reply *r, const chaos_create_timing *t)
{
	put_timing(r, FRONT_TIMING_CREATE, t);
}

void chaosd_reply_save_timing(chaosd_reply *r, const chaos_save_timing *t)
{
	put_timing(r, FRONT_TIMING_SAVE, t);
}

void chaosd_reply_migrate_timing(chaosd_reply *r,
				 const chaos_migrate_timing *t)
{
	put_timing(r, FRONT_TIMING_MIGRATE, t);
	chaosd_reply_uint(r, "rounds", t->rounds);
	chaosd_reply_uint(r, "pages_resent", t->pages_resent);
}
