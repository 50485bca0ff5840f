// SPDX-License-Identifier: MIT
/* OVSDB transport: connect, send a request, wait for its answer. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "ovsdb.h"
#include "ovsdb_json.h"

#define OVSDB_TIMEOUT_MS 3000
#define OVSDB_MSG_MAX (1024 * 1024)

void xd_ovsdb_init(struct xd_ovsdb *o, const char *path)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->path, sizeof(o->path), "%s", path);
	o->fd = -1;
	o->next_id = 1;
}

void xd_ovsdb_close(struct xd_ovsdb *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
}

static int connect_db(struct xd_ovsdb *o, char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	if (o->fd >= 0)
		return 0;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", o->path);
	o->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (o->fd < 0 ||
	    connect(o->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		snprintf(err, errlen, "ovsdb %s: %s", o->path,
			 strerror(errno));
		xd_ovsdb_close(o);
		return -1;
	}
	o->len = 0;
	return 0;
}

static int send_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read until the answer with this id arrives; echo requests are served. */
static int wait_reply(struct xd_ovsdb *o, unsigned id, yajl_val *out,
		      char *err, size_t errlen)
{
	uint64_t deadline = xd_now_ms() + OVSDB_TIMEOUT_MS;
	char perr[128];

	for (;;) {
		long n = xd_json_object_len(o->buf, o->len);

		if (n < 0) {
			snprintf(err, errlen, "ovsdb sent something not JSON");
			return -1;
		}
		if (n > 0) {
			char save = o->buf[n];
			yajl_val msg, v;
			const char *idp[] = { "id", NULL };
			const char *mp[] = { "method", NULL };

			o->buf[n] = '\0';
			msg = yajl_tree_parse(o->buf, perr, sizeof(perr));
			o->buf[n] = save;
			memmove(o->buf, o->buf + n, o->len - (size_t)n);
			o->len -= (size_t)n;
			if (!msg) {
				snprintf(err, errlen, "ovsdb bad JSON: %s",
					 perr);
				return -1;
			}
			v = yajl_tree_get(msg, mp, yajl_t_string);
			if (YAJL_IS_STRING(v) && v->u.string &&
			    !strcmp(v->u.string, "echo")) {
				char *r = xd_ovsdb_echo_reply(msg);

				if (r)
					send_all(o->fd, r, strlen(r));
				free(r);
			}
			v = yajl_tree_get(msg, idp, yajl_t_number);
			if (v && YAJL_IS_INTEGER(v) &&
			    YAJL_GET_INTEGER(v) == (long long)id) {
				*out = msg;
				return 0;
			}
			yajl_tree_free(msg);    /* notification or stale */
			continue;
		}
		if (o->len + 4096 + 1 > o->cap) {
			size_t cap = o->cap ? o->cap * 2 : 16384;
			char *nb;

			if (cap > OVSDB_MSG_MAX) {
				snprintf(err, errlen,
					 "ovsdb message larger than 1 MiB");
				return -1;
			}
			nb = realloc(o->buf, cap);
			if (!nb) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			o->buf = nb;
			o->cap = cap;
		}
		{
			struct pollfd pfd = { .fd = o->fd, .events = POLLIN };
			long long left = (long long)deadline - (long long)xd_now_ms();
			ssize_t r;

			if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
				snprintf(err, errlen, "ovsdb did not answer "
					 "within %d ms", OVSDB_TIMEOUT_MS);
				return -1;
			}
			r = recv(o->fd, o->buf + o->len,
				 o->cap - o->len - 1, 0);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				snprintf(err, errlen, "ovsdb closed: %s",
					 r < 0 ? strerror(errno) : "EOF");
				return -1;
			}
			o->len += (size_t)r;
		}
	}
}

/* One request/answer; reconnects once if the connection had gone stale. */
static int call(struct xd_ovsdb *o, char *(*build)(unsigned, const char *,
		const char *, const char *), const char *a, const char *b,
		const char *c, yajl_val *out, char *err, size_t errlen)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		unsigned id = o->next_id++;
		char *req;
		int ret;

		if (connect_db(o, err, errlen) < 0)
			return -1;
		req = build(id, a, b, c);
		if (!req) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		ret = send_all(o->fd, req, strlen(req));
		free(req);
		if (ret < 0) {
			snprintf(err, errlen, "ovsdb send: %s",
				 strerror(errno));
			xd_ovsdb_close(o);
			continue;
		}
		if (wait_reply(o, id, out, err, errlen) == 0)
			return 0;
		xd_ovsdb_close(o);
		if (strncmp(err, "ovsdb closed", 12))
			return -1;
	}
	return -1;
}

static char *build_lookup(unsigned id, const char *bridge, const char *port,
			  const char *unused)
{
	(void)unused;
	return xd_ovsdb_req_lookup(id, bridge, port);
}

static char *build_add(unsigned id, const char *bridge, const char *port,
		       const char *uuid)
{
	return xd_ovsdb_req_add(id, bridge, port, uuid);
}

static char *build_del(unsigned id, const char *uuid, const char *unused1,
		       const char *unused2)
{
	(void)unused1;
	(void)unused2;
	return xd_ovsdb_req_del(id, uuid);
}

static char *build_ports(unsigned id, const char *unused1,
			 const char *unused2, const char *unused3)
{
	(void)unused1;
	(void)unused2;
	(void)unused3;
	return xd_ovsdb_req_ports(id);
}

int xd_ovsdb_list_ports(struct xd_ovsdb *o,
			void (*fn)(const char *name, const char *uuid,
				   void *arg),
			void *arg, char *err, size_t errlen)
{
	yajl_val reply;
	int ret;

	if (call(o, build_ports, NULL, NULL, NULL, &reply, err, errlen) < 0)
		return -1;
	ret = xd_ovsdb_parse_ports(reply, fn, arg, err, errlen);
	yajl_tree_free(reply);
	return ret;
}

int xd_ovsdb_del_port_uuid(struct xd_ovsdb *o, const char *uuid,
			   char *err, size_t errlen)
{
	yajl_val reply;
	int ret;

	if (call(o, build_del, uuid, NULL, NULL, &reply, err, errlen) < 0)
		return -1;
	ret = xd_ovsdb_check_reply(reply, err, errlen);
	yajl_tree_free(reply);
	return ret;
}

int xd_ovsdb_add_port(struct xd_ovsdb *o, const char *bridge,
		      const char *port, char *err, size_t errlen)
{
	struct xd_ovsdb_lookup look;
	yajl_val reply;
	int ret;

	if (call(o, build_lookup, bridge, port, NULL, &reply, err, errlen) < 0)
		return -1;
	ret = xd_ovsdb_parse_lookup(reply, &look, err, errlen);
	yajl_tree_free(reply);
	if (ret < 0)
		return -1;
	if (!look.bridge_exists)
		return XD_OVS_NO_BRIDGE;
	if (look.port_on_bridge)
		return XD_OVS_OK;
	if (call(o, build_add, bridge, port, look.port_uuid, &reply, err,
		 errlen) < 0)
		return -1;
	ret = xd_ovsdb_check_reply(reply, err, errlen);
	yajl_tree_free(reply);
	if (ret < 0 && strstr(err, "timed out"))
		return XD_OVS_NO_BRIDGE;        /* deleted meanwhile */
	return ret < 0 ? -1 : XD_OVS_OK;
}

int xd_ovsdb_del_port(struct xd_ovsdb *o, const char *port,
		      char *err, size_t errlen)
{
	struct xd_ovsdb_lookup look;
	yajl_val reply;
	int ret;

	/* Any bridge name will do: only the Port half of the answer counts. */
	if (call(o, build_lookup, "", port, NULL, &reply, err, errlen) < 0)
		return -1;
	ret = xd_ovsdb_parse_lookup(reply, &look, err, errlen);
	yajl_tree_free(reply);
	if (ret < 0)
		return -1;
	if (!look.port_uuid[0])
		return 0;
	if (call(o, build_del, look.port_uuid, NULL, NULL, &reply, err,
		 errlen) < 0)
		return -1;
	ret = xd_ovsdb_check_reply(reply, err, errlen);
	yajl_tree_free(reply);
	return ret;
}
