// SPDX-License-Identifier: MIT
/*
 * Busy marks: <state>/busy/<handle>, a file a process holds an flock on
 * while it builds a guest (from before its domain exists until its record
 * does) or checkpoints one (from before the suspend until the guest is
 * destroyed or resumed). The kernel drops the lock when the process dies,
 * however it dies, so a mark whose lock can be taken names the work of a
 * dead process: chaos_checkpoint_recover() finishes it off.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/state.h"

static void mark_path(char *out, size_t len, const char *state_dir,
		      const uint8_t handle[16])
{
	char hex[33];

	chaos_hex_encode(handle, 16, hex);
	snprintf(out, len, "%s/busy/%s", state_dir, hex);
}

int chaos_busy_take(const char *state_dir, const uint8_t handle[16],
		    chaos_err *err)
{
	char dir[4096], path[4096 + 40];
	int fd;

	snprintf(dir, sizeof(dir), "%s/busy", state_dir);
	if ((mkdir(state_dir, 0700) && errno != EEXIST) ||
	    (mkdir(dir, 0700) && errno != EEXIST))
		return chaos_err_set(err, errno, "cannot create %s: %s", dir,
				     strerror(errno));
	mark_path(path, sizeof(path), state_dir, handle);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return chaos_err_set(err, errno, "cannot create %s: %s", path,
				     strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int e = errno;

		close(fd);
		return chaos_err_set(err, e == EWOULDBLOCK ? EBUSY : e,
				     "another chaos process is working on this guest (%s)",
				     path);
	}
	return fd;
}

void chaos_busy_release(const char *state_dir, const uint8_t handle[16],
			int fd)
{
	char path[4096 + 40];

	if (fd < 0)
		return;
	/* Unlinked while still locked: nobody can take a mark that is
	 * about to vanish and believe its work unfinished. */
	mark_path(path, sizeof(path), state_dir, handle);
	unlink(path);
	close(fd);
}

void chaos_busy_keep(const char *state_dir, const uint8_t handle[16], int fd)
{
	char path[4096 + 40], kept[4096 + 48];

	if (fd < 0)
		return;
	mark_path(path, sizeof(path), state_dir, handle);
	snprintf(kept, sizeof(kept), "%s.kept", path);
	rename(path, kept);
	close(fd);
}

void chaos_busy_unkeep(const char *state_dir, const uint8_t handle[16])
{
	char path[4096 + 40], kept[4096 + 48];

	mark_path(path, sizeof(path), state_dir, handle);
	snprintf(kept, sizeof(kept), "%s.kept", path);
	unlink(kept);
}

int chaos_busy_note(int fd, const char *note)
{
	size_t len = strlen(note);

	if (len >= CHAOS_BUSY_NOTE_MAX) {
		errno = EINVAL;
		return -1;
	}
	/* Written whole before the old one is cut: a reader sees one or
	 * the other with at most a tail of the longer, which the newline
	 * ends. */
	if (pwrite(fd, note, len, 0) != (ssize_t)len ||
	    pwrite(fd, "\n", 1, (off_t)len) != 1 ||
	    ftruncate(fd, (off_t)len + 1))
		return -1;
	return 0;
}

void chaos_busy_read_note(int fd, char buf[CHAOS_BUSY_NOTE_MAX])
{
	ssize_t n = pread(fd, buf, CHAOS_BUSY_NOTE_MAX - 1, 0);
	char *nl;

	buf[n > 0 ? n : 0] = '\0';
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
}

void chaos_busy_leave(int fd)
{
	if (fd >= 0)
		close(fd);
}

void chaos_busy_forget(const char *state_dir, const uint8_t handle[16])
{
	char path[4096 + 40];
	int fd;

	chaos_busy_unkeep(state_dir, handle);
	mark_path(path, sizeof(path), state_dir, handle);
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;  /* the usual case: no mark */
	/* Only a dead holder's: a live one finishes its own work. */
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		unlink(path);
	close(fd);
}

int chaos_busy_held(const char *state_dir, const uint8_t handle[16])
{
	char path[4096 + 40];
	int fd, held;

	mark_path(path, sizeof(path), state_dir, handle);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	held = flock(fd, LOCK_EX | LOCK_NB) && errno == EWOULDBLOCK;
	close(fd);
	return held;
}

/* Handles of the marks in busy/ named NAME (+ suffix) that pass want. */
static int list_marks(const char *state_dir, const char *suffix,
		      bool orphans_only, uint8_t (*handles)[16], size_t max)
{
	size_t slen = strlen(suffix), n = 0;
	char dir[4096];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/busy", state_dir);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) && n < max) {
		uint8_t h[16];

		if (strlen(e->d_name) == 32 + slen &&
		    !strcmp(e->d_name + 32, suffix) &&
		    chaos_hex_decode(e->d_name, 16, h) == 0 &&
		    !(orphans_only && chaos_busy_held(state_dir, h)))
			memcpy(handles[n++], h, 16);
	}
	closedir(d);
	return (int)n;
}

int chaos_busy_orphans(const char *state_dir, uint8_t (*handles)[16],
		       size_t max)
{
	return list_marks(state_dir, "", true, handles, max);
}

int chaos_busy_kept(const char *state_dir, uint8_t (*handles)[16],
		    size_t max)
{
	return list_marks(state_dir, ".kept", false, handles, max);
}
