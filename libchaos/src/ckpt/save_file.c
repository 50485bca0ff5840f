// SPDX-License-Identifier: MIT
/*
 * A save's file for callers that hand the descriptor on (to
 * chaos_checkpoint_save_fd, or through chaosd, which never opens a path
 * for a client): made and committed as chaos_checkpoint_save does it.
 */
#include "ckpt/ckpt.h"

int chaos_checkpoint_file_begin(const char *path, char *tmp, size_t tmp_len,
				chaos_err *err)
{
	return chaos_file_create_temp(path, tmp, tmp_len, err);
}

int chaos_checkpoint_file_commit(int fd, const char *tmp, const char *path,
				 chaos_err *err)
{
	/* The guest may be gone already: its image is never thrown away. */
	return chaos_file_commit(fd, tmp, path, true, err);
}
