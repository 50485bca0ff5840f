// SPDX-License-Identifier: MIT
/* chaosd framing: headers, partial reads and writes, bad lengths. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <chaos/chaosd.h>

static void test_header(void **state)
{
	uint8_t hdr[4];
	uint32_t len = 0;
	chaos_err err = { 0 };

	(void)state;
	chaosd_frame_header(0x01020304, hdr);
	assert_int_equal(hdr[0], 1);
	assert_int_equal(hdr[3], 4);
	chaosd_frame_header(CHAOSD_FRAME_MAX, hdr);
	assert_int_equal(chaosd_frame_length(hdr, &len, &err), 0);
	assert_int_equal(len, CHAOSD_FRAME_MAX);
	chaosd_frame_header(CHAOSD_FRAME_MAX + 1, hdr);
	assert_int_equal(chaosd_frame_length(hdr, &len, &err), -1);
	assert_int_equal(err.code, EPROTO);
	memset(hdr, 0, 4);
	assert_int_equal(chaosd_frame_length(hdr, &len, &err), -1);
	memset(hdr, 0xff, 4);
	assert_int_equal(chaosd_frame_length(hdr, &len, &err), -1);
}

static void test_round_trip(void **state)
{
	int sv[2];
	char *got;
	size_t len;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(chaosd_frame_write(sv[0], "{\"op\":\"ping\"}", 13,
					    1000, NULL), 0);
	assert_int_equal(chaosd_frame_read(sv[1], &got, &len, 1000, NULL), 0);
	assert_int_equal(len, 13);
	assert_string_equal(got, "{\"op\":\"ping\"}");
	free(got);
	close(sv[0]);
	close(sv[1]);
}

/* A frame trickled in byte by byte from another process. */
static void test_trickle(void **state)
{
	int sv[2];
	char *got;
	size_t len;
	pid_t pid;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		const char msg[] = "\0\0\0\x05hello";

		close(sv[1]);
		for (size_t i = 0; i < sizeof(msg) - 1; i++) {
			if (write(sv[0], msg + i, 1) != 1)
				_exit(1);
			usleep(2000);
		}
		_exit(0);
	}
	close(sv[0]);
	assert_int_equal(chaosd_frame_read(sv[1], &got, &len, 5000, NULL), 0);
	assert_int_equal(len, 5);
	assert_string_equal(got, "hello");
	free(got);
	close(sv[1]);
	waitpid(pid, NULL, 0);
}

static void test_truncated_and_closed(void **state)
{
	int sv[2];
	char *got = NULL;
	size_t len;
	chaos_err err = { 0 };

	(void)state;
	/* Closed before anything: EPIPE. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[0]);
	assert_int_equal(chaosd_frame_read(sv[1], &got, &len, 1000, &err), -1);
	assert_int_equal(err.code, EPIPE);
	close(sv[1]);
	/* Body cut short: EPROTO, nothing returned. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[0], "\0\0\0\x0a" "abc", 7), 7);
	close(sv[0]);
	assert_int_equal(chaosd_frame_read(sv[1], &got, &len, 1000, &err), -1);
	assert_int_equal(err.code, EPROTO);
	assert_null(got);
	close(sv[1]);
	/* Header cut short. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[0], "\0\0", 2), 2);
	close(sv[0]);
	assert_int_equal(chaosd_frame_read(sv[1], &got, &len, 1000, &err), -1);
	assert_int_equal(err.code, EPROTO);
	close(sv[1]);
}

static void test_oversized_and_timeout(void **state)
{
	int sv[2];
	char *got = NULL;
	size_t len;
	chaos_err err = { 0 };
	static char big[CHAOSD_FRAME_MAX + 1];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	/* The writer refuses what the reader would refuse. */
	assert_int_equal(chaosd_frame_write(sv[0], big, sizeof(big), 1000, &err),
			 -1);
	assert_int_equal(chaosd_frame_write(sv[0], big, 0, 1000, &err), -1);
	/* A huge length is refused before any allocation. */
	assert_int_equal(write(sv[0], "\x7f\xff\xff\xff", 4), 4);
	assert_int_equal(chaosd_frame_read(sv[1], &got, &len, 1000, &err), -1);
	assert_int_equal(err.code, EPROTO);
	/* A stalled peer: the read times out. */
	assert_int_equal(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(write(sv[0], "\0\0\0\x09" "ab", 6), 6);
	assert_int_equal(chaosd_frame_read(sv[1], &got, &len, 200, &err), -1);
	assert_int_equal(err.code, ETIMEDOUT);
	close(sv[0]);
	close(sv[1]);
}


/* Descriptors open in this process (the test's own /proc/self/fd). */
static int open_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

/* Two pipes' ends go with a frame; the copies received work. */
static void test_fds_round_trip(void **state)
{
	int sv[2], p1[2], p2[2], fds[CHAOSD_FRAME_FDS_MAX], sent[2];
	size_t len, nfds = 99;
	char *got, c = 0;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(p1), 0);
	assert_int_equal(pipe(p2), 0);
	sent[0] = p1[1];
	sent[1] = p2[1];
	assert_int_equal(chaosd_frame_write_fds(sv[0], "{\"op\":\"save\"}", 13,
						sent, 2, 1000, NULL), 0);
	assert_int_equal(chaosd_frame_read_fds(sv[1], &got, &len, fds, &nfds,
					       1000, NULL), 0);
	assert_string_equal(got, "{\"op\":\"save\"}");
	assert_int_equal(nfds, 2);
	/* Close-on-exec, and each a working copy of what was sent. */
	assert_true(fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
	assert_int_equal(write(fds[0], "a", 1), 1);
	assert_int_equal(read(p1[0], &c, 1), 1);
	assert_int_equal(c, 'a');
	assert_int_equal(write(fds[1], "b", 1), 1);
	assert_int_equal(read(p2[0], &c, 1), 1);
	assert_int_equal(c, 'b');
	chaosd_fds_close(fds, nfds);
	free(got);
	/* More than the bound is refused before anything is sent. */
	{
		int three[3] = { p1[1], p1[1], p1[1] };
		chaos_err err;

		assert_int_equal(chaosd_frame_write_fds(sv[0], "{}", 2, three, 3,
							1000, &err), -1);
		assert_int_equal(err.code, EINVAL);
	}
	close(p1[0]);
	close(p1[1]);
	close(p2[0]);
	close(p2[1]);
	close(sv[0]);
	close(sv[1]);
}

/* Send (n) copies of (fd) with one byte, bypassing the frame layer. */
static void send_raw_fds(int sock, int fd, int n, const char *byte)
{
	char ctl[CMSG_SPACE(sizeof(int) * 8)];
	struct iovec iov = { .iov_base = (void *)byte, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl,
			    .msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n) };
	struct cmsghdr *c;

	memset(ctl, 0, sizeof(ctl));
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
	for (int i = 0; i < n; i++)
		memcpy(CMSG_DATA(c) + i * sizeof(int), &fd, sizeof(int));
	assert_int_equal(sendmsg(sock, &m, 0), 1);
}

/*
 * A hostile peer: more descriptors than a frame may carry, or any with a
 * frame that takes none. Every one is closed, none is left in our table.
 */
static void test_fds_hostile(void **state)
{
	int sv[2], fds[CHAOSD_FRAME_FDS_MAX], before;
	uint8_t hdr[4];
	size_t len, nfds;
	chaos_err err;
	char *got;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	before = open_fds();
	/* Five descriptors in pieces: first the header's byte with 2, then
	 * the rest of the header with 3 more. */
	chaosd_frame_header(2, hdr);
	send_raw_fds(sv[0], sv[0], 2, (const char *)hdr);
	send_raw_fds(sv[0], sv[0], 3, (const char *)hdr + 1);
	assert_int_equal(write(sv[0], hdr + 2, 2), 2);
	assert_int_equal(write(sv[0], "{}", 2), 2);
	assert_int_equal(chaosd_frame_read_fds(sv[1], &got, &len, fds, &nfds,
					       1000, &err), -1);
	assert_int_equal(err.code, EPROTO);
	assert_int_equal(nfds, 0);
	assert_null(got);
	assert_int_equal(open_fds(), before);
	close(sv[0]);
	close(sv[1]);

	/* A frame read that takes no descriptors closes what came. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	before = open_fds();
	send_raw_fds(sv[0], sv[0], 1, (const char *)hdr);
	assert_int_equal(write(sv[0], hdr + 1, 3), 3);
	assert_int_equal(write(sv[0], "{}", 2), 2);
	assert_int_equal(chaosd_frame_read(sv[1], &got, &len, 1000, &err), -1);
	assert_int_equal(err.code, EPROTO);
	assert_int_equal(open_fds(), before);
	close(sv[0]);
	close(sv[1]);

	/* One receive at a time, as an event loop does: within the bound. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	before = open_fds();
	send_raw_fds(sv[0], sv[0], 2, "x");
	nfds = 0;
	{
		char b[8];

		assert_int_equal(chaosd_frame_recv(sv[1], b, sizeof(b), fds, &nfds,
						   &err), 1);
		assert_int_equal(nfds, 2);
		assert_int_equal(open_fds(), before + 2);
		/* One more is past the bound: all are closed. */
		send_raw_fds(sv[0], sv[0], 1, "y");
		assert_int_equal(chaosd_frame_recv(sv[1], b, sizeof(b), fds,
						   &nfds, &err), -1);
		assert_int_equal(err.code, EPROTO);
		assert_int_equal(nfds, 0);
		assert_int_equal(open_fds(), before);
	}
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_trickle),
		cmocka_unit_test(test_truncated_and_closed),
		cmocka_unit_test(test_oversized_and_timeout),
		cmocka_unit_test(test_fds_round_trip),
		cmocka_unit_test(test_fds_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
