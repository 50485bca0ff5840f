// SPDX-License-Identifier: MIT
/*
 * What a restore adds for a guest served through XenStore (its image's
 * DEVICES record says so): its disks checked as a create checks them,
 * a new store channel for its start info, then its reserved grants, its
 * entries for the new domain id, its introduction to xenstored and its
 * backends set up. The guest's frontends reconnect when it resumes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt/ckpt.h"
#include "dev/dev.h"
#include "guest/guest.h"
#include "util/util.h"

static int check_disks(struct chaos_restore *r, const chaos_restore_opts *opts,
		       chaos_err *err)
{
	struct chaos_fscred_saved saved;
	int rc;

	if (!r->xs_cfg.nr_disks)
		return 0;
	r->targets = calloc(r->xs_cfg.nr_disks, sizeof(*r->targets));
	if (!r->targets)
		return chaos_err_set(err, ENOMEM, "out of memory");
	/* With the restorer's file rights, as a create checks its disks. */
	if (guest_fscred_enter(opts ? opts->as : NULL, &saved, err))
		return -1;
	rc = chaos_disks_open_check(&r->xs_cfg, r->targets, err);
	chaos_fscred_leave(&saved);
	return rc;
}

int chaos_restore_xs_prepare(struct chaos_restore *r,
			     const chaos_restore_opts *opts, chaos_err *err)
{
	if (r->img.dev.devices != CHAOS_SAVEIMG_DEVICES_XENSTORE)
		return 0;
	r->xenstore = true;
	chaos_travel_config_to_config(&r->img.cfg, &r->xs_cfg);
	if (chaos_saveimg_devices_unpack(&r->img.dev, &r->xs_cfg, err) ||
	    check_disks(r, opts, err) ||
	    guest_xenstore_check(r->host, &r->xs_cfg, r->targets, err) ||
	    guest_xenstore_channel(r->host, &r->shell, err))
		return -1;
	return 0;
}

int chaos_restore_xs_attach(struct chaos_restore *r, chaos_err *err)
{
	if (!r->xenstore)
		return 0;
	r->shell.store_mfn = r->shell.p2m[r->store_pfn];
	if (guest_xenstore_attach(r->host, &r->xs_cfg, &r->shell,
				  r->shell.p2m[r->console_pfn], r->targets,
				  err))
		return -1;
	r->xs_added = true;
	return 0;
}

void chaos_restore_xs_free(struct chaos_restore *r, bool discard)
{
	if (discard && r->xs_added)
		chaos_xs_guest_remove(r->host, r->shell.domid, NULL);
	r->xs_added = false;
	if (r->xenstore)
		chaos_config_free(&r->xs_cfg);
	free(r->targets);
	r->targets = NULL;
}
