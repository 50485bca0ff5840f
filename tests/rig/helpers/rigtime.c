// SPDX-License-Identifier: MIT
/*
 * rigtime: timing for rig scenarios (busybox date has no sub-second clock).
 *   rigtime now                 monotonic time in microseconds
 *   rigtime run CMD [ARGS...]   run CMD (its stdout goes to stderr), print
 *                               its wall time in microseconds; exit as CMD
 *   rigtime wait SECS CMD...    retry CMD every 50 ms until it exits 0
 *   rigtime stats FILE          "median p90 min max count" of the numbers
 *   rigtime peak CMD [ARGS...]  like run, but print CMD's peak resident
 *                               memory in KiB (its ru_maxrss)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Run argv with stdout redirected to stderr; return its exit status and,
 * if ru is not NULL, its resource usage. */
static int run_ru(char **argv, int quiet, struct rusage *ru)
{
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		perror("rigtime: fork");
		return 127;
	}
	if (pid == 0) {
		if (quiet) {
			freopen("/dev/null", "w", stdout);
			freopen("/dev/null", "w", stderr);
		} else {
			dup2(STDERR_FILENO, STDOUT_FILENO);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "rigtime: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, ru) < 0)
		if (errno != EINTR)
			return 127;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

static int run(char **argv, int quiet)
{
	return run_ru(argv, quiet, NULL);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int stats(const char *path)
{
	FILE *f = fopen(path, "r");
	double *v = NULL, x;
	size_t n = 0, cap = 0;

	if (!f) {
		fprintf(stderr, "rigtime: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fscanf(f, "%lf", &x) == 1) {
		if (n == cap) {
			double *grown;

			cap = cap ? cap * 2 : 64;
			grown = realloc(v, cap * sizeof(*v));
			if (!grown) {
				free(v);
				fclose(f);
				return 1;
			}
			v = grown;
		}
		v[n++] = x;
	}
	fclose(f);
	if (n == 0) {
		fprintf(stderr, "rigtime: %s: no numbers\n", path);
		free(v);
		return 1;
	}
	qsort(v, n, sizeof(*v), cmp_double);
	/* Nearest-rank percentiles. */
	printf("%.3f %.3f %.3f %.3f %zu\n", v[(n - 1) / 2],
	       v[(size_t)((n * 90 + 99) / 100) - 1], v[0], v[n - 1], n);
	free(v);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "now")) {
		printf("%lld\n", now_us());
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "run")) {
		long long t0 = now_us();
		int rc = run(argv + 2, 0);

		printf("%lld\n", now_us() - t0);
		return rc;
	}
	if (argc >= 4 && !strcmp(argv[1], "wait")) {
		long long deadline = now_us() + atoll(argv[2]) * 1000000LL;

		for (;;) {
			if (run(argv + 3, 1) == 0)
				return 0;
			if (now_us() >= deadline)
				return 1;
			usleep(50000);
		}
	}
	if (argc >= 3 && !strcmp(argv[1], "peak")) {
		struct rusage ru = { 0 };
		int rc = run_ru(argv + 2, 0, &ru);

		printf("%ld\n", ru.ru_maxrss);
		return rc;
	}
	if (argc == 3 && !strcmp(argv[1], "stats"))
		return stats(argv[2]);
	fprintf(stderr, "usage: rigtime now | run CMD... | peak CMD... | wait SECS CMD... | stats FILE\n");
	return 2;
}
