// SPDX-License-Identifier: MIT
/*
 * rig-as: run a command as another user, for permission tests in dom0
 * (busybox has no setpriv --reuid and no setuidgid).
 *   rig-as UID GID[,GROUP...] CMD [ARGS...]
 * GID is the primary group; the others are the supplementary groups (none
 * when only GID is given). Needs root; drops everything before exec.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_GROUPS 32

static int parse_id(const char *s, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || end == s || *end || *out > 0xfffffffeUL ? -1 : 0;
}

int main(int argc, char **argv)
{
	gid_t groups[MAX_GROUPS];
	size_t ngroups = 0;
	unsigned long uid, id;
	char *list, *tok, *save = NULL;

	if (argc < 4 || parse_id(argv[1], &uid)) {
		fprintf(stderr, "usage: rig-as UID GID[,GROUP...] CMD [ARGS...]\n");
		return 2;
	}
	list = argv[2];
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (parse_id(tok, &id) || ngroups == MAX_GROUPS) {
			fprintf(stderr, "rig-as: bad group list\n");
			return 2;
		}
		groups[ngroups++] = (gid_t)id;
	}
	if (ngroups == 0) {
		fprintf(stderr, "rig-as: no primary group\n");
		return 2;
	}
	/* Supplementary groups first: after setuid we could not set them. */
	if (setgroups(ngroups - 1, groups + 1) || setgid(groups[0]) ||
	    setuid((uid_t)uid)) {
		perror("rig-as: cannot switch credentials");
		return 1;
	}
	if (setuid(0) == 0) {
		fprintf(stderr, "rig-as: could regain root; refusing to run\n");
		return 1;
	}
	execvp(argv[3], argv + 3);
	fprintf(stderr, "rig-as: %s: %s\n", argv[3], strerror(errno));
	return 127;
}
