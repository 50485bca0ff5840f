// SPDX-License-Identifier: MIT
/*
 * An orchestrator's inner loop on chaosd's events: create a guest through
 * chaosd, subscribe to its events, and when it crashes, create it again
 * (waiting 1 s, 2 s, 4 s, ... between tries, at most MAX times). No
 * polling: chaosd says when the guest stops and why.
 *
 *     supervisor [-n MAX] [-t SECONDS] guest.json
 *
 * guest.json's on_crash should be "destroy" (the default): restarting is
 * this program's job. Exit status: 0 the guest powered off (or SECONDS
 * passed: it is destroyed then), 1 an error, chaosd not running, or the
 * guest crashed more than MAX times (default 3), 2 bad usage.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <chaos/chaos.h>
#include <chaos/chaosd.h>

static int fail(const char *what, const chaos_err *err)
{
	fprintf(stderr, "supervisor: %s%s%s\n", what, err ? ": " : "",
		err ? err->msg : "");
	return 1;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = malloc(CHAOSD_FRAME_MAX);

	*len = 0;
	if (f && buf)
		*len = fread(buf, 1, CHAOSD_FRAME_MAX - PATH_MAX - 256, f);
	if (f)
		fclose(f);
	if (!f || !buf || *len == 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int create(chaosd_conn *ctl, const char *text, size_t len,
		  const char *path, uint32_t *domid)
{
	chaosd_create_result res;
	chaos_err err;

	if (chaosd_create(ctl, text, len, path, false, false, &res, &err))
		return fail("create", &err);
	*domid = res.domid;
	printf("supervisor: domain %u created%s\n", res.domid,
	       res.pooled ? " (from the pool)" : "");
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	chaosd_conn *ctl = NULL, *events = NULL;
	char path[PATH_MAX], *text = NULL;
	long max_restarts = 3, seconds = -1, restarts = 0;
	long long end_ms;
	uint32_t domid = 0;
	chaos_err err;
	size_t len;
	int opt, rc = 1;

	while ((opt = getopt(argc, argv, "n:t:")) != -1) {
		if (opt == 'n' && (max_restarts = strtol(optarg, NULL, 10)) >= 0)
			continue;
		if (opt == 't' && (seconds = strtol(optarg, NULL, 10)) > 0)
			continue;
		optind = argc;  /* bad usage */
		break;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: supervisor [-n MAX] [-t SECONDS] guest.json\n");
		return 2;
	}
	if (!realpath(argv[optind], path) || !(text = read_file(path, &len))) {
		fprintf(stderr, "supervisor: %s: cannot read it\n", argv[optind]);
		return 1;
	}
	/* Two connections: a subscribed one carries nothing but events. */
	if (chaosd_connect(NULL, &ctl, &err) || chaosd_connect(NULL, &events, &err)) {
		fprintf(stderr, "supervisor: chaosd is not running (%s)\n", err.msg);
		goto out;
	}
	/* Subscribed before the create: none of the guest's events is missed. */
	if (chaosd_subscribe(events, &err)) {
		rc = fail("subscribe", &err);
		goto out;
	}
	if (create(ctl, text, len, path, &domid))
		goto out;
	end_ms = seconds > 0 ? chaos_clock_ms() + seconds * 1000 : -1;
	for (;;) {
		long long left = end_ms < 0 ? -1 : end_ms - chaos_clock_ms();
		chaosd_event ev;

		if (end_ms >= 0 && left <= 0) {
			char id[16];

			snprintf(id, sizeof(id), "%u", domid);
			printf("supervisor: %ld s passed: destroying domain %u\n",
			       seconds, domid);
			rc = chaosd_destroy(ctl, id, &err) ? fail("destroy", &err) : 0;
			break;
		}
		if (chaosd_event_next(events, (int)left, &ev, &err)) {
			if (err.code == ETIMEDOUT)
				continue;
			rc = fail("events", &err);
			break;
		}
		if (ev.type == CHAOSD_EVENT_OVERFLOW) {
			/* Some events were lost: ask whether ours still runs. */
			chaos_guest_stats *st;
			size_t n;
			char id[16];

			snprintf(id, sizeof(id), "%u", domid);
			printf("supervisor: %llu events lost, checking domain %u\n",
			       (unsigned long long)ev.lost, domid);
			if (chaosd_stats(ctl, id, &st, &n, &err) == 0) {
				free(st);
				continue;
			}
			strcpy(ev.reason, "gone");
			ev.type = CHAOSD_EVENT_DESTROYED;
			ev.domid = domid;
		}
		if (ev.domid != domid)
			continue;
		printf("supervisor: domain %u %s%s%s\n", ev.domid,
		       chaosd_event_type_name(ev.type), ev.reason[0] ? " " : "",
		       ev.reason);
		fflush(stdout);
		if (ev.type != CHAOSD_EVENT_DESTROYED)
			continue;
		if (!strcmp(ev.reason, "poweroff")) {
			rc = 0;
			break;
		}
		if (strcmp(ev.reason, "crash") && strcmp(ev.reason, "watchdog")) {
			fprintf(stderr, "supervisor: domain %u ended (%s): not restarting it\n",
				domid, ev.reason);
			break;
		}
		if (restarts == max_restarts) {
			fprintf(stderr, "supervisor: crashed %ld times: giving up\n",
				restarts + 1);
			break;
		}
		/* Back off before a restart: a guest that crashes at boot
		 * would otherwise take a CPU. */
		sleep(1u << (restarts < 5 ? restarts : 5));
		restarts++;
		if (create(ctl, text, len, path, &domid))
			break;
		printf("supervisor: restart %ld of %ld\n", restarts, max_restarts);
	}
out:
	chaosd_close(events);
	chaosd_close(ctl);
	free(text);
	return rc;
}
