// SPDX-License-Identifier: MIT
/*
 * Audit finding 22(d), "a Ctrl-C of chaos create -c or chaos console
 * restores the terminal, but SIGTERM or SIGHUP leaves it raw": a console
 * on a pseudo-terminal, killed by each of those signals, gives the
 * terminal back as it found it, and still dies of the signal.
 */
#include <fcntl.h>
#include <pty.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <cmocka.h>

#include "tty.h"

/* A console on a fresh pty, killed by sig: the terminal afterwards. */
static void killed_console(int sig, struct termios *after)
{
	int master, slave, ready[2], status;
	char c;
	pid_t pid;

	assert_int_equal(openpty(&master, &slave, NULL, NULL, NULL), 0);
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(ready[0]);
		/* SIGHUP comes from the session a terminal hangs up on. */
		setsid();
		dup2(slave, STDIN_FILENO);
		if (!cli_tty_raw(1))
			_exit(2);
		if (write(ready[1], "r", 1) != 1)
			_exit(3);
		for (;;)
			pause();
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(tcgetattr(slave, after), 0);
	assert_int_equal(after->c_lflag & ICANON, 0);  /* raw meanwhile */
	assert_int_equal(kill(pid, sig), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), sig);
	assert_int_equal(tcgetattr(slave, after), 0);
	close(ready[0]);
	close(slave);
	close(master);
}

static void test_signals_give_the_terminal_back(void **state)
{
	static const int sigs[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT };
	struct termios after;

	(void)state;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(*sigs); i++) {
		killed_console(sigs[i], &after);
		assert_int_not_equal(after.c_lflag & ICANON, 0);
		assert_int_not_equal(after.c_lflag & ECHO, 0);
	}
}

/* Restored by hand (detach, guest gone): the handlers go too. */
static void test_restore_drops_the_handlers(void **state)
{
	struct sigaction sa;
	int master, slave, saved_in = dup(STDIN_FILENO);
	struct termios t;

	(void)state;
	assert_int_equal(openpty(&master, &slave, NULL, NULL, NULL), 0);
	dup2(slave, STDIN_FILENO);
	assert_int_equal(cli_tty_raw(0), 0);  /* no input wanted: untouched */
	assert_int_equal(cli_tty_raw(1), 1);
	cli_tty_restore();
	assert_int_equal(tcgetattr(slave, &t), 0);
	assert_int_not_equal(t.c_lflag & ICANON, 0);
	assert_int_equal(sigaction(SIGTERM, NULL, &sa), 0);
	assert_ptr_equal(sa.sa_handler, SIG_DFL);
	cli_tty_restore();  /* twice is harmless */
	dup2(saved_in, STDIN_FILENO);
	close(saved_in);
	close(slave);
	close(master);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signals_give_the_terminal_back),
		cmocka_unit_test(test_restore_drops_the_handlers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
