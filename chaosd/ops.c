// SPDX-License-Identifier: MIT
/* Request handlers: one function per op, each writing one JSON response. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "consoles.h"
#include "daemon.h"
#include "reply.h"

static void gen_timing(yajl_gen g, const chaos_create_timing *t)
{
	gen_str(g, "timing_us");
	yajl_gen_map_open(g);
	gen_kv_uint(g, "parse", t->parse_us);
	gen_kv_uint(g, "domain", t->domain_us);
	gen_kv_uint(g, "memory", t->memory_us);
	gen_kv_uint(g, "load", t->load_us);
	gen_kv_uint(g, "pagetables", t->pagetables_us);
	gen_kv_uint(g, "devices", t->devices_us);
	gen_kv_uint(g, "unpause", t->unpause_us);
	gen_kv_uint(g, "total", t->total_us);
	yajl_gen_map_close(g);
}

static bool absolute_or_null(const char *path)
{
	return !path || path[0] == '/';
}

static int op_create(struct daemon *d, chaosd_request *req, yajl_gen *out,
		     chaos_err *err)
{
	chaos_create_opts opts = {
		.paused = req->paused,
		.config_path = req->config_path[0] ? req->config_path : NULL,
	};
	chaos_create_timing timing;
	chaos_shell *shell = NULL;
	uint64_t shell_mib = 0;
	uint32_t domid;
	yajl_gen g;
	int rc;

	/* chaosd's working directory is not the client's. */
	if (!absolute_or_null(req->cfg.kernel) ||
	    !absolute_or_null(req->cfg.ramdisk)) {
		derr(err, EINVAL,
		     "kernel/ramdisk: chaosd needs absolute paths");
		return -1;
	}
	if (!req->no_pool)
		shell = pool_take(&d->pool, req->cfg.memory_mib, req->cfg.vcpus,
				  (unsigned int)req->cfg.nr_vifs,
				  req->allow_larger);
	if (shell) {
		shell_mib = chaos_shell_memory_mib(shell);
		rc = chaos_guest_create_in_shell(d->host, &req->cfg, &opts,
						 &shell, &domid, &timing, err);
		if (shell)
			pool_put_back(&d->pool, d->host, shell);
	} else {
		rc = chaos_guest_create(d->host, &req->cfg, &opts, &domid,
					&timing, err);
	}
	if (rc)
		return -1;
	consoles_attach(d->consoles, domid);
	dlog("created domain %u%s%s%s (%s, %llu us)", domid,
	     req->cfg.name[0] ? " (" : "", req->cfg.name,
	     req->cfg.name[0] ? ")" : "", shell_mib ? "pooled" : "full",
	     (unsigned long long)timing.total_us);
	g = reply_ok_begin();
	if (!g)
		return -1;
	gen_kv_uint(g, "domid", domid);
	gen_kv_str(g, "name", req->cfg.name);
	gen_kv_bool(g, "pooled", shell_mib != 0);
	if (shell_mib)
		gen_kv_uint(g, "shell_memory_mib", shell_mib);
	gen_timing(g, &timing);
	*out = g;
	return 0;
}

/* Resolve a name or id to a guest, refusing dom0 and pooled shells. */
static int resolve(struct daemon *d, const char *ref, uint32_t *domid,
		   chaos_err *err)
{
	if (chaos_guest_resolve(d->host, ref, domid, err))
		return -1;
	if (*domid == 0 || pool_owns(&d->pool, *domid)) {
		derr(err, EPERM, *domid ?
		     "domain is an unused shell of the pool" :
		     "refusing to touch Domain-0");
		return -1;
	}
	return 0;
}

static int op_destroy(struct daemon *d, chaosd_request *req, yajl_gen *out,
		      chaos_err *err)
{
	uint32_t domid;

	if (resolve(d, req->domain, &domid, err))
		return -1;
	/* Our mapping of its console ring would keep the domain dying. */
	consoles_detach(d->consoles, domid);
	if (chaos_guest_destroy(d->host, domid, err))
		return -1;
	dlog("destroyed domain %u", domid);
	*out = reply_ok_begin();
	return *out ? 0 : -1;
}

static int op_shutdown(struct daemon *d, chaosd_request *req, yajl_gen *out,
		       chaos_err *err)
{
	uint32_t domid;

	/* The reaper applies on_poweroff once the guest is down. */
	if (resolve(d, req->domain, &domid, err) ||
	    chaos_domain_request_shutdown(d->host, domid, CHAOS_SHUTDOWN_POWEROFF,
					  err))
		return -1;
	*out = reply_ok_begin();
	return *out ? 0 : -1;
}

/* Check the guest is chaos's; the console thread takes it from here. */
static int op_console(struct daemon *d, chaosd_request *req,
		      uint32_t *stream_domid, chaos_err *err)
{
	chaos_guest_info guest;
	uint32_t domid;

	if (resolve(d, req->domain, &domid, err))
		return -1;
	if (chaos_guest_get(d->host, domid, &guest, err)) {
		if (err->code != ENOENT)
			return -1;
		derr(err, ENOENT,
		     "domain %u is not a chaos guest (no record): its console is not chaosd's",
		     domid);
		return -1;
	}
	*stream_domid = domid;
	return 0;
}

static int op_list(struct daemon *d, yajl_gen *out, chaos_err *err)
{
	chaos_domain_info *doms;
	size_t n;
	yajl_gen g;

	if (chaos_domain_list(d->host, &doms, &n, err))
		return -1;
	g = reply_ok_begin();
	if (!g) {
		free(doms);
		return -1;
	}
	gen_str(g, "domains");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		if (pool_owns(&d->pool, doms[i].domid))
			continue;
		yajl_gen_map_open(g);
		gen_kv_uint(g, "id", doms[i].domid);
		gen_kv_str(g, "name", chaos_domain_display_name(&doms[i]));
		gen_kv_str(g, "state", chaos_domain_state_name(doms[i].state));
		gen_kv_uint(g, "memory_mib", doms[i].mem_kib / 1024);
		gen_kv_uint(g, "vcpus", doms[i].vcpus);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	free(doms);
	*out = g;
	return 0;
}

static int op_pool_get(struct daemon *d, yajl_gen *out)
{
	chaosd_flavour fl[CHAOSD_FLAVOURS_MAX];
	unsigned int n = pool_snapshot(&d->pool, fl);
	yajl_gen g = reply_ok_begin();

	if (!g)
		return -1;
	gen_kv_bool(g, "allow_larger", d->pool.allow_larger);
	gen_str(g, "flavours");
	yajl_gen_array_open(g);
	for (unsigned int i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		gen_kv_uint(g, "memory_mib", fl[i].memory_mib);
		gen_kv_uint(g, "vcpus", fl[i].vcpus);
		gen_kv_uint(g, "vifs", fl[i].vifs);
		gen_kv_uint(g, "size", fl[i].size);
		gen_kv_uint(g, "ready", fl[i].ready);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	*out = g;
	return 0;
}

static int op_pool_set(struct daemon *d, chaosd_request *req, yajl_gen *out,
		       chaos_err *err)
{
	chaosd_flavour want = {
		.memory_mib = req->memory_mib, .vcpus = req->vcpus,
		.vifs = req->vifs, .size = req->size,
	};

	if (pool_set(&d->pool, &want, err))
		return -1;
	dlog("pool: %llu MiB/%u vCPU/%u vif shells: %u wanted",
	     (unsigned long long)req->memory_mib, req->vcpus, req->vifs,
	     req->size);
	*out = reply_ok_begin();
	return *out ? 0 : -1;
}

static int dispatch(struct daemon *d, chaosd_request *req, yajl_gen *g,
		    uint32_t *stream_domid, chaos_err *err)
{
	switch (req->op) {
	case CHAOSD_OP_PING:
		*g = reply_ok_begin();
		if (*g)
			gen_kv_str(*g, "version", CHAOS_VERSION);
		return *g ? 0 : -1;
	case CHAOSD_OP_CREATE:
		return op_create(d, req, g, err);
	case CHAOSD_OP_DESTROY:
		return op_destroy(d, req, g, err);
	case CHAOSD_OP_SHUTDOWN:
		return op_shutdown(d, req, g, err);
	case CHAOSD_OP_LIST:
		return op_list(d, g, err);
	case CHAOSD_OP_POOL_GET:
		return op_pool_get(d, g);
	case CHAOSD_OP_POOL_SET:
		return op_pool_set(d, req, g, err);
	case CHAOSD_OP_CONSOLE:
		return op_console(d, req, stream_domid, err);
	}
	derr(err, EINVAL, "op: unknown operation");
	return -1;
}

int ops_handle(struct daemon *d, const char *text, size_t len, char **resp,
	       size_t *resp_len, uint32_t *stream_domid)
{
	chaosd_request req;
	chaos_err err = { 0 };
	yajl_gen g = NULL;

	*resp = NULL;
	if (chaosd_request_parse(text, len, &req, &err))
		return reply_error(err.msg, resp, resp_len);
	*stream_domid = 0;
	if (dispatch(d, &req, &g, stream_domid, &err)) {
		chaosd_request_free(&req);
		if (g)
			yajl_gen_free(g);
		return reply_error(err.msg[0] ? err.msg : "internal error", resp,
				 resp_len);
	}
	chaosd_request_free(&req);
	if (*stream_domid) {
		*resp_len = 0;
		return 0;
	}
	return reply_finish(g, resp, resp_len);
}
