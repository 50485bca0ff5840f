// SPDX-License-Identifier: MIT
/* Config value checks: one function per kind of value, no key names. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"

#define QUOTE_BODY_MAX 40   /* escaped characters shown before "..." */

void cfg_quote(const char *s, size_t len, char out[CFG_QUOTE_MAX])
{
	size_t o = 0;

	out[o++] = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[5];
		size_t n;

		if (c == '"' || c == '\\')
			n = (size_t)snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			n = (size_t)snprintf(esc, sizeof(esc), "\\x%02x", c);
		else
			n = (size_t)snprintf(esc, sizeof(esc), "%c", c);
		if (o + n > QUOTE_BODY_MAX) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		memcpy(out + o, esc, n);
		o += n;
	}
	out[o++] = '"';
	out[o] = '\0';
}

bool cfg_utf8_valid(const char *s, size_t len, size_t *bad)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned char c = u[i];
		size_t n;
		unsigned char lo = 0x80, hi = 0xbf;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0;      /* overlong */
			else if (c == 0xed)
				hi = 0x9f;      /* surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90;      /* overlong */
			else if (c == 0xf4)
				hi = 0x8f;      /* past U+10FFFF */
		} else {
			goto invalid;
		}
		if (len - i <= n)
			goto invalid;
		if (u[i + 1] < lo || u[i + 1] > hi)
			goto invalid;
		for (size_t k = 2; k <= n; k++)
			if (u[i + k] < 0x80 || u[i + k] > 0xbf)
				goto invalid;
		i += n + 1;
	}
	return true;
invalid:
	if (bad)
		*bad = i;
	return false;
}

static bool has_nul(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}

static bool name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

int cfg_check_name(const char *s, size_t len, chaos_err *err)
{
	char q[CFG_QUOTE_MAX];
	bool all_digits = true;

	cfg_quote(s, len, q);
	if (len == 0 || len >= CHAOS_NAME_MAX)
		return chaos_err_set(err, EINVAL,
				     "expected 1 to %d characters, got %zu",
				     CHAOS_NAME_MAX - 1, len);
	for (size_t i = 0; i < len; i++) {
		if (!name_char_ok(s[i]))
			return chaos_err_set(err, EINVAL,
				"%s: only A-Z a-z 0-9 _ . - are allowed", q);
		if (s[i] < '0' || s[i] > '9')
			all_digits = false;
	}
	if (all_digits)
		return chaos_err_set(err, EINVAL,
			"%s: must not be all digits (it would look like a domain id)",
			q);
	if (s[0] == '.' || s[0] == '-')
		return chaos_err_set(err, EINVAL,
				     "%s: must not start with '.' or '-'", q);
	/* xl and every Xen tool mean the control domain by this name. */
	if (len == 8 && !strncasecmp(s, "Domain-0", 8))
		return chaos_err_set(err, EINVAL,
				     "%s: reserved for the control domain", q);
	return 0;
}

int cfg_check_path(const char *s, size_t len, chaos_err *err)
{
	if (len == 0 || len >= CHAOS_CONFIG_PATH_MAX)
		return chaos_err_set(err, EINVAL,
			"expected a path of 1 to %d bytes, got %zu bytes",
			CHAOS_CONFIG_PATH_MAX - 1, len);
	if (has_nul(s, len))
		return chaos_err_set(err, EINVAL, "path contains a NUL byte");
	return 0;
}

int cfg_check_cmdline(const char *s, size_t len, chaos_err *err)
{
	if (len >= CHAOS_CONFIG_CMDLINE_MAX)
		return chaos_err_set(err, EINVAL,
			"expected at most %d bytes, got %zu bytes",
			CHAOS_CONFIG_CMDLINE_MAX - 1, len);
	if (has_nul(s, len))
		return chaos_err_set(err, EINVAL, "contains a NUL byte");
	return 0;
}

/* Linux's rules for an interface name (dev_valid_name), minus controls. */
int cfg_check_bridge(const char *s, size_t len, chaos_err *err)
{
	char q[CFG_QUOTE_MAX];

	cfg_quote(s, len, q);
	if (len == 0 || len >= CHAOS_CONFIG_BRIDGE_MAX)
		return chaos_err_set(err, EINVAL,
			"%s: an interface name has 1 to %d bytes",
			q, CHAOS_CONFIG_BRIDGE_MAX - 1);
	if ((len == 1 && s[0] == '.') ||
	    (len == 2 && s[0] == '.' && s[1] == '.'))
		return chaos_err_set(err, EINVAL,
				     "%s: not a valid interface name", q);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '/' || c == ':' || c == ' ' || c < 0x21 || c == 0x7f)
			return chaos_err_set(err, EINVAL,
				"%s: an interface name has no '/', ':', "
				"whitespace or control characters",
				q);
	}
	return 0;
}

/* Strict dotted quad: four decimal octets, no leading zeros, no spaces. */
int cfg_parse_ip(const char *s, size_t len, uint8_t ip[4], chaos_err *err)
{
	char q[CFG_QUOTE_MAX];
	size_t i = 0;

	cfg_quote(s, len, q);
	for (int part = 0; part < 4; part++) {
		unsigned int v = 0;
		size_t start = i;

		if (part > 0) {
			if (i >= len || s[i] != '.')
				goto bad;
			start = ++i;
		}
		while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 3)
			v = v * 10 + (unsigned int)(s[i++] - '0');
		if (i == start || v > 255 || (s[start] == '0' && i - start > 1))
			goto bad;
		ip[part] = (uint8_t)v;
	}
	if (i != len)
		goto bad;
	if ((ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] == 0) ||
	    (ip[0] == 255 && ip[1] == 255 && ip[2] == 255 && ip[3] == 255) ||
	    (ip[0] >= 224 && ip[0] <= 239))
		return chaos_err_set(err, EINVAL,
			"%s: not a unicast address a guest can use", q);
	return 0;
bad:
	return chaos_err_set(err, EINVAL,
			     "%s: expected a dotted IPv4 address like \"10.0.0.2\"",
			     q);
}

static const char *const action_names[] = {
	[CHAOS_ACTION_DESTROY] = "destroy",
	[CHAOS_ACTION_RESTART] = "restart",
	[CHAOS_ACTION_PRESERVE] = "preserve",
};

const char *chaos_config_action_name(chaos_config_action action)
{
	if ((unsigned int)action >= sizeof(action_names) / sizeof(*action_names))
		return "unknown";
	return action_names[action];
}

int cfg_parse_action(const char *s, size_t len, chaos_config_action *out,
		     chaos_err *err)
{
	char q[CFG_QUOTE_MAX];

	for (size_t a = 0; a < sizeof(action_names) / sizeof(*action_names);
	     a++) {
		if (strlen(action_names[a]) == len &&
		    memcmp(action_names[a], s, len) == 0) {
			*out = (chaos_config_action)a;
			return 0;
		}
	}
	cfg_quote(s, len, q);
	return chaos_err_set(err, EINVAL,
		"expected \"destroy\", \"restart\" or \"preserve\", got %s", q);
}

static const char *const devices_names[] = {
	[CHAOS_DEVICES_AUTO] = "auto",
	[CHAOS_DEVICES_NOXS] = "noxs",
	[CHAOS_DEVICES_XENSTORE] = "xenstore",
};

const char *chaos_config_devices_name(chaos_config_devices devices)
{
	if ((unsigned int)devices >=
	    sizeof(devices_names) / sizeof(*devices_names))
		return "unknown";
	return devices_names[devices];
}

int cfg_parse_devices(const char *s, size_t len, chaos_config_devices *out,
		      chaos_err *err)
{
	char q[CFG_QUOTE_MAX];

	for (size_t d = 0; d < sizeof(devices_names) / sizeof(*devices_names);
	     d++) {
		if (strlen(devices_names[d]) == len &&
		    memcmp(devices_names[d], s, len) == 0) {
			*out = (chaos_config_devices)d;
			return 0;
		}
	}
	cfg_quote(s, len, q);
	return chaos_err_set(err, EINVAL,
		"expected \"auto\", \"noxs\" or \"xenstore\", got %s", q);
}

/* A CPU number at s[*i]; digits only, below CHAOS_CONFIG_CPUS_MAX. */
static int cpu_number(const char *s, size_t len, size_t *i, unsigned int *cpu)
{
	size_t start = *i;
	unsigned long v = 0;

	while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
		if (v < CHAOS_CONFIG_CPUS_MAX)
			v = v * 10 + (unsigned long)(s[*i] - '0');
		(*i)++;
	}
	if (*i == start)
		return -1;
	*cpu = v < CHAOS_CONFIG_CPUS_MAX ? (unsigned int)v : CHAOS_CONFIG_CPUS_MAX;
	return 0;
}

int cfg_parse_cpus(const char *s, size_t len,
		   uint8_t cpumap[CHAOS_CONFIG_CPUS_MAX / 8], chaos_err *err)
{
	char q[CFG_QUOTE_MAX];
	size_t i = 0;

	cfg_quote(s, len, q);
	if (len == 0)
		return chaos_err_set(err, EINVAL,
				     "\"\": the CPU list is empty");
	for (;;) {
		unsigned int lo, hi;

		if (cpu_number(s, len, &i, &lo) < 0)
			goto syntax;
		hi = lo;
		if (i < len && s[i] == '-') {
			i++;
			if (cpu_number(s, len, &i, &hi) < 0)
				goto syntax;
		}
		if (lo >= CHAOS_CONFIG_CPUS_MAX || hi >= CHAOS_CONFIG_CPUS_MAX)
			return chaos_err_set(err, EINVAL,
				"%s: CPU numbers go from 0 to %d", q,
				CHAOS_CONFIG_CPUS_MAX - 1);
		if (hi < lo)
			return chaos_err_set(err, EINVAL,
				"%s: range %u-%u is reversed", q, lo, hi);
		for (unsigned int c = lo; c <= hi; c++)
			cpumap[c / 8] |= (uint8_t)(1u << (c % 8));
		if (i == len)
			return 0;
		if (s[i] != ',')
			goto syntax;
		i++;
	}
syntax:
	return chaos_err_set(err, EINVAL,
		"%s: expected CPU numbers and ranges like \"0-3,6\"", q);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int cfg_parse_mac(const char *s, size_t len, uint8_t mac[6], chaos_err *err)
{
	char q[CFG_QUOTE_MAX];

	cfg_quote(s, len, q);
	if (len != 17)
		goto syntax;
	for (size_t o = 0; o < 6; o++) {
		int hi = hex_digit(s[o * 3]), lo = hex_digit(s[o * 3 + 1]);

		if (hi < 0 || lo < 0 || (o < 5 && s[o * 3 + 2] != ':'))
			goto syntax;
		mac[o] = (uint8_t)(hi << 4 | lo);
	}
	if (mac[0] & 0x01)
		return chaos_err_set(err, EINVAL,
			"%s: a multicast address (first octet odd) cannot name a vif",
			q);
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return chaos_err_set(err, EINVAL,
				     "%s: the all-zero address is not allowed", q);
	return 0;
syntax:
	return chaos_err_set(err, EINVAL,
		"%s: expected six hex octets like \"02:16:3e:00:00:01\"", q);
}

int chaos_config_parse_mac(const char *text, uint8_t mac[6], chaos_err *err)
{
	return cfg_parse_mac(text, strlen(text), mac, err);
}

/* One value checked by check, its key put before the reason, as the
 * parser would. */
static int check_keyed(const char *key, const char *value,
		       int (*check)(const char *, size_t, chaos_err *),
		       chaos_err *err)
{
	char why[CHAOS_ERR_MSG_MAX];

	if (!value)
		return chaos_err_set(err, EINVAL, "%s: missing", key);
	if (check(value, strlen(value), err) == 0)
		return 0;
	snprintf(why, sizeof(why), "%s", err ? err->msg : "");
	return chaos_err_set(err, EINVAL, "%s: %s", key, why);
}

int chaos_config_check_name(const char *name, chaos_err *err)
{
	return check_keyed("name", name, cfg_check_name, err);
}

int chaos_config_check_bridge(const char *bridge, chaos_err *err)
{
	return check_keyed("bridge", bridge, cfg_check_bridge, err);
}

/* 1-based line and column (in characters, UTF-8 aware) of offset off. */
void cfg_position(const char *text, size_t len, size_t off,
		  unsigned int *line, unsigned int *col)
{
	*line = 1;
	*col = 1;
	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\n') {
			(*line)++;
			*col = 1;
		} else if ((c & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}
