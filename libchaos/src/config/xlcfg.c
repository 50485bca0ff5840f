// SPDX-License-Identifier: MIT
/*
 * xl.cfg files into a chaos_config: the common subset of xl.cfg(5) for PV
 * guests (docs/config.md has the table). Each setting is checked as it
 * comes, with the JSON parser's value checks; keys chaos has no
 * equivalent for are refused by name with the reason, never ignored, and
 * so are values xl takes but chaos cannot honour (maxmem above memory,
 * type = "hvm", on_crash = "coredump-restart", ...). Settings that depend
 * on each other (root, extra and cmdline; maxmem; maxvcpus) are joined
 * once the whole file is read.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

enum xkey {
	XK_NAME, XK_TYPE, XK_BUILDER, XK_KERNEL, XK_RAMDISK, XK_CMDLINE,
	XK_ROOT, XK_EXTRA, XK_MEMORY, XK_MAXMEM, XK_VCPUS, XK_MAXVCPUS,
	XK_CPUS, XK_ON_POWEROFF, XK_ON_REBOOT, XK_ON_CRASH, XK_VIF, XK_DISK,
	XK_COUNT
};

static const char *const xkey_names[XK_COUNT] = {
	[XK_NAME] = "name", [XK_TYPE] = "type", [XK_BUILDER] = "builder",
	[XK_KERNEL] = "kernel", [XK_RAMDISK] = "ramdisk",
	[XK_CMDLINE] = "cmdline", [XK_ROOT] = "root", [XK_EXTRA] = "extra",
	[XK_MEMORY] = "memory", [XK_MAXMEM] = "maxmem", [XK_VCPUS] = "vcpus",
	[XK_MAXVCPUS] = "maxvcpus", [XK_CPUS] = "cpus",
	[XK_ON_POWEROFF] = "on_poweroff", [XK_ON_REBOOT] = "on_reboot",
	[XK_ON_CRASH] = "on_crash", [XK_VIF] = "vif", [XK_DISK] = "disk",
};

#define WHY_HVM "for HVM guests only; chaos builds PV guests"
#define WHY_DEV "this kind of device is not supported; chaos has vifs and the console"

/* xl keys chaos knows and refuses, with the reason it gives. */
static const struct {
	const char *key, *why;
} refused[] = {
	{ "bootloader", "chaos loads the kernel itself: give kernel (and ramdisk) instead of a bootloader" },
	{ "bootloader_args", "chaos runs no bootloader" },
	{ "uuid", "chaos keeps the hypervisor's handle as the domain's identity" },
	{ "cpus_soft", "soft affinity is not supported; cpus gives hard affinity" },
	{ "cpu_weight", "scheduler parameters are not supported" },
	{ "cap", "scheduler parameters are not supported" },
	{ "pool", "CPU pools are not supported" },
	{ "seclabel", "XSM labels are not supported" },
	{ "init_seclabel", "XSM labels are not supported" },
	{ "on_watchdog", "watchdogs are not supported" },
	{ "on_soft_reset", "soft reset is not supported" },
	{ "max_grant_frames", "chaos sizes grant tables itself" },
	{ "max_maptrack_frames", "chaos sizes grant tables itself" },
	{ "driver_domain", "driver domains are not supported" },
	{ "nomigrate", "not supported: every chaos guest may be migrated" },
	{ "tsc_mode", "TSC modes are not supported" },
	{ "cpuid", "CPUID policies are not supported: a guest gets its host's default one, and keeps it when it is saved or moves" },
	{ "localtime", "not supported: a PV guest keeps its own clock" },
	{ "rtc_timeoffset", "not supported: a PV guest keeps its own clock" },
	{ "e820_host", "not supported (it is for PCI passthrough)" },
	{ "pci", "PCI passthrough is not supported" },
	{ "iomem", "I/O memory passthrough is not supported" },
	{ "ioports", "I/O port passthrough is not supported" },
	{ "irqs", "IRQ passthrough is not supported" },
	{ "dtdev", "device tree passthrough is not supported" },
	{ "vfb", WHY_DEV },
	{ "vkb", WHY_DEV },
	{ "vtpm", WHY_DEV },
	{ "channel", WHY_DEV },
	{ "p9", WHY_DEV },
	{ "pvcalls", WHY_DEV },
	{ "vdispl", WHY_DEV },
	{ "vsnd", WHY_DEV },
	{ "usbctrl", WHY_DEV },
	{ "usbdev", WHY_DEV },
	{ "shadow_memory", WHY_HVM },
	{ "device_model_version", WHY_HVM },
	{ "device_model_override", WHY_HVM },
	{ "device_model_args", WHY_HVM },
	{ "firmware", WHY_HVM },
	{ "hap", WHY_HVM },
	{ "acpi", WHY_HVM },
	{ "apic", WHY_HVM },
	{ "pae", WHY_HVM },
	{ "viridian", WHY_HVM },
	{ "nestedhvm", WHY_HVM },
	{ "boot", WHY_HVM },
	{ "vnc", WHY_HVM },
	{ "sdl", WHY_HVM },
	{ "serial", WHY_HVM },
	{ "vga", WHY_HVM },
	{ "stdvga", WHY_HVM },
	{ "videoram", WHY_HVM },
	{ "usb", WHY_HVM },
	{ "usbdevice", WHY_HVM },
	{ "soundhw", WHY_HVM },
	{ "gfx_passthru", WHY_HVM },
};

struct xl_parser {
	const char *text;
	size_t len;
	const char *source;
	chaos_config *cfg;
	chaos_err *err;
	size_t seen[XK_COUNT];   /* offset + 1 of each key, or 0 */
	char *root_copy, *extra_copy; /* joined at the end */
	uint64_t maxmem, maxvcpus;
};

static int __attribute__((format(printf, 4, 5)))
xfail(struct xl_parser *p, size_t pos, const char *label, const char *fmt,
      ...)
{
	char msg[CHAOS_ERR_MSG_MAX];
	unsigned int line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cfg_position(p->text, p->len, pos, &line, &col);
	return chaos_err_set(p->err, EINVAL, "%s:%u:%u: %s: %s", p->source,
			     line, col, label, msg);
}

/* A check failed with its message in p->err: add position and key. */
static int xfail_check(struct xl_parser *p, size_t pos, const char *label)
{
	char why[CHAOS_ERR_MSG_MAX];

	snprintf(why, sizeof(why), "%s", p->err ? p->err->msg : "invalid");
	return xfail(p, pos, label, "%s", why);
}

/* A message that names its key itself ("vif[0].mac: ..."): add the position. */
static int xfail_spec(struct xl_parser *p, size_t pos)
{
	char why[CHAOS_ERR_MSG_MAX];
	unsigned int line, col;

	snprintf(why, sizeof(why), "%s", p->err ? p->err->msg : "invalid");
	cfg_position(p->text, p->len, pos, &line, &col);
	return chaos_err_set(p->err, EINVAL, "%s:%u:%u: %s", p->source, line,
			     col, why);
}

static bool is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !memcmp(s, word, len);
}

/* The setting's single value (a string or a number, both as text). */
static int one(struct xl_parser *p, const struct xl_setting *set,
	       const struct xl_atom **a)
{
	if (set->is_list)
		return xfail(p, set->value_pos, set->key,
			     "expected a single value, not a list");
	*a = &set->items[0];
	return 0;
}

/* An integer in [min, max], given as a number or a string of one. */
static int integer(struct xl_parser *p, const struct xl_setting *set,
		   uint64_t min, uint64_t max, uint64_t *out)
{
	const struct xl_atom *a = &set->items[0];
	char q[CFG_QUOTE_MAX];
	uint64_t v = 0;
	size_t i = 0;
	unsigned base = 10;

	if (one(p, set, &a))
		return -1;
	if (a->len > 2 && a->s[0] == '0' && (a->s[1] == 'x' || a->s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == a->len)
		goto bad;
	for (; i < a->len; i++) {
		char c = a->s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			goto bad;
		if (v <= max)   /* past max it is out of range anyway */
			v = v * base + d;
	}
	if (v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	cfg_quote(a->s, a->len, q);
	return xfail(p, a->pos, set->key,
		     "expected an integer from %llu to %llu, got %s",
		     (unsigned long long)min, (unsigned long long)max, q);
}

static int copy(struct xl_parser *p, char **dst, const struct xl_atom *a)
{
	char *c = strndup(a->s, a->len);

	if (!c)
		return chaos_err_set(p->err, ENOMEM, "out of memory");
	free(*dst);
	*dst = c;
	return 0;
}

static int action(struct xl_parser *p, const struct xl_setting *set,
		  chaos_config_action *out)
{
	static const char *const xl_only[] = {
		"rename-restart", "coredump-destroy", "coredump-restart",
		"soft-reset",
	};
	const struct xl_atom *a = &set->items[0];
	char q[CFG_QUOTE_MAX];

	if (one(p, set, &a))
		return -1;
	if (cfg_parse_action(a->s, a->len, out, p->err) == 0)
		return 0;
	cfg_quote(a->s, a->len, q);
	for (size_t k = 0; k < sizeof(xl_only) / sizeof(*xl_only); k++)
		if (is(a->s, a->len, xl_only[k]))
			return xfail(p, a->pos, set->key,
				     "%s is not supported by chaos (it has destroy, restart and preserve)",
				     q);
	return xfail(p, a->pos, set->key,
		     "expected \"destroy\", \"restart\" or \"preserve\", got %s",
		     q);
}

static int cpus(struct xl_parser *p, const struct xl_setting *set)
{
	const struct xl_atom *a;
	chaos_config *cfg = p->cfg;

	if (set->is_list)
		return xfail(p, set->value_pos, set->key,
			     "a list pins each vCPU on its own, which chaos does not do: give one string like \"0-3\"");
	a = &set->items[0];
	if (is(a->s, a->len, "all"))
		return 0;       /* every CPU: no pinning */
	if (memchr(a->s, '^', a->len) || memchr(a->s, ':', a->len))
		return xfail(p, a->pos, set->key,
			     "only CPU numbers and ranges like \"0-3,6\" (no \"^\" exclusions, nodes or sockets)");
	memset(cfg->cpumap, 0, sizeof(cfg->cpumap));
	if (cfg_parse_cpus(a->s, a->len, cfg->cpumap, p->err))
		return xfail_check(p, a->pos, set->key);
	cfg->cpus_set = true;
	return 0;
}

static int devices(struct xl_parser *p, const struct xl_setting *set,
		   bool disks)
{
	char label[XL_KEY_MAX + 24];

	if (!set->is_list)
		return xfail(p, set->value_pos, set->key,
			     "expected a list like [ '...', '...' ]");
	for (size_t i = 0; i < set->n; i++) {
		const struct xl_atom *a = &set->items[i];
		int rc;

		snprintf(label, sizeof(label), "%s[%zu]", set->key, i);
		rc = disks ? xl_parse_disk(a->s, a->len, label, p->cfg, p->err)
			   : xl_parse_vif(a->s, a->len, label, p->cfg, p->err);
		if (rc)
			return xfail_spec(p, a->pos);
	}
	return 0;
}

static int setting(struct xl_parser *p, const struct xl_setting *set, int k)
{
	chaos_config *cfg = p->cfg;
	const struct xl_atom *a = NULL;
	uint64_t v;

	/* Every key but these takes a single value. */
	if (k != XK_CPUS && k != XK_VIF && k != XK_DISK && one(p, set, &a))
		return -1;
	switch (k) {
	case XK_NAME:
		if (cfg_check_name(a->s, a->len, p->err))
			return xfail_check(p, a->pos, set->key);
		memcpy(cfg->name, a->s, a->len);
		cfg->name[a->len] = '\0';
		return 0;
	case XK_TYPE:
		if (is(a->s, a->len, "pv"))
			return 0;
		if (is(a->s, a->len, "pvh") || is(a->s, a->len, "hvm"))
			return xfail(p, a->pos, set->key,
				     "\"%s\" is not supported: chaos builds PV guests (type = \"pv\")",
				     a->s);
		return xfail(p, a->pos, set->key, "expected \"pv\"");
	case XK_BUILDER:
		if (is(a->s, a->len, "generic"))
			return 0;
		return xfail(p, a->pos, set->key,
			     "only \"generic\" (a PV guest): chaos builds PV guests");
	case XK_KERNEL:
	case XK_RAMDISK:
		if (cfg_check_path(a->s, a->len, p->err))
			return xfail_check(p, a->pos, set->key);
		return copy(p, k == XK_KERNEL ? &cfg->kernel : &cfg->ramdisk, a);
	case XK_CMDLINE:
		if (cfg_check_cmdline(a->s, a->len, p->err))
			return xfail_check(p, a->pos, set->key);
		return copy(p, &cfg->cmdline, a);
	case XK_ROOT:
	case XK_EXTRA:
		if (cfg_check_cmdline(a->s, a->len, p->err))
			return xfail_check(p, a->pos, set->key);
		return copy(p, k == XK_ROOT ? &p->root_copy : &p->extra_copy,
			    a);
	case XK_MEMORY:
		if (integer(p, set, 1, CHAOS_CONFIG_MEMORY_MAX, &v))
			return -1;
		cfg->memory_mib = v;
		return 0;
	case XK_MAXMEM:
		return integer(p, set, 1, CHAOS_CONFIG_MEMORY_MAX, &p->maxmem);
	case XK_VCPUS:
		if (integer(p, set, 1, CHAOS_CONFIG_VCPUS_MAX, &v))
			return -1;
		cfg->vcpus = (unsigned int)v;
		return 0;
	case XK_MAXVCPUS:
		return integer(p, set, 1, CHAOS_CONFIG_VCPUS_MAX, &p->maxvcpus);
	case XK_CPUS:
		return cpus(p, set);
	case XK_ON_POWEROFF:
		return action(p, set, &cfg->on_poweroff);
	case XK_ON_REBOOT:
		return action(p, set, &cfg->on_reboot);
	case XK_ON_CRASH:
		return action(p, set, &cfg->on_crash);
	case XK_VIF:
		return devices(p, set, false);
	case XK_DISK:
		return devices(p, set, true);
	}
	return 0;
}

static int lookup(struct xl_parser *p, const struct xl_setting *set)
{
	unsigned int line, col;

	for (int k = 0; k < XK_COUNT; k++) {
		if (strcmp(set->key, xkey_names[k]))
			continue;
		if (p->seen[k]) {
			cfg_position(p->text, p->len, p->seen[k] - 1, &line,
				     &col);
			return xfail(p, set->pos, set->key,
				     "set twice (first at %u:%u)", line, col);
		}
		p->seen[k] = set->pos + 1;
		return k;
	}
	for (size_t r = 0; r < sizeof(refused) / sizeof(*refused); r++)
		if (!strcmp(set->key, refused[r].key))
			return xfail(p, set->pos, set->key,
				     "not supported by chaos: %s",
				     refused[r].why);
	return xfail(p, set->pos, set->key,
		     "unknown or unsupported xl.cfg key (docs/config.md lists what chaos reads)");
}

/* What needs the whole file: the command line, maxmem, maxvcpus, kernel. */
static int finish(struct xl_parser *p)
{
	chaos_config *cfg = p->cfg;
	const char *root = p->root_copy, *extra = p->extra_copy;
	size_t at;
	char *line;

	if (!cfg->kernel)
		return chaos_err_set(p->err, EINVAL,
				     "%s: kernel: required key is missing",
				     p->source);
	if (p->seen[XK_MAXMEM] && p->maxmem != cfg->memory_mib)
		return xfail(p, p->seen[XK_MAXMEM] - 1, "maxmem",
			     "%llu differs from memory (%llu): chaos does not balloon, so maxmem must equal memory or be left out",
			     (unsigned long long)p->maxmem,
			     (unsigned long long)cfg->memory_mib);
	if (p->seen[XK_MAXVCPUS] && p->maxvcpus != cfg->vcpus)
		return xfail(p, p->seen[XK_MAXVCPUS] - 1, "maxvcpus",
			     "%llu differs from vcpus (%u): chaos does not hot-plug vCPUs, so maxvcpus must equal vcpus or be left out",
			     (unsigned long long)p->maxvcpus, cfg->vcpus);
	if (cfg->cmdline && (root || extra)) {
		at = p->seen[root ? XK_ROOT : XK_EXTRA] - 1;
		return xfail(p, at, root ? "root" : "extra",
			     "cannot be combined with cmdline (xl would ignore it; say it in cmdline instead)");
	}
	if (!root && !extra)
		return 0;
	/* xl's rule: "root=<root> <extra>", either part alone if single. */
	if (asprintf(&line, "%s%s%s%s", root ? "root=" : "", root ? root : "",
		     root && extra ? " " : "", extra ? extra : "") < 0)
		return chaos_err_set(p->err, ENOMEM, "out of memory");
	if (cfg_check_cmdline(line, strlen(line), p->err)) {
		free(line);
		return xfail_check(p, p->seen[extra ? XK_EXTRA : XK_ROOT] - 1,
				   extra ? "extra" : "root");
	}
	cfg->cmdline = line;
	return 0;
}

int chaos_config_parse_xl_buffer(const char *text, size_t len,
				 const char *source_name, chaos_config *cfg,
				 chaos_err *err)
{
	struct xl_parser p = {
		.text = text, .len = len, .cfg = cfg, .err = err,
		.source = source_name ? source_name : "(config)",
	};
	struct xl_setting set;
	struct xl_lexer lx;
	unsigned int line, col;
	const char *nul;
	char *buf;
	size_t bad;
	int rc = -1, more;

	chaos_config_init(cfg);
	if (len > CHAOS_CONFIG_FILE_MAX)
		return chaos_err_set(err, EFBIG,
				     "%s: larger than 1 MiB (%zu bytes)",
				     p.source, len);
	if (!text)
		return chaos_err_set(err, EINVAL, "%s: no text", p.source);
	nul = memchr(text, '\0', len);
	if (nul || !cfg_utf8_valid(text, len, &bad)) {
		cfg_position(text, len, nul ? (size_t)(nul - text) : bad, &line,
			     &col);
		return chaos_err_set(err, EINVAL, "%s:%u:%u: %s", p.source,
				     line, col, nul ? "a NUL byte" :
				     "not valid UTF-8");
	}
	buf = malloc(len + XL_LIST_MAX + 1);
	if (!buf)
		return chaos_err_set(err, ENOMEM, "out of memory");
	xl_lex_init(&lx, text, len, buf);
	while ((more = xl_lex_next(&lx, &set, err)) > 0) {
		int k = lookup(&p, &set);

		if (k < 0 || setting(&p, &set, k))
			goto out;
	}
	if (more < 0) {
		/* The lexer's message names its key itself. */
		xfail_spec(&p, lx.err_pos);
		goto out;
	}
	rc = finish(&p);
out:
	free(buf);
	free(p.root_copy);
	free(p.extra_copy);
	if (rc)
		chaos_config_free(cfg);
	return rc;
}
