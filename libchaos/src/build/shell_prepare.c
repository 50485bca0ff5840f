// SPDX-License-Identifier: MIT
/* Shells, phase one of a build: domain, vCPUs, memory, console channel. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "build/build.h"
#include "dev/dev.h"
#include "util/util.h"
#include <chaos/device.h>

/* Every guest gets event channels and grant frames enough for its devices;
 * a negative grant limit asks for the hypervisor's default. */
#define SHELL_MAX_EVTCHN_PORT 1023
#define SHELL_GRANT_VERSION 2
/* A superpage: the extent memory is given in, where the heap has it. */
#define EXTENT_ORDER 9u
#define EXTENT_PAGES (1u << EXTENT_ORDER)

/*
 * The security label of a guest: FLASK's initial SID "domU" (domU_t in
 * Xen's default policy), as libxl gives every guest without a seclabel.
 * 0 would make it unlabeled_t, which the default policy does not let
 * dom0 create. The dummy XSM module, and a Xen without XSM, ignore it.
 */
#define SHELL_SSIDREF_DOMU 12u

static int make_handle(uint8_t handle[16], enum chaos_domain_kind kind,
		       chaos_err *err)
{
	if (getrandom(handle, 16, 0) != 16)
		return chaos_err_set(err, errno, "getrandom: %s", strerror(errno));
	memcpy(handle, CHAOS_HANDLE_MAGIC, CHAOS_HANDLE_MAGIC_LEN);
	handle[CHAOS_HANDLE_MAGIC_LEN] = (uint8_t)kind;
	return 0;
}

void chaos_shell_release(struct chaos_shell *shell)
{
	chaos_shell_drop_boot_map(shell);
	/* busy_dir is set only by chaos_shell_prepare: a zeroed shell has
	 * no mark (and fd 0 is not one). */
	if (shell->busy_dir)
		chaos_busy_release(shell->busy_dir, shell->handle,
				   shell->busy_fd);
	shell->busy_fd = -1;
	/* A staged record file stays for whoever reclaims the shell (one
	 * kept for later); only this process's descriptor goes. */
	if (shell->record_staged)
		close(shell->record_fd);
	shell->record_staged = false;
	shell->record_fd = -1;
	free(shell->p2m);
	shell->p2m = NULL;
}

void chaos_shell_discard(chaos_host *host, struct chaos_shell *shell)
{
	/* Before the domain goes: a page still mapped keeps it a zombie. */
	chaos_shell_drop_boot_map(shell);
	/* Destroyed behind our back and gone: whatever has its id now is
	 * not ours (its devices went with it: chaos_device_collect), nor is
	 * a file named after the id. Dying, it is still ours to finish off. */
	if (shell->domid && chaos_shell_fate(host, shell) != CHAOS_SHELL_GONE) {
		/* While the id is ours. */
		chaos_shell_unstage_record(host, shell);
		/* Backends first (as chaos_guest_destroy does): a process
		 * killed while the domain dies then leaves no device behind,
		 * and a mapped ring never keeps the domain a zombie. */
		chaos_device_remove_all(host, shell->domid, NULL);
		xc_domain_destroy(host->xch, shell->domid);
		chaos_domain_wait_gone(host, shell->domid, 10000, NULL);
	}
	shell->domid = 0;
	chaos_shell_release(shell);
}

static int shell_create_domain(chaos_host *host, unsigned int vcpus,
			       struct chaos_shell *shell, chaos_err *err)
{
	struct xen_domctl_createdomain cfg = {
		.ssidref = SHELL_SSIDREF_DOMU,
		.flags = 0, /* PV */
		.max_vcpus = vcpus,
		.max_evtchn_port = SHELL_MAX_EVTCHN_PORT,
		.max_grant_frames = -1,
		.max_maptrack_frames = -1,
		.grant_opts = XEN_DOMCTL_GRANT_version(SHELL_GRANT_VERSION),
	};
	uint32_t domid = 0;

	memcpy(cfg.handle, shell->handle, sizeof(cfg.handle));
	if (xc_domain_create(host->xch, &domid, &cfg))
		return chaos_err_xen(err, host, errno, "cannot create a domain");
	shell->domid = domid;
	/* The config sizes the vCPU array; this call creates the vCPUs. */
	if (xc_domain_max_vcpus(host->xch, domid, vcpus))
		return chaos_err_xen(err, host, errno,
				     "cannot give domain %u %u vCPUs", domid, vcpus);
	return 0;
}

/*
 * Memory in 2 MiB extents first: one hypervisor step per 512 pages
 * instead of one per page (a PV guest maps it page by page all the same;
 * the frames just happen to be contiguous). Returns how many pages came
 * that way (p2m filled for them); the caller gives the rest one by one.
 */
static uint64_t populate_extents(chaos_host *host, struct chaos_shell *shell)
{
	uint64_t nr = shell->nr_pages / EXTENT_PAGES;
	xen_pfn_t *ext;
	int got;

	if (!nr)
		return 0;
	ext = malloc(nr * sizeof(*ext));
	if (!ext)
		return 0;
	for (uint64_t i = 0; i < nr; i++)
		ext[i] = i * EXTENT_PAGES;
	/* Not the _exact call: fewer extents than asked is fine. */
	got = xc_domain_populate_physmap(host->xch, shell->domid, nr,
					 EXTENT_ORDER, 0, ext);
	if (got < 0)
		got = 0;
	for (uint64_t i = 0; i < (uint64_t)got; i++)
		for (uint64_t j = 0; j < EXTENT_PAGES; j++)
			shell->p2m[i * EXTENT_PAGES + j] = ext[i] + j;
	free(ext);
	return (uint64_t)got * EXTENT_PAGES;
}

static int shell_populate(chaos_host *host, struct chaos_shell *shell,
			  chaos_err *err)
{
	uint64_t kib = shell->nr_pages * (XC_PAGE_SIZE / 1024), done;

	if (xc_domain_setmaxmem(host->xch, shell->domid, kib))
		return chaos_err_xen(err, host, errno,
				     "cannot set domain %u's memory limit to %llu KiB",
				     shell->domid, (unsigned long long)kib);
	shell->p2m = malloc(shell->nr_pages * sizeof(*shell->p2m));
	if (!shell->p2m)
		return chaos_err_set(err, ENOMEM, "out of memory for the p2m");
	done = populate_extents(host, shell);
	/* The rest (or all, on a fragmented host) a page at a time. PV: the
	 * hypervisor writes each new page's MFN over its pfn. */
	for (uint64_t pfn = done; pfn < shell->nr_pages; pfn++)
		shell->p2m[pfn] = pfn;
	if (done < shell->nr_pages &&
	    xc_domain_populate_physmap_exact(host->xch, shell->domid,
					     shell->nr_pages - done, 0, 0,
					     shell->p2m + done))
		return chaos_err_xen(err, host, errno,
				     "cannot give domain %u %llu MiB of memory",
				     shell->domid,
				     (unsigned long long)(kib / 1024));
	return 0;
}

int chaos_shell_prepare(chaos_host *host, uint64_t memory_mib,
			unsigned int vcpus, unsigned int nr_vifs,
			const char *vif_bridge, enum chaos_domain_kind kind,
			struct chaos_shell *shell, chaos_create_timing *timing,
			chaos_err *err)
{
	xc_domaininfo_t info;
	int port;
	uint64_t t0 = chaos_now_us(), t1;

	memset(shell, 0, sizeof(*shell));
	shell->busy_fd = -1;
	shell->busy_dir = host->state_dir;
	shell->nr_pages = memory_mib * PAGES_PER_MIB;
	shell->vcpus = vcpus;
	if (make_handle(shell->handle, kind, err))
		return -1;
	/* Marked before the domain exists: there is no moment when it
	 * exists unmarked and unrecorded. */
	if (kind == CHAOS_KIND_GUEST) {
		shell->busy_fd = chaos_busy_take(host->state_dir, shell->handle,
						 err);
		if (shell->busy_fd < 0)
			return -1;
	}
	if (shell_create_domain(host, vcpus, shell, err)) {
		chaos_shell_release(shell);
		return -1;
	}
	t1 = chaos_now_us();
	timing->domain_us += t1 - t0;

	if (shell_populate(host, shell, err))
		goto fail;
	t0 = chaos_now_us();
	timing->memory_us += t0 - t1;

	if (xc_domain_getinfolist(host->xch, shell->domid, 1, &info) != 1 ||
	    info.domain != shell->domid) {
		chaos_err_xen(err, host, errno, "cannot query new domain %u",
			      shell->domid);
		goto fail;
	}
	shell->shared_info_mfn = info.shared_info_frame;
	/* The console's channel: unbound, for dom0 to bind when it attaches. */
	port = xc_evtchn_alloc_unbound(host->xch, shell->domid, 0);
	if (port < 0) {
		chaos_err_xen(err, host, errno,
			      "cannot allocate domain %u's console event channel",
			      shell->domid);
		goto fail;
	}
	shell->console_port = (uint32_t)port;
	/* With noxs, every guest gets a power device: shutdown and reboot
	 * requests reach it without XenStore. */
	if (chaos_device_available(host) &&
	    chaos_device_add(host, shell->domid, CHAOS_DEV_POWER, 0, NULL, err))
		goto fail;
	if (nr_vifs && !chaos_device_available(host)) {
		chaos_err_set(err, ENODEV,
			      "vifs: need noxs (the patched hypervisor and the noxs module)");
		goto fail;
	}
	/* A pooled shell's vifs: the guest's MAC, address and bridge are
	 * not known yet, so they get them at create; or only MAC and
	 * address, if their net devices are made now on their bridge. */
	for (unsigned int i = 0; i < nr_vifs; i++) {
		if (vif_bridge ?
		    chaos_vif_add_ahead(host, shell->domid, (uint16_t)i,
					vif_bridge, err) :
		    chaos_vif_add_unconfigured(host, shell->domid, (uint16_t)i,
					       err))
			goto fail;
		shell->nr_vifs = i + 1;
	}
	if (nr_vifs && vif_bridge) {
		int attached = chaos_vifs_wait_attached(shell->domid, nr_vifs,
						CHAOS_VIF_ATTACH_TIMEOUT_MS,
						err);

		if (attached < 0)
			goto fail;
		shell->vifs_ahead = true;
		shell->vifs_attached = attached > 0;
		snprintf(shell->vif_bridge, sizeof(shell->vif_bridge), "%s",
			 vif_bridge);
	}
	timing->devices_us += chaos_now_us() - t0;
	return 0;
fail:
	chaos_shell_discard(host, shell);
	return -1;
}
