// SPDX-License-Identifier: MIT
/*
 * File access with someone else's rights: the calling thread's file-system
 * credentials (fsuid, fsgid, supplementary groups) switched to a user's
 * for a few opens, then back.
 *
 * Why this way: a daemon running as root that opens a path a client named
 * must not open what the client could not (audit finding 3). Checking
 * with access() first and opening as root after is a race (the path can
 * be swapped between the two); opening under the client's own
 * credentials is not: the kernel resolves the path and checks every
 * permission once, as the client. fsuid and fsgid (not the effective
 * ids) are what the kernel checks files against, and changing fsuid away
 * from 0 also drops the file capabilities (CAP_DAC_OVERRIDE,
 * CAP_DAC_READ_SEARCH, ...) from the effective set.
 *
 * The raw system calls matter: glibc's setgroups() changes every thread
 * of the process (it broadcasts, as POSIX wants), the kernel's changes
 * only the caller. So other threads of a daemon keep root's rights while
 * one thread opens a client's files. If switching back ever failed the
 * thread would go on with a client's rights and root's ids mixed: that
 * aborts instead.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/util.h"

static long fs_uid(long uid) { return syscall(SYS_setfsuid, uid); }
static long fs_gid(long gid) { return syscall(SYS_setfsgid, gid); }

/* setfsuid answers with the previous value whatever happens: ask with an
 * invalid id to read the current one. */
static uint32_t fs_uid_now(void) { return (uint32_t)fs_uid(-1); }
static uint32_t fs_gid_now(void) { return (uint32_t)fs_gid(-1); }

static int set_groups(size_t n, const gid_t *groups)
{
	return (int)syscall(SYS_setgroups, n, groups);
}

int chaos_fscred_enter(const struct chaos_fscred *who,
		       struct chaos_fscred_saved *saved, chaos_err *err)
{
	int n;

	memset(saved, 0, sizeof(*saved));
	/* Root reads what it likes anyway; a process already running as the
	 * user needs no switch (and could not make one). */
	if (!who || who->uid == 0 || who->uid == geteuid())
		return 0;
	if (who->ngroups > CHAOS_FSCRED_GROUPS_MAX)
		return chaos_err_set(err, EINVAL, "too many groups (%zu)",
				     who->ngroups);
	n = getgroups(0, NULL);
	if (n < 0)
		return chaos_err_set(err, errno, "getgroups: %s",
				     strerror(errno));
	saved->groups = malloc(((size_t)n + 1) * sizeof(gid_t));
	if (!saved->groups)
		return chaos_err_set(err, ENOMEM, "out of memory");
	n = getgroups(n, saved->groups);
	if (n < 0) {
		free(saved->groups);
		saved->groups = NULL;
		return chaos_err_set(err, errno, "getgroups: %s",
				     strerror(errno));
	}
	saved->ngroups = (size_t)n;
	saved->fsuid = fs_uid_now();
	saved->fsgid = fs_gid_now();
	saved->active = true;
	/* Groups and gid first: once fsuid is not 0 we may lack the right. */
	if (set_groups(who->ngroups, who->groups) ||
	    (fs_gid(who->gid), fs_gid_now() != who->gid) ||
	    (fs_uid(who->uid), fs_uid_now() != who->uid)) {
		int e = errno ? errno : EPERM;

		chaos_fscred_leave(saved);
		return chaos_err_set(err, e,
				     "cannot take the file rights of uid %u: %s",
				     who->uid, strerror(e));
	}
	return 0;
}

void chaos_fscred_leave(struct chaos_fscred_saved *saved)
{
	if (!saved->active)
		return;
	fs_uid(saved->fsuid);
	fs_gid(saved->fsgid);
	if (fs_uid_now() != saved->fsuid || fs_gid_now() != saved->fsgid ||
	    set_groups(saved->ngroups, saved->groups))
		abort();  /* never go on with mixed credentials */
	free(saved->groups);
	saved->groups = NULL;
	saved->active = false;
}
