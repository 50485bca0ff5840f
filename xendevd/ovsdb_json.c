// SPDX-License-Identifier: MIT
/* Building and reading OVSDB JSON-RPC messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "ovsdb_json.h"

long xd_json_object_len(const char *buf, size_t len)
{
	int depth = 0;
	bool in_str = false, esc = false;
	size_t i = 0;

	while (i < len && (buf[i] == ' ' || buf[i] == '\n' ||
			   buf[i] == '\r' || buf[i] == '\t'))
		i++;
	if (i == len)
		return 0;
	if (buf[i] != '{')
		return -1;
	for (; i < len; i++) {
		char c = buf[i];

		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			/* yajl frees a tree recursively: deep nesting would
			 * overflow our stack. Real replies nest about 8 deep. */
			if (++depth > XD_JSON_DEPTH_MAX)
				return -1;
		} else if (c == '}' || c == ']') {
			if (--depth == 0)
				return (long)(i + 1);
			if (depth < 0)
				return -1;
		}
	}
	return 0;
}

/* A JSON string's text, "" for anything else. */
static const char *str(yajl_val v)
{
	return YAJL_IS_STRING(v) && v->u.string ? v->u.string : "";
}

/* Small helpers over yajl_gen: strings are C strings. */
static void s(yajl_gen g, const char *str)
{
	yajl_gen_string(g, (const unsigned char *)str, strlen(str));
}

static void kv(yajl_gen g, const char *k, const char *v)
{
	s(g, k);
	s(g, v);
}

static void pair(yajl_gen g, const char *a, const char *b)
{
	yajl_gen_array_open(g);
	s(g, a);
	s(g, b);
	yajl_gen_array_close(g);
}

/* [[column, "==", value]] */
static void where_eq(yajl_gen g, const char *col, const char *val)
{
	s(g, "where");
	yajl_gen_array_open(g);
	yajl_gen_array_open(g);
	s(g, col);
	s(g, "==");
	s(g, val);
	yajl_gen_array_close(g);
	yajl_gen_array_close(g);
}

/* [["ports", "includes", ["uuid", u]]] */
static void where_has_port(yajl_gen g, const char *uuid)
{
	s(g, "where");
	yajl_gen_array_open(g);
	yajl_gen_array_open(g);
	s(g, "ports");
	s(g, "includes");
	pair(g, "uuid", uuid);
	yajl_gen_array_close(g);
	yajl_gen_array_close(g);
}

/* [["ports", op, [kind, ref]]] */
static void mutate_ports(yajl_gen g, const char *op, const char *kind,
			 const char *ref)
{
	s(g, "mutations");
	yajl_gen_array_open(g);
	yajl_gen_array_open(g);
	s(g, "ports");
	s(g, op);
	pair(g, kind, ref);
	yajl_gen_array_close(g);
	yajl_gen_array_close(g);
}

static yajl_gen begin_transact(unsigned id)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	kv(g, "method", "transact");
	s(g, "id");
	yajl_gen_integer(g, id);
	s(g, "params");
	yajl_gen_array_open(g);
	s(g, "Open_vSwitch");
	return g;
}

static char *end_transact(yajl_gen g)
{
	const unsigned char *buf;
	size_t len;
	char *out = NULL;

	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok) {
		out = malloc(len + 1);
		if (out) {
			memcpy(out, buf, len);
			out[len] = '\0';
		}
	}
	yajl_gen_free(g);
	return out;
}

char *xd_ovsdb_req_lookup(unsigned id, const char *bridge, const char *port)
{
	yajl_gen g = begin_transact(id);

	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	kv(g, "op", "select");
	kv(g, "table", "Bridge");
	where_eq(g, "name", bridge);
	s(g, "columns");
	yajl_gen_array_open(g);
	s(g, "ports");
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);

	yajl_gen_map_open(g);
	kv(g, "op", "select");
	kv(g, "table", "Port");
	where_eq(g, "name", port);
	s(g, "columns");
	yajl_gen_array_open(g);
	s(g, "_uuid");
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return end_transact(g);
}

char *xd_ovsdb_req_add(unsigned id, const char *bridge, const char *port,
		       const char *port_uuid)
{
	yajl_gen g = begin_transact(id);

	if (!g)
		return NULL;
	/* The bridge must still exist when this commits, else abort. */
	yajl_gen_map_open(g);
	kv(g, "op", "wait");
	kv(g, "table", "Bridge");
	where_eq(g, "name", bridge);
	s(g, "columns");
	yajl_gen_array_open(g);
	s(g, "name");
	yajl_gen_array_close(g);
	kv(g, "until", "==");
	s(g, "rows");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	kv(g, "name", bridge);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
	s(g, "timeout");
	yajl_gen_integer(g, 0);
	yajl_gen_map_close(g);

	if (port_uuid && port_uuid[0]) {
		/* The port exists on another bridge: move it. */
		yajl_gen_map_open(g);
		kv(g, "op", "mutate");
		kv(g, "table", "Bridge");
		where_has_port(g, port_uuid);
		mutate_ports(g, "delete", "uuid", port_uuid);
		yajl_gen_map_close(g);

		yajl_gen_map_open(g);
		kv(g, "op", "mutate");
		kv(g, "table", "Bridge");
		where_eq(g, "name", bridge);
		mutate_ports(g, "insert", "uuid", port_uuid);
		yajl_gen_map_close(g);
		return end_transact(g);
	}

	yajl_gen_map_open(g);
	kv(g, "op", "insert");
	kv(g, "table", "Interface");
	s(g, "row");
	yajl_gen_map_open(g);
	kv(g, "name", port);
	yajl_gen_map_close(g);
	kv(g, "uuid-name", "xdiface");
	yajl_gen_map_close(g);

	yajl_gen_map_open(g);
	kv(g, "op", "insert");
	kv(g, "table", "Port");
	s(g, "row");
	yajl_gen_map_open(g);
	kv(g, "name", port);
	s(g, "interfaces");
	pair(g, "named-uuid", "xdiface");
	yajl_gen_map_close(g);
	kv(g, "uuid-name", "xdport");
	yajl_gen_map_close(g);

	yajl_gen_map_open(g);
	kv(g, "op", "mutate");
	kv(g, "table", "Bridge");
	where_eq(g, "name", bridge);
	mutate_ports(g, "insert", "named-uuid", "xdport");
	yajl_gen_map_close(g);
	return end_transact(g);
}

char *xd_ovsdb_req_del(unsigned id, const char *port_uuid)
{
	yajl_gen g = begin_transact(id);

	if (!g)
		return NULL;
	/* An unreferenced Port (and its Interface) is garbage-collected. */
	yajl_gen_map_open(g);
	kv(g, "op", "mutate");
	kv(g, "table", "Bridge");
	where_has_port(g, port_uuid);
	mutate_ports(g, "delete", "uuid", port_uuid);
	yajl_gen_map_close(g);
	return end_transact(g);
}

char *xd_ovsdb_req_ports(unsigned id)
{
	yajl_gen g = begin_transact(id);

	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	kv(g, "op", "select");
	kv(g, "table", "Port");
	s(g, "where");
	yajl_gen_array_open(g);
	yajl_gen_array_close(g);
	s(g, "columns");
	yajl_gen_array_open(g);
	s(g, "name");
	s(g, "_uuid");
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return end_transact(g);
}

char *xd_ovsdb_echo_reply(const yajl_val msg)
{
	const char *idp[] = { "id", NULL };
	const char *pp[] = { "params", NULL };
	yajl_val id = yajl_tree_get(msg, idp, yajl_t_any);
	yajl_val params = yajl_tree_get(msg, pp, yajl_t_array);
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	char *out = NULL;

	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	s(g, "id");
	if (YAJL_IS_STRING(id))
		s(g, str(id));
	else if (YAJL_IS_INTEGER(id))
		yajl_gen_integer(g, YAJL_GET_INTEGER(id));
	else
		yajl_gen_null(g);
	s(g, "result");
	yajl_gen_array_open(g);
	for (size_t i = 0; params && i < params->u.array.len; i++)
		if (YAJL_IS_STRING(params->u.array.values[i]))
			s(g, str(params->u.array.values[i]));
	yajl_gen_array_close(g);
	s(g, "error");
	yajl_gen_null(g);
	yajl_gen_map_close(g);
	if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok) {
		out = malloc(len + 1);
		if (out) {
			memcpy(out, buf, len);
			out[len] = '\0';
		}
	}
	yajl_gen_free(g);
	return out;
}

static yajl_val member(yajl_val obj, const char *key)
{
	const char *path[] = { key, NULL };

	return yajl_tree_get(obj, path, yajl_t_any);
}

int xd_ovsdb_check_reply(const yajl_val reply, char *err, size_t errlen)
{
	yajl_val e = member(reply, "error");
	yajl_val res = member(reply, "result");

	if (e && !YAJL_IS_NULL(e)) {
		snprintf(err, errlen, "ovsdb error: %s",
			 YAJL_IS_STRING(e) ? str(e) : "(not text)");
		return -1;
	}
	if (!YAJL_IS_ARRAY(res)) {
		snprintf(err, errlen, "ovsdb reply has no result array");
		return -1;
	}
	for (size_t i = 0; i < res->u.array.len; i++) {
		yajl_val op = res->u.array.values[i];
		yajl_val oe = YAJL_IS_OBJECT(op) ? member(op, "error") : NULL;
		yajl_val det;

		if (!oe || YAJL_IS_NULL(oe))
			continue;
		det = member(op, "details");
		snprintf(err, errlen, "ovsdb operation %zu: %s%s%s", i,
			 YAJL_IS_STRING(oe) ? str(oe) : "error",
			 YAJL_IS_STRING(det) ? ": " : "",
			 YAJL_IS_STRING(det) ? str(det) : "");
		return -1;
	}
	return 0;
}

/* An OVSDB uuid value: ["uuid", "<36 chars>"]. */
static const char *uuid_of(yajl_val v)
{
	if (!YAJL_IS_ARRAY(v) || v->u.array.len != 2)
		return NULL;
	if (!YAJL_IS_STRING(v->u.array.values[0]) ||
	    strcmp(str(v->u.array.values[0]), "uuid") ||
	    !YAJL_IS_STRING(v->u.array.values[1]) ||
	    strlen(str(v->u.array.values[1])) >= XD_UUID_MAX)
		return NULL;
	return str(v->u.array.values[1]);
}

/* Is uuid in an OVSDB set of uuids (a bare uuid or ["set", [...]])? */
static bool set_has_uuid(yajl_val set, const char *uuid)
{
	const char *u = uuid_of(set);
	yajl_val items;

	if (u)
		return !strcmp(u, uuid);
	if (!YAJL_IS_ARRAY(set) || set->u.array.len != 2 ||
	    !YAJL_IS_STRING(set->u.array.values[0]) ||
	    strcmp(str(set->u.array.values[0]), "set"))
		return false;
	items = set->u.array.values[1];
	if (!YAJL_IS_ARRAY(items))
		return false;
	for (size_t i = 0; i < items->u.array.len; i++) {
		u = uuid_of(items->u.array.values[i]);
		if (u && !strcmp(u, uuid))
			return true;
	}
	return false;
}

/* The rows of the i-th operation result, or NULL. */
static yajl_val rows_of(yajl_val res, size_t i)
{
	yajl_val rows;

	if (i >= res->u.array.len || !YAJL_IS_OBJECT(res->u.array.values[i]))
		return NULL;
	rows = member(res->u.array.values[i], "rows");
	return YAJL_IS_ARRAY(rows) ? rows : NULL;
}

int xd_ovsdb_parse_lookup(const yajl_val reply, struct xd_ovsdb_lookup *out,
			  char *err, size_t errlen)
{
	yajl_val res, brows, prows;

	memset(out, 0, sizeof(*out));
	if (xd_ovsdb_check_reply(reply, err, errlen) < 0)
		return -1;
	res = member(reply, "result");
	brows = rows_of(res, 0);
	prows = rows_of(res, 1);
	if (!brows || !prows) {
		snprintf(err, errlen, "ovsdb select reply has no rows");
		return -1;
	}
	out->bridge_exists = brows->u.array.len > 0;
	if (prows->u.array.len > 0) {
		const char *u = YAJL_IS_OBJECT(prows->u.array.values[0]) ?
			uuid_of(member(prows->u.array.values[0], "_uuid")) :
			NULL;

		if (!u) {
			snprintf(err, errlen, "ovsdb Port row has no _uuid");
			return -1;
		}
		snprintf(out->port_uuid, sizeof(out->port_uuid), "%s", u);
		if (out->bridge_exists && YAJL_IS_OBJECT(brows->u.array.values[0]))
			out->port_on_bridge = set_has_uuid(
				member(brows->u.array.values[0], "ports"), u);
	}
	return 0;
}

int xd_ovsdb_parse_ports(const yajl_val reply,
			 void (*fn)(const char *name, const char *uuid,
				    void *arg),
			 void *arg, char *err, size_t errlen)
{
	yajl_val rows;

	if (xd_ovsdb_check_reply(reply, err, errlen) < 0)
		return -1;
	rows = rows_of(member(reply, "result"), 0);
	if (!rows) {
		snprintf(err, errlen, "ovsdb select reply has no rows");
		return -1;
	}
	for (size_t i = 0; i < rows->u.array.len; i++) {
		yajl_val row = rows->u.array.values[i];
		const char *name, *uuid;

		if (!YAJL_IS_OBJECT(row))
			continue;
		name = str(member(row, "name"));
		uuid = uuid_of(member(row, "_uuid"));
		if (name[0] && strlen(name) < 16 && uuid)
			fn(name, uuid, arg);
	}
	return 0;
}
