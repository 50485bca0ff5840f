// SPDX-License-Identifier: MIT
/*
 * rig-ckpt-threads save ROUNDS NAME FILE [NAME FILE]...
 * rig-ckpt-threads restore FILE...
 *
 * Audit finding 13: libchaos's save and migration once kept their scratch
 * buffers in static storage, so that two threads saving two guests at
 * once would write each other's pages. This saves from one thread per
 * guest, all started together, each with its own chaos_host (host.h: a
 * host is used by one thread at a time; calls on different hosts may run
 * in parallel). Only the public API (<chaos/chaos.h>).
 *
 *   save: each thread saves its guest ROUNDS times into its FILE, the
 *     guest kept running (chaos_checkpoint_save, keep_running), one line
 *     per save, then how many saves ran while another thread's did:
 *       save NAME round=R us=T
 *       summary saves=N overlapped=K
 *   restore: one thread per FILE restores it at the same time
 *     (chaos_checkpoint_restore), one line each:
 *       restored FILE name=NAME domid=D
 *
 * Any failure prints chaos's message naming the guest or file; the exit
 * status is then 1.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/chaos.h>

#define THREADS_MAX 8
#define ROUNDS_MAX 1000

struct worker {
	pthread_t thread;
	const char *name;          /* save: the guest */
	const char *file;
	unsigned int rounds;
	uint64_t start_us[ROUNDS_MAX], end_us[ROUNDS_MAX];
	unsigned int done;         /* saves that succeeded */
	uint32_t domid;            /* restore: the new guest */
	char restored[CHAOS_NAME_MAX];
	bool failed;
	chaos_err err;
};

static pthread_barrier_t go;

static void *save_main(void *arg)
{
	struct worker *w = arg;
	chaos_host *host = NULL;
	uint32_t domid;

	if (chaos_host_open(&host, &w->err) ||
	    chaos_guest_resolve(host, w->name, &domid, &w->err)) {
		w->failed = true;
		pthread_barrier_wait(&go);
		chaos_host_close(host);
		return NULL;
	}
	pthread_barrier_wait(&go);
	for (unsigned int r = 0; r < w->rounds; r++) {
		w->start_us[r] = chaos_clock_us();
		if (chaos_checkpoint_save(host, domid, w->file, true, NULL,
					  &w->err)) {
			w->failed = true;
			break;
		}
		w->end_us[r] = chaos_clock_us();
		w->done++;
	}
	chaos_host_close(host);
	return NULL;
}

static void *restore_main(void *arg)
{
	struct worker *w = arg;
	chaos_host *host = NULL;

	if (chaos_host_open(&host, &w->err)) {
		w->failed = true;
		pthread_barrier_wait(&go);
		return NULL;
	}
	pthread_barrier_wait(&go);
	if (chaos_checkpoint_restore(host, w->file, NULL, &w->domid,
				     w->restored, &w->err))
		w->failed = true;
	chaos_host_close(host);
	return NULL;
}

/* Did save r of w run while any save of another worker did? */
static bool overlapped(const struct worker *ws, unsigned int n,
		       unsigned int k, unsigned int r)
{
	for (unsigned int j = 0; j < n; j++) {
		if (j == k)
			continue;
		for (unsigned int q = 0; q < ws[j].done; q++)
			if (ws[j].start_us[q] < ws[k].end_us[r] &&
			    ws[k].start_us[r] < ws[j].end_us[q])
				return true;
	}
	return false;
}

static int usage(void)
{
	fprintf(stderr, "usage: rig-ckpt-threads save ROUNDS NAME FILE [NAME FILE]...\n"
		"       rig-ckpt-threads restore FILE...\n");
	return 2;
}

int main(int argc, char **argv)
{
	static struct worker ws[THREADS_MAX];
	bool save = argc > 1 && !strcmp(argv[1], "save");
	unsigned int n, rounds = 0, saves = 0, over = 0;
	int first, rc = 0;

	if (save) {
		if (argc < 5 || (argc - 3) % 2)
			return usage();
		rounds = (unsigned int)strtoul(argv[2], NULL, 10);
		if (rounds < 1 || rounds > ROUNDS_MAX)
			return usage();
		first = 3;
		n = (unsigned int)(argc - 3) / 2;
	} else if (argc > 2 && !strcmp(argv[1], "restore")) {
		first = 2;
		n = (unsigned int)(argc - 2);
	} else {
		return usage();
	}
	if (n > THREADS_MAX)
		return usage();
	pthread_barrier_init(&go, NULL, n);
	for (unsigned int k = 0; k < n; k++) {
		struct worker *w = &ws[k];

		if (save) {
			w->name = argv[first + 2 * k];
			w->file = argv[first + 2 * k + 1];
			w->rounds = rounds;
		} else {
			w->file = argv[first + k];
		}
		if (pthread_create(&w->thread, NULL,
				   save ? save_main : restore_main, w)) {
			perror("rig-ckpt-threads: pthread_create");
			return 1;
		}
	}
	for (unsigned int k = 0; k < n; k++)
		pthread_join(ws[k].thread, NULL);
	for (unsigned int k = 0; k < n; k++) {
		const struct worker *w = &ws[k];

		if (save)
			for (unsigned int r = 0; r < w->done; r++) {
				printf("save %s round=%u us=%llu\n", w->name, r + 1,
				       (unsigned long long)(w->end_us[r] -
							    w->start_us[r]));
				saves++;
				over += overlapped(ws, n, k, r);
			}
		else if (!w->failed)
			printf("restored %s name=%s domid=%u\n", w->file,
			       w->restored, w->domid);
		if (w->failed) {
			fprintf(stderr, "rig-ckpt-threads: %s %s: %s\n",
				save ? "save of" : "restore of",
				save ? w->name : w->file, w->err.msg);
			rc = 1;
		}
	}
	if (save)
		printf("summary saves=%u overlapped=%u\n", saves, over);
	pthread_barrier_destroy(&go);
	return rc;
}
