/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_DEV_LAYER_H
#define CHAOS_DEV_LAYER_H

/*
 * Layer dev: Devices: noxs backends through /dev/noxs, consoles, the xendevd client,
 * the VIRQ_DOM_EXC watch.
 * Internal to libchaos: declarations grouped by the file that defines them.
 */

#include <stdbool.h>
#include <stddef.h>

#include <chaos/config.h>
#include <chaos/console.h>
#include <chaos/device.h>

#include "hyp/hyp.h"

/* ---- noxs.c ---- */

struct noxs_ioc_info;
/* Every device the module has, of every domain (*out: free()). */
int chaos_noxs_list_all(chaos_host *host, struct noxs_ioc_info **out,
			uint32_t *n, chaos_err *err);

/* params: the type's backend parameters (64 bytes, may be NULL). */
int chaos_device_add(chaos_host *host, uint32_t domid, uint16_t type,
		     uint16_t devid, const void *params, chaos_err *err);
int chaos_device_remove(chaos_host *host, uint32_t domid, uint16_t type,
			uint16_t devid, chaos_err *err);
/*
 * A vif whose settings come later (a pooled shell's): everything but its
 * dom0 net device is made now. chaos_vif_configure gives it the guest's
 * settings (params: struct noxs_vif_params) and creates the net device;
 * only before the guest's frontend has started (EBUSY after).
 */
int chaos_vif_add_unconfigured(chaos_host *host, uint32_t domid,
			       uint16_t devid, chaos_err *err);
/* Also its net device now, on bridge ("": xendevd's choice), where
 * xendevd puts it at once; chaos_vif_configure then only gives the
 * guest's settings, whose bridge must be the same (EXDEV). */
int chaos_vif_add_ahead(chaos_host *host, uint32_t domid, uint16_t devid,
			const char *bridge, chaos_err *err);
int chaos_vif_configure(chaos_host *host, uint32_t domid, uint16_t devid,
			const void *params, chaos_err *err);
/* How long a create, or a shell's vifs made ahead, wait for xendevd to
 * put a vif on its bridge. */
#define CHAOS_VIF_ATTACH_TIMEOUT_MS 10000u
/* Wait for xendevd to have put vif<domid>.0 .. <nr_vifs - 1> on their
 * bridges: 1 when it did, 0 when no xendevd runs (vifs are then the
 * user's to attach); -1 with its error, the vif named, else. */
int chaos_vifs_wait_attached(uint32_t domid, size_t nr_vifs,
			     unsigned int timeout_ms, chaos_err *err);
/* Every device of domid, from both the module and the device page. */
int chaos_device_remove_all(chaos_host *host, uint32_t domid, chaos_err *err);

enum chaos_power_request {
	CHAOS_POWER_POWEROFF = 1,
	CHAOS_POWER_REBOOT = 2,
	CHAOS_POWER_SUSPEND = 3,
};

/*
 * Ask the guest, through its power device, to power off, reboot or
 * suspend; wait up to timeout_ms for its acknowledgment. ETIMEDOUT and
 * ENOTCONN say the guest did not answer.
 */
int chaos_device_power(chaos_host *host, uint32_t domid,
		       enum chaos_power_request request,
		       unsigned int timeout_ms, chaos_err *err);

/* ---- xs_guest.c ---- */

/* A disk's target as checked before the create (xs_disks.c). */
struct chaos_disk_target {
	char path[4096];                /* absolute */
	bool block;                     /* a block device, else a file */
	bool writable;
	uint64_t dev, ino;              /* st_rdev for a device; else the
					   file's st_dev and st_ino */
};

/*
 * In a vbd backend's directory, beside params: what chaos checked params
 * to be, with the creator's rights: "file DEV INO" or "block RDEV"
 * (decimal). The hotplug agent (xendevd, as root) serves the disk only if
 * what it opens is that, so that a path changed after the check (a
 * directory of the creator's swapped for a link) gives it nothing else.
 * Written by chaos in dom0's directory: the guest cannot.
 */
#define CHAOS_XS_TARGET_NODE "chaos-target"

/* What the XenStore device path needs of a guest beyond its config. */
struct chaos_xs_guest {
	uint32_t domid;
	const char *name;               /* "" for an unnamed guest */
	uint64_t memory_kib;
	unsigned int vcpus;
	uint64_t store_mfn;             /* its xenstore page */
	uint32_t store_port;            /* its end, unbound for dom0 */
	/* disks[i]'s target as checked (absolute path, and what it was):
	 * the hotplug agent serves only that file or device. */
	const struct chaos_disk_target *disk_targets;
};

/*
 * Write the guest's entries as Xen's toolstack does (the domain, control/,
 * its vifs and vbds from cfg, whose MACs are assigned, front and back
 * halves with their permissions) in one transaction, then introduce the
 * domain to xenstored. On failure nothing of it is left.
 */
int chaos_xs_guest_add(chaos_host *host, const struct chaos_xs_guest *g,
		       const chaos_config *cfg, chaos_err *err);
/* Wait until every vif and vbd backend of cfg has been set up by the
 * hotplug agent (xendevd writes hotplug-status), or its error. */
int chaos_xs_guest_wait_devices(chaos_host *host, uint32_t domid,
				const chaos_config *cfg,
				unsigned int timeout_ms, chaos_err *err);
/* Remove its backends (first), release it from xenstored and remove its
 * entries; what is already gone is fine. */
int chaos_xs_guest_remove(chaos_host *host, uint32_t domid, chaos_err *err);
/* Write control/shutdown: "poweroff", "reboot" or "suspend". */
int chaos_xs_guest_request(chaos_host *host, uint32_t domid,
			   const char *request, chaos_err *err);

/* ---- xs_disks.c ---- */

/* Each disk's target (out[i] for cfg->disks[i]) exists, is what its kind
 * says, and opens in its mode, with the caller's file rights (call it
 * with the creator's); no two of them share a target where one writes. */
int chaos_disks_open_check(const chaos_config *cfg,
			   struct chaos_disk_target *out, chaos_err *err);
/*
 * In a vbd backend's directory: its guest is suspended for a checkpoint
 * (save or migration) and lends the disk to its own next domain, which
 * may then serve the same target while this one exists (as xl's block
 * script lets a migrating VM share with itself). Written by chaos only
 * while the domain is suspended (dom0's directory: the guest cannot);
 * xendevd reads the same name.
 */
#define CHAOS_XS_LENT_NODE "chaos-checkpoint"

/* EBUSY if another vbd on the host serves one of targets where either
 * side writes (as Xen's block script refuses); a lent one does not count. */
int chaos_xs_disks_in_use(chaos_host *host, const chaos_config *cfg,
			  const struct chaos_disk_target *targets,
			  chaos_err *err);

/* ---- console_common.c ---- */

/* What both console clients share: the direct one (console.c) and the one
 * through chaosd (chaosd_console.c). */

#define CONSOLE_UNTIL_MAX 256   /* bytes of `until` text, NUL included */

/* The tail of the output seen so far, so `until` matches across reads. */
struct console_match {
	char seen[2 * CONSOLE_UNTIL_MAX];
	size_t seen_len;
};

/* Feed output; 1 once it contains until (NULL: never). */
int console_match_feed(struct console_match *m, const char *until,
		       const char *buf, size_t len);


/* ---- console_throttle.c ---- */

/* One console's event rate: at most CHAOS_CONSOLE_EVENTS_MAX events per
 * CHAOS_CONSOLE_PERIOD_MS, then its port stays masked until the period
 * ends (finding 10). Zeroed: a fresh console. */
struct console_throttle {
	long long period_end_ms;      /* the current period ends here */
	unsigned int events;          /* events taken in this period */
	bool masked;                  /* its port is left masked */
};

/* An event of the console arrived at now_ms: true to unmask its port at
 * once, false to leave it masked (console_throttle_release ends that). */
bool console_throttle_event(struct console_throttle *t, long long now_ms);
/* True once a masked console's period is over: unmask its port now (and
 * read it: its guest may have written meanwhile). */
bool console_throttle_release(struct console_throttle *t, long long now_ms);

/* ---- console_backend.c ---- */

/* One console we are the backend of (console.h). */
struct chaos_console {
	chaos_host *host;             /* NULL: a bare ring, never notified */
	uint32_t domid;
	void *ring;                   /* the guest's console page, mapped */
	evtchn_port_t port;           /* our end of its event channel */
	bool bound;
	struct console_throttle throttle;
	struct chaos_console *next;   /* host->consoles */
};

/* chaos_console_open with the ring and port given (the direct attach has
 * them from its caller). */
int dev_console_attach(chaos_host *host, uint32_t domid, uint64_t ring_mfn,
		       uint32_t remote_port, chaos_console **out,
		       chaos_err *err);

#endif
