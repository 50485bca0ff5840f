// SPDX-License-Identifier: MIT
/*
 * A pooled shell's record file, made ahead. A create writes its guest's
 * record aside before the unpause and renames it into place after;
 * making the file (an inode and a directory entry, then a close) is most
 * of that cost, so a shell made for a pool makes it when it is made, and
 * its create writes into a file that is open already.
 */
#include <unistd.h>

#include "build/build.h"
#include "state/state.h"

int chaos_shell_stage_record(chaos_host *host, struct chaos_shell *shell,
			     chaos_err *err)
{
	int fd = chaos_record_stage_open(host->state_dir, shell->domid, err);

	if (fd < 0)
		return -1;
	shell->record_fd = fd;
	shell->record_staged = true;
	return 0;
}

void chaos_shell_unstage_record(chaos_host *host, struct chaos_shell *shell)
{
	if (!shell->record_staged)
		return;
	close(shell->record_fd);
	chaos_record_unstage(host->state_dir, shell->domid);
	shell->record_staged = false;
	shell->record_fd = -1;
}
