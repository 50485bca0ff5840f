// SPDX-License-Identifier: MIT
/*
 * The XenStore device path of a guest (dev.h): the domain's entries, its
 * vif and vbd front and back halves for dom0's netback and blkback, its
 * introduction to xenstored, the wait for hotplug (xendevd), and their
 * removal. The layout is the one Xen's own toolstack writes, so that a
 * stock kernel and stock backends find what they expect.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xenstore.h>

#include "dev/dev.h"
#include "util/util.h"

#define XS_PATH_MAX 256
/* How often a create looks at a backend's hotplug-status. */
#define HOTPLUG_POLL_MS 5

/* The nodes a guest writes under control/ (Linux says what it can). */
static const char *const control_nodes[] = {
	"shutdown", "sysrq", "feature-poweroff", "feature-reboot",
	"feature-suspend", "feature-s3", "feature-s4",
	"platform-feature-multiprocessor-suspend",
	"platform-feature-xs_reset_watches",
};

/* Directories of the guest's own, which it may write. */
static const char *const guest_dirs[] = {
	"data", "drivers", "feature", "attr", "error",
};

struct xs_txn {
	struct xs_handle *h;
	xs_transaction_t t;
	uint32_t domid;
	bool failed;
	char failed_path[2 * XS_PATH_MAX];
};

static void txn_fail(struct xs_txn *x, const char *path)
{
	if (x->failed)
		return;
	x->failed = true;
	snprintf(x->failed_path, sizeof(x->failed_path), "%s", path);
}

static void put(struct xs_txn *x, const char *path, const char *val)
{
	if (!x->failed && !xs_write(x->h, x->t, path, val, strlen(val)))
		txn_fail(x, path);
}

static void putf(struct xs_txn *x, const char *dir, const char *key,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void putf(struct xs_txn *x, const char *dir, const char *key,
		 const char *fmt, ...)
{
	char path[2 * XS_PATH_MAX], val[XS_PATH_MAX];
	va_list ap;

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	put(x, path, val);
}

/* A node owned by (owner), readable by (reader) or by nobody else
 * (reader == owner). */
static void node(struct xs_txn *x, const char *path, uint32_t owner,
		 uint32_t reader)
{
	struct xs_permissions perms[2] = {
		{ .id = owner, .perms = XS_PERM_NONE },
		{ .id = reader, .perms = XS_PERM_READ },
	};

	if (x->failed)
		return;
	if (!xs_mkdir(x->h, x->t, path) ||
	    !xs_set_permissions(x->h, x->t, path, perms,
				owner == reader ? 1 : 2))
		txn_fail(x, path);
}

#define DOM_PATH_MAX 32      /* "/local/domain/" and a domid */

static void dom_path(uint32_t domid, char out[DOM_PATH_MAX])
{
	snprintf(out, DOM_PATH_MAX, "/local/domain/%" PRIu32, domid);
}

static void backend_path(const char *type, uint32_t domid, uint32_t devid,
			 char out[XS_PATH_MAX])
{
	snprintf(out, XS_PATH_MAX, "/local/domain/0/backend/%s/%" PRIu32
		 "/%" PRIu32, type, domid, devid);
}

/* Each half names the other; both start Initialising (1). */
static void put_pair(struct xs_txn *x, const char *fe, const char *be)
{
	putf(x, fe, "backend", "%s", be);
	putf(x, fe, "backend-id", "0");
	putf(x, fe, "state", "1");
	putf(x, be, "frontend", "%s", fe);
	putf(x, be, "frontend-id", "%" PRIu32, x->domid);
	putf(x, be, "online", "1");
	putf(x, be, "state", "1");
}

/* The two halves of a device, each readable by the other end. */
static void device_pair(struct xs_txn *x, const char *type, uint32_t devid,
			char fe[XS_PATH_MAX], char be[XS_PATH_MAX])
{
	char dom[DOM_PATH_MAX];

	dom_path(x->domid, dom);
	snprintf(fe, XS_PATH_MAX, "%s/device/%s/%" PRIu32, dom, type, devid);
	backend_path(type, x->domid, devid, be);
	node(x, fe, x->domid, 0);
	node(x, be, 0, x->domid);
	put_pair(x, fe, be);
}

static void write_vif(struct xs_txn *x, const chaos_config_vif *vif,
		      uint32_t devid)
{
	char fe[XS_PATH_MAX], be[XS_PATH_MAX], mac[18];

	chaos_config_format_mac(vif->mac, mac);
	device_pair(x, "vif", devid, fe, be);
	putf(x, fe, "handle", "%" PRIu32, devid);
	putf(x, fe, "mac", "%s", mac);
	putf(x, be, "handle", "%" PRIu32, devid);
	putf(x, be, "mac", "%s", mac);
	putf(x, be, "type", "vif");
	/* netback's probe reads it (and fails without it); it names a
	 * hotplug script, and xendevd, not a script, sets the vif up. */
	putf(x, be, "script", "%s", "");
	if (vif->bridge[0])
		putf(x, be, "bridge", "%s", vif->bridge);
	if (vif->ip_set)
		putf(x, be, "ip", "%u.%u.%u.%u", vif->ip[0], vif->ip[1],
		     vif->ip[2], vif->ip[3]);
}

static void write_vbd(struct xs_txn *x, const chaos_config_disk *disk,
		      const struct chaos_disk_target *target)
{
	char fe[XS_PATH_MAX], be[XS_PATH_MAX];

	device_pair(x, "vbd", disk->devid, fe, be);
	putf(x, fe, "virtual-device", "%" PRIu32, disk->devid);
	putf(x, fe, "device-type", "disk");
	putf(x, be, "params", "%s", target->path);
	if (target->block)
		putf(x, be, CHAOS_XS_TARGET_NODE, "block %" PRIu64, target->dev);
	else
		putf(x, be, CHAOS_XS_TARGET_NODE, "file %" PRIu64 " %" PRIu64,
		     target->dev, target->ino);
	putf(x, be, "type", "phy");
	putf(x, be, "mode", "%s", disk->readonly ? "r" : "w");
	putf(x, be, "removable", "0");
	putf(x, be, "bootable", "1");
	putf(x, be, "dev", "%s", disk->vdev);
	putf(x, be, "device-type", "disk");
}

static void write_domain(struct xs_txn *x, const struct chaos_xs_guest *g)
{
	char dom[DOM_PATH_MAX], path[XS_PATH_MAX];
	uint32_t d = g->domid;

	dom_path(d, dom);
	node(x, dom, 0, d);
	putf(x, dom, "domid", "%" PRIu32, d);
	putf(x, dom, "name", "%s", g->name[0] ? g->name : "(unnamed)");
	putf(x, dom, "memory/static-max", "%" PRIu64, g->memory_kib);
	putf(x, dom, "memory/target", "%" PRIu64, g->memory_kib);
	for (unsigned int c = 0; c < g->vcpus; c++) {
		snprintf(path, sizeof(path), "cpu/%u/availability", c);
		putf(x, dom, path, "online");
	}
	snprintf(path, sizeof(path), "%s/device", dom);
	node(x, path, 0, d);
	snprintf(path, sizeof(path), "%s/control", dom);
	node(x, path, 0, d);
	for (size_t i = 0; i < sizeof(control_nodes) / sizeof(*control_nodes);
	     i++) {
		snprintf(path, sizeof(path), "%s/control/%s", dom,
			 control_nodes[i]);
		node(x, path, d, d);
	}
	for (size_t i = 0; i < sizeof(guest_dirs) / sizeof(*guest_dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", dom, guest_dirs[i]);
		node(x, path, d, d);
	}
}

static int write_all(chaos_host *host, struct xs_handle *h,
		     const struct chaos_xs_guest *g, const chaos_config *cfg,
		     chaos_err *err)
{
	for (int attempt = 0; attempt < 16; attempt++) {
		struct xs_txn x = { .h = h, .domid = g->domid };

		x.t = xs_transaction_start(h);
		if (x.t == XBT_NULL)
			return chaos_err_set(err, errno,
					     "xenstore: cannot start a transaction: %s",
					     strerror(errno));
		write_domain(&x, g);
		for (size_t i = 0; i < cfg->nr_vifs; i++)
			write_vif(&x, &cfg->vifs[i], (uint32_t)i);
		for (size_t i = 0; i < cfg->nr_disks; i++)
			write_vbd(&x, &cfg->disks[i], &g->disk_targets[i]);
		if (x.failed) {
			int e = errno;

			xs_transaction_end(h, x.t, true);
			return chaos_err_set(err, e, "xenstore: cannot write %s: %s",
					     x.failed_path, strerror(e));
		}
		if (xs_transaction_end(h, x.t, false))
			return 0;
		if (errno != EAGAIN)
			break;
	}
	(void)host;
	return chaos_err_set(err, errno,
			     "xenstore: cannot commit domain %u's entries: %s",
			     g->domid, strerror(errno));
}

int chaos_xs_guest_add(chaos_host *host, const struct chaos_xs_guest *g,
		       const chaos_config *cfg, chaos_err *err)
{
	struct xs_handle *h = chaos_host_xs(host, err);

	if (!h)
		return -1;
	if (write_all(host, h, g, cfg, err))
		goto fail;
	if (!xs_introduce_domain(h, g->domid, g->store_mfn, g->store_port)) {
		chaos_err_set(err, errno,
			      "xenstore: cannot introduce domain %u: %s",
			      g->domid, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	chaos_xs_guest_remove(host, g->domid, NULL);
	return -1;
}

/* "connected", or the backend's hotplug error; "" while none is written. */
static int hotplug_state(struct xs_handle *h, const char *be, char *why,
			 size_t whylen)
{
	char path[XS_PATH_MAX + 32];
	unsigned int len;
	char *v;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/hotplug-status", be);
	v = xs_read(h, XBT_NULL, path, &len);
	if (!v)
		return 0;
	if (!strcmp(v, "connected")) {
		rc = 1;
	} else if (len) {
		char *e;

		snprintf(path, sizeof(path), "%s/hotplug-error", be);
		e = xs_read(h, XBT_NULL, path, &len);
		snprintf(why, whylen, "%s", e && len ? e : v);
		free(e);
		rc = -1;
	}
	free(v);
	return rc;
}

static int wait_hotplug(struct xs_handle *h, const char *type,
			uint32_t domid, uint32_t devid, const char *label,
			uint64_t deadline_us, chaos_err *err)
{
	char be[XS_PATH_MAX], why[160] = "";

	backend_path(type, domid, devid, be);
	for (;;) {
		struct timespec ts = { 0, HOTPLUG_POLL_MS * 1000000L };
		int st = hotplug_state(h, be, why, sizeof(why));

		if (st > 0)
			return 0;
		if (st < 0)
			return chaos_err_set(err, EIO, "%s: %s", label, why);
		if (chaos_now_us() >= deadline_us)
			return chaos_err_set(err, ETIMEDOUT,
					     "%s: its backend was not set up within the time allowed (no hotplug-status at %s: is xendevd running?)",
					     label, be);
		nanosleep(&ts, NULL);
	}
}

int chaos_xs_guest_wait_devices(chaos_host *host, uint32_t domid,
				const chaos_config *cfg,
				unsigned int timeout_ms, chaos_err *err)
{
	struct xs_handle *h = chaos_host_xs(host, err);
	uint64_t deadline = chaos_now_us() + (uint64_t)timeout_ms * 1000u;
	char label[64];

	if (!h)
		return -1;
	for (size_t i = 0; i < cfg->nr_vifs; i++) {
		snprintf(label, sizeof(label), "vif%u.%zu", domid, i);
		if (wait_hotplug(h, "vif", domid, (uint32_t)i, label, deadline,
				 err))
			return -1;
	}
	for (size_t i = 0; i < cfg->nr_disks; i++) {
		snprintf(label, sizeof(label), "disks[%zu] (%s)", i,
			 cfg->disks[i].vdev);
		if (wait_hotplug(h, "vbd", domid, cfg->disks[i].devid, label,
				 deadline, err))
			return -1;
	}
	return 0;
}

int chaos_xs_guest_remove(chaos_host *host, uint32_t domid, chaos_err *err)
{
	struct xs_handle *h = chaos_host_xs(host, err);
	char path[XS_PATH_MAX];
	int rc = 0;

	if (!h)
		return -1;
	if (domid == 0)
		return chaos_err_set(err, EPERM, "xenstore: not Domain-0's entries");
	/* Backends first: netback and blkback let go of the guest's rings
	 * when their directory goes, and xendevd detaches what it set up. */
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/local/domain/0/backend/%s/%" PRIu32,
			 i ? "vbd" : "vif", domid);
		if (!xs_rm(h, XBT_NULL, path) && errno != ENOENT && !rc)
			rc = chaos_err_set(err, errno,
					   "xenstore: cannot remove %s: %s",
					   path, strerror(errno));
	}
	/* Not introduced (a failed create), or already released by
	 * xenstored when the domain died: both are fine. */
	xs_release_domain(h, domid);
	dom_path(domid, path);
	if (!xs_rm(h, XBT_NULL, path) && errno != ENOENT && !rc)
		rc = chaos_err_set(err, errno, "xenstore: cannot remove %s: %s",
				   path, strerror(errno));
	return rc;
}

int chaos_xs_guest_request(chaos_host *host, uint32_t domid,
			   const char *request, chaos_err *err)
{
	struct xs_handle *h = chaos_host_xs(host, err);
	char path[XS_PATH_MAX];

	if (!h)
		return -1;
	snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/control/shutdown",
		 domid);
	if (!xs_write(h, XBT_NULL, path, request, strlen(request)))
		return chaos_err_set(err, errno,
				     "domain %u: cannot write %s: %s", domid,
				     path, strerror(errno));
	return 0;
}
