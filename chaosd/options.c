// SPDX-License-Identifier: MIT
/* chaosd's command line and its small config file (same keywords). */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "options.h"

#define CONFIG_LINE_MAX 512

static const char usage[] =
	"usage: chaosd [-f] [--pool memory=M,vcpus=V,vifs=K,size=N]... [--group NAME]\n"
	"              [--allow-larger] [--socket PATH] [--state-dir DIR]\n"
	"              [--pid-file PATH] [--config FILE]\n"
	"  -f, --foreground  stay in the foreground, log to stderr\n"
	"  --pool SPEC       keep N shells of M MiB, V vCPUs and K vifs (repeatable)\n"
	"  --group NAME|GID  members of the group may use the socket (besides\n"
	"                    root)\n"
	"  --allow-larger    a create may take a larger shell when its own\n"
	"                    flavour is empty\n"
	"  --no-virq         do not bind VIRQ_DOM_EXC (xenstored needs it when\n"
	"                    it runs too); poll for stopped guests instead\n"
	"config file: one option per line without the dashes, e.g.\n"
	"  pool memory=4,vcpus=1,size=20\n  group chaos\n  allow-larger\n";

/* A numeric gid, 1 to 4294967294 (-1 is "no group" to the kernel). */
static int parse_gid(const char *s, gid_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0 || v > 0xfffffffeu)
		return -1;
	*out = (gid_t)v;
	return 0;
}

static char *keep(const char *s)
{
	char *c = strdup(s);

	if (!c) {
		fprintf(stderr, "chaosd: out of memory\n");
		exit(1);
	}
	return c;
}

/* One option: name without dashes, value or NULL. */
static int apply(struct chaosd_options *o, const char *name, const char *val,
		 chaos_err *err);

static int read_config(struct chaosd_options *o, const char *path,
		       chaos_err *err)
{
	char line[CONFIG_LINE_MAX];
	unsigned int lineno = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return derr(err, errno, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *val;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			fclose(f);
			return derr(err, EINVAL, "%s:%u: line too long", path,
				    lineno);
		}
		line[strcspn(line, "\r\n#")] = '\0';
		p += strspn(p, " \t");
		if (!*p)
			continue;
		val = p + strcspn(p, " \t");
		if (*val) {
			*val++ = '\0';
			val += strspn(val, " \t");
			val[strcspn(val, " \t")] = '\0';
		}
		if (!strcmp(p, "config") ||
		    apply(o, p, *val ? val : NULL, err)) {
			char why[CHAOS_ERR_MSG_MAX];

			snprintf(why, sizeof(why), "%s",
				 strcmp(p, "config") ? err->msg :
				 "config: not allowed in a config file");
			fclose(f);
			return derr(err, EINVAL, "%s:%u: %s", path, lineno, why);
		}
	}
	fclose(f);
	return 0;
}

static int apply(struct chaosd_options *o, const char *name, const char *val,
		 chaos_err *err)
{
	bool needs_val = strcmp(name, "f") && strcmp(name, "foreground") &&
			 strcmp(name, "allow-larger") && strcmp(name, "no-virq");

	if (needs_val && !val)
		return derr(err, EINVAL, "%s: needs a value", name);
	if (!needs_val && val)
		return derr(err, EINVAL, "%s: takes no value", name);
	if (!strcmp(name, "f") || !strcmp(name, "foreground")) {
		o->foreground = true;
	} else if (!strcmp(name, "allow-larger")) {
		o->allow_larger = true;
	} else if (!strcmp(name, "no-virq")) {
		o->no_virq = true;
	} else if (!strcmp(name, "pool")) {
		chaosd_flavour p = { 0 };

		if (chaosd_flavour_parse(val, &p, err))
			return -1;
		for (unsigned int i = 0; i < o->nr_pools; i++)
			if (o->pools[i].memory_mib == p.memory_mib &&
			    o->pools[i].vcpus == p.vcpus) {
				o->pools[i] = p;
				return 0;
			}
		if (o->nr_pools == CHAOSD_FLAVOURS_MAX)
			return derr(err, EINVAL, "pool: at most %d flavours",
				    CHAOSD_FLAVOURS_MAX);
		o->pools[o->nr_pools++] = p;
	} else if (!strcmp(name, "group")) {
		struct group *g = getgrnam(val);

		/* A name from the group database, or a numeric gid. */
		if (g)
			o->group = g->gr_gid;
		else if (parse_gid(val, &o->group))
			return derr(err, EINVAL,
				    "group: no group named '%s' (and not a gid from 1 to 4294967294)",
				    val);
		o->group_set = true;
	} else if (!strcmp(name, "socket") || !strcmp(name, "pid-file") ||
		   !strcmp(name, "state-dir")) {
		if (val[0] != '/' || strlen(val) >= 200)
			return derr(err, EINVAL,
				    "%s: expected an absolute path under 200 bytes",
				    name);
		if (!strcmp(name, "socket"))
			o->socket_path = keep(val);
		else if (!strcmp(name, "pid-file"))
			o->pid_path = keep(val);
		else
			o->state_dir = keep(val);
	} else if (!strcmp(name, "config")) {
		return read_config(o, val, err);
	} else {
		return derr(err, EINVAL, "unknown option '%s'", name);
	}
	return 0;
}

int chaosd_options_parse(int argc, char **argv, struct chaosd_options *o,
			 chaos_err *err)
{
	memset(o, 0, sizeof(*o));
	o->socket_path = CHAOSD_SOCKET;
	o->pid_path = CHAOSD_PID_FILE;
	o->state_dir = CHAOS_STATE_DIR;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *name, *val = NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			return 1;
		}
		if (!strcmp(a, "-f")) {
			o->foreground = true;
			continue;
		}
		if (strncmp(a, "--", 2))
			return derr(err, EINVAL, "unexpected argument '%s'", a);
		name = a + 2;
		if (strcmp(name, "foreground") && strcmp(name, "allow-larger") &&
		    strcmp(name, "no-virq")) {
			if (i + 1 >= argc)
				return derr(err, EINVAL, "%s: needs a value", a);
			val = argv[++i];
		}
		if (apply(o, name, val, err))
			return -1;
	}
	return 0;
}
