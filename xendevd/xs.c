// SPDX-License-Identifier: MIT
/*
 * The connection to xenstored, through libxenstore. It is opened only when
 * a XenStore device needs it, so xendevd runs (noxs vifs) where no
 * xenstored does; a connection that breaks is dropped and opened again by
 * the next event.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <xenstore.h>

#include "xs.h"

/* Errors that say the connection itself is broken, not the request. */
static void check_broken(struct xd_xs *x)
{
	int e = errno;

	if (e == ENOENT || e == EACCES || e == EINVAL || e == EEXIST ||
	    e == E2BIG || e == ENOSPC || e == ENOMEM || e == EPERM)
		return;
	xs_close(x->h);
	x->h = NULL;
	errno = e;
}

/*
 * Is xenstored answering on its socket? Asked first because libxenstore
 * may fall back to the kernel's xenbus device whatever the flags say
 * (Debian's does), and with no xenstored behind it every request there
 * blocks, and the daemon with it.
 */
static int xenstored_listening(void)
{
	const char *env = getenv("XENSTORED_PATH");
	const char *path = env && *env ? env : "/var/run/xenstored/socket";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (rc)
		rc = errno;
	close(fd);
	errno = rc;
	return rc ? -1 : 0;
}

static int xs_connect(void *arg)
{
	struct xd_xs *x = arg;

	if (x->h)
		return 0;
	if (xenstored_listening() < 0)
		return -1;
	x->h = xs_open(XS_OPEN_SOCKETONLY);
	if (!x->h) {
		if (!errno)
			errno = ECONNREFUSED;
		return -1;
	}
	return 0;
}

static char *xs_read_node(void *arg, const char *path)
{
	struct xd_xs *x = arg;
	unsigned len = 0;
	char *v;

	if (xs_connect(x) < 0)
		return NULL;
	v = xs_read(x->h, XBT_NULL, path, &len);
	if (!v) {
		check_broken(x);
		return NULL;
	}
	/* libxenstore NUL-terminates; a NUL inside is not a string. */
	if (strlen(v) != len) {
		free(v);
		errno = EINVAL;
		return NULL;
	}
	return v;
}

static int xs_write_node(void *arg, const char *path, const char *value)
{
	struct xd_xs *x = arg;

	if (xs_connect(x) < 0)
		return -1;
	if (!xs_write(x->h, XBT_NULL, path, value, (unsigned)strlen(value))) {
		check_broken(x);
		return -1;
	}
	return 0;
}

static char **xs_list(void *arg, const char *path, unsigned *num)
{
	struct xd_xs *x = arg;
	char **v;

	if (xs_connect(x) < 0)
		return NULL;
	*num = 0;
	v = xs_directory(x->h, XBT_NULL, path, num);
	if (!v)
		check_broken(x);
	return v;
}

const struct xd_xs_ops xd_xs_real_ops = {
	.connect = xs_connect,
	.read = xs_read_node,
	.write = xs_write_node,
	.directory = xs_list,
};

void xd_xs_close(struct xd_xs *x)
{
	xs_close(x->h);
	x->h = NULL;
}
