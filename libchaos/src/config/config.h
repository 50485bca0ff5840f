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
int cfg_parse_devices(const char *s, size_t len, chaos_config_devices *out,
		      chaos_err *err);
/* "0-3,6": sets the CPUs in cpumap (which the caller clears first). */
int cfg_parse_cpus(const char *s, size_t len,
		   uint8_t cpumap[CHAOS_CONFIG_CPUS_MAX / 8], chaos_err *err);
int cfg_parse_mac(const char *s, size_t len, uint8_t mac[6], chaos_err *err);
/* 1-based line and column (in characters) of offset off of text. */
void cfg_position(const char *text, size_t len, size_t off,
		  unsigned int *line, unsigned int *col);

/* ---- disk.c ---- */

/* "xvda", "hdb2", ...: Xen's device number into *devid. */
int cfg_parse_vdev(const char *s, size_t len, uint32_t *devid,
		   chaos_err *err);
/* "ro" / "rw"; with xl also xl's "r" / "w". */
int cfg_parse_disk_mode(const char *s, size_t len, bool xl, bool *readonly,
			chaos_err *err);
/* "file" / "block". */
int cfg_parse_disk_kind(const char *s, size_t len,
			chaos_config_disk_kind *kind, chaos_err *err);
/* Index of one of cfg's first upto disks with this devid, or -1. */
int cfg_disk_same_vdev(const chaos_config *cfg, size_t upto, uint32_t devid);

/* ---- xlcfg_lex.c ---- */

/*
 * xl.cfg's syntax (libxlu's, as xl.cfg(5) describes it): settings
 * "key = value" ended by a newline or ';', values a quoted string, a
 * number or a list "[ a, b, ]" that may span lines, '#' comments. The
 * lexer hands out one setting at a time; its strings are unquoted into the
 * lexer's own buffer and stay valid until the next setting.
 */
#define XL_KEY_MAX    64   /* with the NUL */
#define XL_LIST_MAX   64   /* items in one list */

struct xl_atom {
	const char *s;       /* unquoted, NUL-terminated (no NUL inside) */
	size_t len;
	bool quoted;
	size_t pos;          /* offset of the atom in the text */
};

struct xl_setting {
	char key[XL_KEY_MAX];
	size_t pos;          /* offset of the key */
	size_t value_pos;
	bool is_list;
	size_t n;            /* atoms: 1 unless a list */
	struct xl_atom items[XL_LIST_MAX];
};

struct xl_lexer {
	const char *text;
	size_t len;
	size_t i;
	char *buf;           /* unquoted strings of the current setting */
	size_t buf_used;
	size_t err_pos;      /* where the last error points */
};

/* buf must hold len + XL_LIST_MAX + 1 bytes. */
void xl_lex_init(struct xl_lexer *lx, const char *text, size_t len,
		 char *buf);
/* The next setting into *out: 1, or 0 at the end, or -1 with err set
 * (message without position; lx->err_pos tells where). */
int xl_lex_next(struct xl_lexer *lx, struct xl_setting *out,
		chaos_err *err);

/* ---- xlcfg_dev.c ---- */

/*
 * One vif or disk spec string of xl (xl-network-configuration(5),
 * xl-disk-configuration(5)) into cfg's next vif or disk. label is
 * "vif[0]" or "disk[0]"; the message names the spec key.
 */
int xl_parse_vif(const char *spec, size_t len, const char *label,
		 chaos_config *cfg, chaos_err *err);
int xl_parse_disk(const char *spec, size_t len, const char *label,
		  chaos_config *cfg, chaos_err *err);

/* ---- parse.c ---- */

/* The JSON format only; chaos_config_parse_buffer (load.c) picks one. */
int cfg_parse_json_buffer(const char *text, size_t len,
			  const char *source_name, chaos_config *cfg,
			  chaos_err *err);

#endif
