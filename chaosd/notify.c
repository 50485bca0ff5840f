// SPDX-License-Identifier: MIT
/* The sd_notify datagram (systemd's documented NOTIFY_SOCKET protocol)
 * written out here: one sendto, so chaosd needs no libsystemd, which
 * Debian ships as a shared library only and which would tie the rig's
 * dom0 to systemd's libraries for a single message. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"

int chaosd_notify_ready(void)
{
	static const char msg[] = "READY=1";
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t n;
	ssize_t sent;
	int fd, e;

	if (!path)
		return 0;
	n = strlen(path);
	/* A path, or "@name" for the abstract namespace. */
	if (n < 2 || (path[0] != '/' && path[0] != '@') ||
	    n >= sizeof(addr.sun_path)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(addr.sun_path, path, n);
	if (path[0] == '@')
		addr.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	sent = sendto(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL,
		      (struct sockaddr *)&addr,
		      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n));
	e = errno;
	close(fd);
	errno = e;
	return sent == (ssize_t)(sizeof(msg) - 1) ? 0 : -1;
}
