// SPDX-License-Identifier: MIT
/* Owners: who a client is, root's reserved slots, per-owner quotas. */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "jobs.h"
#include "owner.h"
#include "slots.h"

#define KIB_PER_MIB 1024

bool owner_slot_ok(uint32_t uid, unsigned int used, unsigned int nonroot)
{
	return slots_ok(uid, used, nonroot, CLIENTS_ORDINARY, CLIENTS_MAX);
}

int owner_peer_cred(int fd, const struct ucred *cr, chaos_cred *out,
		    chaos_err *err)
{
	gid_t groups[CHAOS_CRED_GROUPS_MAX];
	socklen_t len = sizeof(groups);
	int n = CHAOS_CRED_GROUPS_MAX;

	memset(out, 0, sizeof(*out));
	out->uid = cr->uid;
	out->gid = cr->gid;
	if (cr->uid == 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0) {
		n = (int)(len / sizeof(gid_t));
	} else if (errno == ENOPROTOOPT) {
		struct passwd pw, *pwp = NULL;
		char buf[4096];

		if (getpwuid_r(cr->uid, &pw, buf, sizeof(buf), &pwp) || !pwp ||
		    getgrouplist(pwp->pw_name, cr->gid, groups, &n) < 0)
			n = 0;
	} else {
		/* More groups than we keep: refuse rather than guess (a
		 * group left out could be one that denies access). */
		return derr(err, E2BIG, "permission denied: more than %d groups",
			    CHAOS_CRED_GROUPS_MAX);
	}
	for (int i = 0; i < n; i++)
		out->groups[out->ngroups++] = groups[i];
	return 0;
}

static int parse_limit(const char *val, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*val < '0' || *val > '9')
		return -1;
	errno = 0;
	v = strtoull(val, &end, 10);
	if (errno || *end || v >= QUOTA_NONE)
		return -1;
	*out = v;
	return 0;
}

int quota_parse(const char *spec, struct quota *q, chaos_err *err)
{
	char buf[256], *tok, *save = NULL;

	q->guests = q->memory_mib = q->pool = QUOTA_NONE;
	if (snprintf(buf, sizeof(buf), "%s", spec) >= (int)sizeof(buf) || !*buf)
		return derr(err, EINVAL, "quota: expected guests=N,memory=M,pool=P");
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		uint64_t *field;

		if (!eq)
			return derr(err, EINVAL, "quota: '%s' is not key=value",
				    tok);
		*eq = '\0';
		if (!strcmp(tok, "guests"))
			field = &q->guests;
		else if (!strcmp(tok, "memory"))
			field = &q->memory_mib;
		else if (!strcmp(tok, "pool"))
			field = &q->pool;
		else
			return derr(err, EINVAL,
				    "quota: unknown key '%s' (guests, memory, pool)",
				    tok);
		if (parse_limit(eq + 1, field))
			return derr(err, EINVAL,
				    "quota: %s: expected a whole number, got '%s'",
				    tok, eq + 1);
	}
	return 0;
}

int quota_check_create(const struct quota *q, uint32_t uid,
		       const struct usage *u, uint64_t mib, chaos_err *err)
{
	if (u->guests + 1 > q->guests)
		return derr(err, EDQUOT,
			    "quota guests: uid %u may have at most %" PRIu64 " guests (has %" PRIu64 ")",
			    uid, q->guests, u->guests);
	if (u->guest_mib + u->pool_mib + mib > q->memory_mib)
		return derr(err, EDQUOT,
			    "quota memory: uid %u may hold at most %" PRIu64 " MiB (has %" PRIu64 " MiB in guests and %" PRIu64 " MiB in pool shells; this guest needs %" PRIu64 " MiB)",
			    uid, q->memory_mib, u->guest_mib, u->pool_mib, mib);
	return 0;
}

int quota_check_pool(const struct quota *q, uint32_t uid,
		     const struct usage *u, uint64_t shells, uint64_t mib,
		     chaos_err *err)
{
	if (u->pool_shells + shells > q->pool)
		return derr(err, EDQUOT,
			    "quota pool: uid %u may keep at most %" PRIu64 " pool shells (asked for %" PRIu64 ", has %" PRIu64 " in other flavours)",
			    uid, q->pool, shells, u->pool_shells);
	if (u->guest_mib + u->pool_mib + mib > q->memory_mib)
		return derr(err, EDQUOT,
			    "quota memory: uid %u may hold at most %" PRIu64 " MiB (has %" PRIu64 " MiB in guests and %" PRIu64 " MiB in other pool shells; these shells need %" PRIu64 " MiB)",
			    uid, q->memory_mib, u->guest_mib, u->pool_mib, mib);
	return 0;
}

uint32_t owner_caller(const struct daemon *d)
{
	return d->caller ? d->caller->uid : 0;
}

/* Root is exempt unless a root quota is configured. */
static const struct quota *quota_of(const struct daemon *d, uint32_t uid)
{
	if (uid == 0)
		return d->quota_root_set ? &d->quota_root : NULL;
	return d->quota_set ? &d->quota : NULL;
}

/* What uid holds now: its guests (from the hypervisor and their records)
 * and the shells of the flavours it set, except's left out. The serving
 * thread alone creates guests and sets flavours, so nothing changes
 * between this count and the create or pool-set it allows. */
static int usage_of(struct daemon *d, uint32_t uid,
		    const chaosd_flavour *except, struct usage *u,
		    chaos_err *err)
{
	chaos_domain_info *doms;
	unsigned int shells;
	uint64_t mib;
	size_t n;

	memset(u, 0, sizeof(*u));
	if (chaos_domain_list_unnamed(d->host, &doms, &n, err))
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint32_t owner;

		if (chaos_guest_owner_of(d->host, &doms[i], &owner) !=
		    CHAOS_CLASS_GUEST || owner != uid)
			continue;
		u->guests++;
		u->guest_mib += (doms[i].max_mem_kib + KIB_PER_MIB - 1) /
				KIB_PER_MIB;
	}
	free(doms);
	/* Creates under way count before their guests exist: clients
	 * creating side by side cannot pass the quota together. */
	jobs_creates_of(d, uid, &shells, &mib);
	u->guests += shells;
	u->guest_mib += mib;
	pool_usage(&d->pool, uid, except, &shells, &u->pool_mib);
	u->pool_shells = shells;
	return 0;
}

int owner_create_check(struct daemon *d, uint64_t mib, chaos_err *err)
{
	uint32_t uid = owner_caller(d);
	const struct quota *q = quota_of(d, uid);
	struct usage u;

	if (!q)
		return 0;
	if (usage_of(d, uid, NULL, &u, err))
		return -1;
	return quota_check_create(q, uid, &u, mib, err);
}

int owner_pool_set(struct daemon *d, const chaosd_flavour *want,
		   chaos_err *err)
{
	uint32_t uid = owner_caller(d), set_by;
	const struct quota *q = quota_of(d, uid);
	struct usage u;

	/* A flavour belongs to whoever set it: another user may not shrink
	 * or grow it under them (root may). */
	if (uid != 0 && pool_flavour_owner(&d->pool, want, &set_by) &&
	    set_by != uid)
		return derr(err, EPERM,
			    "pool: the flavour of %" PRIu64 " MiB, %u vCPUs, %u vifs%s%s was set by uid %u; only it or root may change it",
			    want->memory_mib, want->vcpus, want->vifs,
			    want->bridge[0] ? " on bridge " : "", want->bridge,
			    set_by);
	if (q) {
		if (usage_of(d, uid, want, &u, err) ||
		    quota_check_pool(q, uid, &u, want->size,
				     (uint64_t)want->size * want->memory_mib,
				     err))
			return -1;
	}
	return pool_set_as(&d->pool, want, uid, err);
}
