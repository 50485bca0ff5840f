// SPDX-License-Identifier: MIT
/* The kernels chaosd has read: kept by path while their file stays. */
#include <string.h>

#include "kernels.h"

static int find(const struct kernels *ks, const char *path)
{
	for (int i = 0; i < KERNELS_MAX; i++)
		if (ks->slot[i].k &&
		    !strcmp(chaos_kernel_path(ks->slot[i].k), path))
			return i;
	return -1;
}

/* A free slot, or the one used longest ago (emptied). */
static int victim(struct kernels *ks)
{
	int oldest = 0;

	for (int i = 0; i < KERNELS_MAX; i++) {
		if (!ks->slot[i].k)
			return i;
		if (ks->slot[i].used < ks->slot[oldest].used)
			oldest = i;
	}
	chaos_kernel_unref(ks->slot[oldest].k);
	ks->slot[oldest].k = NULL;
	return oldest;
}

void kernels_init(struct kernels *ks)
{
	memset(ks, 0, sizeof(*ks));
	pthread_mutex_init(&ks->lock, NULL);
}

/* Called locked. */
static chaos_kernel *get_locked(struct kernels *ks, const char *path,
				uint64_t memory_mib, const chaos_cred *as,
				chaos_err *err)
{
	chaos_kernel *k;
	int i = find(ks, path);

	if (i >= 0 && chaos_kernel_is_current(ks->slot[i].k, as)) {
		ks->slot[i].used = ++ks->tick;
		ks->hits++;
		return chaos_kernel_ref(ks->slot[i].k);
	}
	if (chaos_kernel_open_bounded(path, as, memory_mib, &k, err))
		return NULL;
	ks->reads++;
	if (i < 0)
		i = victim(ks);
	else
		chaos_kernel_unref(ks->slot[i].k);
	ks->slot[i].k = k;
	ks->slot[i].used = ++ks->tick;
	return chaos_kernel_ref(k);
}

chaos_kernel *kernels_get(struct kernels *ks, const char *path,
			  uint64_t memory_mib, const chaos_cred *as,
			  chaos_err *err)
{
	chaos_kernel *k;

	if (!path)
		return NULL;
	pthread_mutex_lock(&ks->lock);
	k = get_locked(ks, path, memory_mib, as, err);
	pthread_mutex_unlock(&ks->lock);
	return k;
}

void kernels_clear(struct kernels *ks)
{
	for (int i = 0; i < KERNELS_MAX; i++) {
		chaos_kernel_unref(ks->slot[i].k);
		ks->slot[i].k = NULL;
	}
	pthread_mutex_destroy(&ks->lock);
}
