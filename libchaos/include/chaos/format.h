/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_FORMAT_H
#define CHAOS_FORMAT_H

#include <stddef.h>
#include <stdio.h>
#include <chaos/domain.h>
#include <chaos/host.h>

/*
 * Output formats shared by the CLI and anything else that wants the same
 * text: a table close to `xl list`, and JSON made with yajl.
 */

/* The table's header line and one domain's row. 0, or -1 on a write error. */
int chaos_format_list_header(FILE *out);
int chaos_format_list_row(FILE *out, const chaos_domain_info *d);

/* Writes the table, header first. Returns 0, or -1 on a write error. */
int chaos_format_list_text(FILE *out, const chaos_domain_info *doms,
			   size_t count);

/*
 * JSON: an array of objects. On success *json is a NUL-terminated string
 * the caller frees with free().
 */
int chaos_format_list_json(const chaos_domain_info *doms, size_t count,
			   char **json, chaos_err *err);

/* Flags for chaos_format_domains_json. */
#define CHAOS_FORMAT_COMPACT 1u   /* one line, no spaces (wire protocols) */

/*
 * The list every front end prints (`chaos list --json`, chaosd's list):
 * chaos_format_list_json's objects plus "kind" (chaos_guest_class_name:
 * "dom0", "guest", "shell" for a pooled shell not yet used, "foreign"),
 * read from host's records. Keys: id, name, kind, state, memory_mib,
 * max_memory_mib, vcpus, cpu_time_s.
 */
int chaos_format_domains_json(chaos_host *host, const chaos_domain_info *doms,
			      size_t count, unsigned int flags, char **json,
			      chaos_err *err);

int chaos_format_info_text(FILE *out, const chaos_host_info *info);
int chaos_format_info_json(const chaos_host_info *info, char **json,
			   chaos_err *err);

#endif
