// SPDX-License-Identifier: MIT
/* `chaos list` output: an xl-like table, or JSON. */
#include <stdio.h>

#include "front/front.h"
#include <chaos/format.h>
#include <chaos/guest.h>

#define KIB_PER_MIB 1024

int chaos_format_list_header(FILE *out)
{
	return fprintf(out, "%-32s %5s %7s %5s %-8s %9s\n", "Name", "ID", "Mem",
		       "VCPUs", "State", "Time(s)") < 0 ? -1 : 0;
}

int chaos_format_list_row(FILE *out, const chaos_domain_info *d)
{
	return fprintf(out, "%-32s %5u %7llu %5u %-8s %9.1f\n",
		       chaos_domain_display_name(d), d->domid,
		       (unsigned long long)(d->mem_kib / KIB_PER_MIB), d->vcpus,
		       chaos_domain_state_name(d->state),
		       (double)d->cpu_time_ns / 1e9) < 0 ? -1 : 0;
}

int chaos_format_list_text(FILE *out, const chaos_domain_info *doms,
			   size_t count)
{
	if (chaos_format_list_header(out))
		return -1;
	for (size_t i = 0; i < count; i++)
		if (chaos_format_list_row(out, &doms[i]))
			return -1;
	return 0;
}

static int list_json(chaos_host *host, const chaos_domain_info *doms,
		     size_t count, unsigned int flags, char **json,
		     chaos_err *err)
{
	yajl_gen g = chaos_json_begin_as(!(flags & CHAOS_FORMAT_COMPACT), err);

	if (!g)
		return -1;
	yajl_gen_array_open(g);
	for (size_t i = 0; i < count; i++) {
		const chaos_domain_info *d = &doms[i];

		uint32_t owner = 0;

		yajl_gen_map_open(g);
		chaos_json_uint(g, "id", d->domid);
		chaos_json_str(g, "name", chaos_domain_display_name(d));
		if (host) {
			chaos_guest_class c = chaos_guest_owner_of(host, d,
								   &owner);

			chaos_json_str(g, "kind", chaos_guest_class_name(c));
			/* The uid that created it: 0 (root) for all but
			 * other users' guests. */
			chaos_json_uint(g, "owner", owner);
		}
		chaos_json_str(g, "state", chaos_domain_state_name(d->state));
		chaos_json_uint(g, "memory_mib", d->mem_kib / KIB_PER_MIB);
		chaos_json_uint(g, "max_memory_mib", d->max_mem_kib / KIB_PER_MIB);
		chaos_json_uint(g, "vcpus", d->vcpus);
		chaos_json_double(g, "cpu_time_s", (double)d->cpu_time_ns / 1e9);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	return chaos_json_finish(g, json, err);
}

int chaos_format_list_json(const chaos_domain_info *doms, size_t count,
			   char **json, chaos_err *err)
{
	return list_json(NULL, doms, count, 0, json, err);
}

int chaos_format_domains_json(chaos_host *host, const chaos_domain_info *doms,
			      size_t count, unsigned int flags, char **json,
			      chaos_err *err)
{
	return list_json(host, doms, count, flags, json, err);
}
