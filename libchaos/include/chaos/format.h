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
 * text: a table close to `xl list`, and JSON made with yajl (pretty
 * printed; the keys are documented in docs/cli.md). They only format what
 * they are given: no host, no hypervisor. Reentrant.
 */

/*
 * The deepest nesting of arrays and objects in the JSON text (text, len),
 * brackets inside strings not counted. A tree parser (yajl_tree_parse)
 * recurses as deep as its input: check this against a bound first.
 */
CHAOS_API size_t chaos_json_depth(const char *text, size_t len);

/* Write the table's header line, or the row of (d), to (out).
 * Returns 0, or -1 when the write failed (errno says why). */
CHAOS_API int chaos_format_list_header(FILE *out);
CHAOS_API int chaos_format_list_row(FILE *out, const chaos_domain_info *d);

/* Write the table of (doms, count) to (out), header first.
 * Returns 0, or -1 when a write failed (errno says why). */
CHAOS_API int chaos_format_list_text(FILE *out, const chaos_domain_info *doms,
				     size_t count);

/*
 * (doms, count) as JSON, an array with one object per domain, into
 * (*json).
 *
 * Returns 0, and the caller frees *json (NUL-terminated) with free(). Or
 * -1 with err set (ENOMEM; EINVAL if yajl failed), nothing to free.
 */
CHAOS_API int chaos_format_list_json(const chaos_domain_info *doms,
				     size_t count, char **json, chaos_err *err);

/* Write (info) to (out) as "key : value" lines, as `chaos info` does.
 * Returns 0, or -1 when the write failed (errno says why). */
CHAOS_API int chaos_format_info_text(FILE *out, const chaos_host_info *info);
/* (info) as one JSON object into (*json). Returns 0, and the caller frees
 * *json with free(); or -1 with err set (as above). */
CHAOS_API int chaos_format_info_json(const chaos_host_info *info, char **json,
				     chaos_err *err);

/* Flags for chaos_format_domains_json. */
#define CHAOS_FORMAT_COMPACT 1u   /* one line, no spaces (wire protocols) */

/*
 * The list every front end prints (`chaos list --json`, chaosd's list):
 * chaos_format_list_json's objects plus "kind" (chaos_guest_class_name:
 * "dom0", "guest", "shell" for a pooled shell not yet used, "foreign"),
 * and "owner" (the uid that created a guest, chaos_guest_owner_of; 0 for
 * everything else), read from (host)'s records, into (*json). Keys: id,
 * name, kind, owner, state, memory_mib, max_memory_mib, vcpus, cpu_time_s. (flags):
 * CHAOS_FORMAT_COMPACT or 0 (pretty printed).
 *
 * Returns 0, and the caller frees *json with free(); or -1 with err set
 * (ENOMEM; EINVAL if yajl failed). Uses (host) as host.h says: one thread
 * at a time.
 */
CHAOS_API int chaos_format_domains_json(chaos_host *host,
					const chaos_domain_info *doms,
					size_t count, unsigned int flags,
					char **json, chaos_err *err);

#ifdef __cplusplus
}
#endif

#endif
