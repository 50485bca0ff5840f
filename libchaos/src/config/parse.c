// SPDX-License-Identifier: MIT
/*
 * Guest config JSON parser: a yajl streaming parser driving a small state
 * machine, so every value is checked as it arrives, at its position, and
 * anything the schema does not expect (including deep nesting) stops the
 * parse at once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "config/config.h"

enum cfg_key {
	K_NAME, K_KERNEL, K_RAMDISK, K_CMDLINE, K_MEMORY, K_VCPUS, K_CPUS,
	K_ON_POWEROFF, K_ON_REBOOT, K_ON_CRASH, K_PAUSED, K_VIFS, K_DISKS,
	K_DEVICES, K_COUNT
};

static const char *const key_names[K_COUNT] = {
	[K_NAME] = "name", [K_KERNEL] = "kernel", [K_RAMDISK] = "ramdisk",
	[K_CMDLINE] = "cmdline", [K_MEMORY] = "memory", [K_VCPUS] = "vcpus",
	[K_CPUS] = "cpus", [K_ON_POWEROFF] = "on_poweroff",
	[K_ON_REBOOT] = "on_reboot", [K_ON_CRASH] = "on_crash",
	[K_PAUSED] = "paused", [K_VIFS] = "vifs", [K_DISKS] = "disks",
	[K_DEVICES] = "devices",
};

enum vif_key { V_MAC, V_IP, V_BRIDGE, V_COUNT };

static const char *const vif_key_names[V_COUNT] = {
	[V_MAC] = "mac", [V_IP] = "ip", [V_BRIDGE] = "bridge",
};

enum disk_key { D_TARGET, D_VDEV, D_MODE, D_KIND, D_COUNT };

static const char *const disk_key_names[D_COUNT] = {
	[D_TARGET] = "target", [D_VDEV] = "vdev", [D_MODE] = "mode",
	[D_KIND] = "kind",
};

/* Where we are in the document. */
enum cfg_state {
	ST_TOP,        /* before the top-level object */
	ST_OBJ,        /* in it, expecting a key or '}' */
	ST_VALUE,      /* after a top-level key */
	ST_CPUS,       /* in the "cpus" array */
	ST_VIFS,       /* in the "vifs" array */
	ST_VIF,        /* in a vif object, expecting a key or '}' */
	ST_VIF_VALUE,  /* after a vif key */
	ST_DISKS,      /* in the "disks" array */
	ST_DISK,       /* in a disk object, expecting a key or '}' */
	ST_DISK_VALUE, /* after a disk key */
	ST_DONE,       /* after the top-level object */
};

/* The kinds of JSON value, for "expected X, got Y". */
enum cfg_kind { J_NULL, J_BOOL, J_NUMBER, J_STRING, J_OBJECT, J_ARRAY };

struct cfg_parser {
	yajl_handle yajl;
	const char *text;
	size_t len;
	const char *source;
	chaos_config *cfg;
	chaos_err *err;
	bool failed;
	bool completing;       /* in yajl_complete_parse: offsets restart */
	size_t prev_end;       /* offset just after the last token seen */
	size_t tok;            /* offset where the current token starts */
	enum cfg_state st;
	size_t top_pos;
	int key;               /* current top-level key */
	size_t seen[K_COUNT];  /* offset + 1 of each key's first use, or 0 */
	size_t cpu_index;
	bool cpu_any;
	int vkey;              /* current vif key */
	size_t vseen[V_COUNT];
	int dkey;              /* current disk key */
	size_t dseen[D_COUNT];
	size_t disk_pos;       /* where the current disk object starts */
};

static void position(const struct cfg_parser *p, size_t off,
		     unsigned int *line, unsigned int *col)
{
	cfg_position(p->text, p->len, off, line, col);
}

/*
 * Record an error at offset off; label is the key path or NULL. Returns 0,
 * which is what a yajl callback returns to stop the parse.
 */
static int __attribute__((format(printf, 4, 5)))
fail(struct cfg_parser *p, size_t off, const char *label, const char *fmt, ...)
{
	char msg[CHAOS_ERR_MSG_MAX];
	unsigned int line, col;
	va_list ap;

	if (p->failed)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	position(p, off, &line, &col);
	if (label)
		chaos_err_set(p->err, EINVAL, "%s:%u:%u: %s: %s", p->source,
			      line, col, label, msg);
	else
		chaos_err_set(p->err, EINVAL, "%s:%u:%u: %s", p->source, line,
			      col, msg);
	p->failed = true;
	return 0;
}

/* A value check failed: its message is in p->err; add position and key. */
static int fail_check(struct cfg_parser *p, const char *label)
{
	char why[CHAOS_ERR_MSG_MAX];

	snprintf(why, sizeof(why), "%s", p->err ? p->err->msg : "invalid");
	return fail(p, p->tok, label, "%s", why);
}

/* Every callback starts here: find where this token begins. */
static void token_begin(struct cfg_parser *p)
{
	size_t i = p->prev_end;

	while (i < p->len && (p->text[i] == ' ' || p->text[i] == '\t' ||
			      p->text[i] == '\n' || p->text[i] == '\r' ||
			      p->text[i] == ':' || p->text[i] == ','))
		i++;
	p->tok = i;
}

/* ...and ends here, returning 1 to continue or 0 to stop. */
static int token_end(struct cfg_parser *p)
{
	if (p->failed)
		return 0;
	p->prev_end = p->completing ? p->len : yajl_get_bytes_consumed(p->yajl);
	return 1;
}

/* The label for errors about the current value. */
static const char *label(const struct cfg_parser *p, char *buf, size_t size)
{
	switch (p->st) {
	case ST_VALUE:
		return key_names[p->key];
	case ST_CPUS:
		snprintf(buf, size, "cpus[%zu]", p->cpu_index);
		return buf;
	case ST_VIFS:
		snprintf(buf, size, "vifs[%zu]", p->cfg->nr_vifs);
		return buf;
	case ST_VIF_VALUE:
		snprintf(buf, size, "vifs[%zu].%s", p->cfg->nr_vifs,
			 vif_key_names[p->vkey]);
		return buf;
	case ST_DISKS:
		snprintf(buf, size, "disks[%zu]", p->cfg->nr_disks);
		return buf;
	case ST_DISK_VALUE:
		snprintf(buf, size, "disks[%zu].%s", p->cfg->nr_disks,
			 disk_key_names[p->dkey]);
		return buf;
	default:
		return NULL;
	}
}

/* What a value looked like, for "got ...". */
static void describe(enum cfg_kind kind, const char *s, size_t len,
		     char out[CFG_QUOTE_MAX])
{
	switch (kind) {
	case J_NULL:
		snprintf(out, CFG_QUOTE_MAX, "null");
		break;
	case J_BOOL:
		snprintf(out, CFG_QUOTE_MAX, "%s", len ? "true" : "false");
		break;
	case J_NUMBER:
		if (len > 24)
			snprintf(out, CFG_QUOTE_MAX, "%.24s...", s);
		else
			snprintf(out, CFG_QUOTE_MAX, "%.*s", (int)len, s);
		break;
	case J_STRING:
		cfg_quote(s, len, out);
		break;
	case J_OBJECT:
		snprintf(out, CFG_QUOTE_MAX, "an object");
		break;
	case J_ARRAY:
		snprintf(out, CFG_QUOTE_MAX, "an array");
		break;
	}
}

/* "expected <what>, got <value>" for the current value. */
static int wrong(struct cfg_parser *p, enum cfg_kind kind, const char *s,
		 size_t len, const char *what)
{
	char lbuf[48], got[CFG_QUOTE_MAX];

	describe(kind, s, len, got);
	return fail(p, p->tok, label(p, lbuf, sizeof(lbuf)),
		    "expected %s, got %s", what, got);
}

/* A JSON number that is an integer in [min, max]. */
static bool integer_in(const char *s, size_t len, uint64_t min, uint64_t max,
		       uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	bool neg = false;

	if (len && s[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == len)
		return false;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;   /* fraction or exponent */
		if (v > max)
			continue;       /* out of range anyway; avoid overflow */
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (neg && v != 0)
		return false;
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

static int copy_string(struct cfg_parser *p, char **dst, const char *s,
		       size_t len)
{
	char *copy = malloc(len + 1);

	if (!copy) {
		chaos_err_set(p->err, ENOMEM, "out of memory");
		p->failed = true;
		return 0;
	}
	memcpy(copy, s, len);
	copy[len] = '\0';
	free(*dst);
	*dst = copy;
	return 1;
}

static int top_value(struct cfg_parser *p, enum cfg_kind kind, const char *s,
		     size_t len)
{
	chaos_config *cfg = p->cfg;
	const char *key = key_names[p->key];
	uint64_t v;

	switch (p->key) {
	case K_NAME:
		if (kind != J_STRING)
			return wrong(p, kind, s, len, "a string");
		if (cfg_check_name(s, len, p->err) < 0)
			return fail_check(p, key);
		memcpy(cfg->name, s, len);
		cfg->name[len] = '\0';
		break;
	case K_KERNEL:
	case K_RAMDISK:
		if (kind != J_STRING)
			return wrong(p, kind, s, len, "a path (a string)");
		if (cfg_check_path(s, len, p->err) < 0)
			return fail_check(p, key);
		if (!copy_string(p, p->key == K_KERNEL ? &cfg->kernel :
				 &cfg->ramdisk, s, len))
			return 0;
		break;
	case K_CMDLINE:
		if (kind != J_STRING)
			return wrong(p, kind, s, len, "a string");
		if (cfg_check_cmdline(s, len, p->err) < 0)
			return fail_check(p, key);
		if (!copy_string(p, &cfg->cmdline, s, len))
			return 0;
		break;
	case K_MEMORY:
		if (kind != J_NUMBER ||
		    !integer_in(s, len, 1, CHAOS_CONFIG_MEMORY_MAX, &v))
			return wrong(p, kind, s, len,
				     "an integer from 1 to 1048576");
		cfg->memory_mib = v;
		break;
	case K_VCPUS:
		if (kind != J_NUMBER ||
		    !integer_in(s, len, 1, CHAOS_CONFIG_VCPUS_MAX, &v))
			return wrong(p, kind, s, len,
				     "an integer from 1 to 128");
		cfg->vcpus = (unsigned int)v;
		break;
	case K_CPUS:
		memset(cfg->cpumap, 0, sizeof(cfg->cpumap));
		cfg->cpus_set = true;
		if (kind == J_ARRAY) {
			p->st = ST_CPUS;
			p->cpu_index = 0;
			p->cpu_any = false;
			return 1;
		}
		if (kind != J_STRING)
			return wrong(p, kind, s, len,
				"an array of CPU numbers or a string like \"0-3,6\"");
		if (cfg_parse_cpus(s, len, cfg->cpumap, p->err) < 0)
			return fail_check(p, key);
		break;
	case K_ON_POWEROFF:
	case K_ON_REBOOT:
	case K_ON_CRASH: {
		chaos_config_action *a = p->key == K_ON_POWEROFF ?
			&cfg->on_poweroff : p->key == K_ON_REBOOT ?
			&cfg->on_reboot : &cfg->on_crash;

		if (kind != J_STRING)
			return wrong(p, kind, s, len,
				     "\"destroy\", \"restart\" or \"preserve\"");
		if (cfg_parse_action(s, len, a, p->err) < 0)
			return fail_check(p, key);
		break;
	}
	case K_DEVICES:
		if (kind != J_STRING)
			return wrong(p, kind, s, len,
				     "\"auto\", \"noxs\" or \"xenstore\"");
		if (cfg_parse_devices(s, len, &cfg->devices, p->err) < 0)
			return fail_check(p, key);
		break;
	case K_PAUSED:
		if (kind != J_BOOL)
			return wrong(p, kind, s, len, "true or false");
		cfg->paused = len != 0;
		break;
	case K_VIFS:
		if (kind != J_ARRAY)
			return wrong(p, kind, s, len, "an array of vif objects");
		p->st = ST_VIFS;
		return 1;
	case K_DISKS:
		if (kind != J_ARRAY)
			return wrong(p, kind, s, len, "an array of disk objects");
		p->st = ST_DISKS;
		return 1;
	}
	p->st = ST_OBJ;
	return 1;
}

static int disk_value(struct cfg_parser *p, enum cfg_kind kind,
		      const char *s, size_t len)
{
	chaos_config *cfg = p->cfg;
	chaos_config_disk *disk = &cfg->disks[cfg->nr_disks];
	char lbuf[48], q[CFG_QUOTE_MAX];
	const char *lab = label(p, lbuf, sizeof(lbuf));
	int same;

	if (kind != J_STRING)
		return wrong(p, kind, s, len, "a string");
	switch (p->dkey) {
	case D_TARGET:
		if (cfg_check_path(s, len, p->err) < 0)
			return fail_check(p, lab);
		if (!copy_string(p, &disk->target, s, len))
			return 0;
		break;
	case D_VDEV:
		if (cfg_parse_vdev(s, len, &disk->devid, p->err) < 0)
			return fail_check(p, lab);
		same = cfg_disk_same_vdev(cfg, cfg->nr_disks, disk->devid);
		if (same >= 0) {
			cfg_quote(s, len, q);
			return fail(p, p->tok, lab, "%s is already disks[%d]'s",
				    q, same);
		}
		memcpy(disk->vdev, s, len);
		disk->vdev[len] = '\0';
		break;
	case D_MODE:
		if (cfg_parse_disk_mode(s, len, false, &disk->readonly,
					p->err) < 0)
			return fail_check(p, lab);
		break;
	case D_KIND:
		if (cfg_parse_disk_kind(s, len, &disk->kind, p->err) < 0)
			return fail_check(p, lab);
		break;
	}
	p->st = ST_DISK;
	return 1;
}

static int vif_value(struct cfg_parser *p, enum cfg_kind kind, const char *s,
		     size_t len)
{
	chaos_config_vif *vif = &p->cfg->vifs[p->cfg->nr_vifs];
	char lbuf[48];
	const char *lab = label(p, lbuf, sizeof(lbuf));

	if (kind != J_STRING)
		return wrong(p, kind, s, len, "a string");
	switch (p->vkey) {
	case V_MAC:
		if (cfg_parse_mac(s, len, vif->mac, p->err) < 0)
			return fail_check(p, lab);
		for (size_t j = 0; j < p->cfg->nr_vifs; j++)
			if (p->cfg->vifs[j].mac_set &&
			    !memcmp(p->cfg->vifs[j].mac, vif->mac, 6))
				return fail(p, p->tok, lab,
					    "same MAC as vifs[%zu]", j);
		vif->mac_set = true;
		break;
	case V_IP:
		if (cfg_parse_ip(s, len, vif->ip, p->err) < 0)
			return fail_check(p, lab);
		vif->ip_set = true;
		break;
	case V_BRIDGE:
		if (cfg_check_bridge(s, len, p->err) < 0)
			return fail_check(p, lab);
		memcpy(vif->bridge, s, len);
		vif->bridge[len] = '\0';
		break;
	}
	p->st = ST_VIF;
	return 1;
}

/* Any value: null, boolean, number, string, or the start of a container. */
static int value(struct cfg_parser *p, enum cfg_kind kind, const char *s,
		 size_t len)
{
	uint64_t cpu;

	switch (p->st) {
	case ST_TOP:
		if (kind != J_OBJECT)
			return wrong(p, kind, s, len,
				     "a JSON object at the top level");
		p->top_pos = p->tok;
		p->st = ST_OBJ;
		return 1;
	case ST_VALUE:
		return top_value(p, kind, s, len);
	case ST_CPUS:
		if (kind != J_NUMBER ||
		    !integer_in(s, len, 0, CHAOS_CONFIG_CPUS_MAX - 1, &cpu))
			return wrong(p, kind, s, len,
				     "a CPU number from 0 to 1023");
		chaos_config_cpu_set(p->cfg, (unsigned int)cpu);
		p->cpu_index++;
		p->cpu_any = true;
		return 1;
	case ST_VIFS:
		if (kind != J_OBJECT)
			return wrong(p, kind, s, len, "a vif object");
		if (p->cfg->nr_vifs == CHAOS_CONFIG_VIFS_MAX)
			return fail(p, p->tok, "vifs",
				    "at most %d vifs are allowed",
				    CHAOS_CONFIG_VIFS_MAX);
		memset(p->vseen, 0, sizeof(p->vseen));
		p->st = ST_VIF;
		return 1;
	case ST_VIF_VALUE:
		return vif_value(p, kind, s, len);
	case ST_DISKS:
		if (kind != J_OBJECT)
			return wrong(p, kind, s, len, "a disk object");
		if (p->cfg->nr_disks == CHAOS_CONFIG_DISKS_MAX)
			return fail(p, p->tok, "disks",
				    "at most %d disks are allowed",
				    CHAOS_CONFIG_DISKS_MAX);
		memset(p->dseen, 0, sizeof(p->dseen));
		p->disk_pos = p->tok;
		p->st = ST_DISK;
		return 1;
	case ST_DISK_VALUE:
		return disk_value(p, kind, s, len);
	default:
		/* yajl only delivers values where JSON allows them. */
		return fail(p, p->tok, NULL, "unexpected value");
	}
}

static int hex4(const char *s)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/*
 * yajl turns a lone surrogate escape into '?' and pairs a high surrogate
 * with whatever escape follows, so check the raw token's \u escapes here,
 * and the decoded text once more for good measure.
 */
static bool string_ok(const struct cfg_parser *p, const char *s, size_t len)
{
	size_t end = p->completing ? p->len : yajl_get_bytes_consumed(p->yajl);
	const char *raw = p->text + p->tok;
	size_t n = end > p->tok && end <= p->len ? end - p->tok : 0;

	for (size_t i = 0; i + 1 < n; i++) {
		int u, lo;

		if (raw[i] != '\\')
			continue;
		if (raw[i + 1] != 'u' || i + 6 > n) {
			i++;            /* a one-character escape */
			continue;
		}
		u = hex4(raw + i + 2);
		if (u >= 0xdc00 && u <= 0xdfff)
			return false;
		if (u >= 0xd800 && u <= 0xdbff) {
			if (i + 12 > n || raw[i + 6] != '\\' ||
			    raw[i + 7] != 'u')
				return false;
			lo = hex4(raw + i + 8);
			if (lo < 0xdc00 || lo > 0xdfff)
				return false;
			i += 6;
		}
		i += 5;
	}
	return cfg_utf8_valid(s, len, NULL);
}

/* A key as shown in messages: bare if plain, else quoted and escaped. */
static void key_text(const char *s, size_t len, char out[CFG_QUOTE_MAX])
{
	bool plain = len > 0 && len <= 32;

	for (size_t i = 0; plain && i < len; i++)
		plain = (s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= 'A' && s[i] <= 'Z') ||
			(s[i] >= '0' && s[i] <= '9') || s[i] == '_';
	if (plain)
		snprintf(out, CFG_QUOTE_MAX, "%.*s", (int)len, s);
	else
		cfg_quote(s, len, out);
}

static int find_key(const char *const *names, int count, const char *s,
		    size_t len)
{
	for (int k = 0; k < count; k++)
		if (strlen(names[k]) == len && !memcmp(names[k], s, len))
			return k;
	return -1;
}

/* Shared by top-level and vif keys: unknown and duplicate keys fail. */
static int take_key(struct cfg_parser *p, const char *const *names, int count,
		    size_t *seen, const char *s, size_t len, const char *prefix)
{
	char text[CFG_QUOTE_MAX], lbuf[96];
	unsigned int line, col;
	int k = find_key(names, count, s, len);

	key_text(s, len, text);
	snprintf(lbuf, sizeof(lbuf), "%s%s", prefix, text);
	if (k < 0) {
		fail(p, p->tok, lbuf, "unknown key");
		return -1;
	}
	if (seen[k]) {
		position(p, seen[k] - 1, &line, &col);
		fail(p, p->tok, lbuf, "duplicate key (first at %u:%u)", line,
		     col);
		return -1;
	}
	seen[k] = p->tok + 1;
	return k;
}

static int on_key(void *ctx, const unsigned char *key, size_t len)
{
	struct cfg_parser *p = ctx;
	const char *s = (const char *)key;
	char prefix[32];
	int k;

	token_begin(p);
	if (!string_ok(p, s, len)) {
		fail(p, p->tok, NULL,
		     "invalid JSON: \\u escapes with an unpaired surrogate");
	} else if (p->st == ST_OBJ) {
		k = take_key(p, key_names, K_COUNT, p->seen, s, len, "");
		if (k >= 0) {
			p->key = k;
			p->st = ST_VALUE;
		}
	} else if (p->st == ST_VIF) {
		snprintf(prefix, sizeof(prefix), "vifs[%zu].", p->cfg->nr_vifs);
		k = take_key(p, vif_key_names, V_COUNT, p->vseen, s, len,
			     prefix);
		if (k >= 0) {
			p->vkey = k;
			p->st = ST_VIF_VALUE;
		}
	} else if (p->st == ST_DISK) {
		snprintf(prefix, sizeof(prefix), "disks[%zu].",
			 p->cfg->nr_disks);
		k = take_key(p, disk_key_names, D_COUNT, p->dseen, s, len,
			     prefix);
		if (k >= 0) {
			p->dkey = k;
			p->st = ST_DISK_VALUE;
		}
	} else {
		fail(p, p->tok, NULL, "unexpected key");
	}
	return token_end(p);
}

static int on_end_map(void *ctx)
{
	struct cfg_parser *p = ctx;

	token_begin(p);
	if (p->st == ST_VIF) {
		p->cfg->nr_vifs++;
		p->st = ST_VIFS;
	} else if (p->st == ST_DISK) {
		char lbuf[48];
		int missing = !p->dseen[D_TARGET] ? D_TARGET :
			      !p->dseen[D_VDEV] ? D_VDEV : -1;

		if (missing >= 0) {
			snprintf(lbuf, sizeof(lbuf), "disks[%zu].%s",
				 p->cfg->nr_disks, disk_key_names[missing]);
			fail(p, p->disk_pos, lbuf, "required key is missing");
		} else {
			p->cfg->nr_disks++;
			p->st = ST_DISKS;
		}
	} else if (p->st == ST_OBJ) {
		p->st = ST_DONE;
		if (!p->seen[K_KERNEL])
			fail(p, p->top_pos, "kernel",
			     "required key is missing");
	} else {
		fail(p, p->tok, NULL, "unexpected '}'");
	}
	return token_end(p);
}

static int on_end_array(void *ctx)
{
	struct cfg_parser *p = ctx;

	token_begin(p);
	if (p->st == ST_CPUS) {
		p->st = ST_OBJ;
		if (!p->cpu_any)
			fail(p, p->tok, "cpus", "the CPU list is empty");
	} else if (p->st == ST_VIFS || p->st == ST_DISKS) {
		p->st = ST_OBJ;
	} else {
		fail(p, p->tok, NULL, "unexpected ']'");
	}
	return token_end(p);
}

static int on_null(void *ctx)
{
	struct cfg_parser *p = ctx;

	token_begin(p);
	value(p, J_NULL, NULL, 0);
	return token_end(p);
}

static int on_bool(void *ctx, int b)
{
	struct cfg_parser *p = ctx;

	token_begin(p);
	value(p, J_BOOL, NULL, b ? 1 : 0);
	return token_end(p);
}

static int on_number(void *ctx, const char *s, size_t len)
{
	struct cfg_parser *p = ctx;

	token_begin(p);
	value(p, J_NUMBER, s, len);
	return token_end(p);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	struct cfg_parser *p = ctx;

	token_begin(p);
	if (!string_ok(p, (const char *)s, len))
		fail(p, p->tok, NULL,
		     "invalid JSON: \\u escapes with an unpaired surrogate");
	else
		value(p, J_STRING, (const char *)s, len);
	return token_end(p);
}

static int on_start_map(void *ctx)
{
	struct cfg_parser *p = ctx;

	token_begin(p);
	value(p, J_OBJECT, NULL, 0);
	return token_end(p);
}

static int on_start_array(void *ctx)
{
	struct cfg_parser *p = ctx;

	token_begin(p);
	value(p, J_ARRAY, NULL, 0);
	return token_end(p);
}

static const yajl_callbacks callbacks = {
	.yajl_null = on_null,
	.yajl_boolean = on_bool,
	.yajl_number = on_number,
	.yajl_string = on_string,
	.yajl_start_map = on_start_map,
	.yajl_map_key = on_key,
	.yajl_end_map = on_end_map,
	.yajl_start_array = on_start_array,
	.yajl_end_array = on_end_array,
};

/*
 * yajl stopped on bad JSON. Its offset is just past the offending token;
 * for grammar errors point at that token's start, for lexical errors at
 * the byte the lexer stopped on, and at the end for a premature end.
 */
static void syntax_error(struct cfg_parser *p, yajl_status status)
{
	unsigned char *raw = yajl_get_error(p->yajl, 0, NULL, 0);
	const char *msg = raw ? (const char *)raw : "invalid JSON";
	size_t consumed = yajl_get_bytes_consumed(p->yajl);
	size_t off, mlen;
	bool lexical = !strncmp(msg, "lexical error: ", 15);

	if (!strncmp(msg, "lexical error: ", 15))
		msg += 15;
	else if (!strncmp(msg, "parse error: ", 13))
		msg += 13;
	mlen = strcspn(msg, "\n");
	while (mlen && (msg[mlen - 1] == '.' || msg[mlen - 1] == ' '))
		mlen--;
	if (p->completing || status != yajl_status_error) {
		off = p->len;
	} else if (lexical) {
		off = consumed > p->prev_end ? consumed : p->prev_end;
	} else {
		off = p->prev_end;
		for (;;) {
			while (off < p->len && (p->text[off] == ' ' ||
			       p->text[off] == '\t' || p->text[off] == '\n' ||
			       p->text[off] == '\r'))
				off++;
			if (off + 1 < consumed && (p->text[off] == ',' ||
						   p->text[off] == ':'))
				off++;
			else
				break;
		}
	}
	if (!strncmp(msg, "premature EOF", mlen) && mlen == 13)
		fail(p, off, NULL, "invalid JSON: unexpected end of input");
	else
		fail(p, off, NULL, "invalid JSON: %.*s", (int)mlen, msg);
	if (raw)
		yajl_free_error(p->yajl, raw);
}

static bool blank(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' &&
		    text[i] != '\r')
			return false;
	return true;
}

int cfg_parse_json_buffer(const char *text, size_t len,
			  const char *source_name, chaos_config *cfg,
			  chaos_err *err)
{
	struct cfg_parser p = {
		.text = text, .len = len, .cfg = cfg, .err = err,
		.source = source_name ? source_name : "(config)",
		.st = ST_TOP,
	};
	yajl_status status;
	unsigned int line, col;
	size_t bad;

	chaos_config_init(cfg);
	if (len > CHAOS_CONFIG_FILE_MAX)
		return chaos_err_set(err, EFBIG,
				     "%s: larger than 1 MiB (%zu bytes)",
				     p.source, len);
	if (!text || blank(text, len))
		return chaos_err_set(err, EINVAL,
				     "%s: empty, expected a JSON object or xl.cfg settings",
				     p.source);
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		return chaos_err_set(err, EINVAL,
				     "%s:1:1: a byte order mark is not allowed",
				     p.source);
	/* yajl lets surrogates and overlong forms through; we do not. */
	if (!cfg_utf8_valid(text, len, &bad)) {
		position(&p, bad, &line, &col);
		return chaos_err_set(err, EINVAL, "%s:%u:%u: not valid UTF-8",
				     p.source, line, col);
	}
	p.yajl = yajl_alloc(&callbacks, NULL, &p);
	if (!p.yajl)
		return chaos_err_set(err, ENOMEM, "out of memory");
	status = yajl_parse(p.yajl, (const unsigned char *)text, len);
	if (status == yajl_status_ok) {
		p.completing = true;
		status = yajl_complete_parse(p.yajl);
	}
	if (status != yajl_status_ok && !p.failed)
		syntax_error(&p, status);
	yajl_free(p.yajl);
	if (p.failed || status != yajl_status_ok) {
		chaos_config_free(cfg);
		return -1;
	}
	return 0;
}
