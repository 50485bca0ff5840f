/* SPDX-License-Identifier: MIT */
#ifndef CHAOSD_OPTIONS_H
#define CHAOSD_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <chaos/chaosd.h>

#include "owner.h"

struct chaosd_options {
	bool foreground;
	bool allow_larger;
	bool no_virq;             /* reaper polls instead of VIRQ_DOM_EXC */
	bool group_set;
	gid_t group;
	const char *socket_path;
	const char *pid_path;
	const char *state_dir;
	const char *prime_kernel; /* read at start, every flavour primed for it */
	bool quota_set, quota_root_set;
	struct quota quota;       /* every owner but root */
	struct quota quota_root;  /* root, only if given */
	unsigned int events_queue; /* events each subscriber may have waiting */
	unsigned int nr_pools;
	chaosd_flavour pools[CHAOSD_FLAVOURS_MAX];
};

/* Command line (and --config FILE). Returns 0 to run, 1 when --help was
 * printed, -1 on a bad option (err says which). */
int chaosd_options_parse(int argc, char **argv, struct chaosd_options *o,
			 chaos_err *err);

#endif
