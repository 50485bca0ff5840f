// SPDX-License-Identifier: MIT
/*
 * The one rule on which domains a front end may touch. Domain-0 and the
 * pool's unused shells never. And ownership: every guest belongs to the uid that created it (its record
 * says which), and a front end acting for someone other than root lets it
 * see and touch its own guests only (audit finding 9). The rule is here,
 * in one place, so chaosd and any other front end apply the same one.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include <chaos/guest.h>

#include "guest/guest.h"
#include "util/util.h"

chaos_guest_class chaos_guest_classify(uint32_t domid,
					enum chaos_domain_kind kind,
					bool has_record)
{
	if (domid == 0)
		return CHAOS_CLASS_DOM0;
	/* A shell keeps its handle when a create takes it: only the record
	 * tells a guest from a shell waiting in a pool. */
	if (kind == CHAOS_KIND_SHELL)
		return has_record ? CHAOS_CLASS_GUEST : CHAOS_CLASS_SHELL;
	return kind == CHAOS_KIND_GUEST ? CHAOS_CLASS_GUEST :
	       CHAOS_CLASS_FOREIGN;
}

const char *chaos_guest_class_name(chaos_guest_class c)
{
	switch (c) {
	case CHAOS_CLASS_DOM0:
		return "dom0";
	case CHAOS_CLASS_GUEST:
		return "guest";
	case CHAOS_CLASS_SHELL:
		return "shell";
	case CHAOS_CLASS_FOREIGN:
		return "foreign";
	}
	return "?";
}

int chaos_guest_policy(uint32_t domid, enum chaos_domain_kind kind,
		       bool has_record, const char *verb, chaos_err *err)
{
	switch (chaos_guest_classify(domid, kind, has_record)) {
	case CHAOS_CLASS_DOM0:
		return chaos_err_set(err, EPERM, "refusing to %s Domain-0", verb);
	case CHAOS_CLASS_SHELL:
		return chaos_err_set(err, EPERM,
				     "refusing to %s domain %u: it is an unused shell of chaosd's pool",
				     verb, domid);
	default:
		return 0;
	}
}

chaos_guest_class chaos_guest_class_of(chaos_host *host,
				       const chaos_domain_info *d)
{
	chaos_domain_record rec;
	enum chaos_domain_kind kind = chaos_domain_handle_kind(d->handle);

	return chaos_guest_classify(d->domid, kind,
				    d->domid != 0 && kind != CHAOS_KIND_FOREIGN &&
				    chaos_record_load(chaos_host_state_dir(host), d->domid,
						      d->handle, &rec,
						      NULL) == 0);
}

int chaos_guest_policy_for(uint32_t caller, uint32_t domid, const char *name,
			   enum chaos_domain_kind kind, bool has_record,
			   uint32_t owner, const char *verb, chaos_err *err)
{
	char what[CHAOS_NAME_MAX + 32];
	chaos_guest_class c = chaos_guest_classify(domid, kind, has_record);

	if (chaos_guest_policy(domid, kind, has_record, verb, err))
		return -1;
	if (caller == 0)
		return 0;
	if (name && name[0])
		snprintf(what, sizeof(what), "domain %u ('%s')", domid, name);
	else
		snprintf(what, sizeof(what), "domain %u", domid);
	if (c != CHAOS_CLASS_GUEST || !has_record)
		return chaos_err_set(err, EPERM,
				     "refusing to %s %s: it was not built by chaos for you (only root may touch it)",
				     verb, what);
	if (owner != caller)
		return chaos_err_set(err, EPERM,
				     "refusing to %s %s: it belongs to uid %u, not to you (uid %u)",
				     verb, what, owner, caller);
	return 0;
}

bool chaos_guest_visible(uint32_t caller, chaos_guest_class c, uint32_t owner)
{
	return caller == 0 || (c == CHAOS_CLASS_GUEST && owner == caller);
}

/* The record of a live domain, if it has one bound to its handle. */
static bool record_of(chaos_host *host, const chaos_domain_info *d,
		      chaos_domain_record *rec)
{
	return d->domid != 0 &&
	       chaos_domain_handle_kind(d->handle) != CHAOS_KIND_FOREIGN &&
	       chaos_record_load(chaos_host_state_dir(host), d->domid,
				 d->handle, rec, NULL) == 0;
}

chaos_guest_class chaos_guest_owner_of(chaos_host *host,
				       const chaos_domain_info *d,
				       uint32_t *owner)
{
	chaos_domain_record rec;
	bool has = record_of(host, d, &rec);
	chaos_guest_class c = chaos_guest_classify(
		d->domid, chaos_domain_handle_kind(d->handle), has);

	*owner = has && c == CHAOS_CLASS_GUEST ? rec.owner : 0;
	return c;
}

void chaos_guest_filter_visible(chaos_host *host, uint32_t caller,
				chaos_domain_info *doms, size_t *count)
{
	size_t kept = 0;

	for (size_t i = 0; i < *count; i++) {
		uint32_t owner;
		chaos_guest_class c = chaos_guest_owner_of(host, &doms[i],
							   &owner);

		if (chaos_guest_visible(caller, c, owner))
			doms[kept++] = doms[i];
	}
	*count = kept;
}

int guest_allowed_for(chaos_host *host, uint32_t caller, uint32_t domid,
		      const chaos_domain_info *info, const char *verb,
		      chaos_err *err)
{
	chaos_domain_record rec;
	bool has;

	if (domid == 0)
		return chaos_guest_policy(0, CHAOS_KIND_FOREIGN, false, verb,
					  err);
	has = record_of(host, info, &rec);
	return chaos_guest_policy_for(caller, domid, has ? rec.name : NULL,
				      chaos_domain_handle_kind(info->handle),
				      /* A guest built in one go is a guest to
				       * root even without its record. */
				      has || (caller == 0 &&
					      chaos_domain_handle_kind(info->handle) !=
					      CHAOS_KIND_SHELL),
				      has ? rec.owner : 0, verb, err);
}

int chaos_guest_check_for(chaos_host *host, uint32_t caller, uint32_t domid,
			  const char *verb, chaos_err *err)
{
	chaos_domain_info info;

	if (domid != 0 && chaos_domain_get(host, domid, &info, err))
		return -1;
	return guest_allowed_for(host, caller, domid, domid ? &info : NULL,
				 verb, err);
}

int guest_cred_of_record(const chaos_domain_record *rec, chaos_cred *out)
{
	struct passwd pw, *pwp = NULL;
	char buf[4096];
	gid_t groups[CHAOS_CRED_GROUPS_MAX];
	int n = CHAOS_CRED_GROUPS_MAX;

	memset(out, 0, sizeof(*out));
	out->uid = rec->owner;
	out->gid = rec->owner_gid;
	if (rec->owner == 0)
		return 0;
	/* The owner's groups as the group database has them now; a user
	 * missing from it keeps its primary group only. */
	if (getpwuid_r(rec->owner, &pw, buf, sizeof(buf), &pwp) == 0 && pwp &&
	    getgrouplist(pwp->pw_name, (gid_t)rec->owner_gid, groups, &n) >= 0)
		for (int i = 0; i < n; i++)
			out->groups[out->ngroups++] = groups[i];
	return 0;
}

int guest_check_readable(const chaos_cred *as, const char *path,
			 const struct stat *st, const char *what,
			 chaos_err *err)
{
	/* chaos_fscred_enter switches nothing for root: the access check
	 * would only cost a system call. */
	if (as && as->uid == 0 && S_ISREG(st->st_mode))
		return 0;
	return chaos_check_readable_regular(path, st, what, err);
}

int guest_fscred_enter(const chaos_cred *as, struct chaos_fscred_saved *saved,
		       chaos_err *err)
{
	struct chaos_fscred who;

	if (!as) {
		memset(saved, 0, sizeof(*saved));
		return 0;
	}
	who.uid = as->uid;
	who.gid = as->gid;
	who.ngroups = as->ngroups < CHAOS_FSCRED_GROUPS_MAX ?
		      as->ngroups : CHAOS_FSCRED_GROUPS_MAX;
	for (size_t i = 0; i < who.ngroups; i++)
		who.groups[i] = (gid_t)as->groups[i];
	return chaos_fscred_enter(&who, saved, err);
}

int chaos_guest_check(chaos_host *host, uint32_t domid, const char *verb,
		      chaos_err *err)
{
	return chaos_guest_check_for(host, 0, domid, verb, err);
}
