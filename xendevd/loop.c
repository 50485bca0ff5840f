// SPDX-License-Identifier: MIT
/*
 * Loop devices for file-backed vbds: attach a file to a free loop device
 * (LOOP_CONFIGURE, or LOOP_SET_FD and LOOP_SET_STATUS64 on kernels without
 * it), detach it (LOOP_CLR_FD, which the kernel defers with autoclear while
 * blkback still holds the device), and find the file behind a loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "loop.h"

/* A free loop device can be taken by someone else first: try again. */
#define ATTACH_TRIES 8

static int real_stat(const char *path, struct stat *st)
{
	return stat(path, st);
}

/* Configure lfd over ffd; 0, or -1 with errno. */
static int configure(int lfd, int ffd, bool ro)
{
	struct loop_config cfg;
	struct loop_info64 info;

	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = (unsigned)ffd;
	cfg.info.lo_flags = ro ? LO_FLAGS_READ_ONLY : 0;
	if (ioctl(lfd, LOOP_CONFIGURE, &cfg) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOTTY)
		return -1;
	/* Before Linux 5.8: two steps. */
	if (ioctl(lfd, LOOP_SET_FD, ffd) < 0)
		return -1;
	memset(&info, 0, sizeof(info));
	info.lo_flags = ro ? LO_FLAGS_READ_ONLY : 0;
	if (ioctl(lfd, LOOP_SET_STATUS64, &info) < 0) {
		int e = errno;

		ioctl(lfd, LOOP_CLR_FD, 0);
		errno = e;
		return -1;
	}
	return 0;
}

static int real_attach(const char *file, bool ro, struct xd_loop *out,
		       char *err, size_t errlen)
{
	struct stat st, lst;
	int ffd, cfd, lfd = -1, n = -1;

	ffd = open(file, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (ffd < 0) {
		snprintf(err, errlen, "%s: cannot open it %s: %s", file,
			 ro ? "read-only" : "read-write", strerror(errno));
		return -1;
	}
	if (fstat(ffd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", file);
		close(ffd);
		return -1;
	}
	cfd = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (cfd < 0) {
		snprintf(err, errlen, "/dev/loop-control: %s", strerror(errno));
		close(ffd);
		return -1;
	}
	for (int i = 0; i < ATTACH_TRIES; i++) {
		n = ioctl(cfd, LOOP_CTL_GET_FREE);
		if (n < 0) {
			snprintf(err, errlen, "/dev/loop-control: no free loop "
				 "device: %s", strerror(errno));
			break;
		}
		snprintf(out->dev, sizeof(out->dev), "/dev/loop%d", n);
		/*
		 * The loop itself opened for writing whatever the mode (the
		 * flag makes it read-only): LOOP_SET_STATUS64 wants that,
		 * short of CAP_SYS_ADMIN.
		 */
		lfd = open(out->dev, O_RDWR | O_CLOEXEC);
		if (lfd < 0) {
			snprintf(err, errlen, "%s: %s", out->dev,
				 strerror(errno));
			break;
		}
		if (configure(lfd, ffd, ro) == 0)
			break;
		/* EBUSY: taken between GET_FREE and ours; another one. */
		snprintf(err, errlen, "%s: attaching %s: %s", out->dev, file,
			 strerror(errno));
		close(lfd);
		lfd = -1;
		if (errno != EBUSY)
			break;
	}
	close(cfd);
	close(ffd);
	if (lfd < 0)
		return -1;
	/*
	 * No autoclear: the loop must outlive our descriptor until blkback
	 * opens it. LOOP_CLR_FD on a loop still open sets autoclear itself.
	 */
	if (fstat(lfd, &lst) < 0) {
		snprintf(err, errlen, "%s: %s", out->dev, strerror(errno));
		ioctl(lfd, LOOP_CLR_FD, 0);
		close(lfd);
		return -1;
	}
	out->major = major(lst.st_rdev);
	out->minor = minor(lst.st_rdev);
	out->file_dev = st.st_dev;
	out->file_ino = st.st_ino;
	close(lfd);
	return 0;
}

static int real_detach(const struct xd_loop *lo, char *err, size_t errlen)
{
	struct loop_info64 info;
	struct stat st;
	int fd;

	fd = open(lo->dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENXIO)
			return 1;
		snprintf(err, errlen, "%s: %s", lo->dev, strerror(errno));
		return -1;
	}
	/* Only the loop we made: same device, same backing file. */
	if (fstat(fd, &st) < 0 || !S_ISBLK(st.st_mode) ||
	    major(st.st_rdev) != lo->major || minor(st.st_rdev) != lo->minor ||
	    ioctl(fd, LOOP_GET_STATUS64, &info) < 0 ||
	    info.lo_device != (__u64)lo->file_dev ||
	    info.lo_inode != (__u64)lo->file_ino) {
		close(fd);
		return 1;       /* unbound (ENXIO) or another file now */
	}
	if (ioctl(fd, LOOP_CLR_FD, 0) < 0) {
		int e = errno;

		close(fd);
		if (e == ENXIO)
			return 1;
		snprintf(err, errlen, "%s: LOOP_CLR_FD: %s", lo->dev,
			 strerror(e));
		return -1;
	}
	close(fd);
	return 0;
}

static int real_backing(unsigned maj, unsigned min, dev_t *dev, ino_t *ino)
{
	char path[80], file[4096];
	struct stat st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/loop/backing_file",
		 maj, min);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, file, sizeof(file) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	file[n] = '\0';
	if (file[n - 1] == '\n')
		file[n - 1] = '\0';
	if (stat(file, &st) < 0)
		return -1;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

const struct xd_loop_ops xd_loop_real_ops = {
	.stat = real_stat,
	.attach = real_attach,
	.detach = real_detach,
	.backing = real_backing,
};
