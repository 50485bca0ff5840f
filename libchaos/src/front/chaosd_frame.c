// SPDX-License-Identifier: MIT
/* chaosd protocol: frames on a stream socket, and request validation. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include <chaos/chaosd.h>

#include "front/front.h"

/* Deeper JSON than this is refused before it is parsed (yajl's tree code
 * recurses when it frees). A config needs 3 levels. */
#define JSON_DEPTH_MAX 16

/* Wait for fd to be ready for events; -1 with ETIMEDOUT past deadline. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int left = -1, n;

	if (deadline >= 0) {
		long long l = deadline - chaos_now_ms();

		if (l <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		left = l > 60000 ? 60000 : (int)l;
	}
	n = poll(&p, 1, left);
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	if (n == 0)
		return deadline >= 0 && chaos_now_ms() >= deadline ?
		       (errno = ETIMEDOUT, -1) : 0;
	return 0;
}

void chaosd_frame_header(uint32_t len, uint8_t hdr[4])
{
	hdr[0] = (uint8_t)(len >> 24);
	hdr[1] = (uint8_t)(len >> 16);
	hdr[2] = (uint8_t)(len >> 8);
	hdr[3] = (uint8_t)len;
}

int chaosd_frame_length(const uint8_t hdr[4], uint32_t *len, chaos_err *err)
{
	uint32_t n = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
		     (uint32_t)hdr[2] << 8 | hdr[3];

	if (n == 0)
		return chaos_err_set(err, EPROTO, "frame: empty frame");
	if (n > CHAOSD_FRAME_MAX)
		return chaos_err_set(err, EPROTO,
				     "frame: %u bytes, more than the %u allowed",
				     n, CHAOSD_FRAME_MAX);
	*len = n;
	return 0;
}

static int write_all(int fd, const uint8_t *p, size_t len, long long deadline,
		     chaos_err *err)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_fd(fd, POLLOUT, deadline))
				return chaos_err_set(err, errno,
						     "frame: write: %s",
						     strerror(errno));
			continue;
		}
		return chaos_err_set(err, n < 0 ? errno : EIO,
				     "frame: write: %s",
				     n < 0 ? strerror(errno) : "nothing written");
	}
	return 0;
}

int chaosd_frame_write(int fd, const void *buf, size_t len, int timeout_ms,
		       chaos_err *err)
{
	long long deadline = timeout_ms < 0 ? -1 : chaos_now_ms() + timeout_ms;
	uint8_t hdr[4];

	if (len == 0 || len > CHAOSD_FRAME_MAX)
		return chaos_err_set(err, EMSGSIZE,
				     "frame: %zu bytes is not from 1 to %u", len,
				     CHAOSD_FRAME_MAX);
	chaosd_frame_header((uint32_t)len, hdr);
	if (write_all(fd, hdr, sizeof(hdr), deadline, err))
		return -1;
	return write_all(fd, buf, len, deadline, err);
}

/* Read exactly len bytes. Returns the bytes read before EOF if short. */
static int read_all(int fd, uint8_t *p, size_t len, long long deadline,
		    size_t *got, chaos_err *err)
{
	*got = 0;
	while (*got < len) {
		ssize_t n = read(fd, p + *got, len - *got);

		if (n > 0) {
			*got += (size_t)n;
			continue;
		}
		if (n == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if (wait_fd(fd, POLLIN, deadline))
				return chaos_err_set(err, errno,
						     "frame: read: %s",
						     strerror(errno));
			continue;
		}
		return chaos_err_set(err, errno, "frame: read: %s",
				     strerror(errno));
	}
	return 0;
}

int chaosd_frame_read(int fd, char **out, size_t *len, int timeout_ms,
		      chaos_err *err)
{
	long long deadline = timeout_ms < 0 ? -1 : chaos_now_ms() + timeout_ms;
	uint8_t hdr[4];
	uint32_t n;
	size_t got;
	char *buf;

	*out = NULL;
	*len = 0;
	if (read_all(fd, hdr, sizeof(hdr), deadline, &got, err))
		return -1;
	if (got == 0)
		return chaos_err_set(err, EPIPE, "frame: connection closed");
	if (got < sizeof(hdr))
		return chaos_err_set(err, EPROTO, "frame: header cut short");
	if (chaosd_frame_length(hdr, &n, err))
		return -1;
	buf = malloc((size_t)n + 1);
	if (!buf)
		return chaos_err_set(err, ENOMEM, "frame: out of memory");
	if (read_all(fd, (uint8_t *)buf, n, deadline, &got, err)) {
		free(buf);
		return -1;
	}
	if (got < n) {
		free(buf);
		return chaos_err_set(err, EPROTO,
				     "frame: cut short at %zu of %u bytes", got, n);
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* ---- Requests ---------------------------------------------------------- */

static const char *const op_names[] = {
	[CHAOSD_OP_PING] = "ping",
	[CHAOSD_OP_CREATE] = "create",
	[CHAOSD_OP_DESTROY] = "destroy",
	[CHAOSD_OP_SHUTDOWN] = "shutdown",
	[CHAOSD_OP_LIST] = "list",
	[CHAOSD_OP_POOL_GET] = "pool-get",
	[CHAOSD_OP_POOL_SET] = "pool-set",
	[CHAOSD_OP_CONSOLE] = "console",
};

const char *chaosd_op_name(chaosd_op op)
{
	if ((size_t)op < sizeof(op_names) / sizeof(op_names[0]))
		return op_names[op];
	return "?";
}

/* Nesting depth of JSON text, strings skipped; -1 if it exceeds max. */
static int json_depth_ok(const char *t, size_t len, int max)
{
	int depth = 0;
	bool in_str = false;

	for (size_t i = 0; i < len; i++) {
		char c = t[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (++depth > max)
				return 0;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return 1;
}

/* Write a tree value back as JSON text (for the config parser). */
static int regen(yajl_gen g, yajl_val v)
{
	switch (v->type) {
	case yajl_t_string:
		return yajl_gen_string(g, (const unsigned char *)v->u.string,
				       strlen(v->u.string)) != yajl_gen_status_ok;
	case yajl_t_number:
		return yajl_gen_number(g, v->u.number.r,
				       strlen(v->u.number.r)) != yajl_gen_status_ok;
	case yajl_t_true:
	case yajl_t_false:
		return yajl_gen_bool(g, v->type == yajl_t_true) !=
		       yajl_gen_status_ok;
	case yajl_t_null:
		return yajl_gen_null(g) != yajl_gen_status_ok;
	case yajl_t_array:
		if (yajl_gen_array_open(g) != yajl_gen_status_ok)
			return -1;
		for (size_t i = 0; i < v->u.array.len; i++)
			if (regen(g, v->u.array.values[i]))
				return -1;
		return yajl_gen_array_close(g) != yajl_gen_status_ok;
	case yajl_t_object:
		if (yajl_gen_map_open(g) != yajl_gen_status_ok)
			return -1;
		for (size_t i = 0; i < v->u.object.len; i++) {
			const char *k = v->u.object.keys[i];

			if (yajl_gen_string(g, (const unsigned char *)k,
					    strlen(k)) != yajl_gen_status_ok ||
			    regen(g, v->u.object.values[i]))
				return -1;
		}
		return yajl_gen_map_close(g) != yajl_gen_status_ok;
	default:
		return -1;
	}
}

static int parse_config(yajl_val v, chaos_config *cfg, chaos_err *err)
{
	const unsigned char *buf;
	size_t len;
	yajl_gen g;
	int rc;

	if (!YAJL_IS_OBJECT(v))
		return chaos_err_set(err, EINVAL, "config: expected an object");
	g = yajl_gen_alloc(NULL);
	if (!g)
		return chaos_err_set(err, ENOMEM, "config: out of memory");
	if (regen(g, v) ||
	    yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok) {
		yajl_gen_free(g);
		return chaos_err_set(err, EINVAL, "config: cannot re-encode");
	}
	rc = chaos_config_parse_buffer((const char *)buf, len, "config", cfg,
				       err);
	yajl_gen_free(g);
	return rc;
}

static int get_bool(yajl_val v, const char *key, bool *out, chaos_err *err)
{
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
		return chaos_err_set(err, EINVAL, "%s: expected true or false",
				     key);
	*out = YAJL_IS_TRUE(v);
	return 0;
}

static int get_uint(yajl_val v, const char *key, long long min, long long max,
		    long long *out, chaos_err *err)
{
	if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < min ||
	    YAJL_GET_INTEGER(v) > max)
		return chaos_err_set(err, EINVAL,
				     "%s: expected an integer from %lld to %lld",
				     key, min, max);
	*out = YAJL_GET_INTEGER(v);
	return 0;
}

/* A name (chaos_config_check_name) or a domain id. */
static int get_domain(yajl_val v, char *out, chaos_err *err)
{
	const char *s = YAJL_GET_STRING(v);
	size_t len;
	bool digits = true;

	if (!s)
		return chaos_err_set(err, EINVAL,
				     "domain: expected a name or id as a string");
	len = strlen(s);
	for (size_t i = 0; i < len; i++)
		digits &= s[i] >= '0' && s[i] <= '9';
	if (len == 0 || len >= CHAOS_NAME_MAX ||
	    (digits ? len > 5 : chaos_config_check_name(s, NULL) != 0))
		return chaos_err_set(err, EINVAL,
				     "domain: not a guest name or domain id");
	memcpy(out, s, len + 1);
	return 0;
}

static int get_path(yajl_val v, char *out, chaos_err *err)
{
	const char *s = YAJL_GET_STRING(v);
	size_t len;

	if (!s)
		return chaos_err_set(err, EINVAL, "config_path: expected a string");
	len = strlen(s);
	if (len == 0 || len >= CHAOS_CONFIG_PATH_MAX || s[0] != '/')
		return chaos_err_set(err, EINVAL,
				     "config_path: expected an absolute path shorter than %d bytes",
				     CHAOS_CONFIG_PATH_MAX);
	memcpy(out, s, len + 1);
	return 0;
}

static int set_field(chaosd_request *req, const char *key, yajl_val v,
		     bool *have_cfg, bool *have_domain, unsigned int *pool_keys,
		     chaos_err *err)
{
	long long n = 0;

	switch (req->op) {
	case CHAOSD_OP_CREATE:
		if (!strcmp(key, "config")) {
			if (*have_cfg)
				return chaos_err_set(err, EINVAL,
						     "config: given twice");
			if (parse_config(v, &req->cfg, err))
				return -1;
			*have_cfg = true;
			return 0;
		}
		if (!strcmp(key, "config_path"))
			return get_path(v, req->config_path, err);
		if (!strcmp(key, "paused"))
			return get_bool(v, key, &req->paused, err);
		if (!strcmp(key, "allow_larger"))
			return get_bool(v, key, &req->allow_larger, err);
		if (!strcmp(key, "no_pool"))
			return get_bool(v, key, &req->no_pool, err);
		break;
	case CHAOSD_OP_DESTROY:
	case CHAOSD_OP_SHUTDOWN:
	case CHAOSD_OP_CONSOLE:
		if (!strcmp(key, "domain")) {
			*have_domain = true;
			return get_domain(v, req->domain, err);
		}
		break;
	case CHAOSD_OP_POOL_SET:
		if (!strcmp(key, "memory_mib")) {
			*pool_keys |= 1;
			if (get_uint(v, key, 1, CHAOS_CONFIG_MEMORY_MAX, &n, err))
				return -1;
			req->memory_mib = (uint64_t)n;
			return 0;
		}
		if (!strcmp(key, "vcpus")) {
			*pool_keys |= 2;
			if (get_uint(v, key, 1, CHAOS_CONFIG_VCPUS_MAX, &n, err))
				return -1;
			req->vcpus = (unsigned int)n;
			return 0;
		}
		if (!strcmp(key, "vifs")) {
			if (get_uint(v, key, 0, CHAOS_CONFIG_VIFS_MAX, &n, err))
				return -1;
			req->vifs = (unsigned int)n;
			return 0;
		}
		if (!strcmp(key, "size")) {
			*pool_keys |= 4;
			if (get_uint(v, key, 0, CHAOSD_POOL_SIZE_MAX, &n, err))
				return -1;
			req->size = (unsigned int)n;
			return 0;
		}
		break;
	default:
		break;
	}
	return chaos_err_set(err, EINVAL, "%s: not a field of '%s'", key,
			     chaosd_op_name(req->op));
}

static int find_op(yajl_val top, chaosd_op *op, chaos_err *err)
{
	const char *name = NULL;

	for (size_t i = 0; i < top->u.object.len; i++)
		if (!strcmp(top->u.object.keys[i], "op")) {
			name = YAJL_GET_STRING(top->u.object.values[i]);
			if (!name)
				return chaos_err_set(err, EINVAL,
						     "op: expected a string");
		}
	if (!name)
		return chaos_err_set(err, EINVAL, "op: missing");
	for (size_t i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
		if (!strcmp(name, op_names[i])) {
			*op = (chaosd_op)i;
			return 0;
		}
	return chaos_err_set(err, EINVAL, "op: unknown operation");
}

static int check_request(yajl_val top, chaosd_request *req, chaos_err *err)
{
	bool have_cfg = false, have_domain = false;
	unsigned int pool_keys = 0;

	if (find_op(top, &req->op, err))
		return -1;
	for (size_t i = 0; i < top->u.object.len; i++) {
		const char *key = top->u.object.keys[i];

		if (!strcmp(key, "op"))
			continue;
		if (set_field(req, key, top->u.object.values[i], &have_cfg,
			      &have_domain, &pool_keys, err))
			return -1;
	}
	switch (req->op) {
	case CHAOSD_OP_CREATE:
		if (!have_cfg)
			return chaos_err_set(err, EINVAL, "config: missing");
		break;
	case CHAOSD_OP_DESTROY:
	case CHAOSD_OP_SHUTDOWN:
	case CHAOSD_OP_CONSOLE:
		if (!have_domain)
			return chaos_err_set(err, EINVAL, "domain: missing");
		break;
	case CHAOSD_OP_POOL_SET:
		if (pool_keys != 7)
			return chaos_err_set(err, EINVAL,
					     "%s: missing",
					     !(pool_keys & 1) ? "memory_mib" :
					     !(pool_keys & 2) ? "vcpus" : "size");
		break;
	default:
		break;
	}
	return 0;
}

int chaosd_request_parse(const char *text, size_t len, chaosd_request *req,
			 chaos_err *err)
{
	char errbuf[128] = "";
	yajl_val top;
	char *copy;
	int rc;

	memset(req, 0, sizeof(*req));
	chaos_config_init(&req->cfg);
	if (len == 0 || len > CHAOSD_FRAME_MAX)
		return chaos_err_set(err, EMSGSIZE,
				     "request: %zu bytes is not from 1 to %u",
				     len, CHAOSD_FRAME_MAX);
	if (memchr(text, '\0', len))
		return chaos_err_set(err, EINVAL, "request: contains a NUL byte");
	if (!json_depth_ok(text, len, JSON_DEPTH_MAX))
		return chaos_err_set(err, EINVAL,
				     "request: nested deeper than %d levels",
				     JSON_DEPTH_MAX);
	copy = malloc(len + 1);
	if (!copy)
		return chaos_err_set(err, ENOMEM, "request: out of memory");
	memcpy(copy, text, len);
	copy[len] = '\0';
	top = yajl_tree_parse(copy, errbuf, sizeof(errbuf));
	free(copy);
	if (!top) {
		/* yajl's message spans lines; keep the first. */
		errbuf[strcspn(errbuf, "\n")] = '\0';
		return chaos_err_set(err, EINVAL, "request: not JSON: %s",
				     errbuf[0] ? errbuf : "parse error");
	}
	if (!YAJL_IS_OBJECT(top)) {
		yajl_tree_free(top);
		return chaos_err_set(err, EINVAL, "request: expected an object");
	}
	rc = check_request(top, req, err);
	yajl_tree_free(top);
	if (rc)
		chaosd_request_free(req);
	return rc;
}

void chaosd_request_free(chaosd_request *req)
{
	if (!req)
		return;
	chaos_config_free(&req->cfg);
}
