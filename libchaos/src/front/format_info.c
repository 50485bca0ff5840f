// SPDX-License-Identifier: MIT
/* `chaos info` output: key/value lines, or JSON. */
#include <stdio.h>

#include "front/front.h"
#include <chaos/format.h>

#define KIB_PER_MIB 1024

int chaos_format_info_text(FILE *out, const chaos_host_info *info)
{
	int r = fprintf(out,
			"xen_version        : %u.%u%s\n"
			"xen_caps           : %s\n"
			"nr_cpus            : %u\n"
			"cores_per_socket   : %u\n"
			"threads_per_core   : %u\n"
			"cpu_mhz            : %u\n"
			"total_memory       : %llu MiB\n"
			"free_memory        : %llu MiB\n"
			"outstanding_claims : %llu MiB\n"
			"guest_usable_memory: %llu MiB\n",
			info->xen_major, info->xen_minor, info->xen_extra,
			info->xen_caps, info->nr_cpus, info->cores_per_socket,
			info->threads_per_core, info->cpu_mhz,
			(unsigned long long)(info->total_kib / KIB_PER_MIB),
			(unsigned long long)(info->free_kib / KIB_PER_MIB),
			(unsigned long long)(info->outstanding_kib / KIB_PER_MIB),
			(unsigned long long)(info->usable_kib / KIB_PER_MIB));
	return r < 0 ? -1 : 0;
}

int chaos_format_info_json(const chaos_host_info *info, char **json,
			   chaos_err *err)
{
	char version[64];
	yajl_gen g = chaos_json_begin(err);

	if (!g)
		return -1;
	snprintf(version, sizeof(version), "%u.%u%s", info->xen_major,
		 info->xen_minor, info->xen_extra);
	yajl_gen_map_open(g);
	chaos_json_str(g, "xen_version", version);
	chaos_json_str(g, "xen_caps", info->xen_caps);
	chaos_json_uint(g, "nr_cpus", info->nr_cpus);
	chaos_json_uint(g, "cores_per_socket", info->cores_per_socket);
	chaos_json_uint(g, "threads_per_core", info->threads_per_core);
	chaos_json_uint(g, "cpu_mhz", info->cpu_mhz);
	chaos_json_uint(g, "total_memory_kib", info->total_kib);
	chaos_json_uint(g, "free_memory_kib", info->free_kib);
	chaos_json_uint(g, "outstanding_claims_kib", info->outstanding_kib);
	chaos_json_uint(g, "guest_usable_memory_kib", info->usable_kib);
	yajl_gen_map_close(g);
	return chaos_json_finish(g, json, err);
}
