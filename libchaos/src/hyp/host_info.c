// SPDX-License-Identifier: MIT
/* chaos_host_get_info: version, CPUs and memory as the hypervisor sees them. */
#include <errno.h>
#include <string.h>

#include "hyp/hyp.h"
#include <chaos/host.h>

#define KIB_PER_PAGE (XC_PAGE_SIZE / 1024)

/* Copy a fixed-size, possibly unterminated hypervisor string. */
static void copy_xen_string(char *dst, size_t dst_len, const char *src,
			    size_t src_len)
{
	size_t n = strnlen(src, src_len);

	if (n >= dst_len)
		n = dst_len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int chaos_host_get_info(chaos_host *host, chaos_host_info *info,
			chaos_err *err)
{
	xc_physinfo_t phys = { 0 };
	xen_extraversion_t extra;
	xen_capabilities_info_t caps;
	int ver;

	memset(info, 0, sizeof(*info));
	ver = xc_version(host->xch, XENVER_version, NULL);
	if (ver < 0)
		return chaos_err_xen(err, host, errno, "XENVER_version failed");
	info->xen_major = (unsigned int)ver >> 16;
	info->xen_minor = (unsigned int)ver & 0xffff;

	memset(extra, 0, sizeof(extra));
	if (xc_version(host->xch, XENVER_extraversion, &extra) < 0)
		return chaos_err_xen(err, host, errno, "XENVER_extraversion failed");
	copy_xen_string(info->xen_extra, sizeof(info->xen_extra), extra,
			sizeof(extra));

	memset(caps, 0, sizeof(caps));
	if (xc_version(host->xch, XENVER_capabilities, &caps) < 0)
		return chaos_err_xen(err, host, errno, "XENVER_capabilities failed");
	copy_xen_string(info->xen_caps, sizeof(info->xen_caps), caps,
			sizeof(caps));

	if (xc_physinfo(host->xch, &phys) < 0)
		return chaos_err_xen(err, host, errno, "XEN_SYSCTL_physinfo failed");
	info->nr_cpus = phys.nr_cpus;
	info->cores_per_socket = phys.cores_per_socket;
	info->threads_per_core = phys.threads_per_core;
	info->cpu_mhz = phys.cpu_khz / 1000;
	info->total_kib = phys.total_pages * KIB_PER_PAGE;
	info->free_kib = phys.free_pages * KIB_PER_PAGE;
	info->outstanding_kib = phys.outstanding_pages * KIB_PER_PAGE;
	info->usable_kib = info->free_kib > info->outstanding_kib ?
			   info->free_kib - info->outstanding_kib : 0;
	return 0;
}
