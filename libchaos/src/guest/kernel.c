// SPDX-License-Identifier: MIT
/* Kernels read once, kept by a daemon; shells primed for them. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chaos/kernel.h>

#include "guest/guest.h"
#include "util/util.h"

struct chaos_kernel {
	atomic_uint refs;
	char *path;
	struct chaos_file_id id;
	struct chaos_image img;
};

void chaos_file_id_of(const struct stat *st, struct chaos_file_id *id)
{
	memset(id, 0, sizeof(*id));
	id->dev = (uint64_t)st->st_dev;
	id->ino = (uint64_t)st->st_ino;
	id->size = (int64_t)st->st_size;
	id->mtime_s = (int64_t)st->st_mtim.tv_sec;
	id->mtime_ns = (int64_t)st->st_mtim.tv_nsec;
	id->ctime_s = (int64_t)st->st_ctim.tv_sec;
	id->ctime_ns = (int64_t)st->st_ctim.tv_nsec;
}

size_t chaos_kernel_limit(uint64_t memory_mib)
{
	if (!memory_mib || memory_mib >= CHAOS_IMAGE_ELF_MAX >> 20)
		return CHAOS_IMAGE_ELF_MAX;
	return (size_t)memory_mib << 20;
}

int chaos_kernel_open(const char *path, const chaos_cred *as,
		      chaos_kernel **out, chaos_err *err)
{
	return chaos_kernel_open_bounded(path, as, 0, out, err);
}

int chaos_kernel_open_bounded(const char *path, const chaos_cred *as,
			      uint64_t memory_mib, chaos_kernel **out,
			      chaos_err *err)
{
	struct chaos_fscred_saved saved;
	struct stat st;
	chaos_kernel *k;
	int fd, rc;

	*out = NULL;
	if (!path)
		return chaos_err_set(err, EINVAL, "kernel: no path");
	k = calloc(1, sizeof(*k));
	if (!k || !(k->path = strdup(path))) {
		free(k);
		return chaos_err_set(err, ENOMEM, "out of memory for a kernel");
	}
	atomic_init(&k->refs, 1);
	if (guest_fscred_enter(as, &saved, err))
		goto fail;
	fd = chaos_open_regular(path, "", &st, err);
	chaos_fscred_leave(&saved);
	if (fd < 0)
		goto fail;
	chaos_file_id_of(&st, &k->id);
	rc = chaos_image_from_fd(fd, &st, path, chaos_kernel_limit(memory_mib),
				 &k->img, err);
	close(fd);
	if (rc)
		goto fail;
	*out = k;
	return 0;
fail:
	free(k->path);
	free(k);
	return -1;
}

/* Whether a file (st: its stat) is the one k was read from. */
static int file_matches(const chaos_kernel *k, const struct stat *st)
{
	struct chaos_file_id id;

	chaos_file_id_of(st, &id);
	return !memcmp(&id, &k->id, sizeof(id));
}

bool chaos_kernel_is_current(const chaos_kernel *k, const chaos_cred *as)
{
	struct chaos_fscred_saved saved;
	struct stat st;
	bool same;

	if (!k || guest_fscred_enter(as, &saved, NULL))
		return false;
	/* The same file, and readable with as's rights: a stat and an
	 * access check, not an open (three calls, in each create); for
	 * root, the stat alone. */
	same = stat(k->path, &st) == 0 && file_matches(k, &st) &&
	       guest_check_readable(as, k->path, &st, "", NULL) == 0;
	chaos_fscred_leave(&saved);
	return same;
}

const struct chaos_image *chaos_kernel_image(const chaos_kernel *k)
{
	return &k->img;
}

const char *chaos_kernel_path(const chaos_kernel *k)
{
	return k ? k->path : NULL;
}

chaos_kernel *chaos_kernel_ref(chaos_kernel *k)
{
	if (k)
		atomic_fetch_add(&k->refs, 1);
	return k;
}

void chaos_kernel_unref(chaos_kernel *k)
{
	if (!k || atomic_fetch_sub(&k->refs, 1) != 1)
		return;
	chaos_image_release(&k->img);
	free(k->path);
	free(k);
}

/* The layout a ramdisk-less boot of k in shell takes. */
static int kernel_layout(const chaos_shell *shell, const chaos_kernel *k,
			 struct chaos_pv_layout *lay, chaos_err *err)
{
	return chaos_pv_layout_compute(&k->img, shell->nr_pages, 0, lay, err);
}

int chaos_shell_prime(chaos_host *host, chaos_shell *shell,
		      const chaos_kernel *k, chaos_err *err)
{
	struct chaos_pv_layout lay;

	if (!host || !shell || !k)
		return chaos_err_set(err, EINVAL, "prime: no host, shell or kernel");
	if (kernel_layout(shell, k, &lay, err))
		return -1;
	if (chaos_shell_prime_layout(host, shell, &lay, true, err) == 0)
		return 0;
	/* Destroyed behind its owner's back: say so, whatever step failed. */
	if (!chaos_shell_destroyed(host, shell))
		return -1;
	return chaos_err_set(err, ESRCH,
			     "prime: the shell's domain %u was destroyed by someone else",
			     shell->domid);
}

bool chaos_shell_is_primed_for(const chaos_shell *shell, const chaos_kernel *k)
{
	struct chaos_pv_layout lay;

	return shell && k && kernel_layout(shell, k, &lay, NULL) == 0 &&
	       chaos_shell_primed_as(shell, &lay);
}
