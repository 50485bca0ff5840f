// SPDX-License-Identifier: MIT
/*
 * A pooled shell's record file, made ahead. A create writes its guest's
 * record aside before the unpause and renames it into place after;
 * making the file (an inode and a directory entry, then a close) is most
 * of that cost, so a shell made for a pool makes it when it is made, and
 * its create writes into a file that is open already.
 */
#include <errno.h>
#include <sys/resource.h>
#include <unistd.h>

#include "build/build.h"
#include "state/state.h"

/*
 * Files made ahead take at most half the descriptors this process may
 * have open: the rest is for what runs (a console's log per guest,
 * clients, other hosts). fd is the one just opened, the lowest free.
 */
static bool spare_descriptor(int fd)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY)
		return true;
	return (rlim_t)fd < rl.rlim_cur / 2;
}

int chaos_shell_stage_record(chaos_host *host, struct chaos_shell *shell,
			     chaos_err *err)
{
	chaos_err why;
	int fd = chaos_record_stage_open(host->state_dir, shell->domid, &why);

	shell->record_staged = false;
	shell->record_fd = -1;
	/* Short of descriptors, the shell goes without: its create writes
	 * the record aside, as a create without a shell does. The id is
	 * the shell's: a file of an earlier owner under it goes too. */
	if (fd < 0 && (why.code == EMFILE || why.code == ENFILE)) {
		chaos_record_unstage(host->state_dir, shell->domid);
		return 0;
	}
	if (fd < 0) {
		if (err)
			*err = why;
		return -1;
	}
	if (!spare_descriptor(fd)) {
		close(fd);
		chaos_record_unstage(host->state_dir, shell->domid);
		return 0;
	}
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
