// SPDX-License-Identifier: MIT
/* The console stream client against a scripted chaosd (a child process). */
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

/* What the fake daemon does after reading the request. */
enum script { ANSWER_AND_STREAM, REFUSE, ECHO_INPUT, NO_DOMID };

static void serve(int lfd, enum script what)
{
	int fd = accept(lfd, NULL, NULL);
	const char *ok = "{\"ok\":true,\"domid\":12,\"name\":\"web1\"}";
	const char *no = "{\"ok\":false,\"error\":\"domain 12 is not a chaos guest\"}";
	char *req, buf[64];
	size_t len;
	ssize_t n;

	if (fd < 0 || chaosd_frame_read(fd, &req, &len, 5000, NULL))
		_exit(1);
	/* The request must be exactly the console op for "web1". */
	if (strcmp(req, "{\"op\":\"console\",\"domain\":\"web1\"}"))
		_exit(2);
	free(req);
	switch (what) {
	case REFUSE:
		chaosd_frame_write(fd, no, strlen(no), 5000, NULL);
		break;
	case NO_DOMID:
		chaosd_frame_write(fd, "{\"ok\":true}", 11, 5000, NULL);
		break;
	case ANSWER_AND_STREAM:
		chaosd_frame_write(fd, ok, strlen(ok), 5000, NULL);
		/* Raw output, split so `until` must match across reads. */
		if (write(fd, "boot...\nrea", 11) != 11)
			_exit(3);
		usleep(20000);
		if (write(fd, "dy\nafter\n", 9) != 9)
			_exit(3);
		break;
	case ECHO_INPUT:
		chaosd_frame_write(fd, ok, strlen(ok), 5000, NULL);
		/* Until the client detaches (its close may beat an echo). */
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			if (write(fd, buf, (size_t)n) != n)
				break;
		break;
	}
	close(fd);
	_exit(0);
}

static void start(struct fake *f, enum script what)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(f->path, sizeof(f->path), "/tmp/chaosd-console-test-%d",
		 (int)getpid());
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
	unlink(f->path);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	f->pid = fork();
	assert_true(f->pid >= 0);
	if (f->pid == 0)
		serve(lfd, what);
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

static void test_stream_until_across_reads(void **state)
{
	struct fake f;
	chaosd_conn *c;
	chaos_err err;
	uint32_t domid = 0;
	chaos_console_end end;
	int out[2];
	chaos_console_opts opts = { .in_fd = -1, .escape_char = -1,
				    .until = "ready", .timeout_ms = 5000 };
	char got[64] = "";

	(void)state;
	start(&f, ANSWER_AND_STREAM);
	assert_int_equal(pipe(out), 0);
	opts.out_fd = out[1];
	assert_int_equal(chaosd_connect(f.path, &c, &err), 0);
	assert_int_equal(chaosd_console_attach(c, "web1", &domid, &err), 0);
	assert_int_equal(domid, 12);
	assert_int_equal(chaosd_console_run(c, &opts, &end, &err), 0);
	assert_int_equal(end, CHAOS_CONSOLE_MATCHED);
	close(out[1]);
	assert_true(read(out[0], got, sizeof(got) - 1) >= 14);
	assert_memory_equal(got, "boot...\nready\n", 14);
	close(out[0]);
	chaosd_close(c);
	finish(&f);
}

static void test_closed_stream_is_guest_gone(void **state)
{
	struct fake f;
	chaosd_conn *c;
	chaos_err err;
	uint32_t domid;
	chaos_console_end end;
	int out[2];
	chaos_console_opts opts = { .in_fd = -1, .escape_char = -1,
				    .until = "never printed", .timeout_ms = 5000 };

	(void)state;
	start(&f, ANSWER_AND_STREAM);
	assert_int_equal(pipe(out), 0);
	opts.out_fd = out[1];
	assert_int_equal(chaosd_connect(f.path, &c, &err), 0);
	assert_int_equal(chaosd_console_attach(c, "web1", &domid, &err), 0);
	assert_int_equal(chaosd_console_run(c, &opts, &end, &err), 0);
	assert_int_equal(end, CHAOS_CONSOLE_GUEST_GONE);
	close(out[0]);
	close(out[1]);
	chaosd_close(c);
	finish(&f);
}

static void test_input_then_escape_detaches(void **state)
{
	struct fake f;
	chaosd_conn *c;
	chaos_err err;
	uint32_t domid;
	chaos_console_end end;
	int in[2], out[2];
	chaos_console_opts opts = { .escape_char = CHAOS_CONSOLE_ESCAPE,
				    .until = "typed", .timeout_ms = 5000 };
	char got[64] = "";

	(void)state;
	start(&f, ECHO_INPUT);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	opts.in_fd = in[0];
	opts.out_fd = out[1];
	assert_int_equal(chaosd_connect(f.path, &c, &err), 0);
	assert_int_equal(chaosd_console_attach(c, "web1", &domid, &err), 0);
	/* Keystrokes go through and come back (the fake echoes). */
	assert_int_equal(write(in[1], "typed", 5), 5);
	assert_int_equal(chaosd_console_run(c, &opts, &end, &err), 0);
	assert_int_equal(end, CHAOS_CONSOLE_MATCHED);
	/* Ctrl-] detaches; what came before it is still sent. */
	opts.until = NULL;
	assert_int_equal(write(in[1], "ab\x1d" "cd", 5), 5);
	assert_int_equal(chaosd_console_run(c, &opts, &end, &err), 0);
	assert_int_equal(end, CHAOS_CONSOLE_DETACHED);
	chaosd_close(c);
	finish(&f);
	close(out[1]);
	assert_int_equal(read(out[0], got, sizeof(got)), 5);
	assert_memory_equal(got, "typed", 5);
	close(in[0]);
	close(in[1]);
	close(out[0]);
}

static void test_refusal_and_bad_response(void **state)
{
	struct fake f;
	chaosd_conn *c;
	chaos_err err;
	uint32_t domid;

	(void)state;
	start(&f, REFUSE);
	assert_int_equal(chaosd_connect(f.path, &c, &err), 0);
	assert_int_equal(chaosd_console_attach(c, "web1", &domid, &err), -1);
	assert_string_equal(err.msg, "domain 12 is not a chaos guest");
	chaosd_close(c);
	finish(&f);

	start(&f, NO_DOMID);
	assert_int_equal(chaosd_connect(f.path, &c, &err), 0);
	assert_int_equal(chaosd_console_attach(c, "web1", &domid, &err), -1);
	assert_non_null(strstr(err.msg, "without a domid"));
	chaosd_close(c);
	finish(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_until_across_reads),
		cmocka_unit_test(test_closed_stream_is_guest_gone),
		cmocka_unit_test(test_input_then_escape_detaches),
		cmocka_unit_test(test_refusal_and_bad_response),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
