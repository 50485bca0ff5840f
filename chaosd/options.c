// SPDX-License-Identifier: MIT
/* chaosd's command line and its small config file (same keywords). */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "events.h"
#include "options.h"

#define CONFIG_LINE_MAX 512

static const char usage[] =
	"usage: chaosd [-f] [--pool memory=M,vcpus=V,vifs=K[,bridge=B],size=N]... [--group NAME]\n"
	"              [--allow-larger] [--no-virq] [--quota SPEC] [--quota-root SPEC]\n"
	"              [--events-queue N] [--socket PATH] [--state-dir DIR]\n"
	"              [--pid-file PATH] [--prime-kernel PATH] [--config FILE]\n"
	"  -f, --foreground  stay in the foreground, log to stderr\n"
	"  --pool SPEC       keep N shells of M MiB, V vCPUs and K vifs (repeatable)\n"
	"  --prime-kernel PATH\n"
	"                    read this guest kernel at start and prime every\n"
	"                    flavour's shells for it, so that the first create\n"
	"                    of it is as fast as the next ones\n"
	"  --group NAME|GID  members of the group may use the socket (besides\n"
	"                    root)\n"
	"  --allow-larger    a create may take a larger shell when its own\n"
	"                    flavour is empty\n"
	"  --no-virq         do not bind VIRQ_DOM_EXC (xenstored needs it when\n"
	"                    it runs too); poll for stopped guests instead\n"
	"  --quota guests=N,memory=M,pool=P\n"
	"                    what each client other than root may hold: guests,\n"
	"                    MiB of guests and pool shells, pool shells\n"
	"  --quota-root SPEC the same for root (exempt unless given)\n"
	"  --events-queue N  events a subscriber may have waiting before it\n"
	"                    loses some (and is told how many); 16 to 65536,\n"
	"                    default 1024\n"
	"config file: one option per line without the dashes, e.g.\n"
	"  pool memory=4,vcpus=1,size=20\n  group chaos\n  allow-larger\n"
	"  quota guests=4,memory=256,pool=4\n";

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
		/* A flavour is its memory, vCPUs, vifs and bridge (as in
		 * the pool): the same one again changes its size. */
		for (unsigned int i = 0; i < o->nr_pools; i++)
			if (o->pools[i].memory_mib == p.memory_mib &&
			    o->pools[i].vcpus == p.vcpus &&
			    o->pools[i].vifs == p.vifs &&
			    !strcmp(o->pools[i].bridge, p.bridge)) {
				o->pools[i] = p;
				return 0;
			}
		if (o->nr_pools == CHAOSD_FLAVOURS_MAX)
			return derr(err, EINVAL, "pool: at most %d flavours",
				    CHAOSD_FLAVOURS_MAX);
		o->pools[o->nr_pools++] = p;
	} else if (!strcmp(name, "quota") || !strcmp(name, "quota-root")) {
		bool root = !strcmp(name, "quota-root");

		if (quota_parse(val, root ? &o->quota_root : &o->quota, err))
			return -1;
		*(root ? &o->quota_root_set : &o->quota_set) = true;
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
	} else if (!strcmp(name, "prime-kernel")) {
		/* Read as chaosd, before any client asks: a path that depends
		 * on a working directory would be a surprise. */
		if (val[0] != '/' || strlen(val) >= CHAOS_CONFIG_PATH_MAX)
			return derr(err, EINVAL,
				    "prime-kernel: expected an absolute path under %d bytes",
				    CHAOS_CONFIG_PATH_MAX);
		o->prime_kernel = keep(val);
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
	} else if (!strcmp(name, "events-queue")) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(val, &end, 10);
		if (errno || *end || *val < '0' || *val > '9' || v < 16 ||
		    v > 65536)
			return derr(err, EINVAL,
				    "events-queue: expected a number from 16 to 65536");
		o->events_queue = (unsigned int)v;
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
	o->events_queue = EVENTS_QUEUE_LEN;
	/* getopt_long: --opt=value, "--" and -fh bundled work; each long
	 * option goes to apply() by its name, as a config file line does. */
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "allow-larger", no_argument, NULL, 0 },
		{ "no-virq", no_argument, NULL, 0 },
		{ "pool", required_argument, NULL, 0 },
		{ "group", required_argument, NULL, 0 },
		{ "quota", required_argument, NULL, 0 },
		{ "quota-root", required_argument, NULL, 0 },
		{ "socket", required_argument, NULL, 0 },
		{ "state-dir", required_argument, NULL, 0 },
		{ "pid-file", required_argument, NULL, 0 },
		{ "config", required_argument, NULL, 0 },
		{ "events-queue", required_argument, NULL, 0 },
		{ "prime-kernel", required_argument, NULL, 0 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, idx;

	optind = 0;	/* a fresh scan (the unit tests parse several times) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "fh", longopts, &idx)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return 1;
		case 'f':
			o->foreground = true;
			break;
		case 0:
			if (apply(o, longopts[idx].name, optarg, err))
				return -1;
			break;
		default:
			/* An option missing its value, or one chaosd does not know. */
			for (int i = 0; longopts[i].name; i++)
				if (longopts[i].has_arg == required_argument &&
				    !strcmp(argv[optind - 1] + 2, longopts[i].name))
					return derr(err, EINVAL, "%s: needs a value",
						    argv[optind - 1]);
			return derr(err, EINVAL, "unexpected argument '%s'",
				    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return derr(err, EINVAL, "unexpected argument '%s'",
			    argv[optind]);
	return 0;
}
