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

/* One flavour: shells of the same memory, vCPUs and device set (with
 * noxs: a power device and vifs unconfigured vifs). */
struct flavour {
	uint64_t memory_mib;
	unsigned int vcpus;
	unsigned int vifs;
	unsigned int size;          /* wanted */
	unsigned int ready;         /* shells[0..ready) */
	unsigned int cap;
	chaos_shell **shells;
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
};

int pool_init(struct pool *p, chaos_err *err);
int pool_start(struct pool *p, chaos_err *err);
/* Stop refilling, destroy every unused shell. */
void pool_shutdown(struct pool *p);
int pool_set(struct pool *p, const chaosd_flavour *want, chaos_err *err);
/* A shell for (memory, vcpus) with exactly vifs vifs, or NULL: exact
 * flavour first, else the smallest larger one (memory, vCPUs) when
 * allowed. Never waits for a refill. */
chaos_shell *pool_take(struct pool *p, uint64_t memory_mib,
		       unsigned int vcpus, unsigned int vifs, bool allow_larger);
/* Give back a shell a create did not touch (host: the caller's). */
void pool_put_back(struct pool *p, chaos_host *host, chaos_shell *shell);
/* Is domid an unused shell of the pool? */
bool pool_owns(struct pool *p, uint32_t domid);
/* Snapshot of the flavours (at most CHAOSD_FLAVOURS_MAX). */
unsigned int pool_snapshot(struct pool *p, chaosd_flavour *out);

struct consoles;

struct daemon {
	chaos_host *host;           /* the serving thread's */
	struct consoles *consoles;  /* the console thread (consoles.h) */
	struct pool pool;
	const char *socket_path;
	const char *pid_path;
	const char *state_dir;
	gid_t group;                /* clients in this group may connect */
	bool group_set;
	int listen_fd;
	int wake_rd, wake_wr;       /* reaper and signals -> serving loop */
	pthread_t reaper;
	volatile sig_atomic_t stop;
	bool no_virq;
	bool reaper_running;
	bool reaper_stop;
	size_t last_domains;        /* at the last reap: fewer now, collect */
};

/* Start-up: adopt guests left by an earlier chaosd, destroy its shells. */
int daemon_adopt(struct daemon *d, chaos_err *err);

/* The reaper: waits for VIRQ_DOM_EXC (or polls) and pokes the loop. */
int reaper_start(struct daemon *d, chaos_err *err);
void reaper_stop(struct daemon *d);
/* Apply on_poweroff/on_reboot/on_crash to every shut-down guest. */
void reap_all(struct daemon *d);

/* The socket loop: returns when d->stop is set. */
int server_run(struct daemon *d);

/*
 * Handle one request frame; *resp is the response JSON (caller frees).
 * A console request that was accepted has no response here: *resp is NULL,
 * *stream_domid the guest, and the caller hands the connection to the
 * console thread (consoles_stream), which answers.
 */
int ops_handle(struct daemon *d, const char *req, size_t len, char **resp,
	       size_t *resp_len, uint32_t *stream_domid);

void dlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Fill err (code and message); returns -1. */
int derr(chaos_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
