// SPDX-License-Identifier: MIT
/*
 * Recovery: what processes killed half-way left behind, found through
 * their busy marks (state/busy.c) and finished off. A guest whose builder
 * died before its record was written is destroyed; a guest a dead saver
 * or migration source left suspended is resumed; a mark whose work was
 * done is removed. Marks held by live processes are never touched.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/checkpoint.h>

#include "ckpt/ckpt.h"

#define ORPHANS_MAX 256

static const chaos_domain_info *by_handle(const chaos_domain_info *doms,
					  size_t n, const uint8_t handle[16])
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(doms[i].handle, handle, 16))
			return &doms[i];
	return NULL;
}

/* One orphaned mark, taken over (so no other recoverer acts on it). */
static void recover_one(chaos_host *host, const chaos_domain_info *d,
			const uint8_t handle[16], chaos_recover_report *rep)
{
	chaos_domain_record rec;
	int mark = chaos_busy_take(host->state_dir, handle, NULL);

	if (mark < 0)
		return;  /* a live process took it meanwhile: its work */
	if (!d) {
		rep->cleared++;  /* its domain is gone: only the mark was left */
	} else if (chaos_record_load(host->state_dir, d->domid, d->handle,
				     &rec, NULL)) {
		/* Built half-way: nothing knows it but its dead builder. */
		chaos_device_remove_all(host, d->domid, NULL);
		if (chaos_domain_kill(host, d->domid, NULL) == 0)
			rep->destroyed++;
	} else if (d->state == CHAOS_STATE_SHUTDOWN &&
		   d->shutdown_reason == CHAOS_SHUTDOWN_SUSPEND) {
		if (chaos_ckpt_resume(host, d->domid, NULL) == 0)
			rep->resumed++;
	} else {
		rep->cleared++;  /* the work was done before its owner died */
	}
	chaos_busy_release(host->state_dir, handle, mark);
}

int chaos_checkpoint_recover(chaos_host *host, chaos_recover_report *report,
			     chaos_err *err)
{
	uint8_t (*orphans)[16];
	chaos_recover_report scratch;
	chaos_domain_info *doms = NULL;
	size_t n = 0;
	int count;

	if (!report)
		report = &scratch;
	memset(report, 0, sizeof(*report));
	orphans = malloc(ORPHANS_MAX * sizeof(*orphans));
	if (!orphans)
		return chaos_err_set(err, ENOMEM, "out of memory");
	/* The common case costs one look at an empty directory. */
	count = chaos_busy_orphans(host->state_dir, orphans, ORPHANS_MAX);
	if (count < 0) {
		free(orphans);
		return chaos_err_set(err, errno, "%s/busy: %s", host->state_dir,
				     strerror(errno));
	}
	if (count > 0 && chaos_domain_list_unnamed(host, &doms, &n, err)) {
		free(orphans);
		return -1;
	}
	for (int i = 0; i < count; i++)
		recover_one(host, by_handle(doms, n, orphans[i]), orphans[i],
			    report);
	free(doms);
	free(orphans);
	/* A dead builder may have claimed a name for its domain. */
	if (report->destroyed)
		chaos_host_prune(host, NULL);
	return 0;
}
