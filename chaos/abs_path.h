/* SPDX-License-Identifier: MIT */
/* A config file's path as chaosd records it for restarts. */
#ifndef CHAOS_CLI_ABS_PATH_H
#define CHAOS_CLI_ABS_PATH_H

#include <stddef.h>

/*
 * path made absolute against cwd (NULL: the process's working directory,
 * one getcwd), into out (len bytes): an absolute path as given, a
 * relative one after cwd, without its leading "./". Not resolved: the
 * kernel resolves links and ".." when a restart opens it, as it did when
 * the file was read, so looking at each component (realpath) would only
 * cost a system call per component in every create. 0, or -1 with errno
 * (ENAMETOOLONG when it does not fit).
 */
int cli_absolute_path(const char *path, const char *cwd, char *out,
		      size_t len);

#endif
