// SPDX-License-Identifier: MIT
/*
 * chaosd's replies as a client reads them (front/chaosd_frame.c,
 * front/chaosd_client.c): the input is what the "daemon" at the other end
 * of a real connection sends back. The first byte picks the call, the
 * second says whether the harness frames the rest as one frame (bit 0)
 * or sends it raw (frame headers included, several frames possible).
 *
 *   0 ping  1 create  2 destroy  3 shutdown  4 console attach
 *   5 pool-set  6 pool-get  7 chaosd_call  8 frames read until an error
 *   9 hello  10 info  11 network-list  12 stats  13 subscribe, then
 *   events read until an error  14 list
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chaos/chaosd.h>
#include "fuzz.h"

static char path[108];
static int lfd = -1;

static void cleanup(void)
{
	char dir[sizeof(path)];

	unlink(path);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[] = "/tmp/chaos-fuzz-XXXXXX";

	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/chaosd.sock", dir);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 4))
		abort();
	atexit(cleanup);
	return 0;
}

/* The daemon's side: everything it has to say, then end of file. */
static void reply(int fd, const uint8_t *p, size_t len, bool framed)
{
	int big = 1 << 20;

	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	fcntl(fd, F_SETFL, O_NONBLOCK);
	if (framed && len && len <= CHAOSD_FRAME_MAX) {
		uint8_t hdr[4];

		chaosd_frame_header((uint32_t)len, hdr);
		if (write(fd, hdr, sizeof(hdr)) != sizeof(hdr))
			return;
	}
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n <= 0)
			break;
		p += n;
		len -= (size_t)n;
	}
	shutdown(fd, SHUT_WR);
}

static void call(chaosd_conn *c, unsigned int op)
{
	static const char cfg[] = "{\"kernel\":\"/k\"}";
	chaos_err err = { 0 };
	chaosd_create_result res;
	chaosd_flavour fl = { .memory_mib = 4, .vcpus = 1, .size = 2 };
	chaosd_flavour *list;
	size_t count, len;
	uint32_t domid;
	bool larger;
	char *resp;
	int rc = 0;

	switch (op) {
	case 0:
		rc = chaosd_ping(c, &err);
		break;
	case 1:
		rc = chaosd_create(c, cfg, strlen(cfg), "/etc/chaos/g.json",
				   false, true, &res, &err);
		break;
	case 2:
		rc = chaosd_destroy(c, "web1", &err);
		break;
	case 3:
		rc = chaosd_shutdown(c, "web1", CHAOS_SHUTDOWN_REBOOT, 1000,
				     false, &domid, &err);
		break;
	case 4:
		rc = chaosd_console_attach(c, "web1", &domid, &err);
		if (rc == 0 && (domid == 0 || domid >= 0x7ff0))
			abort();
		break;
	case 5:
		rc = chaosd_pool_set(c, &fl, &err);
		break;
	case 6:
		rc = chaosd_pool_get(c, &list, &count, &larger, &err);
		if (rc == 0)
			free(list);
		break;
	case 7:
		rc = chaosd_call(c, "{\"op\":\"list\"}", 13, 1000, &resp, &err);
		if (rc == 0)
			free(resp);
		break;
	case 9: {
		chaosd_hello_info hello;

		rc = chaosd_hello(c, &hello, &err);
		if (rc == 0 && hello.nr_caps > CHAOSD_CAPS_MAX)
			abort();
		break;
	}
	case 10: {
		chaos_host_info info;

		rc = chaosd_info(c, &info, &err);
		break;
	}
	case 11: {
		chaos_vif_info *vifs;

		rc = chaosd_network_list(c, "web1", &vifs, &count, &err);
		if (rc == 0)
			free(vifs);
		break;
	}
	case 12: {
		chaos_guest_stats *st;

		rc = chaosd_stats(c, NULL, &st, &count, &err);
		for (size_t i = 0; rc == 0 && i < count; i++)
			if (st[i].nr_vifs > CHAOS_STATS_VIFS_MAX)
				abort();
		if (rc == 0)
			free(st);
		break;
	}
	case 13: {
		chaosd_event ev;

		rc = chaosd_subscribe(c, &err);
		while (rc == 0 && chaosd_event_next(c, 1000, &ev, &err) == 0)
			if (!chaosd_event_type_name(ev.type) ||
			    !memchr(ev.name, '\0', sizeof(ev.name)))
				abort();
		break;
	}
	case 14: {
		chaosd_domain *doms;

		rc = chaosd_list(c, &doms, &count, &err);
		for (size_t i = 0; rc == 0 && i < count; i++)
			if (!memchr(doms[i].name, '\0', sizeof(doms[i].name)))
				abort();
		if (rc == 0)
			free(doms);
		break;
	}
	default:
		while (chaosd_frame_read(chaosd_conn_fd(c), &resp, &len, 1000,
					 &err) == 0) {
			if (len == 0 || len > CHAOSD_FRAME_MAX || resp[len])
				abort();
			free(resp);
		}
		rc = -1;
		break;
	}
	if (rc)
		FZ_SAY("op %u: %s\n", op, err.msg);
	else
		FZ_SAY("op %u: ok\n", op);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	chaosd_conn *c;
	chaos_err err;
	int sfd;

	if (size < 2)
		return 0;
	if (chaosd_connect(path, &c, &err))
		abort();
	sfd = accept(lfd, NULL, NULL);
	if (sfd < 0)
		abort();
	reply(sfd, data + 2, size - 2, data[1] & 1);
	call(c, data[0] % 15);
	chaosd_close(c);
	close(sfd);
	return 0;
}
