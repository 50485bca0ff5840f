// SPDX-License-Identifier: MIT
/* A config file's path made absolute, without a look at the file system. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "abs_path.h"

int cli_absolute_path(const char *path, const char *cwd, char *out,
		      size_t len)
{
	char here[PATH_MAX];
	int n;

	if (!path[0]) {
		errno = ENOENT;
		return -1;
	}
	if (path[0] != '/') {
		if (!cwd && !(cwd = getcwd(here, sizeof(here))))
			return -1;
		while (path[0] == '.' && path[1] == '/') {
			path += 2;
			while (path[0] == '/')
				path++;
		}
	}
	n = path[0] == '/' ? snprintf(out, len, "%s", path) :
	    snprintf(out, len, "%s%s%s", cwd,
		     cwd[0] && cwd[strlen(cwd) - 1] == '/' ? "" : "/",
		     path[0] ? path : ".");
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}
