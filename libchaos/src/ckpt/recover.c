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

/*
 * A destination killed after "go" (note "running NAME"): its copy is the
 * guest. It runs, and takes NAME once no live domain holds it (the
 * source's copy may, until it is destroyed): until then the mark is left
 * for the next recovery. false when it was left.
 */
static bool run_received(chaos_host *host, const chaos_domain_info *d,
			 const char *name, chaos_recover_report *rep)
{
	if (d->state == CHAOS_STATE_PAUSED &&
	    chaos_domain_unpause(host, d->domid, NULL) == 0)
		rep->resumed++;
	/* A name already bound to it (its receiver died naming it) is
	 * taken as it is. */
	return chaos_checkpoint_claim_name(host, d->domid, name, NULL) == 0;
}

/* Left suspended by a saver or a migration's source. */
static bool suspended(const chaos_domain_info *d)
{
	return d && d->state == CHAOS_STATE_SHUTDOWN &&
	       d->shutdown_reason == CHAOS_SHUTDOWN_SUSPEND;
}

/* One orphaned mark, taken over (so no other recoverer acts on it). */
static void recover_one(chaos_host *host, const chaos_domain_info *d,
			const uint8_t handle[16], chaos_recover_report *rep)
{
	static const size_t running_len = sizeof(CHAOS_MARK_RUNNING) - 1;
	char note[CHAOS_BUSY_NOTE_MAX];
	chaos_domain_record rec;
	int mark = chaos_busy_take(host->state_dir, handle, NULL);

	if (mark < 0)
		return;  /* a live process took it meanwhile: its work */
	chaos_busy_read_note(mark, note);
	if (!d) {
		rep->cleared++;  /* its domain is gone: only the mark was left */
	} else if (!strcmp(note, CHAOS_MARK_SENT_GO) && suspended(d)) {
		/* A source killed after "go": the destination may run the
		 * guest, so this copy waits for an operator, as a source
		 * that lived would have left it. */
		chaos_busy_keep(host->state_dir, handle, mark);
		return;
	} else if (!strncmp(note, CHAOS_MARK_RUNNING, running_len) &&
		   (note[running_len] == ' ' || !note[running_len])) {
		if (!run_received(host, d, note + running_len +
				  (note[running_len] == ' '), rep)) {
			chaos_busy_leave(mark);
			return;
		}
		rep->cleared++;
	} else if (!strcmp(note, CHAOS_MARK_RECEIVED) ||
		   chaos_record_load(host->state_dir, d->domid, d->handle,
				     &rec, NULL)) {
		/* Built half-way, or received and never told "go" (the
		 * source still has the guest): nothing else knows it. */
		chaos_device_remove_all(host, d->domid, NULL);
		if (chaos_domain_kill(host, d->domid, NULL) == 0)
			rep->destroyed++;
	} else if (suspended(d)) {
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
	uint8_t (*orphans)[16], (*kept)[16];
	chaos_recover_report scratch;
	chaos_domain_info *doms = NULL;
	size_t n = 0;
	int count, nkept;

	if (!report)
		report = &scratch;
	memset(report, 0, sizeof(*report));
	orphans = malloc(2 * ORPHANS_MAX * sizeof(*orphans));
	if (!orphans)
		return chaos_err_set(err, ENOMEM, "out of memory");
	kept = orphans + ORPHANS_MAX;
	/* The common case costs one look at an empty directory. */
	count = chaos_busy_orphans(host->state_dir, orphans, ORPHANS_MAX);
	nkept = count < 0 ? count :
		chaos_busy_kept(host->state_dir, kept, ORPHANS_MAX);
	if (count < 0 || nkept < 0) {
		free(orphans);
		return chaos_err_set(err, errno, "%s/busy: %s", host->state_dir,
				     strerror(errno));
	}
	if ((count > 0 || nkept > 0) &&
	    chaos_domain_list_unnamed(host, &doms, &n, err)) {
		free(orphans);
		return -1;
	}
	for (int i = 0; i < count; i++)
		recover_one(host, by_handle(doms, n, orphans[i]), orphans[i],
			    report);
	/* A copy kept suspended for an operator, which the operator has
	 * destroyed since (or resumed through another tool). */
	for (int i = 0; i < nkept; i++) {
		const chaos_domain_info *d = by_handle(doms, n, kept[i]);

		if (!suspended(d)) {
			chaos_busy_unkeep(host->state_dir, kept[i]);
			report->cleared++;
		}
	}
	free(doms);
	free(orphans);
	/* A dead builder may have claimed a name for its domain. */
	if (report->destroyed)
		chaos_host_prune(host, NULL);
	return 0;
}
