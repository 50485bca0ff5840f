/* SPDX-License-Identifier: MIT */
#ifndef CHAOSD_DAEMON_H
#define CHAOSD_DAEMON_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <chaos/chaos.h>
#include <chaos/chaosd.h>

#include "derr.h"
#include "kernels.h"
#include "owner.h"

/* One flavour: shells of the same memory, vCPUs and device set (with
 * noxs: a power device and vifs unconfigured vifs). */
struct flavour {
	uint64_t memory_mib;
	unsigned int vcpus;
	unsigned int vifs;
	char bridge[CHAOS_CONFIG_BRIDGE_MAX]; /* vifs' net devices ahead */
	unsigned int size;          /* wanted */
	uint32_t owner;             /* uid that set it last (the config's: 0) */
	unsigned int ready;         /* shells[0..ready) */
	unsigned int cap;
	chaos_shell **shells;
	/* The kernel its last create ran (a reference): the refill thread
	 * primes its shells for it (chaos_shell_prime), NULL until then. */
	chaos_kernel *hint;
};

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct flavour fl[CHAOSD_FLAVOURS_MAX];
	unsigned int nr;
	bool allow_larger;          /* daemon-wide: may a request use a larger
				     * shell without asking? */
	bool stop;
	bool running;
	pthread_t thread;
	chaos_host *host;           /* the refill thread's own */
	uint32_t building;          /* domid of the shell being made, or 0 */
	/* Shells taken by creates not answered yet: the refill waits for
	 * them while their flavour has shells left (pool_take, pool_done,
	 * pool_flush). */
	unsigned int taken;
	unsigned int done_unflushed;  /* pool_done's, atomic */
	/* And until then (ms), after a create's reply went out: its
	 * client has yet to read it and exit (pool_flush). */
	long long quiet_until_ms;
};

int pool_init(struct pool *p, chaos_err *err);
int pool_start(struct pool *p, chaos_err *err);
/* Stop refilling, destroy every unused shell. */
void pool_shutdown(struct pool *p);
int pool_set(struct pool *p, const chaosd_flavour *want, chaos_err *err);
/* The same, the flavour set on behalf of uid owner (owner.c's quotas). */
int pool_set_as(struct pool *p, const chaosd_flavour *want, uint32_t owner,
		chaos_err *err);
/* Whether which's flavour exists with a size, and who set it. */
bool pool_flavour_owner(struct pool *p, const chaosd_flavour *which,
			uint32_t *owner);
/* Shells (wanted) and their MiB in the flavours owner set, except's
 * flavour left out (NULL: none). */
void pool_usage(struct pool *p, uint32_t owner, const chaosd_flavour *except,
		unsigned int *shells, uint64_t *mib);
/* The kernel the flavours (memory, vcpus, vifs), whatever their bridge,
 * ran last: their shells get primed for it. Takes a reference; nothing
 * if no such flavour. */
void pool_hint(struct pool *p, uint64_t memory_mib, unsigned int vcpus,
	       unsigned int vifs, chaos_kernel *k);
/* A shell for (memory, vcpus) with exactly vifs vifs, or NULL: exact
 * flavour first (with its net devices on bridge, the one every vif
 * names, if there is one; else without them), else the smallest larger
 * one (memory, vCPUs) when allowed. bridge: NULL when the vifs name
 * different bridges. Never waits for a refill. */
chaos_shell *pool_take(struct pool *p, uint64_t memory_mib,
		       unsigned int vcpus, unsigned int vifs,
		       const char *bridge, bool allow_larger);
/* Give back a shell a create did not touch (host: the caller's). */
void pool_put_back(struct pool *p, chaos_host *host, chaos_shell *shell);
/* A create that took a shell is over (the shell is used, or gone); it
 * counts once its reply is out (pool_flush, from the serving loop). */
void pool_done(struct pool *p);
void pool_flush(struct pool *p);
/*
 * Drop the shells someone else destroyed (`xl destroy` of a shell's id):
 * those not in doms (n domains, as chaos_domain_list_unnamed gives them,
 * listed before the call) are looked for once more in a list taken with
 * the pool locked (a shell made since is not in doms either); those gone
 * or dying leave the pool, which refills, and are freed with host (the
 * caller's), which lets a dying one go. Returns how many.
 */
unsigned int pool_drop_gone(struct pool *p, chaos_host *host,
			    const chaos_domain_info *doms, size_t n);
/* Is domid an unused shell of the pool? */
bool pool_owns(struct pool *p, uint32_t domid);
/* Snapshot of the flavours (at most CHAOSD_FLAVOURS_MAX). */
unsigned int pool_snapshot(struct pool *p, chaosd_flavour *out);

struct consoles;
struct jobs;
struct events;

struct daemon {
	chaos_host *host;           /* the serving thread's */
	struct consoles *consoles;  /* the console thread (consoles.h) */
	struct jobs *jobs;          /* long operations' threads (jobs.h) */
	struct events *events;      /* subscribers (events.h) */
	long long last_sync_ms;     /* events_resync's last run */
	struct pool pool;
	struct kernels kernels;     /* the serving thread's (kernels.h) */
	const char *socket_path;
	const char *pid_path;
	const char *state_dir;
	gid_t group;                /* clients in this group may connect */
	bool group_set;
	/* Per-owner quotas (owner.h); root's only when configured. */
	struct quota quota, quota_root;
	bool quota_set, quota_root_set;
	/* Who sent the request being handled (the serving thread's). */
	const chaos_cred *caller;
	int listen_fd;
	int wake_rd, wake_wr;       /* reaper and signals -> serving loop */
	pthread_t reaper;
	volatile sig_atomic_t stop;
	bool no_virq;
	bool reaper_running;
	bool reaper_stop;
	bool reap_after_jobs;       /* a guest waits for its job's events */
	bool reap_pending;          /* asked for within REAP_GAP_MS of the last */
	long long last_reap_ms;     /* reap_all's last run */
	long long reap_gap_ms;      /* the least time to the next one */
};

/* Start-up: adopt guests left by an earlier chaosd, destroy its shells. */
int daemon_adopt(struct daemon *d, chaos_err *err);

/* The reaper: waits for VIRQ_DOM_EXC (or polls) and pokes the loop. */
int reaper_start(struct daemon *d, chaos_err *err);
void reaper_stop(struct daemon *d);
/* Apply on_poweroff/on_reboot/on_crash to every shut-down guest. */
void reap_all(struct daemon *d);
/* Announce guests that came or went behind chaosd's back (events.h). */
void events_resync(struct daemon *d);

/* The socket loop: returns when d->stop is set. */
int server_run(struct daemon *d);

/* A client must take its reply in this (the loop's and a job's). */
#define CHAOSD_REPLY_TIMEOUT_MS 2000

struct job;

/* What a request came with and what became of it (ops_handle). */
struct ops_call {
	int fds[CHAOSD_FRAME_FDS_MAX];  /* descriptors sent with the frame */
	size_t nfds;                    /* ops_handle takes them all */
	int client_fd;                  /* a job's reply goes out on it */
	char *resp;                     /* the response (caller frees), or NULL: */
	size_t resp_len;
	uint32_t stream_domid;          /* a console stream of this guest, or */
	struct job *job;                /* a long operation, answered when done, */
	bool subscribe;                 /* or, after resp, an event stream */
};

/*
 * Handle one request frame. The descriptors in call are the handler's
 * (used or closed). call->resp is the response JSON, unless the request
 * was a console stream that was accepted (call->stream_domid: the caller
 * hands the connection to the console thread, consoles_stream, which
 * answers) or a long operation that was started (call->job: the job
 * sends its reply itself, on call->client_fd, and the caller collects it,
 * jobs_collect). -1: out of memory, nothing to send.
 */
int ops_handle(struct daemon *d, const char *req, size_t len,
	       struct ops_call *call);

void dlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
