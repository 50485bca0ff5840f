// SPDX-License-Identifier: MIT
/*
 * rig-create-load CLIENTS COUNT KERNEL MEM_MIB PREFIX
 *
 * What an orchestrator sees of chaosd: CLIENTS threads, each with its own
 * connection opened once, create COUNT guests in all (KERNEL, MEM_MIB MiB,
 * names PREFIX-c<k>-<i>), all at once; once every client is done, each
 * destroys its own guests. Only the public client API (<chaos/chaosd.h>).
 *
 * Timed: each create's wall time on its open connection (request sent to
 * reply read), beside the in-library time chaosd measured for it (the
 * reply's timing_us total); the create phase's wall time, from every
 * client starting together to the last create answered (connects and
 * destroys are outside it); the destroy phase's wall time, separately.
 *
 * Output, one line per create then a summary:
 *   create client=K name=N wall_us=W lib_us=L pooled=0|1
 *   summary clients=N creates=M pooled=P seconds=S creates_per_s=R
 *     open_conn_median_us=A open_conn_p90_us=A9 lib_median_us=B
 *     lib_p90_us=B9 destroy_seconds=D
 * Every failure names the guest and carries chaos's message; the exit
 * status is then 1 (after destroying what was created).
 * RIG_CHAOSD_SOCKET in the environment names another socket than chaosd's
 * usual one (a stand-in daemon off the rig).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <chaos/chaos.h>
#include <chaos/chaosd.h>

#define CLIENTS_MAX 256
#define COUNT_MAX 4096

struct create_sample {
	uint64_t wall_us;
	uint64_t lib_us;
	bool pooled;
	char name[CHAOS_NAME_MAX];
};

struct client {
	pthread_t thread;
	unsigned int index;
	unsigned int count;            /* creates this client makes */
	unsigned int created;          /* of which succeeded */
	struct create_sample *samples; /* count of them */
	bool failed;
};

static const char *kernel_path;
static unsigned long mem_mib;
static const char *name_prefix;
/* Every client and main meet here: connected, then creates done. */
static pthread_barrier_t connected, creates_done;
static pthread_mutex_t output_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&output_lock);
	fputs("rig-create-load: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	pthread_mutex_unlock(&output_lock);
}

/* One create on (conn); 0, or -1 with the failure reported. */
static int create_one(chaosd_conn *conn, struct create_sample *s)
{
	char json[512];
	chaosd_create_result res;
	chaos_err err;
	uint64_t t0;
	int len;

	len = snprintf(json, sizeof(json),
		       "{ \"name\": \"%s\", \"kernel\": \"%s\", \"memory\": %lu }",
		       s->name, kernel_path, mem_mib);
	if (len < 0 || (size_t)len >= sizeof(json)) {
		report("create %s: config does not fit %zu bytes", s->name,
		       sizeof(json));
		return -1;
	}
	t0 = now_us();
	if (chaosd_create(conn, json, (size_t)len, NULL, false, false, &res,
			  &err)) {
		report("create %s: %s", s->name, err.msg);
		return -1;
	}
	s->wall_us = now_us() - t0;
	s->lib_us = res.timing.total_us;
	s->pooled = res.pooled;
	return 0;
}

static void *client_run(void *arg)
{
	struct client *cl = arg;
	chaosd_conn *conn = NULL;
	chaos_err err;

	if (chaosd_connect(getenv("RIG_CHAOSD_SOCKET"), &conn, &err)) {
		report("client %u: connect: %s", cl->index, err.msg);
		cl->failed = true;
	}
	pthread_barrier_wait(&connected);
	for (unsigned int i = 0; conn && !cl->failed && i < cl->count; i++) {
		struct create_sample *s = &cl->samples[i];

		snprintf(s->name, sizeof(s->name), "%s-c%u-%u", name_prefix,
			 cl->index, i);
		if (create_one(conn, s))
			cl->failed = true;
		else
			cl->created++;
	}
	pthread_barrier_wait(&creates_done);
	/* Destroys wait for every create: they never share its time. */
	for (unsigned int i = 0; conn && i < cl->created; i++)
		if (chaosd_destroy(conn, cl->samples[i].name, &err)) {
			report("destroy %s: %s", cl->samples[i].name, err.msg);
			cl->failed = true;
		}
	chaosd_close(conn);
	return NULL;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The (pct)th percentile of (v, n) sorted in place, nearest rank. */
static uint64_t percentile(uint64_t *v, size_t n, unsigned int pct)
{
	size_t rank;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), compare_u64);
	rank = (n * pct + 99) / 100;
	return v[rank ? rank - 1 : 0];
}

static int parse_count(const char *text, unsigned long max, const char *what,
		       unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(text, &end, 10);
	if (errno || end == text || *end || *out == 0 || *out > max) {
		fprintf(stderr, "rig-create-load: %s '%s': 1 to %lu\n", what,
			text, max);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct client clients[CLIENTS_MAX];
	unsigned long nclients, count;
	uint64_t *wall, *lib, t_start, t_created, t_destroyed;
	size_t n = 0, pooled = 0;
	bool failed = false;

	if (argc != 6) {
		fprintf(stderr, "usage: rig-create-load CLIENTS COUNT KERNEL MEM_MIB PREFIX\n");
		return 2;
	}
	if (parse_count(argv[1], CLIENTS_MAX, "CLIENTS", &nclients) ||
	    parse_count(argv[2], COUNT_MAX, "COUNT", &count) ||
	    parse_count(argv[4], 1u << 20, "MEM_MIB", &mem_mib))
		return 2;
	kernel_path = argv[3];
	name_prefix = argv[5];
	if (kernel_path[0] != '/') {
		fprintf(stderr, "rig-create-load: KERNEL must be absolute (chaosd resolves it)\n");
		return 2;
	}
	/* A daemon that goes away fails the call (EPIPE), not the process. */
	signal(SIGPIPE, SIG_IGN);
	wall = calloc(count, sizeof(*wall));
	lib = calloc(count, sizeof(*lib));
	if (!wall || !lib) {
		fprintf(stderr, "rig-create-load: out of memory\n");
		return 1;
	}
	pthread_barrier_init(&connected, NULL, (unsigned int)nclients + 1);
	pthread_barrier_init(&creates_done, NULL, (unsigned int)nclients + 1);
	for (unsigned long k = 0; k < nclients; k++) {
		struct client *cl = &clients[k];
		int e;

		cl->index = (unsigned int)k;
		cl->count = (unsigned int)(count / nclients +
					   (k < count % nclients));
		cl->samples = calloc(cl->count ? cl->count : 1,
				     sizeof(*cl->samples));
		if (!cl->samples) {
			fprintf(stderr, "rig-create-load: out of memory\n");
			return 1;
		}
		e = pthread_create(&cl->thread, NULL, client_run, cl);
		if (e) {
			fprintf(stderr, "rig-create-load: thread: %s\n",
				strerror(e));
			return 1;
		}
	}
	pthread_barrier_wait(&connected);
	t_start = now_us();
	pthread_barrier_wait(&creates_done);
	t_created = now_us();
	for (unsigned long k = 0; k < nclients; k++)
		pthread_join(clients[k].thread, NULL);
	t_destroyed = now_us();

	for (unsigned long k = 0; k < nclients; k++) {
		struct client *cl = &clients[k];

		failed |= cl->failed;
		for (unsigned int i = 0; i < cl->created; i++) {
			const struct create_sample *s = &cl->samples[i];

			printf("create client=%lu name=%s wall_us=%" PRIu64
			       " lib_us=%" PRIu64 " pooled=%d\n", k, s->name,
			       s->wall_us, s->lib_us, s->pooled);
			wall[n] = s->wall_us;
			lib[n] = s->lib_us;
			pooled += s->pooled;
			n++;
		}
	}
	if (failed) {
		fprintf(stderr, "rig-create-load: %zu of %lu creates made, failures above\n",
			n, count);
		return 1;
	}
	{
		double seconds = (double)(t_created - t_start) / 1e6;

		printf("summary clients=%lu creates=%zu pooled=%zu seconds=%.3f "
		       "creates_per_s=%.2f open_conn_median_us=%" PRIu64
		       " open_conn_p90_us=%" PRIu64 " lib_median_us=%" PRIu64
		       " lib_p90_us=%" PRIu64 " destroy_seconds=%.3f\n",
		       nclients, n, pooled, seconds, (double)n / seconds,
		       percentile(wall, n, 50), percentile(wall, n, 90),
		       percentile(lib, n, 50), percentile(lib, n, 90),
		       (double)(t_destroyed - t_created) / 1e6);
	}
	return 0;
}
