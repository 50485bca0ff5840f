// SPDX-License-Identifier: MIT
/* Is the supervisor still the process we started? Its pid and its start
 * time (/proc/PID/stat field 22) together, so a reused pid never counts;
 * a zombie has ended. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"

/* Field 3 (state) and 22 (starttime), after the command's last ')'. */
static int pid_stat(int pid, char *state, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	size_t n;
	FILE *f;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u"
			 " %*u %*u %*d %*d %*d %*d %*d %*d %llu", state, start) != 2)
		return -1;
	return 0;
}

int oci_pid_start(int pid, unsigned long long *start)
{
	char state;

	return pid_stat(pid, &state, start);
}

bool oci_pid_alive(int pid, unsigned long long start)
{
	unsigned long long now;
	char state;

	if (pid_stat(pid, &state, &now))
		return false;
	return now == start && state != 'Z' && state != 'X';
}
