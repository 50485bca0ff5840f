// SPDX-License-Identifier: MIT
/*
 * xendevd-wait: wait for a vif's attach through libchaos, as chaos does.
 * Used by the integration tests and the benchmark. Prints the answer; exit
 * 0 attached, 2 timeout, 1 other error.
 *   xendevd-wait [-s socket] <vif> <timeout_ms>
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/xendevd.h>

int main(int argc, char **argv)
{
	const char *sock = NULL;
	char bridge[16], *end;
	unsigned long timeout;
	chaos_err err;
	int i = 1;

	if (argc == 5 && !strcmp(argv[1], "-s")) {
		sock = argv[2];
		i = 3;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: xendevd-wait [-s socket] <vif> "
			"<timeout_ms>\n");
		return 1;
	}
	errno = 0;
	timeout = strtoul(argv[i + 1], &end, 10);
	if (errno || *end || timeout > CHAOS_XENDEVD_MAX_TIMEOUT_MS) {
		fprintf(stderr, "xendevd-wait: bad timeout '%s'\n",
			argv[i + 1]);
		return 1;
	}
	if (chaos_xendevd_wait_ifname(sock, argv[i], (unsigned)timeout, bridge,
				      sizeof(bridge), &err) < 0) {
		fprintf(stderr, "xendevd-wait: %s\n", err.msg);
		return err.code == ETIMEDOUT ? 2 : 1;
	}
	printf("attached %s\n", bridge);
	return 0;
}
