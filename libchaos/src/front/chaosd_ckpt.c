// SPDX-License-Identifier: MIT
/*
 * chaosd client, checkpoints: save, restore, resume, migrate and
 * migrate-receive through chaosd. The caller opened every file and
 * transport with its own credentials; their descriptors go with the
 * request (SCM_RIGHTS), never a path. A pre-shared key goes as hex in the
 * request, which is wiped once sent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include <chaos/chaosd.h>
#include <chaos/migrate.h>

#include "front/front.h"

/*
 * No limit of the client's own: chaosd bounds every wait of the work
 * (the suspend, the migration wire's timeouts), and a save takes as long
 * as the guest's memory does. A chaosd that dies closes the socket.
 */
#define CKPT_TIMEOUT_MS (-1)

/* {"op":op, ...} begun, compact. */
static yajl_gen begin(const char *op, chaos_err *err)
{
	yajl_gen g = chaos_json_begin_as(false, err);

	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	chaos_json_str(g, "op", op);
	return g;
}

/* A list of strings under key, when there is one. */
static void gen_list(yajl_gen g, const char *key, const char *const *list,
		     size_t n)
{
	if (!n)
		return;
	chaos_json_key(g, key);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++)
		yajl_gen_string(g, (const unsigned char *)list[i],
				strlen(list[i]));
	yajl_gen_array_close(g);
}

/* What the host allows an incoming guest: bridges, disks. */
static void gen_places(yajl_gen g, const chaos_restore_opts *opts)
{
	if (!opts)
		return;
	gen_list(g, "bridges", opts->bridges, opts->nr_bridges);
	gen_list(g, "disks", opts->disks, opts->nr_disks);
	if (opts->config_path)
		chaos_json_str(g, "config_path", opts->config_path);
}

/*
 * Close the request, put the key (if any) in front of its fields, send it
 * with (fds) and parse the answer. The buffer that held the key is wiped.
 */
static int send_request(chaosd_conn *conn, yajl_gen g,
			const chaos_migrate_key *key, const int *fds,
			size_t nfds, yajl_val *top, chaos_err *err)
{
	size_t klen = key ? key->len : 0, len, cap;
	char *json, *req;
	int rc;

	yajl_gen_map_close(g);
	if (chaos_json_finish(g, &json, err))
		return -1;
	len = strlen(json);
	cap = len + 2 * klen + 16;
	if (klen > CHAOS_PSK_MAX || cap > CHAOSD_FRAME_MAX) {
		free(json);
		return chaos_err_set(err, EMSGSIZE,
				     "chaosd: request too large for one frame");
	}
	req = malloc(cap);
	if (!req) {
		free(json);
		return chaos_err_set(err, ENOMEM, "chaosd: out of memory");
	}
	if (klen) {
		size_t n = 8 + 2 * klen;

		memcpy(req, "{\"key\":\"", 8);
		chaos_migrate_key_to_hex(key, req + 8);
		req[n++] = '"';
		req[n++] = ',';
		memcpy(req + n, json + 1, len);  /* json's '{' dropped */
		len = n + len - 1;
	} else {
		memcpy(req, json, len);
	}
	free(json);
	rc = front_call_fds(conn, req, len, fds, nfds, CKPT_TIMEOUT_MS, top,
			    err);
	explicit_bzero(req, cap);
	free(req);
	return rc;
}

static uint32_t reply_domid(yajl_val top)
{
	uint64_t id = front_tree_u64(top, "domid", NULL);

	return id < 0x7ff0 ? (uint32_t)id : 0;
}

int chaosd_save(chaosd_conn *conn, const char *domain, int fd,
		bool keep_running, chaos_save_timing *timing, uint32_t *domid,
		chaos_err *err)
{
	yajl_gen g = begin("save", err);
	yajl_val top;

	if (!g)
		return -1;
	chaos_json_str(g, "domain", domain);
	chaos_json_bool(g, "keep_running", keep_running);
	if (send_request(conn, g, NULL, &fd, 1, &top, err))
		return -1;
	if (domid)
		*domid = reply_domid(top);
	if (timing)
		front_timing_read(top, FRONT_TIMING_SAVE, timing);
	yajl_tree_free(top);
	return 0;
}

int chaosd_restore(chaosd_conn *conn, int fd, const chaos_restore_opts *opts,
		   uint32_t *domid, char *name, chaos_err *err)
{
	static const char *name_path[] = { "name", NULL };
	yajl_gen g = begin("restore", err);
	yajl_val top, v;

	*domid = 0;
	if (!g)
		return -1;
	chaos_json_bool(g, "paused", opts && opts->paused);
	chaos_json_bool(g, "unnamed", opts && opts->unnamed);
	gen_places(g, opts);
	if (send_request(conn, g, NULL, &fd, 1, &top, err))
		return -1;
	*domid = reply_domid(top);
	v = yajl_tree_get(top, name_path, yajl_t_string);
	if (name)
		snprintf(name, CHAOS_NAME_MAX, "%s",
			 v ? YAJL_GET_STRING(v) : "");
	yajl_tree_free(top);
	if (!*domid)
		return chaos_err_set(err, EPROTO,
				     "chaosd: restore response without a domid");
	return 0;
}

int chaosd_resume(chaosd_conn *conn, const char *domain, uint32_t *domid,
		  chaos_err *err)
{
	yajl_gen g = begin("resume", err);
	yajl_val top;

	if (!g)
		return -1;
	chaos_json_str(g, "domain", domain);
	if (send_request(conn, g, NULL, NULL, 0, &top, err))
		return -1;
	if (domid)
		*domid = reply_domid(top);
	yajl_tree_free(top);
	return 0;
}

/* (in_fd, out_fd) as one descriptor when they are the same. */
static size_t stream_fds(int in_fd, int out_fd, int fds[2])
{
	fds[0] = in_fd;
	fds[1] = out_fd;
	return in_fd == out_fd ? 1 : 2;
}

int chaosd_migrate_send(chaosd_conn *conn, const char *domain, int in_fd,
			int out_fd, bool live, const chaos_migrate_key *key,
			chaos_migrate_timing *timing, uint32_t *domid,
			chaos_err *err)
{
	yajl_gen g = begin("migrate-send", err);
	yajl_val top;
	int fds[2];
	size_t n = stream_fds(in_fd, out_fd, fds);

	if (!g)
		return -1;
	chaos_json_str(g, "domain", domain);
	chaos_json_bool(g, "live", live);
	if (send_request(conn, g, key, fds, n, &top, err))
		return -1;
	if (domid)
		*domid = reply_domid(top);
	if (timing) {
		front_timing_read(top, FRONT_TIMING_MIGRATE, timing);
		timing->rounds = (uint32_t)front_tree_u64(top, "rounds", NULL);
		timing->pages_resent = front_tree_u64(top, "pages_resent", NULL);
	}
	yajl_tree_free(top);
	return 0;
}

int chaosd_migrate_receive(chaosd_conn *conn, int in_fd, int out_fd,
			   const chaos_migrate_key *key,
			   const chaos_restore_opts *opts, uint32_t *domid,
			   chaos_err *err)
{
	yajl_gen g = begin("migrate-receive", err);
	yajl_val top;
	int fds[2];
	size_t n = stream_fds(in_fd, out_fd, fds);

	*domid = 0;
	if (!g)
		return -1;
	gen_places(g, opts);
	if (send_request(conn, g, key, fds, n, &top, err))
		return -1;
	*domid = reply_domid(top);
	yajl_tree_free(top);
	if (!*domid)
		return chaos_err_set(err, EPROTO,
				     "chaosd: migrate-receive response without a domid");
	return 0;
}
