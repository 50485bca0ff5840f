/* SPDX-License-Identifier: MIT */
#ifndef XENDEVD_OVSDB_H
#define XENDEVD_OVSDB_H

#include <stddef.h>

#include "config.h"

/* A synchronous OVSDB JSON-RPC client on ovsdb-server's unix socket. */
struct xd_ovsdb {
	char path[XD_PATH_MAX];
	int fd;
	unsigned next_id;
	char *buf;
	size_t len, cap;
};

enum {
	XD_OVS_OK = 0,
	XD_OVS_NO_BRIDGE = 1,
};

void xd_ovsdb_init(struct xd_ovsdb *o, const char *path);
void xd_ovsdb_close(struct xd_ovsdb *o);

/*
 * Put port on bridge (moving it if it is on another one). Returns XD_OVS_OK,
 * XD_OVS_NO_BRIDGE if OVSDB has no such bridge, or -1 with err.
 */
int xd_ovsdb_add_port(struct xd_ovsdb *o, const char *bridge,
		      const char *port, char *err, size_t errlen);

/* Remove port from whatever bridge has it (none is fine). 0 or -1. */
int xd_ovsdb_del_port(struct xd_ovsdb *o, const char *port,
		      char *err, size_t errlen);

/* Call fn for every Port (name, uuid). 0 or -1 with err. */
int xd_ovsdb_list_ports(struct xd_ovsdb *o,
			void (*fn)(const char *name, const char *uuid,
				   void *arg),
			void *arg, char *err, size_t errlen);

/* Remove the Port with this uuid from its bridge. 0 or -1 with err. */
int xd_ovsdb_del_port_uuid(struct xd_ovsdb *o, const char *uuid,
			   char *err, size_t errlen);

#endif
