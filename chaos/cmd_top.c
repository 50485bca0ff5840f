// SPDX-License-Identifier: MIT
/*
 * chaos top [--json] [--delay S] [--iterations N]
 *
 * A live view of the domains and their statistics, like xentop without
 * XenStore: state, CPU use (% of one CPU over the last interval), memory,
 * vCPUs, and each guest's vif traffic (bytes and packets per second, from
 * the noxs netback's dom0 devices). --json prints one sample, cumulative
 * counters, and exits. Through chaosd when it runs (a member of its group
 * sees its own guests), else read here.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <chaos/chaos.h>
#include <chaos/chaosd.h>
#include "commands.h"

struct sample {
	chaos_guest_stats *st;
	size_t n;
	long long at_ms;
};

static int take(chaosd_conn *conn, chaos_host *host, struct sample *s)
{
	chaos_err err;
	int rc = conn ? chaosd_stats(conn, NULL, &s->st, &s->n, &err) :
			chaos_stats_list(host, &s->st, &s->n, &err);

	if (rc) {
		cli_error("top: %s", err.msg);
		return -1;
	}
	s->at_ms = chaos_clock_ms();
	return 0;
}

static const chaos_guest_stats *find(const struct sample *s, uint32_t domid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->st[i].dom.domid == domid)
			return &s->st[i];
	return NULL;
}

/* Sums of a guest's vif counters. */
static void vif_sums(const chaos_guest_stats *g, uint64_t sum[4])
{
	memset(sum, 0, 4 * sizeof(*sum));
	for (size_t i = 0; i < g->nr_vifs && i < CHAOS_STATS_VIFS_MAX; i++) {
		sum[0] += g->vifs[i].rx_bytes;
		sum[1] += g->vifs[i].rx_packets;
		sum[2] += g->vifs[i].tx_bytes;
		sum[3] += g->vifs[i].tx_packets;
	}
}

static double per_s(uint64_t now, uint64_t then, double secs)
{
	return now >= then && secs > 0 ? (double)(now - then) / secs : 0;
}

static void print_table(const struct sample *cur, const struct sample *prev)
{
	double secs = prev ? (double)(cur->at_ms - prev->at_ms) / 1000 : 0;

	printf("%-5s %-20s %-8s %6s %9s %5s %4s %12s %10s %12s %10s\n",
	       "ID", "Name", "State", "CPU%", "Mem(KiB)", "vCPU", "Vifs",
	       "Guest-TX B/s", "TX pkt/s", "Guest-RX B/s", "RX pkt/s");
	for (size_t i = 0; i < cur->n; i++) {
		const chaos_guest_stats *g = &cur->st[i];
		const chaos_guest_stats *p = prev ? find(prev, g->dom.domid) : NULL;
		uint64_t now[4], then[4] = { 0 };
		double cpu = 0;

		vif_sums(g, now);
		if (p) {
			vif_sums(p, then);
			if (g->dom.cpu_time_ns >= p->dom.cpu_time_ns && secs > 0)
				cpu = (double)(g->dom.cpu_time_ns -
					       p->dom.cpu_time_ns) /
				      (secs * 1e7);
		}
		/* dom0's rx is what the guest sent. */
		printf("%-5u %-20.20s %-8s %6.1f %9" PRIu64 " %5u %4zu %12.0f %10.0f %12.0f %10.0f\n",
		       g->dom.domid, chaos_domain_display_name(&g->dom),
		       chaos_domain_state_name(g->dom.state), cpu,
		       g->dom.mem_kib, g->dom.vcpus, g->nr_vifs,
		       p ? per_s(now[0], then[0], secs) : 0,
		       p ? per_s(now[1], then[1], secs) : 0,
		       p ? per_s(now[2], then[2], secs) : 0,
		       p ? per_s(now[3], then[3], secs) : 0);
	}
}

static int print_json(const struct sample *s)
{
	chaosd_reply *r = chaosd_reply_ok();
	char *text;
	size_t len;

	/* The same form as chaosd's stats reply. */
	chaosd_reply_open(r, "guests", true);
	for (size_t i = 0; i < s->n; i++)
		chaosd_reply_stats(r, &s->st[i]);
	chaosd_reply_close(r, true);
	if (chaosd_reply_finish(r, &text, &len)) {
		cli_error("top: out of memory");
		return 1;
	}
	puts(text);
	free(text);
	return 0;
}

int cmd_top(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "delay", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'n' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	struct sample cur = { 0 }, prev = { 0 };
	long delay_s = 2, iterations = -1;
	bool json = false;
	chaos_host *host = NULL;
	chaosd_conn *conn;
	chaos_err err;
	char *end;
	int opt, rc = 0;

	while ((opt = cli_getopt(argc, argv, "h", longopts)) != -1) {
		switch (opt) {
		case 'h':
			return CLI_HELP;
		case 'j':
			json = true;
			break;
		case 'd':
			if (cli_parse_seconds(optarg, &delay_s))
				return 2;
			if (delay_s < 1)
				delay_s = 1;
			break;
		case 'n':
			errno = 0;
			iterations = strtol(optarg, &end, 10);
			if (errno || *end || iterations < 1) {
				cli_error("top: --iterations: expected a positive number");
				return 2;
			}
			break;
		default:
			cli_error("usage: chaos top [--json] [--delay S] [--iterations N]");
			return 2;
		}
	}
	if (optind != argc) {
		cli_error("usage: chaos top [--json] [--delay S] [--iterations N]");
		return 2;
	}
	conn = cli_chaosd();
	if (!conn && chaos_host_open(&host, &err)) {
		cli_error("%s", err.msg);
		return 1;
	}
	for (long i = 0; iterations < 0 || i < iterations; i++) {
		if (take(conn, host, &cur)) {
			rc = 1;
			break;
		}
		if (json) {
			rc = print_json(&cur);
			free(cur.st);
			break;
		}
		/* Clear the screen only on a terminal; a pipe gets samples. */
		if (isatty(STDOUT_FILENO))
			fputs("\033[H\033[2J", stdout);
		print_table(&cur, prev.st ? &prev : NULL);
		fflush(stdout);
		free(prev.st);
		prev = cur;
		cur.st = NULL;
		if (iterations < 0 || i + 1 < iterations)
			sleep((unsigned int)delay_s);
	}
	free(prev.st);
	chaosd_close(conn);
	chaos_host_close(host);
	return rc;
}
