// SPDX-License-Identifier: MIT
/* chaos pool [set memory=M,vcpus=V,vifs=K,size=N]: chaosd's shell pools. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/chaos.h>
#include <chaos/chaosd.h>
#include "commands.h"

static int parse_u(const char *s, unsigned long long max,
		   unsigned long long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end || *out > max ? -1 : 0;
}

/* "memory=4,vcpus=1,vifs=1,size=20" (vcpus defaults to 1, vifs to 0). */
static int parse_spec(const char *spec, chaosd_flavour *fl)
{
	char buf[128], *save = NULL;
	int have = 0;

	if (strlen(spec) >= sizeof(buf))
		return -1;
	strcpy(buf, spec);
	memset(fl, 0, sizeof(*fl));
	fl->vcpus = 1;
	for (char *t = strtok_r(buf, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		char *v = strchr(t, '=');
		unsigned long long n;

		if (!v)
			return -1;
		*v++ = '\0';
		if (!strcmp(t, "memory") &&
		    !parse_u(v, CHAOS_CONFIG_MEMORY_MAX, &n) && n) {
			fl->memory_mib = n;
			have |= 1;
		} else if (!strcmp(t, "vcpus") &&
			   !parse_u(v, CHAOS_CONFIG_VCPUS_MAX, &n) && n) {
			fl->vcpus = (unsigned int)n;
		} else if (!strcmp(t, "vifs") &&
			   !parse_u(v, CHAOS_CONFIG_VIFS_MAX, &n)) {
			fl->vifs = (unsigned int)n;
		} else if (!strcmp(t, "size") &&
			   !parse_u(v, CHAOSD_POOL_SIZE_MAX, &n)) {
			fl->size = (unsigned int)n;
			have |= 2;
		} else {
			return -1;
		}
	}
	return have == 3 ? 0 : -1;
}

static int show(chaosd_conn *c)
{
	chaosd_flavour *fl;
	size_t n;
	bool larger;
	chaos_err err;

	if (chaosd_pool_get(c, &fl, &n, &larger, &err)) {
		cli_error("%s", err.msg);
		return 1;
	}
	printf("%-10s %5s %5s %5s %5s\n", "Memory", "VCPUs", "Vifs", "Size",
	       "Ready");
	for (size_t i = 0; i < n; i++)
		printf("%-10llu %5u %5u %5u %5u\n",
		       (unsigned long long)fl[i].memory_mib, fl[i].vcpus,
		       fl[i].vifs, fl[i].size, fl[i].ready);
	printf("allow_larger: %s\n", larger ? "yes" : "no");
	free(fl);
	return 0;
}

int cmd_pool(int argc, char **argv)
{
	chaosd_flavour want = { 0 };
	chaosd_conn *c;
	chaos_err err;
	int rc = 0;

	if (argc == 3 && !strcmp(argv[1], "set")) {
		if (parse_spec(argv[2], &want)) {
			cli_error("pool: '%s' is not memory=M[,vcpus=V][,vifs=K],size=N",
				  argv[2]);
			return 2;
		}
	} else if (argc != 1) {
		cli_error("usage: chaos pool [set memory=M,vcpus=V,vifs=K,size=N]");
		return 2;
	}
	if (chaosd_connect(NULL, &c, &err)) {
		cli_error("%s (is chaosd running?)", err.msg);
		return 1;
	}
	if (argc == 1) {
		rc = show(c);
	} else if (chaosd_pool_set(c, &want, &err)) {
		cli_error("%s", err.msg);
		rc = 1;
	}
	chaosd_close(c);
	return rc;
}
