// SPDX-License-Identifier: MIT
/*
 * A minimal orchestrator on libchaos: create a guest from a config file,
 * list the host's domains, wait for the guest to stop, then destroy it.
 *
 *     orchestrator [-t SECONDS] guest.json
 *
 * Exit status: 0 when the guest stopped by itself, 1 on any error or when
 * it was still running after SECONDS (default 60), 2 on bad usage.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <chaos/chaos.h>

static const char *reason_name(unsigned int reason)
{
	return reason == CHAOS_SHUTDOWN_POWEROFF ? "powered off" :
	       reason == CHAOS_SHUTDOWN_CRASH ? "crashed" : "stopped";
}

/* Poll until the guest has shut down: 0, 1 on timeout, -1 on error. */
static int wait_stopped(chaos_host *host, uint32_t domid, long timeout_s,
			chaos_domain_info *info, chaos_err *err)
{
	const struct timespec tick = { .tv_sec = 0, .tv_nsec = 100000000 };

	for (long n = 0; n <= timeout_s * 10; n++) {
		if (chaos_domain_get(host, domid, info, err))
			return -1;  /* ESRCH: someone else destroyed it */
		if (info->state == CHAOS_STATE_SHUTDOWN ||
		    info->state == CHAOS_STATE_DYING)
			return 0;
		nanosleep(&tick, NULL);
	}
	return 1;
}

static int fail(const chaos_err *err)  /* one line, status 1 */
{
	fprintf(stderr, "orchestrator: %s\n", err->msg);
	return 1;
}

int main(int argc, char **argv)
{
	chaos_err err = { 0 };
	chaos_host *host;
	chaos_config cfg;
	chaos_create_opts opts = { 0 };
	chaos_domain_info *doms, info;
	size_t count;
	uint32_t domid;
	long timeout_s = 60;
	int opt, rc = 1;

	while ((opt = getopt(argc, argv, "t:")) != -1)
		if (opt != 't' || (timeout_s = strtol(optarg, NULL, 10)) <= 0)
			optind = argc;  /* bad usage */
	if (optind != argc - 1) {
		fprintf(stderr, "usage: orchestrator [-t SECONDS] guest.json\n");
		return 2;
	}
	if (chaos_version_number() != CHAOS_VERSION_NUMBER)
		fprintf(stderr, "orchestrator: built for libchaos %s, runs %s\n",
			CHAOS_VERSION, chaos_version());

	if (chaos_host_open(&host, &err))
		return fail(&err);
	if (chaos_config_parse_file(argv[optind], &cfg, &err)) {
		fail(&err);     /* cfg holds nothing to free */
		goto out_host;
	}
	opts.config_path = argv[optind];
	if (chaos_guest_create(host, &cfg, &opts, &domid, NULL, &err)) {
		fail(&err);     /* nothing was left behind */
		goto out_cfg;
	}
	printf("created domain %u\n", domid);

	if (chaos_domain_list(host, &doms, &count, &err)) {
		fail(&err);
		goto out_guest;
	}
	chaos_format_list_text(stdout, doms, count);
	free(doms);

	switch (wait_stopped(host, domid, timeout_s, &info, &err)) {
	case 0:
		printf("domain %u %s\n", domid, reason_name(info.shutdown_reason));
		rc = 0;
		break;
	case 1:
		fprintf(stderr, "orchestrator: domain %u still running after %ld s\n",
			domid, timeout_s);
		break;
	default:
		fail(&err);
		if (err.code == ESRCH)  /* destroyed by someone else */
			goto out_cfg;
	}
out_guest:
	/* ESRCH: it went meanwhile (chaosd's reaper applies on_poweroff). */
	if (chaos_guest_destroy(host, domid, &err) && err.code != ESRCH)
		rc = fail(&err);
	else
		printf("domain %u destroyed\n", domid);
out_cfg:
	chaos_config_free(&cfg);
out_host:
	chaos_host_close(host);
	return rc;
}
