// SPDX-License-Identifier: MIT
/* chaosd_notify_ready: the sd_notify datagram reaches $NOTIFY_SOCKET, a
 * path or an abstract name; without the variable nothing is sent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../notify.h"

static int listen_on(const char *name, bool abstract)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t n = strlen(name);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	memcpy(a.sun_path + (abstract ? 1 : 0), name, n);
	assert_int_equal(bind(fd, (struct sockaddr *)&a,
			      (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
					  n + (abstract ? 1 : 0))), 0);
	return fd;
}

static void expect_ready(int fd)
{
	char buf[64];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

	assert_int_equal(n, 7);
	buf[n] = '\0';
	assert_string_equal(buf, "READY=1");
}

static void test_path(void **state)
{
	char dir[] = "/tmp/chaosd-notify.XXXXXX", path[128];
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = listen_on(path, false);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(chaosd_notify_ready(), 0);
	expect_ready(fd);
	close(fd);
	unlink(path);
	rmdir(dir);
}

static void test_abstract(void **state)
{
	char name[64], env[66];
	int fd;

	(void)state;
	snprintf(name, sizeof(name), "chaosd-notify-%ld", (long)getpid());
	fd = listen_on(name, true);
	snprintf(env, sizeof(env), "@%s", name);
	setenv("NOTIFY_SOCKET", env, 1);
	assert_int_equal(chaosd_notify_ready(), 0);
	expect_ready(fd);
	close(fd);
}

static void test_unset_and_bad(void **state)
{
	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(chaosd_notify_ready(), 0);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(chaosd_notify_ready(), -1);
	/* Nobody listening: an error, which chaosd logs and goes on. */
	setenv("NOTIFY_SOCKET", "/nonexistent/chaosd-notify", 1);
	assert_int_equal(chaosd_notify_ready(), -1);
	unsetenv("NOTIFY_SOCKET");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_abstract),
		cmocka_unit_test(test_unset_and_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
