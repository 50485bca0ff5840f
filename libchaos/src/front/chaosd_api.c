// SPDX-License-Identifier: MIT
/*
 * Protocol version 2's queries: hello, info, network-list, block-list and
 * stats, written here for the daemon and read back here for the client,
 * so each key is spelled once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include <chaos/chaosd.h>
#include <chaos/version.h>

#include "front/front.h"
#include "util/util.h"

#define CALL_TIMEOUT_MS 30000

/* What this chaosd can do beyond version 1's ops; a client checks for a
 * name here rather than comparing versions. */
static const char *const caps[] = {
	"hello", "info", "network-list", "block-list", "stats", "events",
	"reboot",
	"checkpoints", "console", "pool",
};

/* ---- daemon side ---- */

void chaosd_reply_hello(chaosd_reply *r)
{
	chaosd_reply_uint(r, "protocol", CHAOSD_PROTOCOL_VERSION);
	chaosd_reply_str(r, "version", CHAOS_VERSION);
	chaosd_reply_open(r, "caps", true);
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		front_reply_array_str(r, caps[i]);
	chaosd_reply_close(r, true);
}

void chaosd_reply_host_info(chaosd_reply *r, const chaos_host_info *info)
{
	chaosd_reply_open(r, "host", false);
	chaosd_reply_uint(r, "xen_major", info->xen_major);
	chaosd_reply_uint(r, "xen_minor", info->xen_minor);
	chaosd_reply_str(r, "xen_extra", info->xen_extra);
	chaosd_reply_str(r, "xen_caps", info->xen_caps);
	chaosd_reply_uint(r, "nr_cpus", info->nr_cpus);
	chaosd_reply_uint(r, "cores_per_socket", info->cores_per_socket);
	chaosd_reply_uint(r, "threads_per_core", info->threads_per_core);
	chaosd_reply_uint(r, "cpu_mhz", info->cpu_mhz);
	chaosd_reply_uint(r, "total_kib", info->total_kib);
	chaosd_reply_uint(r, "free_kib", info->free_kib);
	chaosd_reply_uint(r, "outstanding_kib", info->outstanding_kib);
	chaosd_reply_uint(r, "usable_kib", info->usable_kib);
	chaosd_reply_close(r, false);
}

void chaosd_reply_vifs(chaosd_reply *r, const chaos_vif_info *vifs,
		       size_t count)
{
	chaosd_reply_open(r, "vifs", true);
	for (size_t i = 0; i < count; i++) {
		chaosd_reply_open(r, NULL, false);
		chaosd_reply_uint(r, "devid", vifs[i].devid);
		chaosd_reply_str(r, "ifname", vifs[i].ifname);
		chaosd_reply_str(r, "mac", vifs[i].mac);
		chaosd_reply_str(r, "ip", vifs[i].ip);
		chaosd_reply_str(r, "bridge", vifs[i].bridge);
		chaosd_reply_str(r, "backend", vifs[i].backend);
		chaosd_reply_str(r, "frontend", vifs[i].frontend);
		chaosd_reply_close(r, false);
	}
	chaosd_reply_close(r, true);
}

void chaosd_reply_disks(chaosd_reply *r, const chaos_disk_info *disks,
			size_t count)
{
	chaosd_reply_open(r, "disks", true);
	for (size_t i = 0; i < count; i++) {
		chaosd_reply_open(r, NULL, false);
		chaosd_reply_uint(r, "devid", disks[i].devid);
		chaosd_reply_str(r, "vdev", disks[i].vdev);
		chaosd_reply_str(r, "target", disks[i].target);
		chaosd_reply_str(r, "mode", disks[i].mode);
		chaosd_reply_str(r, "device", disks[i].device);
		chaosd_reply_str(r, "hotplug", disks[i].hotplug);
		chaosd_reply_uint(r, "backend_state",
				  (uint64_t)disks[i].be_state);
		chaosd_reply_uint(r, "frontend_state",
				  (uint64_t)disks[i].fe_state);
		chaosd_reply_close(r, false);
	}
	chaosd_reply_close(r, true);
}

void chaosd_reply_stats(chaosd_reply *r, const chaos_guest_stats *s)
{
	chaosd_reply_open(r, NULL, false);
	chaosd_reply_uint(r, "domid", s->dom.domid);
	chaosd_reply_str(r, "name", s->dom.name);
	chaosd_reply_str(r, "state", chaos_domain_state_name(s->dom.state));
	chaosd_reply_uint(r, "shutdown_reason", s->dom.shutdown_reason);
	chaosd_reply_uint(r, "cpu_time_ns", s->dom.cpu_time_ns);
	chaosd_reply_uint(r, "memory_kib", s->dom.mem_kib);
	chaosd_reply_uint(r, "max_memory_kib", s->dom.max_mem_kib);
	chaosd_reply_uint(r, "vcpus", s->dom.vcpus);
	chaosd_reply_open(r, "vifs", true);
	for (size_t i = 0; i < s->nr_vifs && i < CHAOS_STATS_VIFS_MAX; i++) {
		const chaos_vif_stats *v = &s->vifs[i];

		chaosd_reply_open(r, NULL, false);
		chaosd_reply_uint(r, "devid", v->devid);
		chaosd_reply_str(r, "ifname", v->ifname);
		chaosd_reply_bool(r, "present", v->present != 0);
		chaosd_reply_uint(r, "rx_bytes", v->rx_bytes);
		chaosd_reply_uint(r, "rx_packets", v->rx_packets);
		chaosd_reply_uint(r, "tx_bytes", v->tx_bytes);
		chaosd_reply_uint(r, "tx_packets", v->tx_packets);
		chaosd_reply_close(r, false);
	}
	chaosd_reply_close(r, true);
	chaosd_reply_close(r, false);
}

/* ---- client side ---- */

/* A string field of (obj) into (out, cap): "" when absent; -1 (EPROTO)
 * when it is there but not a string or too long. */
static int tree_str(yajl_val obj, const char *key, char *out, size_t cap,
		    chaos_err *err)
{
	const char *path[] = { key, NULL };
	yajl_val v = yajl_tree_get(obj, path, yajl_t_any);
	const char *s;

	out[0] = '\0';
	if (!v)
		return 0;
	s = YAJL_GET_STRING(v);
	if (!s || strlen(s) >= cap)
		return chaos_err_set(err, EPROTO,
				     "chaosd: malformed response: %s", key);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static int simple_tree(chaosd_conn *conn, const char *req, yajl_val *top,
		       chaos_err *err)
{
	return front_call_fds(conn, req, strlen(req), NULL, 0, CALL_TIMEOUT_MS,
			      top, err);
}

int chaosd_hello(chaosd_conn *conn, chaosd_hello_info *out, chaos_err *err)
{
	static const char *caps_path[] = { "caps", NULL };
	yajl_val top, arr;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (simple_tree(conn, "{\"op\":\"hello\"}", &top, err))
		return -1;
	out->protocol = (unsigned int)front_tree_u64(top, "protocol", NULL);
	rc = tree_str(top, "version", out->version, sizeof(out->version), err);
	arr = yajl_tree_get(top, caps_path, yajl_t_array);
	for (size_t i = 0; !rc && arr && i < arr->u.array.len &&
	     out->nr_caps < CHAOSD_CAPS_MAX; i++) {
		const char *c = YAJL_GET_STRING(arr->u.array.values[i]);

		/* A name we cannot hold is one we do not know: skip it. */
		if (c && strlen(c) < CHAOSD_CAP_LEN)
			memcpy(out->caps[out->nr_caps++], c, strlen(c) + 1);
	}
	yajl_tree_free(top);
	if (!rc && out->protocol < 2)
		return chaos_err_set(err, EPROTO,
				     "chaosd: hello without a protocol version");
	return rc;
}

bool chaosd_has_cap(const chaosd_hello_info *hello, const char *cap)
{
	for (size_t i = 0; i < hello->nr_caps && i < CHAOSD_CAPS_MAX; i++)
		if (!strcmp(hello->caps[i], cap))
			return true;
	return false;
}

int chaosd_info(chaosd_conn *conn, chaos_host_info *out, chaos_err *err)
{
	static const char *host_path[] = { "host", NULL };
	yajl_val top, h;
	int rc;

	memset(out, 0, sizeof(*out));
	if (simple_tree(conn, "{\"op\":\"info\"}", &top, err))
		return -1;
	h = yajl_tree_get(top, host_path, yajl_t_object);
	if (!h) {
		yajl_tree_free(top);
		return chaos_err_set(err, EPROTO,
				     "chaosd: malformed response: host");
	}
	out->xen_major = (unsigned int)front_tree_u64(h, "xen_major", NULL);
	out->xen_minor = (unsigned int)front_tree_u64(h, "xen_minor", NULL);
	out->nr_cpus = (unsigned int)front_tree_u64(h, "nr_cpus", NULL);
	out->cores_per_socket =
		(unsigned int)front_tree_u64(h, "cores_per_socket", NULL);
	out->threads_per_core =
		(unsigned int)front_tree_u64(h, "threads_per_core", NULL);
	out->cpu_mhz = (unsigned int)front_tree_u64(h, "cpu_mhz", NULL);
	out->total_kib = front_tree_u64(h, "total_kib", NULL);
	out->free_kib = front_tree_u64(h, "free_kib", NULL);
	out->outstanding_kib = front_tree_u64(h, "outstanding_kib", NULL);
	out->usable_kib = front_tree_u64(h, "usable_kib", NULL);
	rc = tree_str(h, "xen_extra", out->xen_extra, sizeof(out->xen_extra),
		      err) ||
	     tree_str(h, "xen_caps", out->xen_caps, sizeof(out->xen_caps), err);
	yajl_tree_free(top);
	return rc ? -1 : 0;
}

/* {"op": op, "domain": domain} (domain NULL: no domain key). */
static int domain_request(const char *op, const char *domain, char *req,
			  size_t cap, chaos_err *err)
{
	char *d = NULL;
	int n;

	if (domain && !(d = front_json_string(domain)))
		return chaos_err_set(err, ENOMEM, "chaosd: out of memory");
	n = snprintf(req, cap, "{\"op\":\"%s\"%s%s}", op,
		     d ? ",\"domain\":" : "", d ? d : "");
	free(d);
	if (n < 0 || (size_t)n >= cap)
		return chaos_err_set(err, EINVAL, "chaosd: domain name too long");
	return 0;
}

/* The array at top.key, which must be there. */
static yajl_val tree_array(yajl_val top, const char *key, chaos_err *err)
{
	const char *path[] = { key, NULL };
	yajl_val a = yajl_tree_get(top, path, yajl_t_array);

	if (!a)
		chaos_err_set(err, EPROTO, "chaosd: malformed response: %s", key);
	return a;
}

/*
 * A per-guest list: the (op) request about (domain), and each object of
 * the reply's (key) array read into an item of (size) bytes by read(),
 * which fails (with err set) on a malformed object. *items: free().
 */
static int guest_list(chaosd_conn *conn, const char *op, const char *domain,
		      const char *key, size_t size, void **items,
		      size_t *count,
		      int (*read)(yajl_val o, void *item, chaos_err *err),
		      chaos_err *err)
{
	char req[256];
	uint8_t *v;
	yajl_val top, arr;
	size_t n;
	int rc = 0;

	*items = NULL;
	*count = 0;
	if (domain_request(op, domain, req, sizeof(req), err) ||
	    simple_tree(conn, req, &top, err))
		return -1;
	arr = tree_array(top, key, err);
	n = arr ? arr->u.array.len : 0;
	v = calloc(n ? n : 1, size);
	if (!arr || !v) {
		yajl_tree_free(top);
		free(v);
		return arr ? chaos_err_set(err, ENOMEM, "chaosd: out of memory") :
			     -1;
	}
	for (size_t i = 0; i < n && !rc; i++)
		rc = read(arr->u.array.values[i], v + i * size, err);
	yajl_tree_free(top);
	if (rc) {
		free(v);
		return -1;
	}
	*items = v;
	*count = n;
	return 0;
}

static int read_vif(yajl_val o, void *item, chaos_err *err)
{
	chaos_vif_info *v = item;

	v->devid = (unsigned int)front_tree_u64(o, "devid", NULL);
	return tree_str(o, "ifname", v->ifname, sizeof(v->ifname), err) ||
	       tree_str(o, "mac", v->mac, sizeof(v->mac), err) ||
	       tree_str(o, "ip", v->ip, sizeof(v->ip), err) ||
	       tree_str(o, "bridge", v->bridge, sizeof(v->bridge), err) ||
	       tree_str(o, "backend", v->backend, sizeof(v->backend), err) ||
	       tree_str(o, "frontend", v->frontend, sizeof(v->frontend), err) ?
	       -1 : 0;
}

int chaosd_network_list(chaosd_conn *conn, const char *domain,
			chaos_vif_info **out, size_t *count, chaos_err *err)
{
	return guest_list(conn, "network-list", domain, "vifs", sizeof(**out),
			  (void **)out, count, read_vif, err);
}

static int read_disk(yajl_val o, void *item, chaos_err *err)
{
	chaos_disk_info *d = item;
	uint64_t be, fe;

	d->devid = (uint32_t)front_tree_u64(o, "devid", NULL);
	/* Xenbus states: 0 to 8. */
	be = front_tree_u64(o, "backend_state", NULL);
	fe = front_tree_u64(o, "frontend_state", NULL);
	d->be_state = be <= 8 ? (int)be : 0;
	d->fe_state = fe <= 8 ? (int)fe : 0;
	return tree_str(o, "vdev", d->vdev, sizeof(d->vdev), err) ||
	       tree_str(o, "target", d->target, sizeof(d->target), err) ||
	       tree_str(o, "mode", d->mode, sizeof(d->mode), err) ||
	       tree_str(o, "device", d->device, sizeof(d->device), err) ||
	       tree_str(o, "hotplug", d->hotplug, sizeof(d->hotplug), err) ?
	       -1 : 0;
}

int chaosd_block_list(chaosd_conn *conn, const char *domain,
		      chaos_disk_info **out, size_t *count, chaos_err *err)
{
	return guest_list(conn, "block-list", domain, "disks", sizeof(**out),
			  (void **)out, count, read_disk, err);
}

static int state_of(const char *name, chaos_domain_state *out)
{
	for (int s = CHAOS_STATE_RUNNING; s <= CHAOS_STATE_DYING; s++)
		if (!strcmp(name, chaos_domain_state_name((chaos_domain_state)s))) {
			*out = (chaos_domain_state)s;
			return 0;
		}
	return -1;
}

static int read_stats(yajl_val o, chaos_guest_stats *s, chaos_err *err)
{
	char state[16];
	yajl_val vifs;

	s->dom.domid = (uint32_t)front_tree_u64(o, "domid", NULL);
	s->dom.shutdown_reason =
		(unsigned int)front_tree_u64(o, "shutdown_reason", NULL);
	s->dom.cpu_time_ns = front_tree_u64(o, "cpu_time_ns", NULL);
	s->dom.mem_kib = front_tree_u64(o, "memory_kib", NULL);
	s->dom.max_mem_kib = front_tree_u64(o, "max_memory_kib", NULL);
	s->dom.vcpus = (unsigned int)front_tree_u64(o, "vcpus", NULL);
	if (tree_str(o, "name", s->dom.name, sizeof(s->dom.name), err) ||
	    tree_str(o, "state", state, sizeof(state), err))
		return -1;
	if (state_of(state, &s->dom.state))
		return chaos_err_set(err, EPROTO,
				     "chaosd: malformed response: state");
	vifs = tree_array(o, "vifs", err);
	if (!vifs)
		return -1;
	for (size_t i = 0; i < vifs->u.array.len &&
	     s->nr_vifs < CHAOS_STATS_VIFS_MAX; i++) {
		static const char *present_path[] = { "present", NULL };
		yajl_val v = vifs->u.array.values[i];
		chaos_vif_stats *vs = &s->vifs[s->nr_vifs++];

		vs->devid = (uint16_t)front_tree_u64(v, "devid", NULL);
		vs->present = YAJL_IS_TRUE(yajl_tree_get(v, present_path,
							 yajl_t_any));
		vs->rx_bytes = front_tree_u64(v, "rx_bytes", NULL);
		vs->rx_packets = front_tree_u64(v, "rx_packets", NULL);
		vs->tx_bytes = front_tree_u64(v, "tx_bytes", NULL);
		vs->tx_packets = front_tree_u64(v, "tx_packets", NULL);
		if (tree_str(v, "ifname", vs->ifname, sizeof(vs->ifname), err))
			return -1;
	}
	return 0;
}

int chaosd_stats(chaosd_conn *conn, const char *domain,
		 chaos_guest_stats **out, size_t *count, chaos_err *err)
{
	char req[256];
	chaos_guest_stats *s;
	yajl_val top, arr;
	size_t n;
	int rc = 0;

	*out = NULL;
	*count = 0;
	if (domain_request("stats", domain, req, sizeof(req), err) ||
	    simple_tree(conn, req, &top, err))
		return -1;
	arr = tree_array(top, "guests", err);
	n = arr ? arr->u.array.len : 0;
	s = calloc(n ? n : 1, sizeof(*s));
	if (!arr || !s) {
		yajl_tree_free(top);
		free(s);
		return arr ? chaos_err_set(err, ENOMEM, "chaosd: out of memory") :
			     -1;
	}
	for (size_t i = 0; i < n && !rc; i++)
		rc = read_stats(arr->u.array.values[i], &s[i], err);
	yajl_tree_free(top);
	if (rc) {
		free(s);
		return -1;
	}
	*out = s;
	*count = n;
	return 0;
}

static int read_domain(yajl_val o, chaosd_domain *d, chaos_err *err)
{
	static const char *cpu_path[] = { "cpu_time_s", NULL };
	yajl_val cpu = yajl_tree_get(o, cpu_path, yajl_t_number);
	char state[16];
	uint64_t id = front_tree_u64(o, "id", NULL);

	if (!YAJL_IS_OBJECT(o) || id >= 0x7ff0)
		return chaos_err_set(err, EPROTO,
				     "chaosd: malformed response: id");
	d->domid = (uint32_t)id;
	d->owner = (uint32_t)front_tree_u64(o, "owner", NULL);
	d->memory_mib = front_tree_u64(o, "memory_mib", NULL);
	d->max_memory_mib = front_tree_u64(o, "max_memory_mib", NULL);
	d->vcpus = (unsigned int)front_tree_u64(o, "vcpus", NULL);
	d->cpu_time_s = cpu ? YAJL_GET_DOUBLE(cpu) : 0;
	if (tree_str(o, "name", d->name, sizeof(d->name), err) ||
	    tree_str(o, "kind", d->kind, sizeof(d->kind), err) ||
	    tree_str(o, "state", state, sizeof(state), err))
		return -1;
	if (state_of(state, &d->state))
		return chaos_err_set(err, EPROTO,
				     "chaosd: malformed response: state");
	return 0;
}

int chaosd_list(chaosd_conn *conn, chaosd_domain **out, size_t *count,
		chaos_err *err)
{
	chaosd_domain *d;
	yajl_val top, arr;
	size_t n;
	int rc = 0;

	*out = NULL;
	*count = 0;
	if (simple_tree(conn, "{\"op\":\"list\"}", &top, err))
		return -1;
	arr = tree_array(top, "domains", err);
	n = arr ? arr->u.array.len : 0;
	d = calloc(n ? n : 1, sizeof(*d));
	if (!arr || !d) {
		yajl_tree_free(top);
		free(d);
		return arr ? chaos_err_set(err, ENOMEM, "chaosd: out of memory") :
			     -1;
	}
	for (size_t i = 0; i < n && !rc; i++)
		rc = read_domain(arr->u.array.values[i], &d[i], err);
	yajl_tree_free(top);
	if (rc) {
		free(d);
		return -1;
	}
	*out = d;
	*count = n;
	return 0;
}
