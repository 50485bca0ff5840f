// SPDX-License-Identifier: MIT
/*
 * rig-fill: fill the host with guests through chaosd, one connection
 * opened once (the public client API, <chaos/chaosd.h>), for the density
 * bench.
 *
 *   rig-fill create KERNEL MEM_MIB PREFIX BUDGET_S MAX
 *     creates PREFIX1, PREFIX2, ... (KERNEL, MEM_MIB MiB, one vCPU) one
 *     after the other until a create fails, BUDGET_S seconds have passed
 *     since the first began (no create starts after that) or MAX exist.
 *     Prints a line per create made:
 *       N,ELAPSED_US,WALL_US,LIB_US,POOLED
 *     (ELAPSED_US: from the first create's start to this one's reply;
 *     WALL_US: this create, request sent to reply read; LIB_US: chaosd's
 *     in-library time for it), then
 *       stop=failed|budget|max guests=N seconds=S
 *     and, for a failed create, its message on stderr and as
 *       error=MESSAGE
 *     Exit status 0 whatever stopped it (the caller judges the failure),
 *     1 when nothing could be tried (no connection), 2 for bad usage.
 *   rig-fill destroy PREFIX N
 *     destroys PREFIX1..PREFIXN on one connection; prints
 *       destroyed=N seconds=S
 *     exit status 1 if any destroy failed (each one named on stderr).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <chaos/chaos.h>
#include <chaos/chaosd.h>

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int parse_num(const char *text, unsigned long max, const char *what,
		     unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(text, &end, 10);
	if (errno || end == text || *end || *out == 0 || *out > max) {
		fprintf(stderr, "rig-fill: %s '%s': 1 to %lu\n", what, text,
			max);
		return -1;
	}
	return 0;
}

static int fill(chaosd_conn *conn, const char *kernel, unsigned long mem_mib,
		const char *prefix, unsigned long budget_s, unsigned long max)
{
	uint64_t t_start = now_us(), budget_us = budget_s * 1000000u;
	const char *stop = "max";
	unsigned long n = 0;
	chaos_err err = { 0 };

	while (n < max) {
		chaosd_create_result res;
		char json[CHAOS_CONFIG_PATH_MAX + 256];
		uint64_t t0 = now_us();
		int len;

		if (t0 - t_start >= budget_us) {
			stop = "budget";
			break;
		}
		len = snprintf(json, sizeof(json),
			       "{ \"name\": \"%s%lu\", \"kernel\": \"%s\", \"memory\": %lu }",
			       prefix, n + 1, kernel, mem_mib);
		if (len < 0 || (size_t)len >= sizeof(json)) {
			fprintf(stderr, "rig-fill: the config does not fit\n");
			return 2;
		}
		if (chaosd_create(conn, json, (size_t)len, NULL, false, false,
				  &res, &err)) {
			stop = "failed";
			break;
		}
		n++;
		printf("%lu,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%d\n", n,
		       now_us() - t_start, now_us() - t0, res.timing.total_us,
		       res.pooled ? 1 : 0);
		fflush(stdout);
	}
	printf("stop=%s guests=%lu seconds=%.3f\n", stop, n,
	       (double)(now_us() - t_start) / 1e6);
	if (!strcmp(stop, "failed")) {
		fprintf(stderr, "rig-fill: create %s%lu: %s\n", prefix, n + 1,
			err.msg);
		printf("error=%s\n", err.msg);
	}
	return 0;
}

static int drain(chaosd_conn *conn, const char *prefix, unsigned long count)
{
	uint64_t t0 = now_us();
	unsigned long done = 0;
	int rc = 0;

	for (unsigned long i = 1; i <= count; i++) {
		char name[CHAOS_NAME_MAX];
		chaos_err err;

		snprintf(name, sizeof(name), "%s%lu", prefix, i);
		if (chaosd_destroy(conn, name, &err)) {
			fprintf(stderr, "rig-fill: destroy %s: %s\n", name,
				err.msg);
			rc = 1;
		} else {
			done++;
		}
	}
	printf("destroyed=%lu seconds=%.3f\n", done,
	       (double)(now_us() - t0) / 1e6);
	return rc;
}

int main(int argc, char **argv)
{
	chaosd_conn *conn = NULL;
	unsigned long mem_mib, budget_s, max, count;
	chaos_err err;
	int rc;

	/* A daemon that goes away fails the call (EPIPE), not the process. */
	signal(SIGPIPE, SIG_IGN);
	if (argc == 7 && !strcmp(argv[1], "create")) {
		if (parse_num(argv[3], 1u << 20, "MEM_MIB", &mem_mib) ||
		    parse_num(argv[5], 1u << 20, "BUDGET_S", &budget_s) ||
		    parse_num(argv[6], 1u << 20, "MAX", &max))
			return 2;
		if (argv[2][0] != '/') {
			fprintf(stderr, "rig-fill: KERNEL must be absolute (chaosd resolves it)\n");
			return 2;
		}
	} else if (argc == 4 && !strcmp(argv[1], "destroy")) {
		if (parse_num(argv[3], 1u << 20, "N", &count))
			return 2;
	} else {
		fprintf(stderr, "usage: rig-fill create KERNEL MEM_MIB PREFIX BUDGET_S MAX\n"
				"       rig-fill destroy PREFIX N\n");
		return 2;
	}
	if (chaosd_connect(NULL, &conn, &err)) {
		fprintf(stderr, "rig-fill: connect: %s\n", err.msg);
		return 1;
	}
	if (!strcmp(argv[1], "create"))
		rc = fill(conn, argv[2], mem_mib, argv[4], budget_s, max);
	else
		rc = drain(conn, argv[2], count);
	chaosd_close(conn);
	return rc;
}
