/* SPDX-License-Identifier: MIT */
#ifndef CHAOSD_KERNELS_H
#define CHAOSD_KERNELS_H

#include <pthread.h>
#include <stdint.h>

#include <chaos/chaos.h>

/*
 * The kernels chaosd has read, by path: a create of a kernel read before
 * skips reading, checking and decompressing it again. Each is read with
 * the rights of the client that asked, and used again only while the
 * file, opened with the asking client's rights, is the same file (device,
 * inode, size, times): a client never gets a kernel it could not read,
 * nor an old copy of a file changed since. Any thread (creates run on
 * worker threads): a lock guards it.
 */
#define KERNELS_MAX 8

struct kernels {
	pthread_mutex_t lock;
	struct {
		chaos_kernel *k;
		uint64_t used;       /* tick of its last use: the oldest goes */
	} slot[KERNELS_MAX];
	uint64_t tick;
	uint64_t hits, reads;
};

/* The kernel at path for as (a new reference), read now unless kept and
 * current; NULL if it cannot be read, with err (if not NULL) saying why
 * (a create reads it itself then, and reports why as it always did). A
 * read is bounded by the memory of the guest it is for (memory_mib): a
 * bomb costs no more than that. */
chaos_kernel *kernels_get(struct kernels *ks, const char *path,
			  uint64_t memory_mib, const chaos_cred *as,
			  chaos_err *err);

/* Ready to use, empty. */
void kernels_init(struct kernels *ks);
/* Drop every kernel kept, and the lock. */
void kernels_clear(struct kernels *ks);

#endif
