// SPDX-License-Identifier: MIT
/* chaosd's long operations and creates, each on a slot's thread (jobs.h). */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "consoles.h"
#include "events.h"
#include "jobs.h"
#include "reply.h"

#define SLOTS (JOBS_MAX + JOBS_CREATES_MAX)

struct job {
	/*
	 * The slot's, kept from job to job (slot_reset clears what follows):
	 * its host, and its thread, woken by go_cond (starting a thread is
	 * a clone and a handful of system calls, in every create).
	 */
	pthread_cond_t go_cond;
	pthread_t thread;
	bool has_thread;
	chaos_host *host;
	struct jobs *table;            /* its thread's lock is the table's */
	/* The job's: */
	bool used;
	bool done;
	bool started;
	bool go;                       /* a job waits for the thread */
	struct daemon *d;
	chaos_shell *shell;            /* a create's pooled shell, or NULL */
	uint64_t mib;                  /* a create's memory, for quotas */
	chaosd_request req;            /* its own copy; the key wiped at the end */
	uint32_t domid;                /* the guest held, or 0 */
	int fds[CHAOSD_FRAME_FDS_MAX];
	size_t nfds;
	chaos_cred as;                 /* who asked: a restored guest is theirs */
	bool has_as;
	int client_fd;                 /* its reply goes out on it */
	bool replied;                  /* the client has its reply */
	/* What its events say (jobs_collect): */
	chaosd_op op;
	bool ok;
	bool keep_running, paused;
	uint32_t result_domid;         /* the guest made or kept */
	uint32_t owner;
	char name[CHAOS_NAME_MAX];
};

struct jobs {
	pthread_mutex_t lock;
	bool quit;                     /* the slots' threads end */
	struct job slot[SLOTS];
};

int jobs_init(struct daemon *d, chaos_err *err)
{
	d->jobs = calloc(1, sizeof(*d->jobs));
	if (!d->jobs)
		return derr(err, ENOMEM, "out of memory");
	pthread_mutex_init(&d->jobs->lock, NULL);
	for (int i = 0; i < SLOTS; i++) {
		pthread_cond_init(&d->jobs->slot[i].go_cond, NULL);
		d->jobs->slot[i].table = d->jobs;
	}
	return 0;
}

static void *slot_main(void *arg);

/* A host for a slot, with chaosd's state directory; NULL with err set. */
static chaos_host *slot_host_open(const struct daemon *d, chaos_err *err)
{
	chaos_host *host = NULL;

	if (chaos_host_open(&host, err) ||
	    chaos_host_set_state_dir(host, d->state_dir, err)) {
		chaos_host_close(host);
		return NULL;
	}
	return host;
}

void jobs_prepare(struct daemon *d, const chaos_kernel *kernel,
		  uint64_t memory_mib)
{
	struct jobs *js = d->jobs;
	chaos_err err;

	if (chaos_host_prepare(d->host, kernel, memory_mib, &err))
		dlog("cannot prepare the serving thread's host: %s", err.msg);
	for (int i = 0; i < JOBS_CREATES_MAX; i++) {
		struct job *j = &js->slot[i];
		chaos_host *host = slot_host_open(d, &err);
		int rc;

		if (!host) {
			dlog("cannot open a host for job slot %d: %s", i,
			     err.msg);
			return;
		}
		if (chaos_host_prepare(host, kernel, memory_mib, &err))
			dlog("cannot prepare job slot %d's host: %s", i,
			     err.msg);
		pthread_mutex_lock(&js->lock);
		j->host = host;
		rc = j->has_thread ? 0 :
		     pthread_create(&j->thread, NULL, slot_main, j);
		if (!rc)
			j->has_thread = true;
		pthread_mutex_unlock(&js->lock);
		if (rc)
			dlog("cannot start job slot %d's thread: %s", i,
			     strerror(rc));
	}
}

void jobs_stop(struct daemon *d)
{
	struct jobs *js = d->jobs;

	if (!js)
		return;
	/* Each thread ends once its job, if it has one, is done. */
	pthread_mutex_lock(&js->lock);
	js->quit = true;
	for (int i = 0; i < SLOTS; i++)
		pthread_cond_signal(&js->slot[i].go_cond);
	pthread_mutex_unlock(&js->lock);
	for (int i = 0; i < SLOTS; i++) {
		struct job *j = &js->slot[i];

		if (j->used && j->started &&
		    !__atomic_load_n(&j->done, __ATOMIC_ACQUIRE))
			dlog("stopping: waiting for the %s of domain %u",
			     chaosd_op_name(j->req.op), j->domid);
		if (j->has_thread)
			pthread_join(j->thread, NULL);
		if (j->used && j->started) {
			/* Unused: back to the pool, which destroys it. */
			if (j->shell)
				pool_put_back(&d->pool, d->host, j->shell);
		}
		chaos_host_close(j->host);
		pthread_cond_destroy(&j->go_cond);
	}
	pthread_mutex_destroy(&js->lock);
	free(js);
	d->jobs = NULL;
}

bool jobs_creating(struct daemon *d)
{
	bool creating = false;

	pthread_mutex_lock(&d->jobs->lock);
	for (int i = 0; i < SLOTS; i++)
		creating |= d->jobs->slot[i].used &&
			    (d->jobs->slot[i].op == CHAOSD_OP_CREATE ||
			     d->jobs->slot[i].op == CHAOSD_OP_RESTORE ||
			     d->jobs->slot[i].op == CHAOSD_OP_MIGRATE_RECEIVE);
	pthread_mutex_unlock(&d->jobs->lock);
	return creating;
}

void jobs_creates_of(struct daemon *d, uint32_t uid, unsigned int *guests,
		     uint64_t *mib)
{
	*guests = 0;
	*mib = 0;
	pthread_mutex_lock(&d->jobs->lock);
	for (int i = 0; i < SLOTS; i++) {
		const struct job *j = &d->jobs->slot[i];

		if (!j->used || j->op != CHAOSD_OP_CREATE || j->owner != uid)
			continue;
		(*guests)++;
		*mib += j->mib;
	}
	pthread_mutex_unlock(&d->jobs->lock);
}

const char *jobs_holding(struct daemon *d, uint32_t domid)
{
	const char *op = NULL;

	if (!domid)
		return NULL;
	pthread_mutex_lock(&d->jobs->lock);
	for (int i = 0; i < SLOTS && !op; i++)
		if (d->jobs->slot[i].used && d->jobs->slot[i].domid == domid)
			op = chaosd_op_name(d->jobs->slot[i].req.op);
	pthread_mutex_unlock(&d->jobs->lock);
	return op;
}

/* The bridges and disks of the request as chaos_restore_opts wants
 * them, and its client as the new guest's owner. */
static void restore_opts(const struct job *j, const char **list,
			 chaos_restore_opts *opts)
{
	const chaosd_request *req = &j->req;

	for (size_t i = 0; i < req->nr_bridges; i++)
		list[i] = req->bridges[i];
	*opts = (chaos_restore_opts){
		.paused = req->paused, .unnamed = req->unnamed,
		.bridges = list, .nr_bridges = req->nr_bridges,
		.disks = (const char *const *)req->disks,
		.nr_disks = req->nr_disks,
		.as = j->has_as ? &j->as : NULL,
		.config_path = req->config_path[0] ? req->config_path : NULL,
	};
}

static const chaos_migrate_key *key_of(const chaosd_request *req)
{
	return req->key.len ? &req->key : NULL;
}

/* The operation itself, on the thread's host; *g the reply begun. */
static int run(struct job *j, chaos_host *host, chaosd_reply *g, chaos_err *err)
{
	struct daemon *d = j->d;
	const chaosd_request *req = &j->req;
	const char *bridges[CHAOSD_BRIDGES_MAX];
	chaos_restore_opts opts;
	chaos_save_timing st;
	chaos_migrate_timing mt;
	char name[CHAOS_NAME_MAX] = "";
	uint32_t domid = j->domid;
	int in = j->fds[0], out = j->fds[j->nfds ? j->nfds - 1 : 0], rc;
	chaos_guest_info guest;

	/* Its name and owner for the events, while its record is there. */
	if (domid && chaos_guest_get(host, domid, &guest, NULL) == 0) {
		memcpy(j->name, guest.name, sizeof(j->name));
		j->owner = guest.owner;
	}
	switch (req->op) {
	case CHAOSD_OP_CREATE: {
		struct create_done done;
		chaos_shell *shell = j->shell;

		/* The shell is the create's now, whatever happens. */
		j->shell = NULL;
		if (ops_create_run(d, host, req, shell, j->has_as ? &j->as : NULL,
				   g, &done, err))
			return -1;
		j->result_domid = done.domid;
		memcpy(j->name, done.name, sizeof(j->name));
		return 0;
	}
	case CHAOSD_OP_SAVE:
		/* Its console is nobody's while its memory is copied (and
		 * our mapping of the ring would keep it dying after). */
		consoles_hold(d->consoles, domid);
		rc = chaos_checkpoint_save_fd(host, domid, in, req->keep_running,
					      &st, err);
		consoles_release(d->consoles, domid);
		if (rc)
			return -1;
		dlog("saved domain %u%s (%llu us)", domid,
		     req->keep_running ? ", kept running" : "",
		     (unsigned long long)st.total_us);
		chaosd_reply_save_timing(g, &st);
		break;
	case CHAOSD_OP_RESUME:
		rc = chaos_checkpoint_resume(host, domid, err);
		consoles_poke(d->consoles);
		if (rc)
			return -1;
		dlog("resumed domain %u", domid);
		break;
	case CHAOSD_OP_RESTORE:
		restore_opts(j, bridges, &opts);
		if (chaos_checkpoint_restore_fd(host, in, &opts, &domid, name,
						err))
			return -1;
		consoles_attach(d->consoles, domid);
		dlog("restored domain %u%s%s%s", domid, name[0] ? " (" : "",
		     name, name[0] ? ")" : "");
		chaosd_reply_str(g, "name", name);
		break;
	case CHAOSD_OP_MIGRATE_SEND:
		/* As for a save, but a live one keeps draining the console
		 * while the guest runs: a Linux guest whose ring is full
		 * waits in printk for room, and would never answer the
		 * suspend request. The final round sends the ring's page
		 * again, whatever the rounds before sent. */
		if (!req->live)
			consoles_hold(d->consoles, domid);
		rc = (req->live ? chaos_migrate_send_live :
				  chaos_migrate_send)(host, domid, in, out,
						      key_of(req), &mt, err);
		if (!req->live)
			consoles_release(d->consoles, domid);
		else if (rc == 0)
			consoles_detach(d->consoles, domid);
		if (rc)
			return -1;
		dlog("migrated domain %u%s (%llu us, downtime %llu us)", domid,
		     req->live ? " live" : "",
		     (unsigned long long)mt.total_us,
		     (unsigned long long)mt.downtime_us);
		chaosd_reply_migrate_timing(g, &mt);
		break;
	case CHAOSD_OP_MIGRATE_RECEIVE:
		restore_opts(j, bridges, &opts);
		rc = chaos_migrate_receive(host, in, out, key_of(req), &opts,
					   &domid, err);
		if (domid)
			consoles_attach(d->consoles, domid);
		if (rc)
			return -1;
		dlog("received domain %u by migration", domid);
		break;
	default:
		return derr(err, EINVAL, "%s: not a long operation",
			    chaosd_op_name(req->op));
	}
	chaosd_reply_uint(g, "domid", domid);
	j->result_domid = domid;
	if ((req->op == CHAOSD_OP_RESTORE ||
	     req->op == CHAOSD_OP_MIGRATE_RECEIVE) &&
	    chaos_guest_get(host, domid, &guest, NULL) == 0) {
		memcpy(j->name, guest.name, sizeof(j->name));
		j->owner = guest.owner;
	}
	return 0;
}

/*
 * One job, on its slot's thread, which sends the reply: through the loop
 * it would wait for one more thread to wake, while a create's guest,
 * just unpaused, takes a CPU. The loop is woken after, to read from the
 * client again and tell the job's events.
 */
static void job_run(struct job *j)
{
	struct daemon *d = j->d;
	chaos_err err = { 0 }, send_err;
	chaosd_reply *g = chaosd_reply_ok();
	char *resp = NULL;
	char c = j->op == CHAOSD_OP_CREATE ? JOBS_WAKE_CREATE : 'j';
	size_t len = 0;
	bool replied = false;
	chaos_host *host;
	int rc;

	if (!j->host)
		j->host = slot_host_open(d, &err);
	host = j->host;
	rc = !g ? derr(&err, ENOMEM, "out of memory") :
	     !host ? -1 : run(j, host, g, &err);
	chaosd_fds_close(j->fds, j->nfds);
	j->nfds = 0;
	if (rc && j->op == CHAOSD_OP_CREATE) {
		dlog("create failed: %s", err.msg);
	} else if (rc) {
		dlog("%s of domain %u failed: %s", chaosd_op_name(j->req.op),
		     j->domid, err.msg);
	}
	if (rc) {
		if (g)
			chaosd_reply_free(g);
		chaosd_reply_error(err.msg[0] ? err.msg : "internal error", &resp, &len);
	} else {
		chaosd_reply_finish(g, &resp, &len);
	}
	chaosd_request_free(&j->req);
	/* The loop reads nothing from the client until it collects the job:
	 * the connection is this thread's until then. */
	if (!resp)
		dlog("client dropped: out of memory for its reply");
	else if (chaosd_frame_write(j->client_fd, resp, len,
				    CHAOSD_REPLY_TIMEOUT_MS, &send_err))
		dlog("client dropped: %s", send_err.msg);
	else
		replied = true;
	free(resp);
	pthread_mutex_lock(&d->jobs->lock);
	j->ok = rc == 0;
	j->replied = replied;
	__atomic_store_n(&j->done, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&d->jobs->lock);
	/* The loop collects it. */
	if (write(d->wake_wr, &c, 1) < 0) {
		/* Pipe full: a wake-up is pending anyway. */
	}
	/* What a create left for later (the mapping its kernel went in
	 * through), now that the client has its answer. The slot's host
	 * is closed only once this thread has ended. */
	chaos_host_tidy(host);
}

/* A slot's thread: each job it is given, until chaosd stops. */
static void *slot_main(void *arg)
{
	struct job *j = arg;
	struct jobs *js = j->table;

	pthread_mutex_lock(&js->lock);
	for (;;) {
		while (!j->go && !js->quit)
			pthread_cond_wait(&j->go_cond, &js->lock);
		if (!j->go)
			break;
		j->go = false;
		pthread_mutex_unlock(&js->lock);
		job_run(j);
		pthread_mutex_lock(&js->lock);
	}
	pthread_mutex_unlock(&js->lock);
	return NULL;
}

/* Hand the slot's job to its thread, started the first time. Called
 * locked; 0 or the error of pthread_create. */
static int slot_go(struct job *j)
{
	int rc;

	j->go = true;
	if (j->has_thread) {
		pthread_cond_signal(&j->go_cond);
		return 0;
	}
	rc = pthread_create(&j->thread, NULL, slot_main, j);
	if (rc) {
		j->go = false;
		return rc;
	}
	j->has_thread = true;
	return 0;
}

/* A free slot made ready for a job of d's; its host and thread stay
 * (a condition variable a thread waits on is never copied or cleared). */
static void slot_reset(struct job *j, struct daemon *d)
{
	size_t keep = offsetof(struct job, used);

	memset((char *)j + keep, 0, sizeof(*j) - keep);
	j->used = true;
	j->d = d;
}

int jobs_start(struct daemon *d, const chaosd_request *req, uint32_t domid,
	       int *fds, size_t nfds, int client_fd, struct job **out,
	       chaos_err *err)
{
	struct jobs *js = d->jobs;
	struct job *j = NULL;
	const char *held = NULL;
	int rc, longs = 0;

	pthread_mutex_lock(&js->lock);
	for (int i = 0; i < SLOTS; i++) {
		if (js->slot[i].used && domid && js->slot[i].domid == domid)
			held = chaosd_op_name(js->slot[i].req.op);
		else if (js->slot[i].used && js->slot[i].op != CHAOSD_OP_CREATE)
			longs++;
		else if (!js->slot[i].used && !j)
			j = &js->slot[i];
	}
	if (longs >= JOBS_MAX)
		j = NULL;
	if (held || !j) {
		pthread_mutex_unlock(&js->lock);
		chaosd_fds_close(fds, nfds);
		if (held)
			return derr(err, EBUSY,
				    "domain %u: a %s is under way; try again when it is done",
				    domid, held);
		return derr(err, EBUSY, "busy: %d operations already under way",
			    JOBS_MAX);
	}
	slot_reset(j, d);
	j->req = *req;
	chaos_config_init(&j->req.cfg);  /* the config is the request's */
	/* So are its disks (freed with it): the job keeps copies. */
	for (size_t i = 0; i < req->nr_disks; i++) {
		j->req.disks[i] = strdup(req->disks[i]);
		if (!j->req.disks[i]) {
			j->req.nr_disks = i;
			chaosd_request_free(&j->req);
			j->used = false;
			pthread_mutex_unlock(&js->lock);
			chaosd_fds_close(fds, nfds);
			return derr(err, ENOMEM, "out of memory");
		}
	}
	j->domid = domid;
	j->op = req->op;
	j->keep_running = req->keep_running;
	j->paused = req->paused;
	if (d->caller) {
		j->as = *d->caller;
		j->has_as = true;
	}
	memcpy(j->fds, fds, nfds * sizeof(int));
	j->nfds = nfds;
	j->client_fd = client_fd;
	rc = slot_go(j);
	if (rc) {
		chaosd_fds_close(j->fds, j->nfds);
		chaosd_request_free(&j->req);  /* the key wiped, copies freed */
		j->used = false;
	} else {
		j->started = true;
	}
	pthread_mutex_unlock(&js->lock);
	if (!rc && domid)
		dlog("%s of domain %u started", chaosd_op_name(req->op), domid);
	else if (!rc)
		dlog("%s started", chaosd_op_name(req->op));
	if (rc)
		return derr(err, rc, "cannot start the %s: %s",
			    chaosd_op_name(req->op), strerror(rc));
	*out = j;
	return 0;
}

int jobs_start_create(struct daemon *d, chaosd_request *req,
		      chaos_shell *shell, uint64_t mib, uint32_t owner,
		      int client_fd, struct job **out, chaos_err *err)
{
	struct jobs *js = d->jobs;
	struct job *j = NULL;
	int rc, creates = 0;

	pthread_mutex_lock(&js->lock);
	for (int i = 0; i < SLOTS; i++) {
		if (js->slot[i].used && js->slot[i].op == CHAOSD_OP_CREATE)
			creates++;
		else if (!js->slot[i].used && !j)
			j = &js->slot[i];
	}
	if (!j || creates >= JOBS_CREATES_MAX) {
		pthread_mutex_unlock(&js->lock);
		return derr(err, EBUSY, "every create worker is busy");
	}
	slot_reset(j, d);
	j->req = *req;
	j->op = CHAOSD_OP_CREATE;
	j->paused = req->paused || req->cfg.paused;
	j->shell = shell;
	j->mib = mib;
	if (d->caller) {
		j->as = *d->caller;
		j->has_as = true;
	}
	j->owner = owner;
	j->client_fd = client_fd;
	rc = slot_go(j);
	if (rc) {
		j->used = false;
		pthread_mutex_unlock(&js->lock);
		return derr(err, rc, "cannot start a create worker: %s",
			    strerror(rc));
	}
	j->started = true;
	/* The config is the job's now. */
	chaos_config_init(&req->cfg);
	pthread_mutex_unlock(&js->lock);
	*out = j;
	return 0;
}

/* What a finished job changed, told to the subscribers (the serving
 * thread's, as every event). */
static void job_events(struct daemon *d, const struct job *j)
{
	struct events *ev = d->events;
	uint32_t id = j->result_domid;

	switch (j->op) {
	case CHAOSD_OP_CREATE:
		events_emit(ev, CHAOSD_EVENT_CREATED, id, j->name, j->owner,
			    NULL);
		if (!j->paused)
			events_emit(ev, CHAOSD_EVENT_STARTED, id, j->name,
				    j->owner, NULL);
		break;
	case CHAOSD_OP_SAVE:
		events_emit(ev, CHAOSD_EVENT_SAVED, id, j->name, j->owner, NULL);
		if (!j->keep_running)
			events_emit(ev, CHAOSD_EVENT_DESTROYED, id, j->name,
				    j->owner, "saved");
		break;
	case CHAOSD_OP_RESUME:
		events_emit(ev, CHAOSD_EVENT_RESUMED, id, j->name, j->owner, NULL);
		break;
	case CHAOSD_OP_RESTORE:
		events_emit(ev, CHAOSD_EVENT_RESTORED, id, j->name, j->owner,
			    NULL);
		if (!j->paused)
			events_emit(ev, CHAOSD_EVENT_STARTED, id, j->name,
				    j->owner, NULL);
		break;
	case CHAOSD_OP_MIGRATE_SEND:
		events_emit(ev, CHAOSD_EVENT_MIGRATED_AWAY, id, j->name,
			    j->owner, NULL);
		events_emit(ev, CHAOSD_EVENT_DESTROYED, id, j->name, j->owner,
			    "migrated");
		break;
	case CHAOSD_OP_MIGRATE_RECEIVE:
		events_emit(ev, CHAOSD_EVENT_MIGRATED_IN, id, j->name, j->owner,
			    NULL);
		events_emit(ev, CHAOSD_EVENT_STARTED, id, j->name, j->owner,
			    NULL);
		break;
	default:
		break;
	}
}

bool jobs_collect(struct daemon *d, struct job *job, bool *replied)
{
	bool done;

	pthread_mutex_lock(&d->jobs->lock);
	done = job->done;
	pthread_mutex_unlock(&d->jobs->lock);
	if (!done)
		return false;
	/* A create that never got to its shell (no host): back to the
	 * pool, with the serving thread's host. */
	if (job->shell) {
		pool_put_back(&d->pool, d->host, job->shell);
		job->shell = NULL;
	}
	if (job->ok)
		job_events(d, job);
	pthread_mutex_lock(&d->jobs->lock);
	*replied = job->replied;
	job->used = false;
	job->started = false;
	pthread_mutex_unlock(&d->jobs->lock);
	return true;
}
