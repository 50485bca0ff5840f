// SPDX-License-Identifier: MIT
/* Console streams: bounded output with a drop note, bounded input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../console_stream.h"

static void pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
}

static void test_slow_client_loses_output_and_is_told(void **state)
{
	struct console_stream s;
	static char big[STREAM_OUT_MAX], got[STREAM_OUT_MAX * 4];
	size_t have = 0;
	ssize_t n;
	int sv[2];

	(void)state;
	pair(sv);
	assert_int_equal(stream_init(&s, sv[0], 7), 0);
	memset(big, 'x', sizeof(big));
	stream_queue(&s, big, sizeof(big));
	stream_queue(&s, "lost", 4);          /* no room: dropped, counted */
	assert_int_equal(s.dropped, 4);
	assert_int_equal(s.out_len, STREAM_OUT_MAX);
	/* The client reads everything there is, flushing as it goes. */
	do {
		assert_int_equal(stream_flush(&s), 0);
		n = read(sv[1], got + have, sizeof(got) - have);
		if (n > 0)
			have += (size_t)n;
	} while (n > 0 || stream_has_output(&s));
	assert_int_equal(have, STREAM_OUT_MAX);
	stream_queue(&s, "next", 4);
	assert_int_equal(s.dropped, 0);
	assert_int_equal(stream_flush(&s), 0);
	n = read(sv[1], got, sizeof(got));
	assert_true(n > 4);
	got[n] = '\0';
	assert_non_null(strstr(got, "[chaosd: 4 bytes of output dropped"));
	assert_memory_equal(got + n - 4, "next", 4);
	stream_free(&s);
	close(sv[1]);
}

static void test_input_is_bounded_and_consumed(void **state)
{
	struct console_stream s;
	char keys[STREAM_IN_MAX * 2];
	const char *in;
	size_t len;
	int sv[2];

	(void)state;
	pair(sv);
	assert_int_equal(stream_init(&s, sv[0], 7), 0);
	memset(keys, 'k', sizeof(keys));
	assert_int_equal(write(sv[1], keys, sizeof(keys)), (ssize_t)sizeof(keys));
	assert_int_equal(stream_read_input(&s), 0);
	in = stream_input(&s, &len);
	assert_int_equal(len, STREAM_IN_MAX);
	assert_int_equal(in[0], 'k');
	/* Nothing more is read until the guest took these. */
	assert_int_equal(stream_read_input(&s), 0);
	stream_input(&s, &len);
	assert_int_equal(len, STREAM_IN_MAX);
	stream_input_consumed(&s, 100);
	stream_input(&s, &len);
	assert_int_equal(len, STREAM_IN_MAX - 100);
	stream_input_consumed(&s, 100000);    /* more than there is */
	assert_false(stream_has_input(&s));
	assert_int_equal(stream_read_input(&s), 0);
	assert_true(stream_has_input(&s));
	/* The client goes away: detached. */
	close(sv[1]);
	stream_input_consumed(&s, STREAM_IN_MAX);
	assert_int_equal(stream_read_input(&s), -1);
	stream_free(&s);
}

static void test_gone_client_fails_flush(void **state)
{
	struct console_stream s;
	int sv[2];

	(void)state;
	pair(sv);
	assert_int_equal(stream_init(&s, sv[0], 1), 0);
	close(sv[1]);
	stream_queue(&s, "x", 1);
	assert_int_equal(stream_flush(&s), -1);
	stream_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slow_client_loses_output_and_is_told),
		cmocka_unit_test(test_input_is_bounded_and_consumed),
		cmocka_unit_test(test_gone_client_fails_flush),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
