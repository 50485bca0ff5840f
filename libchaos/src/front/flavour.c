// SPDX-License-Identifier: MIT
/* "memory=M,vcpus=V,vifs=K,bridge=B,size=N": a pool flavour as chaosd's
 * --pool option and `chaos pool set` write it. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/chaosd.h>

#include "front/front.h"

static int parse_num(const char *s, unsigned long long max,
		     unsigned long long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end || *out > max ? -1 : 0;
}

int chaosd_flavour_parse(const char *spec, chaosd_flavour *out,
			 chaos_err *err)
{
	char buf[128], *save = NULL;
	bool have_mem = false, have_size = false;

	memset(out, 0, sizeof(*out));
	out->vcpus = 1;
	if (strlen(spec) >= sizeof(buf))
		return chaos_err_set(err, EINVAL, "pool: '%.64s...' is too long",
				     spec);
	strcpy(buf, spec);
	for (char *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		unsigned long long v;

		if (!eq)
			return chaos_err_set(err, EINVAL,
					     "pool: '%s' is not key=value", tok);
		*eq++ = '\0';
		if (!strcmp(tok, "memory") &&
		    !parse_num(eq, CHAOS_CONFIG_MEMORY_MAX, &v) && v) {
			out->memory_mib = v;
			have_mem = true;
		} else if (!strcmp(tok, "vcpus") &&
			   !parse_num(eq, CHAOS_CONFIG_VCPUS_MAX, &v) && v) {
			out->vcpus = (unsigned int)v;
		} else if (!strcmp(tok, "vifs") &&
			   !parse_num(eq, CHAOS_CONFIG_VIFS_MAX, &v)) {
			out->vifs = (unsigned int)v;
		} else if (!strcmp(tok, "bridge")) {
			char why[CHAOS_ERR_MSG_MAX];

			if (chaos_config_check_bridge(eq, err)) {
				snprintf(why, sizeof(why), "%s",
					 err ? err->msg : "");
				return chaos_err_set(err, EINVAL, "pool: %s",
						     why);
			}
			memcpy(out->bridge, eq, strlen(eq) + 1);
		} else if (!strcmp(tok, "size") &&
			   !parse_num(eq, CHAOSD_POOL_SIZE_MAX, &v)) {
			out->size = (unsigned int)v;
			have_size = true;
		} else {
			return chaos_err_set(err, EINVAL,
					     "pool: bad %s '%s' (memory 1-%u MiB, vcpus 1-%u, vifs 0-%u, size 0-%u)",
					     tok, eq, CHAOS_CONFIG_MEMORY_MAX,
					     CHAOS_CONFIG_VCPUS_MAX,
					     CHAOS_CONFIG_VIFS_MAX,
					     CHAOSD_POOL_SIZE_MAX);
		}
	}
	if (!have_mem || !have_size)
		return chaos_err_set(err, EINVAL,
				     "pool: '%s' needs memory= and size=", spec);
	if (out->bridge[0] && !out->vifs)
		return chaos_err_set(err, EINVAL,
				     "pool: bridge=%s needs vifs= (at least 1)",
				     out->bridge);
	return 0;
}
