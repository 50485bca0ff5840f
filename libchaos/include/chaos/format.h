/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_FORMAT_H
#define CHAOS_FORMAT_H

#include <stddef.h>
#include <stdio.h>
#include <chaos/api.h>
#include <chaos/domain.h>
#include <chaos/host.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Output formats shared by the CLI and anything else that wants the same
 * text: a table close to `xl list`, and JSON made with yajl.
 */

/* The table's header line and one domain's row. 0, or -1 on a write error. */
CHAOS_API int chaos_format_list_header(FILE *out);
CHAOS_API int chaos_format_list_row(FILE *out, const chaos_domain_info *d);

/* Writes the table, header first. Returns 0, or -1 on a write error. */
CHAOS_API int chaos_format_list_text(FILE *out, const chaos_domain_info *doms,
				     size_t count);

/*
 * JSON: an array of objects. On success *json is a NUL-terminated string
 * the caller frees with free().
 */
CHAOS_API int chaos_format_list_json(const chaos_domain_info *doms,
				     size_t count, char **json, chaos_err *err);

CHAOS_API int chaos_format_info_text(FILE *out, const chaos_host_info *info);
CHAOS_API int chaos_format_info_json(const chaos_host_info *info, char **json,
				     chaos_err *err);

#ifdef __cplusplus
}
#endif

#endif
