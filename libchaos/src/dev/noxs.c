// SPDX-License-Identifier: MIT
/*
 * noxs devices from the toolstack's side: the backend half through the
 * module's ioctls, the device-page half through the noxs hypercall.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <xencall.h>

#include "dev/dev.h"
#include <chaos/device.h>
#include "noxs.h"
#include "noxs_ioctl.h"

/* After the domain is gone its frontend cannot answer: do not wait. */
#define DEAD_GUEST_TIMEOUT_MS 1

static int noxs_op(chaos_host *host, unsigned int cmd, void *arg,
		   size_t size)
{
	void *buf;
	int rc, saved;

	if (chaos_host_xcall(host, NULL))
		return -1;
	buf = xencall_alloc_buffer(host->xcall, size);
	if (!buf)
		return -1;
	memcpy(buf, arg, size);
	rc = xencall2(host->xcall, __HYPERVISOR_noxs_op, cmd,
		      (uint64_t)(uintptr_t)buf);
	saved = errno;
	memcpy(arg, buf, size);
	xencall_free_buffer(host->xcall, buf);
	errno = saved;
	return rc < 0 ? -1 : 0;
}

static int noxs_dev(chaos_host *host, chaos_err *err)
{
	if (host->noxs_fd >= 0)
		return host->noxs_fd;
	host->noxs_fd = open(NOXS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (host->noxs_fd < 0)
		chaos_err_set(err, errno, "%s: %s (is the noxs module loaded?)",
			      NOXS_DEVICE_PATH, strerror(errno));
	return host->noxs_fd;
}

int chaos_device_available(chaos_host *host)
{
	struct noxs_op_get_page gp = { .domid = NOXS_DOMID_SELF };

	if (host->noxs_state == 0)
		host->noxs_state = (noxs_op(host, NOXSOP_get_page, &gp,
					    sizeof(gp)) == 0 &&
				    noxs_dev(host, NULL) >= 0) ? 1 : -1;
	return host->noxs_state > 0;
}

static int module_destroy(chaos_host *host, uint32_t domid, uint16_t type,
			  uint16_t devid, uint16_t flags, uint32_t timeout_ms,
			  chaos_err *err)
{
	struct noxs_ioc_destroy d = {
		.domid = (uint16_t)domid, .type = type, .devid = devid,
		.flags = flags, .timeout_ms = timeout_ms,
	};
	int fd = noxs_dev(host, err);

	if (fd < 0)
		return -1;
	if (ioctl(fd, NOXS_IOC_DESTROY, &d))
		return chaos_err_set(err, errno,
				     "domain %u: cannot destroy %s device %u: %s",
				     domid, chaos_device_type_name(type), devid,
				     strerror(errno));
	return 0;
}

/* flags: NOXS_CREATE_F_*. */
static int device_add(chaos_host *host, uint32_t domid, uint16_t type,
		      uint16_t devid, const void *params, uint16_t flags,
		      chaos_err *err)
{
	struct noxs_ioc_create c = {
		.domid = (uint16_t)domid, .type = type, .devid = devid,
		.flags = flags,
	};
	struct noxs_op_add add = { .domid = (uint16_t)domid };
	int fd;

	if (domid == 0 || domid >= NOXS_DOMID_MAX)
		return chaos_err_set(err, EINVAL, "domain id %u out of range",
				     domid);
	fd = noxs_dev(host, err);
	if (fd < 0)
		return -1;
	if (params)
		memcpy(c.params, params, sizeof(c.params));
	if (ioctl(fd, NOXS_IOC_CREATE, &c))
		return chaos_err_set(err, errno,
				     "domain %u: the noxs module cannot create %s device %u: %s",
				     domid, chaos_device_type_name(type), devid,
				     strerror(errno));
	add.entry.type = type;
	add.entry.devid = devid;
	add.entry.be_domid = 0;
	add.entry.grant = c.grant;
	add.entry.evtchn = c.evtchn;
	if (noxs_op(host, NOXSOP_add, &add, sizeof(add))) {
		int e = errno;

		module_destroy(host, domid, type, devid, 0,
			       DEAD_GUEST_TIMEOUT_MS, NULL);
		return chaos_err_set(err, e,
				     "domain %u: cannot add %s device %u to its device page: %s",
				     domid, chaos_device_type_name(type), devid,
				     strerror(e));
	}
	return 0;
}

int chaos_device_add(chaos_host *host, uint32_t domid, uint16_t type,
		     uint16_t devid, const void *params, chaos_err *err)
{
	return device_add(host, domid, type, devid, params, 0, err);
}

int chaos_vif_add_unconfigured(chaos_host *host, uint32_t domid,
			       uint16_t devid, chaos_err *err)
{
	return device_add(host, domid, CHAOS_DEV_VIF, devid, NULL,
			  NOXS_CREATE_F_UNCONFIGURED, err);
}

int chaos_vif_add_ahead(chaos_host *host, uint32_t domid, uint16_t devid,
			const char *bridge, chaos_err *err)
{
	struct noxs_vif_params p;

	memset(&p, 0, sizeof(p));
	snprintf(p.bridge, sizeof(p.bridge), "%s", bridge);
	if (device_add(host, domid, CHAOS_DEV_VIF, devid, &p,
		       NOXS_CREATE_F_UNCONFIGURED | NOXS_CREATE_F_NETDEV_AHEAD,
		       err) == 0)
		return 0;
	/* A module before ioctl version 2 knows no such flag. */
	if (err && err->code == EINVAL)
		chaos_err_set(err, EINVAL,
			      "domain %u: the noxs module refused vif %u's net device ahead on '%s' (a module older than ioctl version 2?)",
			      domid, devid, bridge);
	return -1;
}

int chaos_vif_configure(chaos_host *host, uint32_t domid, uint16_t devid,
			const void *params, chaos_err *err)
{
	struct noxs_ioc_vif_config c = {
		.domid = (uint16_t)domid, .devid = devid,
	};
	int fd = noxs_dev(host, err);

	if (fd < 0)
		return -1;
	memcpy(c.params, params, sizeof(c.params));
	if (ioctl(fd, NOXS_IOC_VIF_CONFIG, &c))
		return chaos_err_set(err, errno,
				     "domain %u: the noxs module cannot configure vif %u: %s",
				     domid, devid, strerror(errno));
	return 0;
}

int chaos_device_remove(chaos_host *host, uint32_t domid, uint16_t type,
			uint16_t devid, chaos_err *err)
{
	struct noxs_op_remove r = {
		.domid = (uint16_t)domid, .type = type, .devid = devid,
	};
	int rc = 0;

	/* The entry goes first, so the guest stops looking at the device. */
	if (noxs_op(host, NOXSOP_remove, &r, sizeof(r)) && errno != ESRCH)
		rc = chaos_err_set(err, errno,
				   "domain %u: cannot remove %s device %u from its device page: %s",
				   domid, chaos_device_type_name(type), devid,
				   strerror(errno));
	if (module_destroy(host, domid, type, devid, 0, 0, rc ? NULL : err))
		rc = -1;
	return rc;
}

int chaos_device_remove_all(chaos_host *host, uint32_t domid, chaos_err *err)
{
	if (noxs_dev(host, NULL) < 0)
		return 0; /* no module: no devices */
	/* For a domain being destroyed: its device page goes with it. */
	return module_destroy(host, domid, 0, 0, NOXS_DESTROY_F_ALL,
			      DEAD_GUEST_TIMEOUT_MS, err);
}

static int list_module(chaos_host *host, uint32_t domid,
		       struct noxs_ioc_info **out, uint32_t *n, chaos_err *err);

int chaos_noxs_list_all(chaos_host *host, struct noxs_ioc_info **out,
			uint32_t *n, chaos_err *err)
{
	return list_module(host, NOXS_LIST_ALL_DOMAINS, out, n, err);
}

static int list_module(chaos_host *host, uint32_t domid,
		       struct noxs_ioc_info **out, uint32_t *n, chaos_err *err)
{
	struct noxs_ioc_list l = { .domid = (uint16_t)domid };
	struct noxs_ioc_info *info = NULL;
	int fd = noxs_dev(host, err);

	if (fd < 0)
		return -1;
	/* Ask for the count, then for that many; retry if it grew. */
	for (;;) {
		uint32_t cap = l.count;

		if (ioctl(fd, NOXS_IOC_LIST, &l)) {
			free(info);
			return chaos_err_set(err, errno, "noxs: cannot list devices: %s",
					     strerror(errno));
		}
		if (l.count <= cap)
			break;
		free(info);
		info = calloc(l.count, sizeof(*info));
		if (!info)
			return chaos_err_set(err, ENOMEM, "out of memory");
		l.entries = (uint64_t)(uintptr_t)info;
	}
	*out = info;
	*n = l.count;
	return 0;
}

int chaos_device_list(chaos_host *host, uint32_t domid,
		      chaos_device_info **out, size_t *count, chaos_err *err)
{
	struct noxs_op_list *page;
	struct noxs_ioc_info *mod = NULL;
	uint32_t nmod = 0;
	chaos_device_info *devs;
	size_t n = 0;

	*out = NULL;
	*count = 0;
	page = calloc(1, sizeof(*page));
	if (!page)
		return chaos_err_set(err, ENOMEM, "out of memory");
	page->domid = (uint16_t)domid;
	if (noxs_op(host, NOXSOP_list, page, sizeof(*page))) {
		int e = errno;

		free(page);
		return chaos_err_set(err, e, "domain %u: cannot read its device page: %s",
				     domid, strerror(e));
	}
	if (list_module(host, domid, &mod, &nmod, NULL))
		nmod = 0;
	/* The page's count is written by the hypervisor, but bound it. */
	if (page->page.hdr.count > NOXS_MAX_ENTRIES)
		page->page.hdr.count = NOXS_MAX_ENTRIES;
	devs = calloc((size_t)page->page.hdr.count + nmod + 1, sizeof(*devs));
	if (!devs) {
		free(page);
		free(mod);
		return chaos_err_set(err, ENOMEM, "out of memory");
	}
	for (unsigned int i = 0; i < page->page.hdr.count; i++) {
		const struct noxs_entry *e = &page->page.entries[i];
		chaos_device_info *d = &devs[n++];

		d->domid = domid;
		d->type = e->type;
		d->devid = e->devid;
		d->be_domid = e->be_domid;
		d->grant = e->grant;
		d->evtchn = e->evtchn;
		d->in_page = 1;
		for (uint32_t j = 0; j < nmod; j++)
			if (mod[j].type == e->type && mod[j].devid == e->devid) {
				d->be_state = mod[j].be_state;
				d->fe_state = mod[j].fe_state;
				d->error = mod[j].error;
			}
	}
	/* Backend devices with no page entry (half-made or half-removed). */
	for (uint32_t j = 0; j < nmod; j++) {
		int found = 0;

		for (size_t i = 0; i < n; i++)
			found |= devs[i].in_page && devs[i].type == mod[j].type &&
				 devs[i].devid == mod[j].devid;
		if (!found) {
			chaos_device_info *d = &devs[n++];

			d->domid = domid;
			d->type = mod[j].type;
			d->devid = mod[j].devid;
			d->grant = mod[j].grant;
			d->evtchn = mod[j].evtchn;
			d->be_state = mod[j].be_state;
			d->fe_state = mod[j].fe_state;
			d->error = mod[j].error;
		}
	}
	free(page);
	free(mod);
	*out = devs;
	*count = n;
	return 0;
}

int chaos_device_power(chaos_host *host, uint32_t domid,
		       enum chaos_power_request request,
		       unsigned int timeout_ms, chaos_err *err)
{
	struct noxs_ioc_power p = {
		.domid = (uint16_t)domid, .devid = 0, .request = request,
		.timeout_ms = timeout_ms ? timeout_ms : 1,
	};
	int fd = noxs_dev(host, err);

	if (fd < 0)
		return -1;
	if (timeout_ms > NOXS_TIMEOUT_MAX_MS)
		p.timeout_ms = NOXS_TIMEOUT_MAX_MS;
	if (ioctl(fd, NOXS_IOC_POWER, &p)) {
		int e = errno;

		if (e == ETIMEDOUT || e == ENOTCONN)
			return chaos_err_set(err, ETIMEDOUT,
					     "domain %u did not answer the %s request within %u ms",
					     domid,
					     request == CHAOS_POWER_REBOOT ? "reboot" :
					     request == CHAOS_POWER_SUSPEND ? "suspend" :
					     "poweroff", timeout_ms);
		return chaos_err_set(err, e, "domain %u: power request failed: %s",
				     domid, strerror(e));
	}
	if (p.reply)
		return chaos_err_set(err, -p.reply,
				     "domain %u refused the request: %s", domid,
				     strerror(-p.reply));
	return 0;
}

/* The names are abi/noxs.h's, shared with the module and the guests. */
const char *chaos_device_type_name(uint16_t type)
{
	switch (type) {
	NOXS_DEV_TYPES(NOXS_NAME_CASE)
	}
	return NOXS_DEV_TYPE_NAME_OTHER;
}

const char *chaos_device_state_name(uint32_t state)
{
	switch (state) {
	NOXS_STATES(NOXS_NAME_CASE)
	}
	return NOXS_STATE_NAME_OTHER;
}
