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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_trickle),
		cmocka_unit_test(test_truncated_and_closed),
		cmocka_unit_test(test_oversized_and_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
