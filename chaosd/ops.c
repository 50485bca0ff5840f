// SPDX-License-Identifier: MIT
/* Request handlers: one function per op, each writing one JSON response. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "consoles.h"
#include "daemon.h"
#include "events.h"
#include "jobs.h"
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
	uint32_t uid;              /* who asked: only it (or root) may ask on */
	chaos_shutdown_reason reason;
	unsigned int timeout_ms;
	long long done_ms;
	char msg[CHAOS_ERR_MSG_MAX];
	struct daemon *d;
};

static pthread_mutex_t waits_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shutdown_wait waits[SHUTDOWN_WAITS_MAX];

static bool absolute_or_null(const char *path)
{
	return !path || path[0] == '/';
}

/* The bridge every vif of cfg names, or NULL (no vifs, or several). */
static const char *vifs_bridge(const chaos_config *cfg)
{
	for (size_t i = 1; i < cfg->nr_vifs; i++)
		if (strcmp(cfg->vifs[i].bridge, cfg->vifs[0].bridge))
			return NULL;
	return cfg->nr_vifs ? cfg->vifs[0].bridge : NULL;
}

/*
 * A create: checked here (paths, quota), its shell taken here, then built
 * by a create worker (jobs.h), or here when every worker is busy.
 */
static int op_create(struct daemon *d, chaosd_request *req,
		     struct ops_call *call, chaosd_reply **out, chaos_err *err)
{
	chaos_shell *shell = NULL;
	struct create_done done;
	chaos_err busy;
	chaosd_reply *g;
	uint64_t mib;

	/* chaosd's working directory is not the client's. */
	if (!absolute_or_null(req->cfg.kernel) ||
	    !absolute_or_null(req->cfg.ramdisk)) {
		derr(err, EINVAL,
		     "kernel/ramdisk: chaosd needs absolute paths");
		return -1;
	}
	if (owner_create_check(d, req->cfg.memory_mib, err))
		return -1;
	if (!req->no_pool)
		shell = pool_take(&d->pool, req->cfg.memory_mib, req->cfg.vcpus,
				  (unsigned int)req->cfg.nr_vifs,
				  vifs_bridge(&req->cfg), req->allow_larger);
	/* A larger shell gives the guest its memory: count that. */
	if (shell && chaos_shell_memory_mib(shell) > req->cfg.memory_mib &&
	    owner_create_check(d, chaos_shell_memory_mib(shell), err)) {
		pool_put_back(&d->pool, d->host, shell);
		return -1;
	}
	mib = shell ? chaos_shell_memory_mib(shell) : req->cfg.memory_mib;
	if (jobs_start_create(d, req, shell, mib, owner_caller(d),
			      call->client_fd, &call->job, &busy) == 0)
		return 0;
	g = chaosd_reply_ok();
	if (!g) {
		if (shell)
			pool_put_back(&d->pool, d->host, shell);
		return derr(err, ENOMEM, "out of memory");
	}
	if (ops_create_run(d, d->host, req, shell, d->caller, g, &done,
			   err)) {
		chaosd_reply_free(g);
		return -1;
	}
	events_emit(d->events, CHAOSD_EVENT_CREATED, done.domid, done.name,
		    owner_caller(d), NULL);
	if (!req->paused && !req->cfg.paused)
		events_emit(d->events, CHAOSD_EVENT_STARTED, done.domid,
			    done.name, owner_caller(d), NULL);
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

/* The same for an operation that changes the guest: not while a long
 * one (a save, a migration) is under way on it. */
static int resolve_free(struct daemon *d, const char *ref, uint32_t *domid,
			chaos_err *err)
{
	const char *held;

	if (resolve(d, ref, domid, err))
		return -1;
	held = jobs_holding(d, *domid);
	if (held)
		return derr(err, EBUSY,
			    "domain %u: a %s is under way; try again when it is done",
			    *domid, held);
	return 0;
}

/* A guest's name and owner for its events ("" and root when it has no
 * record: a domain chaos did not build). */
static uint32_t guest_label(struct daemon *d, uint32_t domid,
			    char name[CHAOS_NAME_MAX])
{
	chaos_guest_info guest;

	if (chaos_guest_get(d->host, domid, &guest, NULL)) {
		name[0] = '\0';
		return 0;
	}
	memcpy(name, guest.name, CHAOS_NAME_MAX);
	return guest.owner;
}

static int op_destroy(struct daemon *d, chaosd_request *req, chaosd_reply **out,
		      chaos_err *err)
{
	char name[CHAOS_NAME_MAX];
	uint32_t domid, owner;

	if (resolve_free(d, req->domain, &domid, err) ||
	    chaos_guest_check_for(d->host, owner_caller(d), domid, "destroy",
				  err))
		return -1;
	owner = guest_label(d, domid, name);
	/* Our mapping of its console ring would keep the domain dying. */
	consoles_detach(d->consoles, domid);
	if (chaos_guest_destroy(d->host, domid, err))
		return -1;
	dlog("destroyed domain %u", domid);
	events_emit(d->events, CHAOSD_EVENT_DESTROYED, domid, name, owner,
		    "destroy");
	*out = chaosd_reply_ok();
	return *out ? 0 : -1;
}

static int op_pause(struct daemon *d, chaosd_request *req, bool pause,
		    chaosd_reply **out, chaos_err *err)
{
	char name[CHAOS_NAME_MAX];
	uint32_t domid, owner;

	if (resolve_free(d, req->domain, &domid, err) ||
	    chaos_guest_check_for(d->host, owner_caller(d), domid,
				  pause ? "pause" : "unpause", err) ||
	    (pause ? chaos_guest_pause(d->host, domid, err) :
		     chaos_guest_unpause(d->host, domid, err)))
		return -1;
	dlog("%s domain %u", pause ? "paused" : "unpaused", domid);
	owner = guest_label(d, domid, name);
	events_emit(d->events, pause ? CHAOSD_EVENT_PAUSED : CHAOSD_EVENT_UNPAUSED,
		    domid, name, owner, NULL);
	*out = chaosd_reply_ok();
	return *out ? 0 : -1;
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
	w->done_ms = chaos_clock_ms();
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
	long long now = chaos_clock_ms();

	for (int i = 0; i < SHUTDOWN_WAITS_MAX; i++)
		if (waits[i].used && waits[i].done &&
		    now - waits[i].done_ms > SHUTDOWN_KEEP_MS)
			waits[i].used = false;
}

static int op_shutdown(struct daemon *d, chaosd_request *req, chaosd_reply **out,
		       chaos_err *err)
{
	struct shutdown_wait *w;
	pthread_attr_t attr;
	pthread_t th;
	uint32_t domid;
	int rc;

	if (resolve_free(d, req->domain, &domid, err) ||
	    chaos_guest_check_for(d->host, owner_caller(d), domid, "shut down",
				  err))
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
	w->uid = owner_caller(d);
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
	*out = chaosd_reply_ok();
	if (*out)
		chaosd_reply_uint(*out, "domid", domid);
	return *out ? 0 : -1;
}

/*
 * Where a shutdown is: not done yet, failed (the guest did not answer or
 * stop in time: "timed_out"), or done, its action applied here and now
 * (unless the reaper was first), so the client gets the action's result.
 */
static int op_shutdown_status(struct daemon *d, chaosd_request *req,
			      chaosd_reply **out, char **raw, chaos_err *err)
{
	struct shutdown_wait *w, copy;
	chaos_domain_info info;
	chaos_err gerr;

	pthread_mutex_lock(&waits_lock);
	w = wait_find(req->domid);
	/* Another user's shutdown is none of this client's business. */
	if (w && owner_caller(d) != 0 && w->uid != owner_caller(d))
		w = NULL;
	if (w)
		copy = *w;
	if (w && w->done)
		w->used = false;  /* the result goes to this client */
	pthread_mutex_unlock(&waits_lock);
	if (!w)
		return derr(err, ENOENT, "no shutdown of domain %u is under way",
			    req->domid);
	if (copy.done && copy.failed) {
		chaosd_reply *g = chaosd_reply_failed(copy.msg);

		if (!g)
			return -1;
		chaosd_reply_bool(g, "timed_out", copy.timed_out);
		*out = g;
		*raw = NULL;
		return 0;
	}
	if (copy.done &&
	    chaos_domain_get(d->host, copy.domid, &info, &gerr) == 0 &&
	    info.state == CHAOS_STATE_SHUTDOWN) {
		char name[CHAOS_NAME_MAX];
		uint32_t owner = guest_label(d, copy.domid, name);
		unsigned int why = info.shutdown_reason;

		events_stopped(d->events, copy.domid, name, owner, why);
		consoles_detach(d->consoles, copy.domid);
		if (chaos_guest_reap(d->host, copy.domid, err))
			return -1;
		/* Destroyed, or restarted as a new domain (events_resync
		 * announces that one); preserved guests stay. */
		if (chaos_domain_get(d->host, copy.domid, &info, &gerr))
			events_emit(d->events, CHAOSD_EVENT_DESTROYED,
				    copy.domid, name, owner,
				    events_reason_name(why));
		events_resync(d);
		dlog("domain %u shut down (reason %u), action applied",
		     copy.domid, info.shutdown_reason);
		consoles_poke(d->consoles);  /* a restarted guest is new */
	}
	*out = chaosd_reply_ok();
	if (!*out)
		return -1;
	chaosd_reply_uint(*out, "domid", copy.domid);
	chaosd_reply_bool(*out, "done", copy.done);
	return 0;
}

/* Check the guest is chaos's; the console thread takes it from here. */
static int op_console(struct daemon *d, chaosd_request *req,
		      uint32_t *stream_domid, chaos_err *err)
{
	chaos_guest_info guest;
	uint32_t domid;

	if (resolve(d, req->domain, &domid, err) ||
	    chaos_guest_check_for(d->host, owner_caller(d), domid,
				  "attach to the console of", err))
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
	/* A client that is not root sees its own guests only. */
	chaos_guest_filter_visible(d->host, owner_caller(d), doms, &n);
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

static int op_pool_get(struct daemon *d, chaosd_reply **out)
{
	chaosd_flavour fl[CHAOSD_FLAVOURS_MAX];
	unsigned int n = pool_snapshot(&d->pool, fl);
	chaosd_reply *g = chaosd_reply_ok();

	if (!g)
		return -1;
	chaosd_reply_bool(g, "allow_larger", d->pool.allow_larger);
	chaosd_reply_open(g, "flavours", true);
	for (unsigned int i = 0; i < n; i++) {
		chaosd_reply_open(g, NULL, false);
		chaosd_reply_uint(g, "memory_mib", fl[i].memory_mib);
		chaosd_reply_uint(g, "vcpus", fl[i].vcpus);
		chaosd_reply_uint(g, "vifs", fl[i].vifs);
		if (fl[i].bridge[0])
			chaosd_reply_str(g, "bridge", fl[i].bridge);
		chaosd_reply_uint(g, "size", fl[i].size);
		chaosd_reply_uint(g, "ready", fl[i].ready);
		chaosd_reply_close(g, false);
	}
	chaosd_reply_close(g, true);
	*out = g;
	return 0;
}

static int op_pool_set(struct daemon *d, chaosd_request *req, chaosd_reply **out,
		       chaos_err *err)
{
	chaosd_flavour want = {
		.memory_mib = req->memory_mib, .vcpus = req->vcpus,
		.vifs = req->vifs, .size = req->size,
	};

	memcpy(want.bridge, req->bridge, sizeof(want.bridge));
	if (owner_pool_set(d, &want, err))
		return -1;
	dlog("pool: %llu MiB/%u vCPU/%u vif%s%s shells: %u wanted",
	     (unsigned long long)req->memory_mib, req->vcpus, req->vifs,
	     want.bridge[0] ? " on " : "", want.bridge, req->size);
	*out = chaosd_reply_ok();
	return *out ? 0 : -1;
}

/* A domain the caller may look at: anything for root, its own guests
 * for anyone else. */
static int resolve_visible(struct daemon *d, const char *ref, const char *verb,
			   uint32_t *domid, chaos_err *err)
{
	if (resolve(d, ref, domid, err))
		return -1;
	if (owner_caller(d) != 0 &&
	    chaos_guest_check_for(d->host, owner_caller(d), *domid, verb, err))
		return -1;
	return 0;
}

static int op_info(struct daemon *d, chaosd_reply **out, chaos_err *err)
{
	chaos_host_info info;

	if (chaos_host_get_info(d->host, &info, err))
		return -1;
	*out = chaosd_reply_ok();
	chaosd_reply_host_info(*out, &info);
	return *out ? 0 : -1;
}

static int op_network_list(struct daemon *d, chaosd_request *req,
			   chaosd_reply **out, chaos_err *err)
{
	chaos_vif_info *vifs;
	uint32_t domid;
	size_t n;

	if (resolve_visible(d, req->domain, "list the vifs of", &domid, err) ||
	    chaos_network_list(d->host, domid, &vifs, &n, err))
		return -1;
	*out = chaosd_reply_ok();
	chaosd_reply_uint(*out, "domid", domid);
	chaosd_reply_vifs(*out, vifs, n);
	free(vifs);
	return *out ? 0 : -1;
}

static int op_block_list(struct daemon *d, chaosd_request *req,
			 chaosd_reply **out, chaos_err *err)
{
	chaos_disk_info *disks;
	uint32_t domid;
	size_t n;

	if (resolve_visible(d, req->domain, "list the disks of", &domid,
			    err) ||
	    chaos_block_list(d->host, domid, &disks, &n, err))
		return -1;
	*out = chaosd_reply_ok();
	chaosd_reply_uint(*out, "domid", domid);
	chaosd_reply_disks(*out, disks, n);
	free(disks);
	return *out ? 0 : -1;
}

/* One guest's statistics, or every domain the caller may see. */
static int op_stats(struct daemon *d, chaosd_request *req, chaosd_reply **out,
		    chaos_err *err)
{
	chaos_domain_info *doms = NULL;
	uint32_t domid;
	size_t n = 0;

	if (req->domain[0]) {
		if (resolve_visible(d, req->domain, "read the stats of", &domid,
				    err))
			return -1;
	} else {
		if (chaos_domain_list(d->host, &doms, &n, err))
			return -1;
		chaos_guest_filter_visible(d->host, owner_caller(d), doms, &n);
	}
	*out = chaosd_reply_ok();
	chaosd_reply_open(*out, "guests", true);
	for (size_t i = 0; i < (req->domain[0] ? 1 : n); i++) {
		chaos_guest_stats st;

		/* One that went since the list is left out. */
		if (chaos_stats_get(d->host, doms ? doms[i].domid : domid, &st,
				    doms ? NULL : err)) {
			if (doms)
				continue;
			free(doms);
			chaosd_reply_free(*out);
			*out = NULL;
			return -1;
		}
		chaosd_reply_stats(*out, &st);
	}
	chaosd_reply_close(*out, true);
	free(doms);
	return *out ? 0 : -1;
}

/*
 * A long operation: the guest resolved here, under the same rules as
 * every other op, then the work goes to a thread of its own (jobs.h).
 */
static int op_long(struct daemon *d, chaosd_request *req, struct ops_call *call,
		   chaos_err *err)
{
	uint32_t domid = 0;
	size_t nfds = call->nfds;

	if (req->op != CHAOSD_OP_RESTORE && req->op != CHAOSD_OP_MIGRATE_RECEIVE &&
	    (resolve_free(d, req->domain, &domid, err) ||
	     chaos_guest_check_for(d->host, owner_caller(d), domid,
				   chaosd_op_name(req->op), err))) {
		chaosd_fds_close(call->fds, call->nfds);
		call->nfds = 0;
		return -1;
	}
	call->nfds = 0;  /* the job's now, even if it does not start */
	return jobs_start(d, req, domid, call->fds, nfds, call->client_fd,
			  &call->job, err);
}

static int dispatch(struct daemon *d, chaosd_request *req, chaosd_reply **g,
		    char **raw, struct ops_call *call, chaos_err *err)
{
	uint32_t *stream_domid = &call->stream_domid;

	switch (req->op) {
	case CHAOSD_OP_HELLO:
		*g = chaosd_reply_ok();
		chaosd_reply_hello(*g);
		return *g ? 0 : -1;
	case CHAOSD_OP_INFO:
		return op_info(d, g, err);
	case CHAOSD_OP_NETWORK_LIST:
		return op_network_list(d, req, g, err);
	case CHAOSD_OP_BLOCK_LIST:
		return op_block_list(d, req, g, err);
	case CHAOSD_OP_STATS:
		return op_stats(d, req, g, err);
	case CHAOSD_OP_SUBSCRIBE:
		/* The server hands the connection to the hub after this. */
		call->subscribe = true;
		*g = chaosd_reply_ok();
		chaosd_reply_uint(*g, "protocol", CHAOSD_PROTOCOL_VERSION);
		return *g ? 0 : -1;
	case CHAOSD_OP_PING:
		*g = chaosd_reply_ok();
		if (*g)
			chaosd_reply_str(*g, "version", CHAOS_VERSION);
		return *g ? 0 : -1;
	case CHAOSD_OP_CREATE:
		return op_create(d, req, call, g, err);
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
	case CHAOSD_OP_SAVE:
	case CHAOSD_OP_RESTORE:
	case CHAOSD_OP_RESUME:
	case CHAOSD_OP_MIGRATE_SEND:
	case CHAOSD_OP_MIGRATE_RECEIVE:
		return op_long(d, req, call, err);
	}
	derr(err, EINVAL, "op: unknown operation");
	return -1;
}

/* The descriptors the op takes, or -1 (all closed) when the count is
 * wrong: a client that sends others gets them closed, never kept. */
static int check_fds(const chaosd_request *req, struct ops_call *call,
		     chaos_err *err)
{
	size_t min, max;

	chaosd_op_fds(req->op, &min, &max);
	if (call->nfds >= min && call->nfds <= max)
		return 0;
	chaosd_fds_close(call->fds, call->nfds);
	call->nfds = 0;
	if (max == 0)
		return derr(err, EINVAL, "%s: takes no file descriptors",
			    chaosd_op_name(req->op));
	return derr(err, EINVAL, "%s: expected %zu%s file descriptor%s, got %zu",
		    chaosd_op_name(req->op), min, max > min ? " or 2" : "",
		    max > 1 ? "s" : "", call->nfds);
}

int ops_handle(struct daemon *d, const char *text, size_t len,
	       struct ops_call *call)
{
	chaosd_request req;
	chaos_err err = { 0 };
	chaosd_reply *g = NULL;
	char *raw = NULL;

	call->resp = NULL;
	call->stream_domid = 0;
	call->job = NULL;
	call->subscribe = false;
	if (chaosd_request_parse(text, len, &req, &err)) {
		chaosd_fds_close(call->fds, call->nfds);
		call->nfds = 0;
		return chaosd_reply_error(err.msg, &call->resp, &call->resp_len);
	}
	if (check_fds(&req, call, &err) ||
	    dispatch(d, &req, &g, &raw, call, &err)) {
		chaosd_request_free(&req);
		call->subscribe = false;
		if (g)
			chaosd_reply_free(g);
		free(raw);
		return chaosd_reply_error(err.msg[0] ? err.msg : "internal error",
				   &call->resp, &call->resp_len);
	}
	chaosd_request_free(&req);
	if (call->stream_domid || call->job)
		return 0;
	if (raw) {
		call->resp = raw;
		call->resp_len = strlen(raw);
		return 0;
	}
	return chaosd_reply_finish(g, &call->resp, &call->resp_len);
}
