// SPDX-License-Identifier: MIT
/* chaosd's replies (libchaos's chaosd_reply_*), byte for byte (clients
 * and the rig match them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include <chaos/chaosd.h>

#include "../../reply.h"

static void test_error_reply(void **state)
{
	char *resp;
	size_t len;

	(void)state;
	assert_int_equal(chaosd_reply_error("busy: too many clients", &resp, &len), 0);
	assert_string_equal(resp,
			    "{\"ok\":false,\"error\":\"busy: too many clients\"}");
	assert_int_equal(len, strlen(resp));
	free(resp);
	/* Whatever a message holds stays one JSON string. */
	assert_int_equal(chaosd_reply_error("bad \"name\"\n", &resp, &len), 0);
	assert_string_equal(resp,
			    "{\"ok\":false,\"error\":\"bad \\\"name\\\"\\n\"}");
	free(resp);
}

static void test_ok_reply_with_fields(void **state)
{
	chaosd_reply *g = chaosd_reply_ok();
	char *resp;
	size_t len;

	(void)state;
	assert_non_null(g);
	chaosd_reply_uint(g, "domid", 12);
	chaosd_reply_str(g, "name", "web1");
	chaosd_reply_bool(g, "pooled", false);
	assert_int_equal(chaosd_reply_finish(g, &resp, &len), 0);
	assert_string_equal(resp,
			    "{\"ok\":true,\"domid\":12,\"name\":\"web1\",\"pooled\":false}");
	assert_int_equal(len, strlen(resp));
	free(resp);
	assert_int_equal(chaosd_reply_finish(NULL, &resp, &len), -1);
	/* Objects and arrays inside, and a failure with fields of its own. */
	g = chaosd_reply_ok();
	chaosd_reply_open(g, "timing_us", false);
	chaosd_reply_uint(g, "total", 7);
	chaosd_reply_close(g, false);
	chaosd_reply_open(g, "flavours", true);
	chaosd_reply_open(g, NULL, false);
	chaosd_reply_uint(g, "vcpus", 1);
	chaosd_reply_close(g, false);
	chaosd_reply_close(g, true);
	assert_int_equal(chaosd_reply_finish(g, &resp, &len), 0);
	assert_string_equal(resp,
			    "{\"ok\":true,\"timing_us\":{\"total\":7},\"flavours\":[{\"vcpus\":1}]}");
	free(resp);
	g = chaosd_reply_failed("too slow");
	chaosd_reply_bool(g, "timed_out", true);
	assert_int_equal(chaosd_reply_finish(g, &resp, &len), 0);
	assert_string_equal(resp,
			    "{\"ok\":false,\"error\":\"too slow\",\"timed_out\":true}");
	free(resp);
	chaosd_reply_free(chaosd_reply_ok());
	chaosd_reply_free(NULL);
}

static void test_error_sent_as_one_frame(void **state)
{
	static const char want[] = "{\"ok\":false,\"error\":\"out of memory\"}";
	char buf[256];
	uint32_t n;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	reply_error_send(sv[0], "out of memory", 1000);
	assert_int_equal(read(sv[1], buf, sizeof(buf)), 4 + sizeof(want) - 1);
	assert_int_equal(chaosd_frame_length((uint8_t *)buf, &n, NULL), 0);
	assert_int_equal(n, sizeof(want) - 1);
	assert_memory_equal(buf + 4, want, n);
	/* A client that went away costs nothing. */
	close(sv[1]);
	reply_error_send(sv[0], "out of memory", 1000);
	close(sv[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_reply),
		cmocka_unit_test(test_ok_reply_with_fields),
		cmocka_unit_test(test_error_sent_as_one_frame),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
