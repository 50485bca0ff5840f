/* SPDX-License-Identifier: MIT */
#ifndef CHAOSD_JOBS_H
#define CHAOSD_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon.h"
#include "request.h"

/*
 * chaosd's long operations: save, restore, resume, migrate and
 * migrate-receive. Each takes seconds (a guest's whole memory), so each
 * runs on a thread of its own, with its own host handle, while the loop
 * serves other clients; the client that asked waits for its reply, which
 * the job's thread sends when it is done, and the loop reads from that
 * client again once it has collected the job (jobs_collect). A slot's thread
 * and host are kept from one job to the next, and its thread ends when
 * chaosd stops (jobs_stop).
 *
 * Threads, not forked children: chaosd has threads already (consoles,
 * reaper, pool), and a child forked from a threaded process may call
 * only async-signal-safe functions until it execs, while this work
 * allocates and opens hypervisor handles; a thread with its own
 * chaos_host is the library's own threading rule. The guest's busy mark
 * (an flock the library takes) belongs to this process, so if chaosd
 * dies mid-save the kernel drops it and recovery resumes the guest, as
 * it does for a killed `chaos save`.
 *
 * At most JOBS_MAX at once; a guest one job holds is refused to every
 * other operation that would change it (jobs_holding) until it is done.
 *
 * Creates run as jobs too (jobs_start_create), up to JOBS_CREATES_MAX at
 * once, so that clients creating at the same time are served side by
 * side, and the loop keeps serving meanwhile; with every create worker
 * busy, a create runs in the loop itself as before. Each slot keeps its
 * host handle from one job to the next: opening one costs more than a
 * pooled create.
 */
#define JOBS_MAX 8
#define JOBS_CREATES_MAX 4
/* What a finished create writes to the loop's wake-up pipe (the rest
 * write other bytes, which also ask for a reaping pass). */
#define JOBS_WAKE_CREATE 'c'

struct job;

/* What a create made, for its events. */
struct create_done {
	uint32_t domid;
	char name[CHAOS_NAME_MAX];
};

/*
 * A create's work, on any thread with its own host: the kernel (kept or
 * read as `as`), the guest built in shell (NULL: a full create; the shell
 * is the create's: the guest, back in the pool, or gone), its console
 * attached, its pool flavour hinted; the rest of the reply into g.
 * Events are the caller's (the serving thread's).
 */
int ops_create_run(struct daemon *d, chaos_host *host,
		   const chaosd_request *req, chaos_shell *shell,
		   const chaos_cred *as, chaosd_reply *g,
		   struct create_done *done, chaos_err *err);


/* The job table, empty, into d->jobs. */
int jobs_init(struct daemon *d, chaos_err *err);
/* The slots sequential and concurrent creates take first (the lowest
 * free one is taken), made ready at start: each slot's host opened and
 * prepared (chaos_host_prepare, for kernel in a guest of memory_mib MiB
 * if kernel is not NULL), its thread started; the serving thread's host
 * prepared too. What fails is logged and left to the first job. */
void jobs_prepare(struct daemon *d, const chaos_kernel *kernel,
		  uint64_t memory_mib);
/* Wait for every job still running (chaosd is stopping), free the table. */
void jobs_stop(struct daemon *d);

/* Whether a create, a restore or an incoming migration is under way
 * (its new guest is announced when it is collected). */
bool jobs_creating(struct daemon *d);

/* Guests and MiB of creates under way for uid (its quota counts them
 * before their guests exist). */
void jobs_creates_of(struct daemon *d, uint32_t uid, unsigned int *guests,
		     uint64_t *mib);

/* The operation under way on domid ("save", ...), or NULL. */
const char *jobs_holding(struct daemon *d, uint32_t domid);

/*
 * Start req on domid (0 for restore and migrate-receive, which make a new
 * domain), with the descriptors the client sent (fds, nfds): the job owns
 * them from here on, and closes them when done, or at once on failure.
 * The reply goes out on client_fd, which the caller leaves alone until
 * it has collected the job. Returns 0 with *out the job, or -1 with err
 * set: EBUSY JOBS_MAX jobs under way or domid held by one; else
 * pthread_create's error.
 */
int jobs_start(struct daemon *d, const chaosd_request *req, uint32_t domid,
	       int *fds, size_t nfds, int client_fd, struct job **out,
	       chaos_err *err);

/*
 * Start the create req in (shell) (NULL: a full create; mib its memory)
 * on a create worker, for the client d->caller, whose uid is owner, its
 * reply sent on client_fd (as jobs_start's). On
 * success the job owns the shell and
 * req's config (req->cfg is left empty); *out is the job. -1 with err
 * set (EBUSY: every create worker is busy) leaves both with the caller.
 */
int jobs_start_create(struct daemon *d, chaosd_request *req,
		      chaos_shell *shell, uint64_t mib, uint32_t owner,
		      int client_fd, struct job **out, chaos_err *err);

/*
 * If (job) is done: its events emitted (events.h), the job freed, and
 * *replied whether its client got the reply (else the caller drops the
 * client): true. Else false (still running).
 */
bool jobs_collect(struct daemon *d, struct job *job, bool *replied);

#endif
