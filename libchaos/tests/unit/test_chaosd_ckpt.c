// SPDX-License-Identifier: MIT
/*
 * The checkpoint client against a scripted chaosd (a child process): the
 * request's exact text, the descriptors that go with it (working copies
 * of the caller's), the key as hex, and the reply's fields.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <chaos/chaosd.h>

struct fake {
	char path[108];
	pid_t pid;
};

/*
 * Read one request; it must be (want) with (nfds) descriptors; write "x"
 * on the first one (a save's file, a transport), answer (reply).
 */
static void serve(int lfd, const char *want, size_t nfds, const char *reply)
{
	int fd = accept(lfd, NULL, NULL), fds[CHAOSD_FRAME_FDS_MAX];
	size_t len, got;
	char *req;

	if (fd < 0 ||
	    chaosd_frame_read_fds(fd, &req, &len, fds, &got, 5000, NULL))
		_exit(1);
	if (strcmp(req, want)) {
		fprintf(stderr, "request: %s\n", req);
		_exit(2);
	}
	if (got != nfds || (nfds && write(fds[0], "x", 1) != 1))
		_exit(3);
	chaosd_fds_close(fds, got);
	chaosd_frame_write(fd, reply, strlen(reply), 5000, NULL);
	free(req);
	close(fd);
	_exit(0);
}

static void start(struct fake *f, const char *want, size_t nfds,
		  const char *reply)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(f->path, sizeof(f->path), "/tmp/chaosd-ckpt-test-%d",
		 (int)getpid());
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
	unlink(f->path);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	f->pid = fork();
	assert_true(f->pid >= 0);
	if (f->pid == 0)
		serve(lfd, want, nfds, reply);
	close(lfd);
}

static void finish(struct fake *f)
{
	int status;

	assert_int_equal(waitpid(f->pid, &status, 0), f->pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	unlink(f->path);
}

static chaosd_conn *conn_to(struct fake *f)
{
	chaosd_conn *c;

	assert_int_equal(chaosd_connect(f->path, &c, NULL), 0);
	return c;
}

static void test_save(void **state)
{
	struct fake f;
	chaos_save_timing t, sent = {
		.suspend_us = 1, .capture_us = 2, .write_us = 3,
		.finish_us = 4, .total_us = 10,
		.phases = { .state_us = 5, .pages = 1024, .zero_pages = 999,
			    .image_bytes = 108544 },
	};
	chaosd_reply *r = chaosd_reply_ok();
	uint32_t domid = 0;
	chaosd_conn *c;
	char x = 0, *reply;
	size_t len;
	int p[2];

	(void)state;
	/* The reply as chaosd writes it: the client reads the same keys. */
	chaosd_reply_save_timing(r, &sent);
	chaosd_reply_uint(r, "domid", 12);
	assert_int_equal(chaosd_reply_finish(r, &reply, &len), 0);
	assert_string_equal(reply,
			    "{\"ok\":true,\"timing_us\":{\"suspend\":1,\"capture\":2,"
			    "\"write\":3,\"finish\":4,\"total\":10,\"state\":5,"
			    "\"types\":0,\"alloc\":0,\"map\":0,\"scan\":0,\"hash\":0,"
			    "\"canon\":0,\"io\":0,\"pin\":0,\"devices\":0,"
			    "\"pages\":1024,\"zero_pages\":999,\"image_bytes\":108544},"
			    "\"domid\":12}");
	assert_int_equal(pipe(p), 0);
	start(&f, "{\"op\":\"save\",\"domain\":\"web1\",\"keep_running\":true}", 1,
	      reply);
	free(reply);
	c = conn_to(&f);
	assert_int_equal(chaosd_save(c, "web1", p[1], true, &t, &domid, NULL), 0);
	assert_int_equal(domid, 12);
	assert_memory_equal(&t, &sent, sizeof(t));
	/* The daemon wrote through its copy; ours stays open and ours. */
	assert_int_equal(read(p[0], &x, 1), 1);
	assert_int_equal(x, 'x');
	assert_int_equal(write(p[1], "y", 1), 1);
	chaosd_close(c);
	finish(&f);
	close(p[0]);
	close(p[1]);
}

static void test_restore_refused(void **state)
{
	struct fake f;
	const char *bridges[] = { "br0", "xenbr0=br1" };
	chaos_restore_opts opts = { .paused = true, .bridges = bridges,
				    .nr_bridges = 2 };
	char name[CHAOS_NAME_MAX];
	uint32_t domid = 99;
	chaos_err err;
	chaosd_conn *c;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	start(&f, "{\"op\":\"restore\",\"paused\":true,\"unnamed\":false,"
		  "\"bridges\":[\"br0\",\"xenbr0=br1\"]}", 1,
	      "{\"ok\":false,\"error\":\"the image: not a saved guest\"}");
	c = conn_to(&f);
	assert_int_equal(chaosd_restore(c, p[1], &opts, &domid, name, &err), -1);
	assert_int_equal(err.code, EIO);
	assert_string_equal(err.msg, "the image: not a saved guest");
	assert_int_equal(domid, 0);
	chaosd_close(c);
	finish(&f);
	close(p[0]);
	close(p[1]);
}

static void test_migrate_with_key(void **state)
{
	struct fake f;
	chaos_migrate_key key = { .len = 16 };
	chaos_migrate_timing t;
	uint32_t domid = 0;
	chaosd_conn *c;
	int sv[2];

	(void)state;
	for (int i = 0; i < 16; i++)
		key.bytes[i] = (uint8_t)(0xf0 + i);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	/* One descriptor when in and out are the same. */
	start(&f, "{\"key\":\"f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff\","
		  "\"op\":\"migrate-send\",\"domain\":\"7\",\"live\":true}", 1,
	      "{\"ok\":true,\"domid\":7,\"timing_us\":{\"downtime\":5},"
	      "\"rounds\":3,\"pages_resent\":40}");
	c = conn_to(&f);
	assert_int_equal(chaosd_migrate_send(c, "7", sv[0], sv[0], true, &key,
					     &t, &domid, NULL), 0);
	assert_int_equal(domid, 7);
	assert_int_equal(t.downtime_us, 5);
	assert_int_equal(t.rounds, 3);
	assert_int_equal(t.pages_resent, 40);
	chaosd_close(c);
	finish(&f);
	/* The receiving end: stdin and stdout, two descriptors, no key. */
	start(&f, "{\"op\":\"migrate-receive\"}", 2,
	      "{\"ok\":true,\"domid\":21}");
	c = conn_to(&f);
	assert_int_equal(chaosd_migrate_receive(c, sv[0], sv[1], NULL, NULL,
						&domid, NULL), 0);
	assert_int_equal(domid, 21);
	chaosd_close(c);
	finish(&f);
	close(sv[0]);
	close(sv[1]);
}

static void test_key_hex(void **state)
{
	chaos_migrate_key key = { .len = 16 }, back;
	char hex[2 * CHAOS_PSK_MAX + 1];
	chaos_err err;

	(void)state;
	memset(key.bytes, 0xa5, 16);
	chaos_migrate_key_to_hex(&key, hex);
	assert_string_equal(hex, "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5");
	assert_int_equal(chaos_migrate_key_from_hex(hex, &back, &err), 0);
	assert_int_equal(back.len, 16);
	assert_memory_equal(back.bytes, key.bytes, 16);
	assert_int_equal(chaos_migrate_key_from_hex("a5a5", &back, &err), -1);
	assert_int_equal(back.len, 0);
	hex[3] = 'A';
	assert_int_equal(chaos_migrate_key_from_hex(hex, &back, &err), -1);
	assert_int_equal(err.code, EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_save),
		cmocka_unit_test(test_restore_refused),
		cmocka_unit_test(test_migrate_with_key),
		cmocka_unit_test(test_key_hex),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
