// SPDX-License-Identifier: MIT
/*
 * rig-subreaper OUT CMD...: run CMD as a child subreaper, as
 * containerd's shim does around runc, and write "PID STATUS" to OUT for
 * every process that ends under it (CMD itself and what it left behind,
 * such as chaos-oci create's supervisor), STATUS as a shell shows it
 * (128 + signal when killed). Ends when nothing is left; exits with
 * CMD's status.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int status, cmd_status = 127;
	pid_t cmd, pid;
	FILE *out;

	if (argc < 3) {
		fprintf(stderr, "usage: rig-subreaper OUT CMD...\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) || !(out = fopen(argv[1], "a")))
		return 1;
	cmd = fork();
	if (cmd == 0) {
		fclose(out);
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	while ((pid = wait(&status)) > 0 || errno == EINTR) {
		int s;

		if (pid <= 0)
			continue;
		s = WIFEXITED(status) ? WEXITSTATUS(status) :
					128 + WTERMSIG(status);
		fprintf(out, "%d %d\n", (int)pid, s);
		fflush(out);
		if (pid == cmd)
			cmd_status = s;
	}
	fclose(out);
	return cmd_status;
}
