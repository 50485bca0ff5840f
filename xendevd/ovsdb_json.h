/* SPDX-License-Identifier: MIT */
#ifndef XENDEVD_OVSDB_JSON_H
#define XENDEVD_OVSDB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>

/* OVSDB JSON-RPC messages (RFC 7047) for adding and removing a port. */

#define XD_UUID_MAX 40
/* Deepest nesting accepted in an OVSDB reply. */
#define XD_JSON_DEPTH_MAX 32

/*
 * Length of the first complete JSON object at buf (OVSDB sends objects
 * back to back, unframed), 0 if it is incomplete, -1 if buf does not start
 * with an object.
 */
long xd_json_object_len(const char *buf, size_t len);

/* Requests; each returns a malloc'ed NUL-terminated string or NULL. */
char *xd_ovsdb_req_lookup(unsigned id, const char *bridge, const char *port);
char *xd_ovsdb_req_add(unsigned id, const char *bridge, const char *port,
		       const char *port_uuid);
char *xd_ovsdb_req_del(unsigned id, const char *port_uuid);
char *xd_ovsdb_req_ports(unsigned id);
char *xd_ovsdb_echo_reply(const yajl_val msg);

struct xd_ovsdb_lookup {
	bool bridge_exists;
	bool port_on_bridge;            /* the port is already on it */
	char port_uuid[XD_UUID_MAX];    /* "" if no such port */
};

/*
 * Check a transact reply: 0 if every operation succeeded, else -1 with the
 * first error in err.
 */
int xd_ovsdb_check_reply(const yajl_val reply, char *err, size_t errlen);

/* Read the answer to xd_ovsdb_req_lookup. 0 or -1 with err. */
int xd_ovsdb_parse_lookup(const yajl_val reply, struct xd_ovsdb_lookup *out,
			  char *err, size_t errlen);

/*
 * Call fn(name, uuid, arg) for each row of the answer to
 * xd_ovsdb_req_ports; rows without a usable name or uuid are skipped.
 * 0 or -1 with err.
 */
int xd_ovsdb_parse_ports(const yajl_val reply,
			 void (*fn)(const char *name, const char *uuid,
				    void *arg),
			 void *arg, char *err, size_t errlen);

#endif
