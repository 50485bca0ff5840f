// SPDX-License-Identifier: MIT
/* Request handlers: one function per op, each writing one JSON response. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "consoles.h"
#include "daemon.h"
#include "reply.h"
#include "request.h"

/*
 * Shutdowns under way. Asking a guest to stop and waiting for it takes up
 * to the request's timeout, so each runs in a thread of its own (with its
 * own hypervisor handle) while the loop serves others; the client polls
 * shutdown-status, and the loop applies the guest's action (as the reaper
 * would) when it answers "done". At most SHUTDOWN_WAITS_MAX at once; a
 * result nobody asked for is dropped after SHUTDOWN_KEEP_MS.
 */
#define SHUTDOWN_WAITS_MAX 8
#define SHUTDOWN_KEEP_MS   60000

struct shutdown_wait {
	bool used;
	bool done;
	bool failed;
	bool timed_out;
	uint32_t domid;
	chaos_shutdown_reason reason;
	unsigned int timeout_ms;
	long long done_ms;
	char msg[CHAOS_ERR_MSG_MAX];
	struct daemon *d;
};

static pthread_mutex_t waits_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shutdown_wait waits[SHUTDOWN_WAITS_MAX];

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

/*
 * Resolve a name or id. Which domains may be touched is libchaos's rule
 * (chaos_guest_resolve, chaos_guest_check), the same for every front end;
 * chaosd adds only its own: a shell of its pool is not a guest.
 */
static int resolve(struct daemon *d, const char *ref, uint32_t *domid,
		   chaos_err *err)
{
	if (chaos_guest_resolve(d->host, ref, domid, err))
		return -1;
	if (*domid && pool_owns(&d->pool, *domid)) {
		derr(err, EPERM, "domain %u is an unused shell of the pool",
		     *domid);
		return -1;
	}
	return 0;
}

static int op_destroy(struct daemon *d, chaosd_request *req, yajl_gen *out,
		      chaos_err *err)
{
	uint32_t domid;

	if (resolve(d, req->domain, &domid, err) ||
	    chaos_guest_check(d->host, domid, "destroy", err))
		return -1;
	/* Our mapping of its console ring would keep the domain dying. */
	consoles_detach(d->consoles, domid);
	if (chaos_guest_destroy(d->host, domid, err))
		return -1;
	dlog("destroyed domain %u", domid);
	*out = reply_ok_begin();
	return *out ? 0 : -1;
}

static int op_pause(struct daemon *d, chaosd_request *req, bool pause,
		    yajl_gen *out, chaos_err *err)
{
	uint32_t domid;

	if (resolve(d, req->domain, &domid, err) ||
	    (pause ? chaos_guest_pause(d->host, domid, err) :
		     chaos_guest_unpause(d->host, domid, err)))
		return -1;
	dlog("%s domain %u", pause ? "paused" : "unpaused", domid);
	*out = reply_ok_begin();
	return *out ? 0 : -1;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *shutdown_main(void *arg)
{
	struct shutdown_wait *w = arg;
	/* Once done is set the slot may be reused: copy what is needed. */
	struct daemon *d = w->d;
	chaos_host *host = NULL;
	chaos_err err = { 0 };
	char c = 'r';
	int rc;

	rc = chaos_host_open(&host, &err) ||
	     chaos_host_set_state_dir(host, d->state_dir, &err) ||
	     chaos_guest_stop(host, w->domid, w->reason, w->timeout_ms, &err);
	chaos_host_close(host);
	pthread_mutex_lock(&waits_lock);
	w->done = true;
	w->failed = rc != 0;
	w->timed_out = rc && err.code == ETIMEDOUT;
	snprintf(w->msg, sizeof(w->msg), "%s", rc ? err.msg : "");
	w->done_ms = mono_ms();
	pthread_mutex_unlock(&waits_lock);
	/* The loop's reaper applies the action for clients that left. */
	if (write(d->wake_wr, &c, 1) < 0) {
		/* Pipe full: a wake-up is pending anyway. */
	}
	return NULL;
}

/* Called with waits_lock held. */
static struct shutdown_wait *wait_find(uint32_t domid)
{
	for (int i = 0; i < SHUTDOWN_WAITS_MAX; i++)
		if (waits[i].used && waits[i].domid == domid)
			return &waits[i];
	return NULL;
}

/* Called with waits_lock held: results nobody collected in time. */
static void waits_expire(void)
{
	long long now = mono_ms();

	for (int i = 0; i < SHUTDOWN_WAITS_MAX; i++)
		if (waits[i].used && waits[i].done &&
		    now - waits[i].done_ms > SHUTDOWN_KEEP_MS)
			waits[i].used = false;
}

static int op_shutdown(struct daemon *d, chaosd_request *req, yajl_gen *out,
		       chaos_err *err)
{
	struct shutdown_wait *w;
	pthread_attr_t attr;
	pthread_t th;
	uint32_t domid;
	int rc;

	if (resolve(d, req->domain, &domid, err) ||
	    chaos_guest_check(d->host, domid, "shut down", err))
		return -1;
	pthread_mutex_lock(&waits_lock);
	waits_expire();
	w = wait_find(domid);
	if (w && !w->done) {
		/* Already asked: this client waits for the same answer. */
		pthread_mutex_unlock(&waits_lock);
		goto answer;
	}
	if (!w)
		for (int i = 0; i < SHUTDOWN_WAITS_MAX && !w; i++)
			if (!waits[i].used)
				w = &waits[i];
	if (!w) {
		pthread_mutex_unlock(&waits_lock);
		return derr(err, EBUSY, "busy: %d shutdowns already under way",
			    SHUTDOWN_WAITS_MAX);
	}
	memset(w, 0, sizeof(*w));
	w->used = true;
	w->domid = domid;
	w->reason = req->reason;
	w->timeout_ms = req->timeout_ms;
	w->d = d;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&th, &attr, shutdown_main, w);
	pthread_attr_destroy(&attr);
	if (rc)
		w->used = false;
	pthread_mutex_unlock(&waits_lock);
	if (rc)
		return derr(err, rc, "cannot start a shutdown: %s", strerror(rc));
	dlog("shutdown of domain %u asked (%s, up to %u ms)", domid,
	     req->reason == CHAOS_SHUTDOWN_REBOOT ? "reboot" : "poweroff",
	     req->timeout_ms);
answer:
	*out = reply_ok_begin();
	if (*out)
		gen_kv_uint(*out, "domid", domid);
	return *out ? 0 : -1;
}

/*
 * Where a shutdown is: not done yet, failed (the guest did not answer or
 * stop in time: "timed_out"), or done, its action applied here and now
 * (unless the reaper was first), so the client gets the action's result.
 */
static int op_shutdown_status(struct daemon *d, chaosd_request *req,
			      yajl_gen *out, char **raw, chaos_err *err)
{
	struct shutdown_wait *w, copy;
	chaos_domain_info info;
	chaos_err gerr;

	pthread_mutex_lock(&waits_lock);
	w = wait_find(req->domid);
	if (w)
		copy = *w;
	if (w && w->done)
		w->used = false;  /* the result goes to this client */
	pthread_mutex_unlock(&waits_lock);
	if (!w)
		return derr(err, ENOENT, "no shutdown of domain %u is under way",
			    req->domid);
	if (copy.done && copy.failed) {
		yajl_gen g = yajl_gen_alloc(NULL);

		if (!g)
			return -1;
		yajl_gen_map_open(g);
		gen_kv_bool(g, "ok", false);
		gen_kv_str(g, "error", copy.msg);
		gen_kv_bool(g, "timed_out", copy.timed_out);
		*out = g;
		*raw = NULL;
		return 0;
	}
	if (copy.done &&
	    chaos_domain_get(d->host, copy.domid, &info, &gerr) == 0 &&
	    info.state == CHAOS_STATE_SHUTDOWN) {
		consoles_detach(d->consoles, copy.domid);
		if (chaos_guest_reap(d->host, copy.domid, err))
			return -1;
		dlog("domain %u shut down (reason %u), action applied",
		     copy.domid, info.shutdown_reason);
		consoles_poke(d->consoles);  /* a restarted guest is new */
	}
	*out = reply_ok_begin();
	if (!*out)
		return -1;
	gen_kv_uint(*out, "domid", copy.domid);
	gen_kv_bool(*out, "done", copy.done);
	return 0;
}

/* Check the guest is chaos's; the console thread takes it from here. */
static int op_console(struct daemon *d, chaosd_request *req,
		      uint32_t *stream_domid, chaos_err *err)
{
	chaos_guest_info guest;
	uint32_t domid;

	if (resolve(d, req->domain, &domid, err) ||
	    chaos_guest_check(d->host, domid, "touch", err))
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

/* Every domain, shells included, as `chaos list --json` prints them. */
static int op_list(struct daemon *d, char **raw, chaos_err *err)
{
	static const char head[] = "{\"ok\":true,\"domains\":";
	chaos_domain_info *doms;
	char *json;
	size_t n, len;

	if (chaos_domain_list(d->host, &doms, &n, err))
		return -1;
	if (chaos_format_domains_json(d->host, doms, n, CHAOS_FORMAT_COMPACT,
				      &json, err)) {
		free(doms);
		return -1;
	}
	free(doms);
	len = strlen(json);
	*raw = malloc(sizeof(head) + len + 1);
	if (!*raw) {
		free(json);
		return derr(err, ENOMEM, "out of memory");
	}
	memcpy(*raw, head, sizeof(head) - 1);
	memcpy(*raw + sizeof(head) - 1, json, len);
	memcpy(*raw + sizeof(head) - 1 + len, "}", 2);
	free(json);
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
		    char **raw, uint32_t *stream_domid, chaos_err *err)
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
	case CHAOSD_OP_SHUTDOWN_STATUS:
		return op_shutdown_status(d, req, g, raw, err);
	case CHAOSD_OP_PAUSE:
		return op_pause(d, req, true, g, err);
	case CHAOSD_OP_UNPAUSE:
		return op_pause(d, req, false, g, err);
	case CHAOSD_OP_LIST:
		return op_list(d, raw, err);
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
	char *raw = NULL;

	*resp = NULL;
	if (chaosd_request_parse(text, len, &req, &err))
		return reply_error(err.msg, resp, resp_len);
	*stream_domid = 0;
	if (dispatch(d, &req, &g, &raw, stream_domid, &err)) {
		chaosd_request_free(&req);
		if (g)
			yajl_gen_free(g);
		free(raw);
		return reply_error(err.msg[0] ? err.msg : "internal error", resp,
				 resp_len);
	}
	chaosd_request_free(&req);
	if (*stream_domid) {
		*resp_len = 0;
		return 0;
	}
	if (raw) {
		*resp = raw;
		*resp_len = strlen(raw);
		return 0;
	}
	return reply_finish(g, resp, resp_len);
}
