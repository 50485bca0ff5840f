// SPDX-License-Identifier: MIT
/* The shell pool: flavours, and the thread that keeps them full. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"

/* After a failed refill (often: the host is out of memory), wait this long
 * before trying again, so a full host is not hammered. */
#define REFILL_BACKOFF_MS 1000
/* After creates are answered, the refill leaves the CPUs to their clients
 * this long (while their flavours have shells left): in the rig, a shell
 * built at once made `chaos create` 1 to 5 ms slower to return. */
#define REFILL_QUIET_MS 10

/* bridge: "" for a flavour whose vifs get their net devices at create. */
static struct flavour *find(struct pool *p, uint64_t memory_mib,
			    unsigned int vcpus, unsigned int vifs,
			    const char *bridge)
{
	for (unsigned int i = 0; i < p->nr; i++)
		if (p->fl[i].memory_mib == memory_mib &&
		    p->fl[i].vcpus == vcpus && p->fl[i].vifs == vifs &&
		    !strcmp(p->fl[i].bridge, bridge))
			return &p->fl[i];
	return NULL;
}

/* A shell's flavour. Called locked. */
static struct flavour *find_of(struct pool *p, const chaos_shell *s)
{
	const char *bridge = chaos_shell_bridge(s);

	return find(p, chaos_shell_memory_mib(s), chaos_shell_vcpus(s),
		    chaos_shell_vifs(s), bridge ? bridge : "");
}

static int push(struct flavour *f, chaos_shell *s)
{
	if (f->ready == f->cap) {
		unsigned int cap = f->cap ? f->cap * 2 : 8;
		chaos_shell **n = realloc(f->shells, cap * sizeof(*n));

		if (!n)
			return -1;
		f->shells = n;
		f->cap = cap;
	}
	f->shells[f->ready++] = s;
	return 0;
}

/* Drop flavours that are unwanted and empty. Called locked. */
static void compact(struct pool *p)
{
	unsigned int j = 0;

	for (unsigned int i = 0; i < p->nr; i++) {
		if (p->fl[i].size == 0 && p->fl[i].ready == 0) {
			free(p->fl[i].shells);
			chaos_kernel_unref(p->fl[i].hint);
			continue;
		}
		p->fl[j++] = p->fl[i];
	}
	p->nr = j;
}

static void timed_wait(struct pool *p, unsigned int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&p->wake, &p->lock, &ts);
}

/* Prime s for k (if any); a shell that cannot be primed stays usable:
 * its create primes it. But one someone else destroyed meanwhile
 * (*gone) is good for nothing: the caller frees it. Called unlocked. */
static int prime(struct pool *p, chaos_shell *s, const chaos_kernel *k,
		 bool *gone)
{
	chaos_err err;

	*gone = false;
	if (!k || chaos_shell_prime(p->host, s, k, &err) == 0)
		return 0;
	*gone = err.code == ESRCH;
	dlog("pool: cannot prime domain %u for %s: %s%s", chaos_shell_domid(s),
	     chaos_kernel_path(k), err.msg, *gone ? "; dropped" : "");
	return -1;
}

/* Called locked, when every flavour is full: prime one ready shell made
 * before its flavour had a kernel (or for another one). Out of the pool
 * meanwhile, so no create takes it half primed. 0 if none was left;
 * *failed if priming failed (then the thread backs off). */
static int prime_one_ready(struct pool *p, bool *failed)
{
	for (unsigned int i = 0; i < p->nr; i++) {
		struct flavour *f = &p->fl[i];

		for (unsigned int j = 0; f->hint && j < f->ready; j++) {
			chaos_kernel *hint;
			chaos_shell *s = f->shells[j];
			bool gone;

			if (chaos_shell_is_primed_for(s, f->hint))
				continue;
			f->shells[j] = f->shells[--f->ready];
			hint = chaos_kernel_ref(f->hint);
			pthread_mutex_unlock(&p->lock);
			/* A destroyed shell is no reason to back off: its
			 * replacement is made at once. */
			*failed = prime(p, s, hint, &gone) != 0 && !gone;
			chaos_kernel_unref(hint);
			pthread_mutex_lock(&p->lock);
			f = find_of(p, s);
			if (!gone && f && push(f, s) == 0)
				return 1;
			pthread_mutex_unlock(&p->lock);
			chaos_shell_free(p->host, s);
			pthread_mutex_lock(&p->lock);
			return 1;
		}
	}
	return 0;
}

/* One unit of work, called locked: trim a surplus shell or add a missing
 * one. Returns 0 if there was nothing to do (yet: now, in ms, may be
 * before quiet_until_ms). */
static int refill_step(struct pool *p, long long now, bool *failed)
{
	bool held = p->taken || now < p->quiet_until_ms;
	chaos_kernel *hint;
	chaos_err err;
	chaos_shell *s;

	*failed = false;
	for (unsigned int i = 0; i < p->nr; i++) {
		struct flavour *f = &p->fl[i];

		if (f->ready <= f->size)
			continue;
		s = f->shells[--f->ready];
		pthread_mutex_unlock(&p->lock);
		chaos_shell_free(p->host, s);
		pthread_mutex_lock(&p->lock);
		return 1;
	}
	compact(p);
	for (unsigned int i = 0; i < p->nr; i++) {
		struct flavour *f = &p->fl[i];
		uint64_t mem = f->memory_mib;
		unsigned int vcpus = f->vcpus, vifs = f->vifs;
		char bridge[sizeof(f->bridge)];
		bool gone;
		int rc;

		/* A create running, or just answered, takes the host's
		 * CPUs first: a shell is made after it, unless none of the
		 * flavour is left. */
		if (f->ready >= f->size || (held && f->ready))
			continue;
		/* Build unlocked: creates keep taking shells meanwhile. The
		 * library makes the power device and the vifs (unconfigured:
		 * the guest's settings come at create; with a bridge, their
		 * net devices now, on it). */
		memcpy(bridge, f->bridge, sizeof(bridge));
		hint = chaos_kernel_ref(f->hint);
		pthread_mutex_unlock(&p->lock);
		rc = bridge[0] ?
		     chaos_shell_new_on_bridge(p->host, mem, vcpus, vifs, bridge,
					       &s, &err) :
		     chaos_shell_new_with_vifs(p->host, mem, vcpus, vifs, &s,
					       &err);
		if (rc) {
			dlog("pool: cannot make a %llu MiB/%u vCPU/%u vif%s%s shell: %s",
			     (unsigned long long)mem, vcpus, vifs,
			     bridge[0] ? " on " : "", bridge, err.msg);
			chaos_kernel_unref(hint);
			pthread_mutex_lock(&p->lock);
			*failed = true;
			return 1;
		}
		prime(p, s, hint, &gone);
		chaos_kernel_unref(hint);
		pthread_mutex_lock(&p->lock);
		/* The flavours may have changed while we built. */
		f = find_of(p, s);
		if (!gone && f && f->ready < f->size && push(f, s) == 0)
			return 1;
		pthread_mutex_unlock(&p->lock);
		chaos_shell_free(p->host, s);
		pthread_mutex_lock(&p->lock);
		return 1;
	}
	return held ? 0 : prime_one_ready(p, failed);
}

static void *refill_main(void *arg)
{
	struct pool *p = arg;
	bool failed;

	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		/* One clock read for both: held back at `now`, the wait
		 * must end when the quiet does (no broadcast will come). */
		long long now = chaos_clock_ms();

		if (refill_step(p, now, &failed)) {
			if (failed && !p->stop)
				timed_wait(p, REFILL_BACKOFF_MS);
			continue;
		}
		/* Nothing to do, or nothing yet: clients just answered. */
		if (now < p->quiet_until_ms)
			timed_wait(p, (unsigned int)(p->quiet_until_ms - now));
		else
			pthread_cond_wait(&p->wake, &p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int pool_init(struct pool *p, chaos_err *err)
{
	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	return chaos_host_open(&p->host, err);
}

int pool_start(struct pool *p, chaos_err *err)
{
	int rc = pthread_create(&p->thread, NULL, refill_main, p);

	if (rc) {
		chaos_err_clear(err);
		if (err) {
			err->code = rc;
			snprintf(err->msg, sizeof(err->msg),
				 "cannot start the refill thread: %s",
				 strerror(rc));
		}
		return -1;
	}
	pthread_setname_np(p->thread, "chaosd-pool");
	p->running = true;
	return 0;
}

void pool_shutdown(struct pool *p)
{
	unsigned int n = 0;

	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	if (p->running)
		pthread_join(p->thread, NULL);
	p->running = false;
	for (unsigned int i = 0; i < p->nr; i++) {
		struct flavour *f = &p->fl[i];

		while (f->ready) {
			chaos_shell_free(p->host, f->shells[--f->ready]);
			n++;
		}
		free(f->shells);
		chaos_kernel_unref(f->hint);
	}
	p->nr = 0;
	if (n)
		dlog("pool: destroyed %u unused shells", n);
	chaos_host_close(p->host);
	p->host = NULL;
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
}

int pool_set(struct pool *p, const chaosd_flavour *want, chaos_err *err)
{
	return pool_set_as(p, want, 0, err);
}

int pool_set_as(struct pool *p, const chaosd_flavour *want, uint32_t owner,
		chaos_err *err)
{
	struct flavour *f;
	int rc = 0;

	pthread_mutex_lock(&p->lock);
	f = find(p, want->memory_mib, want->vcpus, want->vifs, want->bridge);
	if (f) {
		f->size = want->size;
		f->owner = owner;
	} else if (want->size == 0) {
		/* Nothing to remove. */
	} else if (p->nr == CHAOSD_FLAVOURS_MAX) {
		rc = -1;
		if (err) {
			err->code = ENOSPC;
			snprintf(err->msg, sizeof(err->msg),
				 "pool: at most %d flavours", CHAOSD_FLAVOURS_MAX);
		}
	} else {
		f = &p->fl[p->nr++];
		memset(f, 0, sizeof(*f));
		f->memory_mib = want->memory_mib;
		f->vcpus = want->vcpus;
		f->vifs = want->vifs;
		memcpy(f->bridge, want->bridge, sizeof(f->bridge));
		f->size = want->size;
		f->owner = owner;
	}
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

void pool_hint(struct pool *p, uint64_t memory_mib, unsigned int vcpus,
	       unsigned int vifs, chaos_kernel *k)
{
	pthread_mutex_lock(&p->lock);
	/* Whatever their bridge: the guest's kernel is the same. */
	for (unsigned int i = 0; i < p->nr; i++) {
		struct flavour *f = &p->fl[i];

		if (f->memory_mib != memory_mib || f->vcpus != vcpus ||
		    f->vifs != vifs || f->hint == k)
			continue;
		chaos_kernel_unref(f->hint);
		f->hint = chaos_kernel_ref(k);
		pthread_cond_broadcast(&p->wake);
	}
	pthread_mutex_unlock(&p->lock);
}

/* Whether a flavour's net devices suit vifs that all name bridge. */
static bool bridge_fits(const struct flavour *f, const char *bridge)
{
	return !f->bridge[0] || (bridge && !strcmp(f->bridge, bridge));
}

chaos_shell *pool_take(struct pool *p, uint64_t memory_mib,
		       unsigned int vcpus, unsigned int vifs,
		       const char *bridge, bool allow_larger)
{
	struct flavour *best = NULL, *f = NULL;
	chaos_shell *s = NULL;

	pthread_mutex_lock(&p->lock);
	/* Net devices already on the guest's bridge first. */
	if (bridge && bridge[0])
		f = find(p, memory_mib, vcpus, vifs, bridge);
	if (!f || !f->ready)
		f = find(p, memory_mib, vcpus, vifs, "");
	if (f && f->ready) {
		best = f;
	} else if (allow_larger || p->allow_larger) {
		/* Larger in memory or vCPUs, never in vifs. */
		for (unsigned int i = 0; i < p->nr; i++) {
			f = &p->fl[i];
			if (!f->ready || f->vifs != vifs ||
			    f->memory_mib < memory_mib || f->vcpus < vcpus ||
			    !bridge_fits(f, bridge))
				continue;
			if (!best || f->memory_mib < best->memory_mib ||
			    (f->memory_mib == best->memory_mib &&
			     f->vcpus < best->vcpus))
				best = f;
		}
	}
	if (best) {
		s = best->shells[--best->ready];
		p->taken++;
		pthread_cond_broadcast(&p->wake);
	}
	pthread_mutex_unlock(&p->lock);
	return s;
}

void pool_put_back(struct pool *p, chaos_host *host, chaos_shell *shell)
{
	struct flavour *f;

	pthread_mutex_lock(&p->lock);
	f = find_of(p, shell);
	if (f && push(f, shell) == 0)
		shell = NULL;
	if (p->taken)
		p->taken--;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	if (shell)
		chaos_shell_free(host, shell);
}

void pool_done(struct pool *p)
{
	__atomic_add_fetch(&p->done_unflushed, 1, __ATOMIC_RELEASE);
}

void pool_flush(struct pool *p)
{
	unsigned int n = __atomic_exchange_n(&p->done_unflushed, 0,
					     __ATOMIC_ACQ_REL);

	if (!n)
		return;
	pthread_mutex_lock(&p->lock);
	p->taken -= n < p->taken ? n : p->taken;
	p->quiet_until_ms = chaos_clock_ms() + REFILL_QUIET_MS;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

/* Shells of the pool not among doms. Called locked. */
static unsigned int unlisted(struct pool *p, const chaos_domain_info *doms,
			     size_t n)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < p->nr; i++)
		for (unsigned int j = 0; j < p->fl[i].ready; j++)
			k += !chaos_shell_listed(p->fl[i].shells[j], doms, n);
	return k;
}

/* Out of the pool: the shells not among doms, into out (room for every
 * ready shell). Called locked. */
static unsigned int take_unlisted(struct pool *p, const chaos_domain_info *doms,
				  size_t n, chaos_shell **out)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < p->nr; i++) {
		struct flavour *f = &p->fl[i];

		for (unsigned int j = 0; j < f->ready;) {
			if (chaos_shell_listed(f->shells[j], doms, n)) {
				j++;
				continue;
			}
			out[k++] = f->shells[j];
			f->shells[j] = f->shells[--f->ready];
		}
	}
	return k;
}

unsigned int pool_drop_gone(struct pool *p, chaos_host *host,
			    const chaos_domain_info *doms, size_t n)
{
	chaos_domain_info *now = NULL;
	chaos_shell **gone = NULL;
	unsigned int ready = 0, k = 0;
	size_t nnow;

	pthread_mutex_lock(&p->lock);
	/* Nearly always none: then no more than a look at the caller's list. */
	if (!unlisted(p, doms, n))
		goto out;
	/*
	 * Missing from the caller's list: destroyed, or made after the list
	 * was taken. A list taken now, with the lock held, tells which: every
	 * shell in the pool was made before it.
	 */
	for (unsigned int i = 0; i < p->nr; i++)
		ready += p->fl[i].ready;
	gone = calloc(ready, sizeof(*gone));
	if (!gone || chaos_domain_list_unnamed(host, &now, &nnow, NULL))
		goto out;
	k = take_unlisted(p, now, nnow, gone);
	if (k)
		pthread_cond_broadcast(&p->wake);  /* refill */
out:
	pthread_mutex_unlock(&p->lock);
	free(now);
	for (unsigned int i = 0; i < k; i++) {
		dlog("pool: shell %u (%llu MiB) went behind chaosd's back (destroyed by someone else); dropped",
		     chaos_shell_domid(gone[i]),
		     (unsigned long long)chaos_shell_memory_mib(gone[i]));
		/* Its mapping of a primed shell's memory goes: a dying
		 * domain can then finish dying. */
		chaos_shell_free(host, gone[i]);
	}
	free(gone);
	return k;
}

bool pool_owns(struct pool *p, uint32_t domid)
{
	bool found = false;

	pthread_mutex_lock(&p->lock);
	for (unsigned int i = 0; i < p->nr && !found; i++)
		for (unsigned int j = 0; j < p->fl[i].ready && !found; j++)
			found = chaos_shell_domid(p->fl[i].shells[j]) == domid;
	pthread_mutex_unlock(&p->lock);
	return found;
}

unsigned int pool_snapshot(struct pool *p, chaosd_flavour *out)
{
	unsigned int n;

	pthread_mutex_lock(&p->lock);
	n = p->nr;
	for (unsigned int i = 0; i < n; i++) {
		out[i].memory_mib = p->fl[i].memory_mib;
		out[i].vcpus = p->fl[i].vcpus;
		out[i].vifs = p->fl[i].vifs;
		memcpy(out[i].bridge, p->fl[i].bridge, sizeof(out[i].bridge));
		out[i].size = p->fl[i].size;
		out[i].ready = p->fl[i].ready;
	}
	pthread_mutex_unlock(&p->lock);
	return n;
}

bool pool_flavour_owner(struct pool *p, const chaosd_flavour *which,
			uint32_t *owner)
{
	struct flavour *f;

	pthread_mutex_lock(&p->lock);
	f = find(p, which->memory_mib, which->vcpus, which->vifs,
		 which->bridge);
	if (f && f->size)
		*owner = f->owner;
	pthread_mutex_unlock(&p->lock);
	return f && f->size;
}

void pool_usage(struct pool *p, uint32_t owner, const chaosd_flavour *except,
		unsigned int *shells, uint64_t *mib)
{
	*shells = 0;
	*mib = 0;
	pthread_mutex_lock(&p->lock);
	for (unsigned int i = 0; i < p->nr; i++) {
		const struct flavour *f = &p->fl[i];

		if (f->owner != owner ||
		    (except && f->memory_mib == except->memory_mib &&
		     f->vcpus == except->vcpus && f->vifs == except->vifs &&
		     !strcmp(f->bridge, except->bridge)))
			continue;
		*shells += f->size;
		*mib += (uint64_t)f->size * f->memory_mib;
	}
	pthread_mutex_unlock(&p->lock);
}
