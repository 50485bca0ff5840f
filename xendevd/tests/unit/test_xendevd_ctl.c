// SPDX-License-Identifier: MIT
/* Unit tests: the completion socket server, over a real Unix socket. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../ctl.h"

struct fixture {
	char dir[64];
	char path[96];
	int epfd;
	struct xd_ctl ctl;
	struct xd_vifs vifs;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/xendevd-ctl-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/ctl.sock", f->dir);
	f->epfd = epoll_create1(EPOLL_CLOEXEC);
	/* The group of whoever runs the tests may use the socket. */
	if (xd_ctl_open(&f->ctl, f->path, f->epfd, true, getgid()) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	xd_ctl_close(&f->ctl, f->path);
	xd_vifs_free(&f->vifs);
	close(f->epfd);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Connect, let the server accept, send line; returns the client fd. */
static int client(struct fixture *f, const char *line, uint64_t now)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	strcpy(addr.sun_path, f->path);
	assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)),
			 0);
	xd_ctl_event(&f->ctl, f->ctl.lfd, &f->vifs, now);
	if (line) {
		assert_int_equal(send(fd, line, strlen(line), 0),
				 (ssize_t)strlen(line));
		xd_ctl_event(&f->ctl, f->ctl.c[f->ctl.n - 1].fd, &f->vifs,
			     now);
	}
	return fd;
}

/* The answer on fd ("" if none yet), then EOF expected if closed. */
static void expect_answer(int fd, const char *want)
{
	char buf[256] = "";
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	if (n < 0)
		n = 0;
	buf[n] = '\0';
	assert_string_equal(buf, want);
	if (want[0]) {  /* answered: the server has closed */
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		/* A reset if it closed with our bytes unread. */
		assert_true(n == 0 || (n < 0 && errno == ECONNRESET));
	}
	close(fd);
}

static void test_wait_then_attach(void **state)
{
	struct fixture *f = *state;
	struct xd_vif *v;
	int fd = client(f, "wait vif1.0 1000\n", 100);

	assert_int_equal(f->ctl.n, 1);
	assert_true(f->ctl.c[0].waiting);
	assert_int_equal(xd_ctl_next_timeout(&f->ctl, 600), 500);
	v = xd_vifs_get(&f->vifs, "vif2.0");
	v->state = XD_VIF_ATTACHED;
	xd_ctl_notify(&f->ctl, v);              /* someone else's vif */
	assert_int_equal(f->ctl.n, 1);
	v = xd_vifs_get(&f->vifs, "vif1.0");
	v->state = XD_VIF_ATTACHED;
	strcpy(v->bridge, "br0");
	xd_ctl_notify(&f->ctl, v);
	assert_int_equal(f->ctl.n, 0);
	expect_answer(fd, "attached br0\n");
	/* Known state: answered at once. */
	fd = client(f, "wait vif1.0 0\n", 200);
	expect_answer(fd, "attached br0\n");
}

static void test_failed_state(void **state)
{
	struct fixture *f = *state;
	struct xd_vif *v = xd_vifs_get(&f->vifs, "vif3.0");
	int fd;

	v->state = XD_VIF_FAILED;
	strcpy(v->reason, "bridge br9 does not exist");
	fd = client(f, "wait vif3.0 1000\n", 0);
	expect_answer(fd, "error bridge br9 does not exist\n");
}

static void test_timeouts(void **state)
{
	struct fixture *f = *state;
	int a = client(f, "wait vif4.0 10\n", 1000);
	int b = client(f, "wait vif4.0 0\n", 1000);
	int c = client(f, NULL, 1000);          /* says nothing */

	expect_answer(b, "timeout\n");
	assert_int_equal(f->ctl.n, 2);
	xd_ctl_expire(&f->ctl, 1009);
	assert_int_equal(f->ctl.n, 2);
	xd_ctl_expire(&f->ctl, 1010);
	expect_answer(a, "timeout\n");
	assert_int_equal(xd_ctl_next_timeout(&f->ctl, 1010),
			 XD_CTL_REQUEST_MS - 10);
	xd_ctl_expire(&f->ctl, 1000 + XD_CTL_REQUEST_MS);
	expect_answer(c, "error no request\n");
	assert_int_equal(xd_ctl_next_timeout(&f->ctl, 0), -1);
}

static void test_bad_requests(void **state)
{
	struct fixture *f = *state;
	char big[200];
	int fd;

	fd = client(f, "status vif1.0\n", 0);
	expect_answer(fd, "error unknown request\n");
	fd = client(f, "wait vif1.0 700000\n", 0);
	expect_answer(fd, "error timeout above 600000 ms\n");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	fd = client(f, big, 0);
	expect_answer(fd, "error request too long\n");
	/* A partial line waits for the rest. */
	fd = client(f, "wait vif5", 0);
	expect_answer(fd, "");
	assert_int_equal(f->ctl.n, 1);
}

static void test_hangup_while_waiting(void **state)
{
	struct fixture *f = *state;
	int fd = client(f, "wait vif6.0 1000\n", 0);
	int sfd = f->ctl.c[0].fd;

	/* More bytes while waiting are drained, the wait goes on. */
	assert_int_equal(send(fd, "junk\n", 5, 0), 5);
	xd_ctl_event(&f->ctl, sfd, &f->vifs, 1);
	assert_int_equal(f->ctl.n, 1);
	close(fd);
	xd_ctl_event(&f->ctl, sfd, &f->vifs, 2);
	assert_int_equal(f->ctl.n, 0);
	assert_false(xd_ctl_owns(&f->ctl, sfd));
	assert_true(xd_ctl_owns(&f->ctl, f->ctl.lfd));
}

/* Pretend n clients of this uid are connected (no sockets behind them). */
static void fake_clients(struct xd_ctl *ctl, size_t n, uid_t uid)
{
	for (size_t i = 0; i < n; i++) {
		ctl->c[ctl->n].fd = -1;
		ctl->c[ctl->n].uid = uid;
		ctl->n++;
		ctl->n_others += uid != 0;
	}
}

static void test_admit_limits(void **state)
{
	struct fixture *f = *state;
	char why[128];
	int fd;

	assert_int_equal(xd_ctl_admit(&f->ctl, 1000, why, sizeof(why)), 0);
	/* One user: at most XD_CTL_MAX_PER_UID, others unaffected. */
	fake_clients(&f->ctl, XD_CTL_MAX_PER_UID, 1000);
	assert_int_equal(xd_ctl_admit(&f->ctl, 1000, why, sizeof(why)), -1);
	assert_string_equal(why, "busy: uid 1000 already holds 128 "
			    "connections, the most one user may hold");
	assert_int_equal(xd_ctl_admit(&f->ctl, 1001, why, sizeof(why)), 0);
	/* All others together leave the last XD_CTL_ROOT_RESERVE to root. */
	for (uid_t u = 1001; f->ctl.n_others + XD_CTL_MAX_PER_UID <=
	     XD_CTL_MAX_CLIENTS - XD_CTL_ROOT_RESERVE; u++)
		fake_clients(&f->ctl, XD_CTL_MAX_PER_UID, u);
	fake_clients(&f->ctl, XD_CTL_MAX_CLIENTS - XD_CTL_ROOT_RESERVE -
		     f->ctl.n_others, 2000);
	assert_int_equal(xd_ctl_admit(&f->ctl, 2001, why, sizeof(why)), -1);
	assert_string_equal(why, "busy: the last 64 of 1024 connections are "
			    "kept for root");
	assert_int_equal(xd_ctl_admit(&f->ctl, 0, why, sizeof(why)), 0);
	/* Root may take the rest, then nobody gets in. */
	fake_clients(&f->ctl, XD_CTL_ROOT_RESERVE, 0);
	assert_int_equal(xd_ctl_admit(&f->ctl, 0, why, sizeof(why)), -1);
	assert_string_equal(why, "busy: all 1024 connections in use");
	/* Over a real socket: the answer names the limit, nothing is kept. */
	expect_answer(client(f, NULL, 0),
		      "error busy: all 1024 connections in use\n");
	assert_int_equal(f->ctl.n, XD_CTL_MAX_CLIENTS);
	/* A member who hangs up no longer counts. */
	f->ctl.n = 0;
	f->ctl.n_others = 0;
	fd = client(f, "wait vif9.0 1000\n", 0);
	f->ctl.c[0].uid = 1000;
	f->ctl.n_others = 1;
	close(fd);
	xd_ctl_event(&f->ctl, f->ctl.c[0].fd, &f->vifs, 1);
	assert_int_equal(f->ctl.n, 0);
	assert_int_equal(f->ctl.n_others, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wait_then_attach, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_failed_state, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_timeouts, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hangup_while_waiting,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_admit_limits, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
