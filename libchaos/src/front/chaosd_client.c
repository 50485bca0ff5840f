// SPDX-License-Identifier: MIT
/* chaosd client: connect, one request per call, typed helpers per op. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include <chaos/chaosd.h>

#include "front/front.h"

#define CALL_TIMEOUT_MS 120000  /* a full create of a big kernel is slow */

struct chaosd_conn {
	int fd;
};

int chaosd_connect(const char *path, chaosd_conn **out, chaos_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	chaosd_conn *c;
	int fd;

	*out = NULL;
	if (!path)
		path = CHAOSD_SOCKET;
	if (strlen(path) >= sizeof(sa.sun_path))
		return chaos_err_set(err, ENAMETOOLONG, "chaosd: socket path too long");
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return chaos_err_set(err, errno, "chaosd: socket: %s",
				     strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;

		close(fd);
		return chaos_err_set(err, e, "chaosd: %s: %s", path, strerror(e));
	}
	c = malloc(sizeof(*c));
	if (!c) {
		close(fd);
		return chaos_err_set(err, ENOMEM, "chaosd: out of memory");
	}
	c->fd = fd;
	*out = c;
	return 0;
}

int chaosd_conn_fd(const chaosd_conn *conn)
{
	return conn->fd;
}

void chaosd_close(chaosd_conn *conn)
{
	if (!conn)
		return;
	close(conn->fd);
	free(conn);
}

/* One request with (fds) attached, and its response. */
static int call_raw_fds(chaosd_conn *conn, const char *req, size_t len,
			const int *fds, size_t nfds, int timeout_ms,
			char **resp, size_t *resp_len, chaos_err *err)
{
	chaos_err werr;

	if (chaosd_frame_write_fds(conn->fd, req, len, fds, nfds, timeout_ms,
				   &werr)) {
		/* A daemon that refuses us answers and closes at once, maybe
		 * before our request was written: its answer is the better
		 * error, and it is still there to read. */
		if ((werr.code == EPIPE || werr.code == ECONNRESET) &&
		    chaosd_frame_read(conn->fd, resp, resp_len, 1000, NULL) == 0)
			return 0;
		if (err)
			*err = werr;
		return -1;
	}
	return chaosd_frame_read(conn->fd, resp, resp_len, timeout_ms, err);
}

int chaosd_call_raw(chaosd_conn *conn, const char *req, size_t len,
		    int timeout_ms, char **resp, size_t *resp_len,
		    chaos_err *err)
{
	return call_raw_fds(conn, req, len, NULL, 0, timeout_ms, resp, resp_len,
			    err);
}

/* Parse a response; -1 with its error text if "ok" is not true. */
static int response_tree(const char *text, yajl_val *out, chaos_err *err)
{
	static const char *ok_path[] = { "ok", NULL };
	static const char *err_path[] = { "error", NULL };
	yajl_val top = yajl_tree_parse(text, NULL, 0), ok, msg;

	if (!top || !YAJL_IS_OBJECT(top)) {
		yajl_tree_free(top);
		return chaos_err_set(err, EPROTO, "chaosd: malformed response");
	}
	ok = yajl_tree_get(top, ok_path, yajl_t_any);
	if (!YAJL_IS_TRUE(ok)) {
		static const char *to_path[] = { "timed_out", NULL };

		msg = yajl_tree_get(top, err_path, yajl_t_string);
		/* "timed_out": the guest did not answer in time (--force). */
		chaos_err_set(err,
			      YAJL_IS_TRUE(yajl_tree_get(top, to_path,
							 yajl_t_any)) ?
			      ETIMEDOUT : EIO, "%s",
			      msg ? YAJL_GET_STRING(msg) : "chaosd: request failed");
		yajl_tree_free(top);
		return -1;
	}
	*out = top;
	return 0;
}

int chaosd_call(chaosd_conn *conn, const char *req, size_t len,
		int timeout_ms, char **resp, chaos_err *err)
{
	size_t n;
	yajl_val top;

	*resp = NULL;
	if (chaosd_call_raw(conn, req, len, timeout_ms, resp, &n, err))
		return -1;
	if (response_tree(*resp, &top, err)) {
		free(*resp);
		*resp = NULL;
		return -1;
	}
	yajl_tree_free(top);
	return 0;
}

int front_call_fds(chaosd_conn *conn, const char *req, size_t len,
			 const int *fds, size_t nfds, int timeout_ms,
			 yajl_val *top, chaos_err *err)
{
	char *resp;
	size_t n;
	int rc;

	if (call_raw_fds(conn, req, len, fds, nfds, timeout_ms, &resp, &n, err))
		return -1;
	rc = response_tree(resp, top, err);
	free(resp);
	return rc;
}

static int call_tree(chaosd_conn *conn, const char *req, size_t len,
		     yajl_val *top, chaos_err *err)
{
	return front_call_fds(conn, req, len, NULL, 0, CALL_TIMEOUT_MS, top, err);
}

static int call_simple(chaosd_conn *conn, const char *req, chaos_err *err)
{
	yajl_val top;

	if (call_tree(conn, req, strlen(req), &top, err))
		return -1;
	yajl_tree_free(top);
	return 0;
}

char *front_json_string(const char *s)
{
	const unsigned char *buf;
	size_t len;
	char *out = NULL;
	yajl_gen g = yajl_gen_alloc(NULL);

	if (!g)
		return NULL;
	if (yajl_gen_string(g, (const unsigned char *)s, strlen(s)) ==
	    yajl_gen_status_ok &&
	    yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok) {
		out = malloc(len + 1);
		if (out) {
			memcpy(out, buf, len);
			out[len] = '\0';
		}
	}
	yajl_gen_free(g);
	return out;
}

int chaosd_ping(chaosd_conn *conn, chaos_err *err)
{
	return call_simple(conn, "{\"op\":\"ping\"}", err);
}

int chaosd_create(chaosd_conn *conn, const char *config_json, size_t len,
		  const char *config_path, bool paused, bool allow_larger,
		  chaosd_create_result *res, chaos_err *err)
{
	static const char *pooled_path[] = { "pooled", NULL };
	char *path = NULL, *req;
	size_t cap;
	int n, rc;
	yajl_val top;

	memset(res, 0, sizeof(*res));
	if (config_path && !(path = front_json_string(config_path)))
		return chaos_err_set(err, ENOMEM, "chaosd: out of memory");
	cap = len + (path ? strlen(path) : 0) + 128;
	if (cap > CHAOSD_FRAME_MAX) {
		free(path);
		return chaos_err_set(err, EMSGSIZE,
				     "chaosd: config too large for one request");
	}
	req = malloc(cap);
	if (!req) {
		free(path);
		return chaos_err_set(err, ENOMEM, "chaosd: out of memory");
	}
	n = snprintf(req, cap, "{\"op\":\"create\",\"paused\":%s,"
		     "\"allow_larger\":%s%s%s,\"config\":%.*s}",
		     paused ? "true" : "false", allow_larger ? "true" : "false",
		     path ? ",\"config_path\":" : "", path ? path : "",
		     (int)len, config_json);
	free(path);
	rc = call_tree(conn, req, (size_t)n, &top, err);
	free(req);
	if (rc)
		return -1;
	res->domid = (uint32_t)front_tree_u64(top, "domid", NULL);
	res->pooled = YAJL_IS_TRUE(yajl_tree_get(top, pooled_path, yajl_t_any));
	front_timing_read(top, FRONT_TIMING_CREATE, &res->timing);
	yajl_tree_free(top);
	return 0;
}

static int call_domain(chaosd_conn *conn, const char *op, const char *domain,
		       yajl_val *top, chaos_err *err)
{
	char *d = front_json_string(domain), req[256];
	int n;

	if (!d)
		return chaos_err_set(err, ENOMEM, "chaosd: out of memory");
	n = snprintf(req, sizeof(req), "{\"op\":\"%s\",\"domain\":%s}", op, d);
	free(d);
	if (n < 0 || (size_t)n >= sizeof(req))
		return chaos_err_set(err, EINVAL, "chaosd: domain name too long");
	return call_tree(conn, req, (size_t)n, top, err);
}

int chaosd_destroy(chaosd_conn *conn, const char *domain, chaos_err *err)
{
	yajl_val top;

	if (call_domain(conn, "destroy", domain, &top, err))
		return -1;
	yajl_tree_free(top);
	return 0;
}

int chaosd_pause(chaosd_conn *conn, const char *domain, chaos_err *err)
{
	yajl_val top;

	if (call_domain(conn, "pause", domain, &top, err))
		return -1;
	yajl_tree_free(top);
	return 0;
}

int chaosd_unpause(chaosd_conn *conn, const char *domain, chaos_err *err)
{
	yajl_val top;

	if (call_domain(conn, "unpause", domain, &top, err))
		return -1;
	yajl_tree_free(top);
	return 0;
}

#define SHUTDOWN_POLL_US 50000
/* chaosd's own wait ends at the timeout; this is only for a daemon gone
 * silent. */
#define SHUTDOWN_GRACE_MS 30000

int chaosd_shutdown(chaosd_conn *conn, const char *domain,
		    chaos_shutdown_reason reason, unsigned int timeout_ms,
		    bool wait, uint32_t *domid, chaos_err *err)
{
	static const char *done_path[] = { "done", NULL };
	char *d = front_json_string(domain), req[320];
	uint64_t id, start = chaos_now_us();
	yajl_val top;
	int n;

	if (!d)
		return chaos_err_set(err, ENOMEM, "chaosd: out of memory");
	if (reason != CHAOS_SHUTDOWN_POWEROFF && reason != CHAOS_SHUTDOWN_REBOOT) {
		free(d);
		return chaos_err_set(err, EINVAL,
				     "chaosd: only poweroff and reboot can be asked");
	}
	if (timeout_ms > CHAOSD_SHUTDOWN_TIMEOUT_MS_MAX)
		timeout_ms = CHAOSD_SHUTDOWN_TIMEOUT_MS_MAX;
	n = snprintf(req, sizeof(req),
		     "{\"op\":\"shutdown\",\"domain\":%s,\"reason\":\"%s\","
		     "\"timeout_ms\":%u}", d,
		     reason == CHAOS_SHUTDOWN_REBOOT ? "reboot" : "poweroff",
		     timeout_ms);
	free(d);
	if (n < 0 || (size_t)n >= sizeof(req))
		return chaos_err_set(err, EINVAL, "chaosd: domain name too long");
	if (call_tree(conn, req, (size_t)n, &top, err))
		return -1;
	id = front_tree_u64(top, "domid", NULL);
	yajl_tree_free(top);
	if (id == 0 || id >= 0x7ff0)
		return chaos_err_set(err, EPROTO,
				     "chaosd: shutdown response without a domid");
	if (domid)
		*domid = (uint32_t)id;
	if (!wait)
		return 0;
	n = snprintf(req, sizeof(req),
		     "{\"op\":\"shutdown-status\",\"domid\":%llu}",
		     (unsigned long long)id);
	for (;;) {
		bool done;

		if (call_tree(conn, req, (size_t)n, &top, err))
			return -1;
		done = YAJL_IS_TRUE(yajl_tree_get(top, done_path, yajl_t_any));
		yajl_tree_free(top);
		if (done)
			return 0;
		if ((chaos_now_us() - start) / 1000 >
		    (uint64_t)timeout_ms + SHUTDOWN_GRACE_MS)
			return chaos_err_set(err, ETIMEDOUT,
					     "chaosd: no answer about domain %llu's shutdown",
					     (unsigned long long)id);
		usleep(SHUTDOWN_POLL_US);
	}
}

int chaosd_console_attach(chaosd_conn *conn, const char *domain,
			  uint32_t *domid, chaos_err *err)
{
	yajl_val top;
	uint64_t id;

	if (call_domain(conn, "console", domain, &top, err))
		return -1;
	id = front_tree_u64(top, "domid", NULL);
	yajl_tree_free(top);
	if (id == 0 || id >= 0x7ff0)
		return chaos_err_set(err, EPROTO,
				     "chaosd: console response without a domid");
	*domid = (uint32_t)id;
	return 0;
}

int chaosd_pool_set(chaosd_conn *conn, const chaosd_flavour *flavour,
		    chaos_err *err)
{
	char req[256], bridge[64] = "";

	/* Checked here too: the name goes into JSON unescaped. */
	if (flavour->bridge[0] &&
	    (strnlen(flavour->bridge, sizeof(flavour->bridge)) ==
	     sizeof(flavour->bridge) ||
	     chaos_config_check_bridge(flavour->bridge, err) ||
	     strpbrk(flavour->bridge, "\"\\")))
		return chaos_err_set(err, EINVAL,
				     "pool: the flavour's bridge is not an interface name");
	if (flavour->bridge[0])
		snprintf(bridge, sizeof(bridge), ",\"bridge\":\"%s\"",
			 flavour->bridge);
	snprintf(req, sizeof(req),
		 "{\"op\":\"pool-set\",\"memory_mib\":%llu,\"vcpus\":%u,"
		 "\"vifs\":%u%s,\"size\":%u}",
		 (unsigned long long)flavour->memory_mib, flavour->vcpus,
		 flavour->vifs, bridge, flavour->size);
	return call_simple(conn, req, err);
}

/* A flavour's bridge: "" when absent; -1 when not a string that fits. */
static int flavour_bridge(yajl_val f, char *out, size_t cap)
{
	static const char *path[] = { "bridge", NULL };
	yajl_val v = yajl_tree_get(f, path, yajl_t_any);
	const char *b = v ? YAJL_GET_STRING(v) : "";

	if (!b || strlen(b) >= cap)
		return -1;
	memcpy(out, b, strlen(b) + 1);
	return 0;
}

int chaosd_pool_get(chaosd_conn *conn, chaosd_flavour **out, size_t *count,
		    bool *allow_larger, chaos_err *err)
{
	static const char *fl_path[] = { "flavours", NULL };
	static const char *al_path[] = { "allow_larger", NULL };
	static const char *req = "{\"op\":\"pool-get\"}";
	chaosd_flavour *fl;
	yajl_val top, arr;
	size_t n;

	*out = NULL;
	*count = 0;
	if (call_tree(conn, req, strlen(req), &top, err))
		return -1;
	arr = yajl_tree_get(top, fl_path, yajl_t_array);
	n = arr ? arr->u.array.len : 0;
	fl = calloc(n ? n : 1, sizeof(*fl));
	if (!fl) {
		yajl_tree_free(top);
		return chaos_err_set(err, ENOMEM, "chaosd: out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		yajl_val f = arr->u.array.values[i];

		fl[i].memory_mib = front_tree_u64(f, "memory_mib", NULL);
		fl[i].vcpus = (unsigned int)front_tree_u64(f, "vcpus", NULL);
		fl[i].vifs = (unsigned int)front_tree_u64(f, "vifs", NULL);
		fl[i].size = (unsigned int)front_tree_u64(f, "size", NULL);
		fl[i].ready = (unsigned int)front_tree_u64(f, "ready", NULL);
		if (flavour_bridge(f, fl[i].bridge, sizeof(fl[i].bridge))) {
			yajl_tree_free(top);
			free(fl);
			return chaos_err_set(err, EPROTO,
					     "chaosd: malformed response: flavours[%zu].bridge",
					     i);
		}
	}
	if (allow_larger)
		*allow_larger = YAJL_IS_TRUE(yajl_tree_get(top, al_path,
							   yajl_t_any));
	yajl_tree_free(top);
	*out = fl;
	*count = n;
	return 0;
}
