// SPDX-License-Identifier: MIT
/* chaosd's replies, byte for byte (clients and the rig match them). */
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
	assert_int_equal(reply_error("busy: too many clients", &resp, &len), 0);
	assert_string_equal(resp,
			    "{\"ok\":false,\"error\":\"busy: too many clients\"}");
	assert_int_equal(len, strlen(resp));
	free(resp);
	/* Whatever a message holds stays one JSON string. */
	assert_int_equal(reply_error("bad \"name\"\n", &resp, &len), 0);
	assert_string_equal(resp,
			    "{\"ok\":false,\"error\":\"bad \\\"name\\\"\\n\"}");
	free(resp);
}

static void test_ok_reply_with_fields(void **state)
{
	yajl_gen g = reply_ok_begin();
	char *resp;
	size_t len;

	(void)state;
	assert_non_null(g);
	gen_kv_uint(g, "domid", 12);
	gen_kv_str(g, "name", "web1");
	gen_kv_bool(g, "pooled", false);
	assert_int_equal(reply_finish(g, &resp, &len), 0);
	assert_string_equal(resp,
			    "{\"ok\":true,\"domid\":12,\"name\":\"web1\",\"pooled\":false}");
	assert_int_equal(len, strlen(resp));
	free(resp);
	assert_int_equal(reply_finish(NULL, &resp, &len), -1);
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
