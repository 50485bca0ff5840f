// SPDX-License-Identifier: MIT
/* chaosd's request parser: one JSON request, checked field by field. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include <chaos/chaosd.h>
#include <chaos/format.h>

#include "derr.h"
#include "request.h"

/* Deeper JSON than this is refused before it is parsed (yajl's tree code
 * recurses when it frees). A config needs 3 levels. */
#define JSON_DEPTH_MAX 16

/* Fill err (may be NULL); returns -1. */
static const char *const op_names[] = {
	[CHAOSD_OP_PING] = "ping",
	[CHAOSD_OP_CREATE] = "create",
	[CHAOSD_OP_DESTROY] = "destroy",
	[CHAOSD_OP_SHUTDOWN] = "shutdown",
	[CHAOSD_OP_LIST] = "list",
	[CHAOSD_OP_POOL_GET] = "pool-get",
	[CHAOSD_OP_POOL_SET] = "pool-set",
	[CHAOSD_OP_CONSOLE] = "console",
	[CHAOSD_OP_PAUSE] = "pause",
	[CHAOSD_OP_UNPAUSE] = "unpause",
	[CHAOSD_OP_SHUTDOWN_STATUS] = "shutdown-status",
	[CHAOSD_OP_SAVE] = "save",
	[CHAOSD_OP_RESTORE] = "restore",
	[CHAOSD_OP_RESUME] = "resume",
	[CHAOSD_OP_MIGRATE_SEND] = "migrate-send",
	[CHAOSD_OP_MIGRATE_RECEIVE] = "migrate-receive",
	[CHAOSD_OP_HELLO] = "hello",
	[CHAOSD_OP_INFO] = "info",
	[CHAOSD_OP_NETWORK_LIST] = "network-list",
	[CHAOSD_OP_BLOCK_LIST] = "block-list",
	[CHAOSD_OP_STATS] = "stats",
	[CHAOSD_OP_SUBSCRIBE] = "subscribe",
};

void chaosd_op_fds(chaosd_op op, size_t *min, size_t *max)
{
	switch (op) {
	case CHAOSD_OP_SAVE:
	case CHAOSD_OP_RESTORE:
		*min = *max = 1;
		return;
	case CHAOSD_OP_MIGRATE_SEND:
	case CHAOSD_OP_MIGRATE_RECEIVE:
		*min = 1;
		*max = 2;
		return;
	default:
		*min = *max = 0;
	}
}

const char *chaosd_op_name(chaosd_op op)
{
	if ((size_t)op < sizeof(op_names) / sizeof(op_names[0]))
		return op_names[op];
	return "?";
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
		return derr(err, EINVAL, "config: expected an object");
	g = yajl_gen_alloc(NULL);
	if (!g)
		return derr(err, ENOMEM, "config: out of memory");
	if (regen(g, v) ||
	    yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok) {
		yajl_gen_free(g);
		return derr(err, EINVAL, "config: cannot re-encode");
	}
	rc = chaos_config_parse_buffer((const char *)buf, len, "config", cfg,
				       err);
	yajl_gen_free(g);
	return rc;
}

static int get_bool(yajl_val v, const char *key, bool *out, chaos_err *err)
{
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
		return derr(err, EINVAL, "%s: expected true or false",
				     key);
	*out = YAJL_IS_TRUE(v);
	return 0;
}

static int get_uint(yajl_val v, const char *key, long long min, long long max,
		    long long *out, chaos_err *err)
{
	if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < min ||
	    YAJL_GET_INTEGER(v) > max)
		return derr(err, EINVAL,
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
		return derr(err, EINVAL,
				     "domain: expected a name or id as a string");
	len = strlen(s);
	for (size_t i = 0; i < len; i++)
		digits &= s[i] >= '0' && s[i] <= '9';
	if (len == 0 || len >= CHAOS_NAME_MAX ||
	    (digits ? len > 5 : chaos_config_check_name(s, NULL) != 0))
		return derr(err, EINVAL,
				     "domain: not a guest name or domain id");
	memcpy(out, s, len + 1);
	return 0;
}

static int get_path(yajl_val v, char *out, chaos_err *err)
{
	const char *s = YAJL_GET_STRING(v);
	size_t len;

	if (!s)
		return derr(err, EINVAL, "config_path: expected a string");
	len = strlen(s);
	if (len == 0 || len >= CHAOS_CONFIG_PATH_MAX || s[0] != '/')
		return derr(err, EINVAL,
				     "config_path: expected an absolute path shorter than %d bytes",
				     CHAOS_CONFIG_PATH_MAX);
	memcpy(out, s, len + 1);
	return 0;
}

/* --disk's PATH or FROM=TO; the library checks them against the image. */
static int get_disks(yajl_val v, chaosd_request *req, chaos_err *err)
{
	if (!YAJL_IS_ARRAY(v) || v->u.array.len > CHAOS_CONFIG_DISKS_MAX)
		return derr(err, EINVAL,
			       "disks: expected an array of at most %d strings",
			       CHAOS_CONFIG_DISKS_MAX);
	for (size_t i = 0; i < v->u.array.len; i++) {
		const char *b = YAJL_GET_STRING(v->u.array.values[i]);

		if (!b || *b != '/' ||
		    strlen(b) >= 2 * CHAOS_CONFIG_PATH_MAX)
			return derr(err, EINVAL,
				       "disks: entry %zu: expected PATH or FROM=TO, absolute paths",
				       i);
		req->disks[i] = strdup(b);
		if (!req->disks[i])
			return derr(err, ENOMEM, "disks: out of memory");
		req->nr_disks = i + 1;
	}
	return 0;
}

/* --bridge's NAME or FROM=TO; the library checks the names. */
static int get_bridges(yajl_val v, chaosd_request *req, chaos_err *err)
{
	if (!YAJL_IS_ARRAY(v) || v->u.array.len > CHAOSD_BRIDGES_MAX)
		return derr(err, EINVAL,
			       "bridges: expected an array of at most %d strings",
			       CHAOSD_BRIDGES_MAX);
	for (size_t i = 0; i < v->u.array.len; i++) {
		const char *b = YAJL_GET_STRING(v->u.array.values[i]);

		if (!b || !*b || *b == '=' ||
		    strlen(b) >= CHAOSD_BRIDGE_ARG_MAX)
			return derr(err, EINVAL,
				       "bridges: entry %zu: expected NAME or FROM=TO",
				       i);
		memcpy(req->bridges[i], b, strlen(b) + 1);
	}
	req->nr_bridges = v->u.array.len;
	return 0;
}

/* The pre-shared key as hex (chaos_migrate_key_from_hex). */
static int get_key(yajl_val v, chaos_migrate_key *key, chaos_err *err)
{
	const char *s = YAJL_GET_STRING(v);

	if (!s)
		return derr(err, EINVAL, "key: expected a string");
	return chaos_migrate_key_from_hex(s, key, err);
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
				return derr(err, EINVAL,
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
	case CHAOSD_OP_RESTORE:
	case CHAOSD_OP_MIGRATE_RECEIVE:
		if (!strcmp(key, "bridges"))
			return get_bridges(v, req, err);
		if (!strcmp(key, "disks") && !req->nr_disks)
			return get_disks(v, req, err);
		if (!strcmp(key, "config_path"))
			return get_path(v, req->config_path, err);
		if (req->op == CHAOSD_OP_MIGRATE_RECEIVE && !strcmp(key, "key"))
			return get_key(v, &req->key, err);
		if (req->op == CHAOSD_OP_RESTORE && !strcmp(key, "paused"))
			return get_bool(v, key, &req->paused, err);
		if (req->op == CHAOSD_OP_RESTORE && !strcmp(key, "unnamed"))
			return get_bool(v, key, &req->unnamed, err);
		break;
	case CHAOSD_OP_SAVE:
	case CHAOSD_OP_MIGRATE_SEND:
		if (req->op == CHAOSD_OP_SAVE && !strcmp(key, "keep_running"))
			return get_bool(v, key, &req->keep_running, err);
		if (req->op == CHAOSD_OP_MIGRATE_SEND && !strcmp(key, "live"))
			return get_bool(v, key, &req->live, err);
		if (req->op == CHAOSD_OP_MIGRATE_SEND && !strcmp(key, "key"))
			return get_key(v, &req->key, err);
		goto domain;
	case CHAOSD_OP_SHUTDOWN:
		if (!strcmp(key, "reason")) {
			const char *r = YAJL_GET_STRING(v);

			if (r && !strcmp(r, "poweroff"))
				req->reason = CHAOS_SHUTDOWN_POWEROFF;
			else if (r && !strcmp(r, "reboot"))
				req->reason = CHAOS_SHUTDOWN_REBOOT;
			else
				return derr(err, EINVAL,
						     "reason: expected \"poweroff\" or \"reboot\"");
			return 0;
		}
		if (!strcmp(key, "timeout_ms")) {
			if (get_uint(v, key, 0, CHAOSD_SHUTDOWN_TIMEOUT_MS_MAX,
				     &n, err))
				return -1;
			req->timeout_ms = (unsigned int)n;
			return 0;
		}
		/* fall through */
	case CHAOSD_OP_DESTROY:
	case CHAOSD_OP_CONSOLE:
	case CHAOSD_OP_PAUSE:
	case CHAOSD_OP_UNPAUSE:
	case CHAOSD_OP_RESUME:
	case CHAOSD_OP_NETWORK_LIST:
	case CHAOSD_OP_BLOCK_LIST:
	case CHAOSD_OP_STATS:
	domain:
		if (!strcmp(key, "domain")) {
			*have_domain = true;
			return get_domain(v, req->domain, err);
		}
		break;
	case CHAOSD_OP_SHUTDOWN_STATUS:
		if (!strcmp(key, "domid")) {
			*have_domain = true;
			if (get_uint(v, key, 1, 0x7fef, &n, err))
				return -1;
			req->domid = (uint32_t)n;
			return 0;
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
		if (!strcmp(key, "bridge")) {
			const char *b = YAJL_GET_STRING(v);

			if (!b)
				return derr(err, EINVAL,
					    "bridge: expected a string");
			if (chaos_config_check_bridge(b, err))
				return -1;
			memcpy(req->bridge, b, strlen(b) + 1);
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
	return derr(err, EINVAL, "%s: not a field of '%s'", key,
			     chaosd_op_name(req->op));
}

static int find_op(yajl_val top, chaosd_op *op, chaos_err *err)
{
	const char *name = NULL;

	for (size_t i = 0; i < top->u.object.len; i++)
		if (!strcmp(top->u.object.keys[i], "op")) {
			name = YAJL_GET_STRING(top->u.object.values[i]);
			if (!name)
				return derr(err, EINVAL,
						     "op: expected a string");
		}
	if (!name)
		return derr(err, EINVAL, "op: missing");
	for (size_t i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
		if (!strcmp(name, op_names[i])) {
			*op = (chaosd_op)i;
			return 0;
		}
	return derr(err, EINVAL, "op: unknown operation");
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
			return derr(err, EINVAL, "config: missing");
		break;
	case CHAOSD_OP_DESTROY:
	case CHAOSD_OP_SHUTDOWN:
	case CHAOSD_OP_CONSOLE:
	case CHAOSD_OP_PAUSE:
	case CHAOSD_OP_UNPAUSE:
	case CHAOSD_OP_SAVE:
	case CHAOSD_OP_RESUME:
	case CHAOSD_OP_MIGRATE_SEND:
	case CHAOSD_OP_NETWORK_LIST:
	case CHAOSD_OP_BLOCK_LIST:
		if (!have_domain)
			return derr(err, EINVAL, "domain: missing");
		break;
	case CHAOSD_OP_SHUTDOWN_STATUS:
		if (!have_domain)
			return derr(err, EINVAL, "domid: missing");
		break;
	case CHAOSD_OP_POOL_SET:
		if (pool_keys != 7)
			return derr(err, EINVAL,
					     "%s: missing",
					     !(pool_keys & 1) ? "memory_mib" :
					     !(pool_keys & 2) ? "vcpus" : "size");
		if (req->bridge[0] && !req->vifs)
			return derr(err, EINVAL,
				    "bridge: a flavour without vifs has none");
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
	req->reason = CHAOS_SHUTDOWN_POWEROFF;
	req->timeout_ms = CHAOSD_SHUTDOWN_TIMEOUT_MS_DEFAULT;
	if (len == 0 || len > CHAOSD_FRAME_MAX)
		return derr(err, EMSGSIZE,
				     "request: %zu bytes is not from 1 to %u",
				     len, CHAOSD_FRAME_MAX);
	if (memchr(text, '\0', len))
		return derr(err, EINVAL, "request: contains a NUL byte");
	if (chaos_json_depth(text, len) > JSON_DEPTH_MAX)
		return derr(err, EINVAL,
				     "request: nested deeper than %d levels",
				     JSON_DEPTH_MAX);
	copy = malloc(len + 1);
	if (!copy)
		return derr(err, ENOMEM, "request: out of memory");
	memcpy(copy, text, len);
	copy[len] = '\0';
	top = yajl_tree_parse(copy, errbuf, sizeof(errbuf));
	free(copy);
	if (!top) {
		/* yajl's message spans lines; keep the first. */
		errbuf[strcspn(errbuf, "\n")] = '\0';
		return derr(err, EINVAL, "request: not JSON: %s",
				     errbuf[0] ? errbuf : "parse error");
	}
	if (!YAJL_IS_OBJECT(top)) {
		yajl_tree_free(top);
		return derr(err, EINVAL, "request: expected an object");
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
	for (size_t i = 0; i < req->nr_disks; i++)
		free(req->disks[i]);
	req->nr_disks = 0;
	explicit_bzero(&req->key, sizeof(req->key));
}
