// SPDX-License-Identifier: MIT
/*
 * chaos run <config> [--stop-timeout S] [--no-console] [--paused]
 *
 * Create the guest and stay in the foreground while it lives, as a
 * process under a supervisor expects: its console on stdin/stdout, SIGTERM
 * (or SIGINT, SIGHUP) asks it to power off and destroys it after the
 * stop timeout (a second signal destroys it at once), and the exit status
 * says how it ended (run.h, docs/cli.md). The guest's actions are all
 * "destroy": restarting it is the supervisor's job.
 *
 * Through chaosd when it runs (its events say how the guest ended, its
 * console stream carries the console); otherwise here, with the console
 * attached directly and the domain watched.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <chaos/chaos.h>
#include <chaos/chaosd.h>
#include "abs_path.h"
#include "commands.h"
#include "run.h"

#define STOP_TIMEOUT_DEFAULT_S 30
#define CONFIG_TEXT_MAX (CHAOSD_FRAME_MAX - PATH_MAX - 512)
#define DRAIN_MS 2000          /* console output after the guest stopped */
#define WATCH_MS 100           /* the direct path's look at the domain */

static int sig_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	char c = (char)sig;
	int saved = errno;

	if (write(sig_pipe[1], &c, 1) < 0) {
		/* Full: a signal is pending anyway. */
	}
	errno = saved;
}

static int signals_setup(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };

	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK))
		return -1;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL))
			return -1;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* How many signals came since the last call. */
static int signals_taken(void)
{
	char buf[16];
	ssize_t n;
	int count = 0;

	while ((n = read(sig_pipe[0], buf, sizeof(buf))) > 0)
		count += (int)n;
	return count;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

struct run {
	const char *path;
	unsigned int stop_timeout_s;
	bool console;
	bool paused;              /* left paused: someone else unpauses it */
	uint32_t domid;
	char id[16];
	bool stopping;            /* a shutdown was asked */
	bool killed;              /* we destroyed it */
	long long deadline_ms;    /* of the shutdown asked */
	bool stdin_open;
};

/* ---- through chaosd ---- */

/* A signal: ask for a poweroff the first time, destroy the second. */
static void chaosd_on_signal(struct run *r, chaosd_conn *ctl)
{
	chaos_err err;

	if (!r->stopping) {
		r->stopping = true;
		r->deadline_ms = chaos_clock_ms() +
				 (long long)r->stop_timeout_s * 1000;
		if (chaosd_shutdown(ctl, r->id, CHAOS_SHUTDOWN_POWEROFF,
				    r->stop_timeout_s * 1000u, false, NULL, &err))
			cli_error("run: shutdown: %s", err.msg);
		return;
	}
	if (!r->killed) {
		r->killed = true;
		if (chaosd_destroy(ctl, r->id, &err))
			cli_error("run: destroy: %s", err.msg);
	}
}

/* Copy what the console stream has; false at its end. */
static bool console_copy(int from, int to)
{
	char buf[4096];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0)
		return false;
	return write_all(to, buf, (size_t)n) == 0;
}

/* Output still on its way once the guest is gone, up to DRAIN_MS. */
static void console_drain(int fd)
{
	long long end = chaos_clock_ms() + DRAIN_MS;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (chaos_clock_ms() < end &&
	       poll(&p, 1, (int)(end - chaos_clock_ms())) > 0)
		if (!console_copy(fd, STDOUT_FILENO))
			return;
}

/* What an event for our guest means: -1 still alive, else the status. */
static int chaosd_event_end(struct run *r, const chaosd_event *ev,
			    chaosd_conn *ctl)
{
	chaos_guest_stats *st;
	chaos_err err;
	size_t n;

	if (ev->type == CHAOSD_EVENT_OVERFLOW) {
		/* Events were lost: is our guest still there? */
		if (chaosd_stats(ctl, r->id, &st, &n, &err) == 0) {
			free(st);
			return -1;
		}
		return run_status_for("gone", r->killed);
	}
	if (ev->domid != r->domid)
		return -1;
	if (ev->type == CHAOSD_EVENT_DESTROYED)
		return run_status_for(ev->reason, r->killed &&
				      !strcmp(ev->reason, "destroy"));
	return -1;
}

static int run_chaosd(struct run *r, chaosd_conn *ctl, const char *cfg_text,
		      size_t cfg_len)
{
	chaosd_conn *events = NULL, *con = NULL;
	chaosd_create_result res;
	char abs[PATH_MAX];
	chaos_err err;
	int status = -1;

	if (cli_absolute_path(r->path, NULL, abs, sizeof(abs))) {
		cli_error("run: %s: %s", r->path, strerror(errno));
		return RUN_EXIT_ERROR;
	}
	/* Subscribed first: no event of the new guest can be missed. */
	/* Paused until its console is attached: a guest that crashes at
	 * once still has its last words on stdout. */
	if (chaosd_connect(NULL, &events, &err) ||
	    chaosd_subscribe(events, &err) ||
	    chaosd_create(ctl, cfg_text, cfg_len, abs, true, false, &res,
			  &err)) {
		cli_error("run: %s", err.msg);
		chaosd_close(events);
		return RUN_EXIT_ERROR;
	}
	r->domid = res.domid;
	snprintf(r->id, sizeof(r->id), "%u", res.domid);
	cli_error("run: domain %u created%s", res.domid,
		  res.pooled ? " (pooled)" : "");
	if (r->console && (chaosd_connect(NULL, &con, &err) ||
			   chaosd_console_attach(con, r->id, &r->domid, &err))) {
		cli_error("run: console: %s", err.msg);
		chaosd_close(con);
		con = NULL;
	}
	r->stdin_open = con != NULL;
	if (!r->paused && chaosd_unpause(ctl, r->id, &err)) {
		cli_error("run: unpause: %s", err.msg);
		if (chaosd_destroy(ctl, r->id, &err))
			cli_error("run: destroy: %s", err.msg);
		chaosd_close(con);
		chaosd_close(events);
		return RUN_EXIT_ERROR;
	}
	while (status < 0) {
		struct pollfd p[4];
		long long now = chaos_clock_ms();
		int np = 0, timeout = -1, ci = -1, ii = -1;

		p[np++] = (struct pollfd){ .fd = sig_pipe[0], .events = POLLIN };
		p[np++] = (struct pollfd){ .fd = chaosd_conn_fd(events),
					   .events = POLLIN };
		if (con) {
			ci = np;
			p[np++] = (struct pollfd){ .fd = chaosd_conn_fd(con),
						   .events = POLLIN };
		}
		if (con && r->stdin_open) {
			ii = np;
			p[np++] = (struct pollfd){ .fd = STDIN_FILENO,
						   .events = POLLIN };
		}
		if (r->stopping && !r->killed)
			timeout = r->deadline_ms > now ?
				  (int)(r->deadline_ms - now) : 0;
		if (poll(p, (nfds_t)np, timeout) < 0 && errno != EINTR) {
			cli_error("run: poll: %s", strerror(errno));
			status = RUN_EXIT_ERROR;
			break;
		}
		if (signals_taken())
			chaosd_on_signal(r, ctl);
		if (r->stopping && !r->killed &&
		    chaos_clock_ms() >= r->deadline_ms) {
			cli_error("run: domain %u did not stop within %u s: destroying it",
				  r->domid, r->stop_timeout_s);
			r->stopping = true;
			chaosd_on_signal(r, ctl);
		}
		if (p[1].revents) {
			chaosd_event ev;

			if (chaosd_event_next(events, 1000, &ev, &err)) {
				cli_error("run: events: %s", err.msg);
				status = RUN_EXIT_ERROR;
				break;
			}
			status = chaosd_event_end(r, &ev, ctl);
		}
		if (ci >= 0 && p[ci].revents &&
		    !console_copy(chaosd_conn_fd(con), STDOUT_FILENO)) {
			chaosd_close(con);
			con = NULL;
		}
		if (ii >= 0 && p[ii].revents &&
		    !console_copy(STDIN_FILENO, chaosd_conn_fd(con)))
			r->stdin_open = false;
	}
	if (con) {
		console_drain(chaosd_conn_fd(con));
		chaosd_close(con);
	}
	chaosd_close(events);
	return status;
}

/* ---- here, without chaosd ---- */

static void direct_console_copy(chaos_host *host)
{
	chaos_console *c;
	char buf[2048];
	bool corrupt;
	size_t n;

	while ((c = chaos_console_next_event(host)))
		while ((n = chaos_console_read(c, buf, sizeof(buf), &corrupt)))
			if (write_all(STDOUT_FILENO, buf, n))
				return;
}

/* A signal: the guest is asked and waited for (up to the stop timeout),
 * then destroyed if it did not stop. */
static void direct_on_signal(struct run *r, chaos_host *host,
			     chaos_console **con)
{
	chaos_err err;

	if (r->stopping)
		return;
	r->stopping = true;
	if (chaos_guest_stop(host, r->domid, CHAOS_SHUTDOWN_POWEROFF,
			     r->stop_timeout_s * 1000u, &err) == 0)
		return;
	if (err.code == ESRCH)
		return;
	cli_error("run: domain %u: %s: destroying it", r->domid, err.msg);
	/* What it said while it was asked is the last there will be. */
	if (*con)
		direct_console_copy(host);
	chaos_console_close(*con);
	*con = NULL;
	r->killed = true;
	if (chaos_guest_destroy(host, r->domid, &err))
		cli_error("run: destroy: %s", err.msg);
}

static int run_direct(struct run *r)
{
	chaos_create_opts opts = { .config_path = r->path, .paused = true };
	chaos_console *con = NULL;
	chaos_domain_info info;
	chaos_host *host;
	chaos_config cfg;
	chaos_err err;
	int status = -1;

	if (chaos_config_parse_file(r->path, &cfg, &err)) {
		cli_error("%s", err.msg);
		return RUN_EXIT_ERROR;
	}
	run_config_actions(&cfg);
	if (chaos_host_open(&host, &err)) {
		cli_error("%s", err.msg);
		chaos_config_free(&cfg);
		return RUN_EXIT_ERROR;
	}
	cli_recover(host);
	if (chaos_guest_create(host, &cfg, &opts, &r->domid, NULL, &err)) {
		cli_error("run: %s", err.msg);
		chaos_config_free(&cfg);
		chaos_host_close(host);
		return RUN_EXIT_ERROR;
	}
	chaos_config_free(&cfg);
	cli_error("run: domain %u created", r->domid);
	if (r->console && chaos_console_open(host, r->domid, &con, &err))
		cli_error("run: console: %s", err.msg);
	r->stdin_open = con != NULL;
	/* Created paused: its console is attached before it says a word. */
	if (!r->paused && chaos_guest_unpause(host, r->domid, &err)) {
		cli_error("run: unpause: %s", err.msg);
		chaos_console_close(con);
		if (chaos_guest_destroy(host, r->domid, &err))
			cli_error("run: destroy: %s", err.msg);
		chaos_host_close(host);
		return RUN_EXIT_ERROR;
	}
	while (status < 0) {
		struct pollfd p[3];
		int np = 0;

		p[np++] = (struct pollfd){ .fd = sig_pipe[0], .events = POLLIN };
		if (con)
			p[np++] = (struct pollfd){ .fd = chaos_console_fd(con),
						   .events = POLLIN };
		if (con && r->stdin_open)
			p[np++] = (struct pollfd){ .fd = STDIN_FILENO,
						   .events = POLLIN };
		if (poll(p, (nfds_t)np, WATCH_MS) < 0 && errno != EINTR)
			break;
		if (con)
			direct_console_copy(host);
		if (con && r->stdin_open && (p[np - 1].revents & (POLLIN | POLLHUP))) {
			char buf[512];
			ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

			if (n <= 0)
				r->stdin_open = false;
			else
				chaos_console_write(con, buf, (size_t)n);
		}
		if (signals_taken())
			direct_on_signal(r, host, &con);
		if (chaos_domain_get(host, r->domid, &info, &err)) {
			status = run_status_for("gone", r->killed);
		} else if (info.state == CHAOS_STATE_SHUTDOWN) {
			if (con)
				direct_console_copy(host);
			chaos_console_close(con);
			con = NULL;
			status = run_status_for(
				info.shutdown_reason == CHAOS_SHUTDOWN_POWEROFF ? "poweroff" :
				info.shutdown_reason == CHAOS_SHUTDOWN_REBOOT ? "reboot" :
				info.shutdown_reason == CHAOS_SHUTDOWN_SUSPEND ? "suspend" :
				"crash", false);
			if (info.shutdown_reason != CHAOS_SHUTDOWN_SUSPEND &&
			    chaos_guest_reap(host, r->domid, &err))
				cli_error("run: %s", err.msg);
		} else if (info.state == CHAOS_STATE_DYING) {
			status = run_status_for("gone", r->killed);
		}
	}
	chaos_console_close(con);
	chaos_host_close(host);
	return status < 0 ? RUN_EXIT_ERROR : status;
}

static void usage(void)
{
	cli_error("usage: chaos run <config.json> [--stop-timeout S] [--no-console] [--paused]");
}

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "stop-timeout", required_argument, NULL, 't' },
		{ "no-console", no_argument, NULL, 'n' },
		{ "paused", no_argument, NULL, 'p' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	struct run r = { .stop_timeout_s = STOP_TIMEOUT_DEFAULT_S,
			 .console = true };
	chaosd_conn *ctl;
	long secs;
	int opt, status;

	while ((opt = cli_getopt(argc, argv, "t:nph", longopts)) != -1) {
		switch (opt) {
		case 't':
			if (cli_parse_seconds(optarg, &secs))
				return RUN_EXIT_USAGE;
			r.stop_timeout_s = (unsigned int)secs;
			break;
		case 'n':
			r.console = false;
			break;
		case 'p':
			r.paused = true;
			break;
		case 'h':
			return CLI_HELP;
		default:
			usage();
			return RUN_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage();
		return RUN_EXIT_USAGE;
	}
	r.path = argv[optind];
	if (signals_setup()) {
		cli_error("run: signals: %s", strerror(errno));
		return RUN_EXIT_ERROR;
	}
	ctl = cli_chaosd();
	if (ctl) {
		char *cfg_text = NULL;
		size_t cfg_len;
		chaos_config cfg;
		chaos_err err = { 0 };
		int rc;

		/* The library's parser checks it and names what is wrong. */
		if (chaos_config_parse_file(r.path, &cfg, &err)) {
			cli_error("%s", err.msg);
			chaosd_close(ctl);
			return RUN_EXIT_ERROR;
		}
		if (cfg.kernel[0] != '/' || (cfg.ramdisk && cfg.ramdisk[0] != '/')) {
			cli_error("run: %s: chaosd needs absolute kernel and ramdisk paths",
				  r.path);
			chaos_config_free(&cfg);
			chaosd_close(ctl);
			return RUN_EXIT_ERROR;
		}
		/* chaosd takes it as JSON, whatever file it came from, with
		 * the guest's end the process's end. */
		run_config_actions(&cfg);
		rc = chaos_config_to_json(&cfg, &cfg_text, &err);
		chaos_config_free(&cfg);
		if (rc || strlen(cfg_text) > CONFIG_TEXT_MAX) {
			cli_error("run: %s: %s", r.path,
				  rc ? err.msg : "too large for chaosd");
			free(cfg_text);
			chaosd_close(ctl);
			return RUN_EXIT_ERROR;
		}
		cfg_len = strlen(cfg_text);
		status = run_chaosd(&r, ctl, cfg_text, cfg_len);
		free(cfg_text);
		chaosd_close(ctl);
	} else {
		status = run_direct(&r);
	}
	cli_error("run: domain %u ended: exit status %d", r.domid, status);
	return status;
}
