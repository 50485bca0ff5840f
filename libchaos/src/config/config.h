/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_CONFIG_LAYER_H
#define CHAOS_CONFIG_LAYER_H

/*
 * Layer config: The guest config: parsed from JSON, checked, MACs assigned.
 * Internal to libchaos: declarations grouped by the file that defines them.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <chaos/config.h>

#include "util/util.h"

/* ---- check.c ---- */

/*
 * Value checks shared by the JSON parser and chaos_config_validate(). Each
 * takes the raw bytes (which may hold a NUL) and, on failure, returns -1
 * with a message that names no key: the caller prefixes position and key.
 */


/* Room for a value quoted by cfg_quote(), with its NUL. */
#define CFG_QUOTE_MAX 64

/* s as a short JSON-ish literal: "abc", escaped, cut with "..." if long. */
void cfg_quote(const char *s, size_t len, char out[CFG_QUOTE_MAX]);

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
bool cfg_utf8_valid(const char *s, size_t len, size_t *bad);

int cfg_check_name(const char *s, size_t len, chaos_err *err);
int cfg_check_path(const char *s, size_t len, chaos_err *err);
int cfg_check_cmdline(const char *s, size_t len, chaos_err *err);
int cfg_check_bridge(const char *s, size_t len, chaos_err *err);
int cfg_parse_ip(const char *s, size_t len, uint8_t ip[4], chaos_err *err);
int cfg_parse_action(const char *s, size_t len, chaos_config_action *out,
		     chaos_err *err);
/* "0-3,6": sets the CPUs in cpumap (which the caller clears first). */
int cfg_parse_cpus(const char *s, size_t len,
		   uint8_t cpumap[CHAOS_CONFIG_CPUS_MAX / 8], chaos_err *err);
int cfg_parse_mac(const char *s, size_t len, uint8_t mac[6], chaos_err *err);

#endif
