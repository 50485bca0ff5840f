// SPDX-License-Identifier: MIT
/*
 * A container's directory under --root: its name from the id (checked
 * to be one plain path component), and its removal with the files
 * chaos-oci keeps there.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"

int oci_container_dir(const char *root, const char *id, char *buf,
		      size_t size, chaos_err *err)
{
	size_t n = strlen(id);

	/* The id names a directory: one plain path component. */
	if (!n || n > OCI_ID_MAX || strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz0123456789_+.-") != n ||
	    !strcmp(id, ".") || !strcmp(id, ".."))
		return oci_fail(err, EINVAL,
				"container id '%.64s': not 1 to %d of A-Z a-z 0-9 _ + . -",
				id, OCI_ID_MAX);
	if ((size_t)snprintf(buf, size, "%s/%s", root, id) >= size)
		return oci_fail(err, ENAMETOOLONG, "--root: path too long");
	return 0;
}

void oci_container_remove(const char *dir)
{
	static const char *const files[] = { "state.json", "state.json.tmp",
					     "guest.json", "guest.json.tmp",
					     OCI_START_FIFO };
	char path[PATH_MAX + 32];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	if (rmdir(dir) && errno != ENOENT)
		oci_error("%s: %s", dir, strerror(errno));
}
