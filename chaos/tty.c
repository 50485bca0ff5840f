// SPDX-License-Identifier: MIT
/* The terminal of an attached console (see tty.h). */
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "tty.h"

static const int fatal[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT };
static struct termios saved;
static volatile sig_atomic_t is_raw;

/* tcsetattr and raise are async-signal-safe. */
static void give_back_and_die(int sig)
{
	if (is_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	is_raw = 0;
	signal(sig, SIG_DFL);
	raise(sig);
}

int cli_tty_raw(int input)
{
	struct sigaction sa;
	struct termios raw;

	if (!input || !isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved))
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = give_back_and_die;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal) / sizeof(*fatal); i++)
		sigaddset(&sa.sa_mask, fatal[i]);
	for (size_t i = 0; i < sizeof(fatal) / sizeof(*fatal); i++)
		sigaction(fatal[i], &sa, NULL);
	raw = saved;
	cfmakeraw(&raw);
	is_raw = 1;
	tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	return 1;
}

void cli_tty_restore(void)
{
	if (!is_raw)
		return;
	tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	is_raw = 0;
	for (size_t i = 0; i < sizeof(fatal) / sizeof(*fatal); i++)
		signal(fatal[i], SIG_DFL);
}
