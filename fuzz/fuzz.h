/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_FUZZ_H
#define CHAOS_FUZZ_H

/* Shared by the targets: FUZZ_VERBOSE=1 in the environment prints how far
 * an input got (to check that a seed gets where it should). */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline int fz_verbose(void)
{
	static int v = -1;

	if (v < 0)
		v = getenv("FUZZ_VERBOSE") != NULL;
	return v;
}

#define FZ_SAY(...)                                                          \
	do {                                                                 \
		if (fz_verbose())                                            \
			fprintf(stderr, "fuzz: " __VA_ARGS__);               \
	} while (0)

/*
 * The host a target pretends to run on: a receiver asks Xen for the
 * domain (chaos_restore_shell) before it allocates anything for a
 * stream's claimed size, and Xen refuses a claim above what the host
 * has. Only the claims a host could grant go on to the bookkeeping.
 */
#define FZ_HOST_PAGES (2048u * 256u)	/* 2 GiB */

/*
 * A private directory for a target that reads a file (tmpfs when there is
 * one), holding one file named (name): its path in fz_file, removed with
 * the directory at exit.
 */
static char fz_dir[64] __attribute__((unused)), fz_file[96] __attribute__((unused));

static inline void fz_private_cleanup(void)
{
	unlink(fz_file);
	rmdir(fz_dir);
}

static inline void fz_private_file(const char *name)
{
	snprintf(fz_dir, sizeof(fz_dir), "%s/chaos-fuzz-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(fz_dir))
		abort();
	snprintf(fz_file, sizeof(fz_file), "%s/%s", fz_dir, name);
	atexit(fz_private_cleanup);
}

#endif
