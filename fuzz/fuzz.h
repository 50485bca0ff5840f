/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_FUZZ_H
#define CHAOS_FUZZ_H

/* Shared by the targets: FUZZ_VERBOSE=1 in the environment prints how far
 * an input got (to check that a seed gets where it should). */

#include <stdio.h>
#include <stdlib.h>

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

#endif
