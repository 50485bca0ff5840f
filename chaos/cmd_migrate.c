// SPDX-License-Identifier: MIT
/*
 * chaos migrate <dom> <host> [--live] [-s SSHCMD] [--port P --psk-file F] [--timing]
 *               [--bridge B[=NEW]]... [--disk P[=NEW]]... [--config FILE]
 * chaos migrate-receive [--listen P --psk-file F] [--bridge B[=NEW]]...
 *                       [--disk P[=NEW]]... [--config FILE]
 *
 * Transports: by default `ssh <host> chaos migrate-receive` (ssh
 * authenticates both ends and carries the stream on its stdin/stdout);
 * -s replaces "ssh" (like xl's -s; an empty one runs <host> itself as the
 * command); --port goes over TCP through chaos-tls (TLS 1.3 keyed by the
 * pre-shared key file, docs/cli.md), which encrypts and authenticates
 * every byte; inside it the stream keeps its own HMACs with the key.
 *
 * chaos-tls links GnuTLS, which cannot be linked statically, so it is a
 * program of its own: found next to this binary, else in PATH, and run
 * with its stdin and stdout on a socket pair, without a shell.
 *
 * The CLI always sets the transport up itself, with its own credentials,
 * and loads the key; while chaosd runs it hands chaosd the connected
 * descriptor(s) and the key, and chaosd migrates (or receives) the guest;
 * otherwise, or with --no-chaosd, the work is done here.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chaos/chaos.h>
#include "commands.h"

struct transport {
	int fd;
	pid_t child;    /* the ssh (or -s) command or chaos-tls, or 0 */
};

/* chaos-tls's exit statuses (chaos-tls/chaos-tls.c). */
enum { TLS_SETUP = 1, TLS_CONNECT = 3, TLS_HANDSHAKE = 4, TLS_TIMEOUT = 5,
       TLS_IO = 6, TLS_NOT_RUN = 127 };

/*
 * Run argv[0] (a path) with its stdin and stdout on one end of a socket
 * pair. A helper of ours also dies with us (tied: SIGTERM when we die).
 */
static int spawn(char *const argv[], bool tied, struct transport *t)
{
	pid_t parent = getpid();
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		cli_error("socketpair: %s", strerror(errno));
		return -1;
	}
	t->child = fork();
	if (t->child < 0) {
		cli_error("fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (t->child == 0) {
		if (tied && (prctl(PR_SET_PDEATHSIG, SIGTERM) ||
			     getppid() != parent))
			_exit(TLS_NOT_RUN);
		if (dup2(sv[1], 0) < 0 || dup2(sv[1], 1) < 0)
			_exit(TLS_NOT_RUN);
		execv(argv[0], argv);
		_exit(TLS_NOT_RUN);
	}
	close(sv[1]);
	t->fd = sv[0];
	return 0;
}

static int spawn_shell(const char *cmd, struct transport *t)
{
	char *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };

	return spawn(argv, false, t);
}

/*
 * chaos-tls next to this binary (/proc/self/exe's directory), else the
 * first one in PATH; into path (PATH_MAX bytes).
 */
static int find_chaos_tls(char *path)
{
	char self[PATH_MAX], *slash;
	const char *env = getenv("PATH");
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash && snprintf(path, PATH_MAX, "%.*s/chaos-tls",
				      (int)(slash - self), self) < PATH_MAX &&
		    access(path, X_OK) == 0)
			return 0;
	}
	for (const char *p = env ? env : "/usr/local/bin:/usr/bin:/bin"; *p;) {
		size_t len = strcspn(p, ":");

		if (len && snprintf(path, PATH_MAX, "%.*s/chaos-tls", (int)len,
				    p) < PATH_MAX &&
		    access(path, X_OK) == 0)
			return 0;
		p += len + (p[len] == ':');
	}
	cli_error("chaos-tls not found (next to chaos, or in PATH): TCP migration needs it");
	return -1;
}

/*
 * The transport's process after our end is closed: its exit status, or -1
 * when it had to be stopped (it gets a few seconds to finish its TLS
 * close, then SIGTERM).
 */
static int reap(struct transport *t)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	int status;

	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->child <= 0)
		return 0;
	for (int i = 0; i < 500; i++) {   /* 10 s */
		pid_t r = waitpid(t->child, &status, WNOHANG);

		if (r == t->child)
			goto done;
		if (r < 0 && errno != EINTR)
			return -1;
		nanosleep(&pause, NULL);
	}
	kill(t->child, SIGTERM);
	while (waitpid(t->child, &status, 0) < 0 && errno == EINTR)
		;
done:
	t->child = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Why a chaos-tls that exited with status failed, for one line. */
static const char *tls_failure(int status)
{
	switch (status) {
	case TLS_CONNECT:
		return "cannot connect";
	case TLS_HANDSHAKE:
		return "the TLS handshake failed: the other end does not know the pre-shared key, or is not chaos-tls";
	case TLS_TIMEOUT:
		return "timed out";
	case TLS_IO:
		return "the TLS connection broke";
	case TLS_NOT_RUN:
		return "chaos-tls could not be run";
	default:
		return "chaos-tls failed";
	}
}

/* chaos-tls connect HOST PORT --psk-file F on t. */
static int spawn_tls_connect(const char *host, const char *port,
			     const char *psk_file, struct transport *t)
{
	char path[PATH_MAX];
	char *argv[] = { path, "connect", (char *)host, (char *)port,
			 "--psk-file", (char *)psk_file, NULL };
	unsigned char addr[sizeof(struct in6_addr)];

	/* No name service in a static binary, and no option in its place. */
	if (inet_pton(AF_INET, host, addr) != 1 &&
	    inet_pton(AF_INET6, host, addr) != 1) {
		cli_error("'%s' is not an IP address (--port needs one)", host);
		return -1;
	}
	if (find_chaos_tls(path))
		return -1;
	return spawn(argv, true, t);
}

static int parse_port(const char *text)
{
	char *end;
	long v = strtol(text, &end, 10);

	if (!*text || *end || v < 1 || v > 65535) {
		cli_error("'%s' is not a TCP port", text);
		return -1;
	}
	return (int)v;
}

/*
 * What may reach a shell as a word: a host name (user@host, an address) or
 * a key file's path. ssh joins its arguments into a command line for the
 * shell at the other end, and ours runs through sh -c, so anything else
 * (a ';', a space, a quote) would be code, not data.
 */
static bool shell_word_ok(const char *s, const char *extra)
{
	if (!*s || *s == '-')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			return false;
	return true;
}

/*
 * One of the destination's options (--bridge, --disk, --config) for the
 * remote `chaos migrate-receive` that ssh starts, appended to args: the
 * remote shell reads it, so only plain words go (extra: the other
 * characters allowed; absolute: a path on the destination). -1 after
 * saying why.
 */
static int add_remote(char *args, size_t len, const char *opt,
		      const char *val, const char *extra, bool absolute)
{
	size_t n = strlen(args);
	int w;

	if (!shell_word_ok(val, extra) || (absolute && val[0] != '/')) {
		cli_error("%s '%s': it goes to the remote shell: %suse letters, digits and %s only",
			  opt, val, absolute ? "an absolute path; " : "", extra);
		return -1;
	}
	w = snprintf(args + n, len - n, " %s %s", opt, val);
	if (w < 0 || (size_t)w >= len - n) {
		cli_error("%s: the remote command would be too long", opt);
		return -1;
	}
	return 0;
}

/* The key wiped before its memory goes back. */
static void free_key(chaos_migrate_key *key)
{
	if (key)
		explicit_bzero(key, sizeof(*key));
	free(key);
}

/* The pre-shared key of --psk-file into *key (free_key). */
static int load_key(const char *psk_file, chaos_migrate_key **key)
{
	chaos_err err;

	*key = calloc(1, sizeof(**key));
	if (!*key || chaos_migrate_key_load(psk_file, *key, &err)) {
		cli_error("%s", *key ? err.msg : "out of memory");
		free_key(*key);
		*key = NULL;
		return -1;
	}
	return 0;
}

/*
 * Both ends: the key (if any) loaded, SIGPIPE ignored (a peer that goes
 * away is an error, not a death), then chaosd when it runs (*conn), else
 * the host opened here (*host). -1 after saying why; *key, *conn and
 * *host are then freed by the caller as usual.
 */
static int open_for_migration(const char *psk_file, chaos_migrate_key **key,
			      chaosd_conn **conn, chaos_host **host)
{
	chaos_err err;

	*host = NULL;
	*conn = NULL;
	if (psk_file && load_key(psk_file, key))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	*conn = cli_chaosd();
	if (*conn)
		return 0;
	if (chaos_host_open(host, &err)) {
		cli_error("%s", err.msg);
		*host = NULL;
		return -1;
	}
	return 0;
}

/* What open_for_migration opened, let go (the key wiped). */
static void close_migration(chaos_migrate_key *key, chaosd_conn *conn,
			    chaos_host *host)
{
	free_key(key);
	chaosd_close(conn);
	if (host)
		chaos_host_close(host);
}

/* The migration itself, through chaosd or here. */
static int send_guest(chaosd_conn *conn, chaos_host *host, const char *ref,
		      uint32_t domid, int fd, bool live,
		      const chaos_migrate_key *key, chaos_migrate_timing *timing,
		      uint32_t *sent, chaos_err *err)
{
	*sent = domid;
	if (conn)
		return chaosd_migrate_send(conn, ref, fd, fd, live, key, timing,
					   sent, err);
	return (live ? chaos_migrate_send_live : chaos_migrate_send)(host, domid,
								       fd, fd, key,
								       timing, err);
}

int cmd_migrate(int argc, char **argv)
{
	const char *ref = NULL, *host_name = NULL, *ssh = "ssh", *port = NULL,
		   *psk_file = NULL;
	chaos_migrate_key *key = NULL;
	struct transport t = { .fd = -1 };
	chaos_migrate_timing timing;
	bool show_timing = false, live = false;
	chaos_host *host = NULL;
	chaosd_conn *conn = NULL;
	char cmd[4096], remote[2048] = "";
	chaos_err err;
	uint32_t domid = 0;
	int rc = 1, status, port_nr = 0, c;
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'P' },
		{ "psk-file", required_argument, NULL, 'K' },
		{ "timing", no_argument, NULL, 'T' },
		{ "live", no_argument, NULL, 'L' },
		{ "bridge", required_argument, NULL, 'b' },
		{ "disk", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'C' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};

	while ((c = cli_getopt(argc, argv, "s:h", longopts)) != -1) {
		switch (c) {
		case 'b':
			if (add_remote(remote, sizeof(remote), "--bridge",
				       optarg, "._-=", false))
				return 2;
			break;
		case 'd':
			if (add_remote(remote, sizeof(remote), "--disk", optarg,
				       "._-/+,=", true))
				return 2;
			break;
		case 'C':
			if (add_remote(remote, sizeof(remote), "--config",
				       optarg, "._-/+,", true))
				return 2;
			break;
		case 's':
			ssh = optarg;
			break;
		case 'P':
			port = optarg;
			break;
		case 'K':
			psk_file = optarg;
			break;
		case 'T':
			show_timing = true;
			break;
		case 'L':
			live = true;
			break;
		case 'h':
			return CLI_HELP;
		default:
			goto usage;
		}
	}
	if (argc - optind == 2) {
		ref = argv[optind];
		host_name = argv[optind + 1];
	}
	if (!ref || !host_name || (port && (port_nr = parse_port(port)) < 0))
		goto usage;
	if (port && !psk_file) {
		cli_error("--port needs --psk-file: plain TCP is authenticated by a pre-shared key");
		return 2;
	}
	/* Only the ssh command line carries them; a TLS receiver or a
	 * command of one's own is given them where it starts. */
	if (remote[0] && (port || !ssh[0])) {
		cli_error("--bridge, --disk and --config go to the remote migrate-receive that ssh starts: %s",
			  port ? "give them to `chaos migrate-receive --listen` there" :
				 "with -s '', put them in the command");
		return 2;
	}
	/* With -s '' the host is the command by design (as xl's -s). */
	if (!port && ssh[0] && !shell_word_ok(host_name, "._-:@[]")) {
		cli_error("host '%s': a host name or address only (letters, digits and ._-:@[])",
			  host_name);
		return 2;
	}
	if (!port && ssh[0] && psk_file && !shell_word_ok(psk_file, "._-/+,")) {
		cli_error("--psk-file '%s': the path goes to the remote shell; use letters, digits and ._-/+, only",
			  psk_file);
		return 2;
	}
	if (open_for_migration(psk_file, &key, &conn, &host))
		goto out;
	/* Here the guest is resolved before the transport starts; chaosd
	 * resolves it itself: the same words either way. */
	if (host && chaos_guest_resolve(host, ref, &domid, &err)) {
		cli_error("migration failed: %s", err.msg);
		goto out;
	}
	if (port) {
		if (spawn_tls_connect(host_name, port, psk_file, &t))
			t.fd = -1;
	} else {
		int n = ssh[0] ?
			snprintf(cmd, sizeof(cmd), "%s %s chaos migrate-receive%s%s%s",
				 ssh, host_name, psk_file ? " --psk-file " : "",
				 psk_file ? psk_file : "", remote) :
			snprintf(cmd, sizeof(cmd), "%s", host_name);

		/* Cut short, it would run another command. */
		if (n < 0 || (size_t)n >= sizeof(cmd)) {
			cli_error("migration failed: the transport's command is longer than %zu bytes",
				  sizeof(cmd) - 1);
			t.fd = -1;
		} else if (spawn_shell(cmd, &t)) {
			t.fd = -1;
		}
	}
	if (t.fd < 0)
		goto out;
	if (send_guest(conn, host, ref, domid, t.fd, live, key, &timing, &domid,
		       &err)) {
		int st = port ? reap(&t) : 0;

		/* Nothing crossed without a TLS session: the guest never stopped. */
		if (st == TLS_CONNECT || st == TLS_HANDSHAKE || st == TLS_TIMEOUT ||
		    st == TLS_NOT_RUN || st == TLS_SETUP)
			cli_error("migration failed: %s port %s: %s", host_name,
				  port, tls_failure(st));
		else
			cli_error("migration failed: %s", err.msg);
	} else {
		rc = 0;
		printf("migrated domain %u to %s in %.1f ms (downtime %.1f ms)\n",
		       domid, host_name, timing.total_us / 1000.0,
		       timing.downtime_us / 1000.0);
		if (live)
			printf("live: %u rounds, %llu pages sent again\n",
			       timing.rounds,
			       (unsigned long long)timing.pages_resent);
		if (show_timing)
			printf("suspend  %8.3f ms\ncapture  %8.3f ms\n"
			       "transfer %8.3f ms\n",
			       timing.suspend_us / 1000.0,
			       timing.capture_us / 1000.0,
			       timing.transfer_us / 1000.0);
		if (show_timing)
			cli_print_phases(&timing.phases);
	}
out:
	if (port)
		reap(&t);
	else {
		if (t.fd >= 0)
			close(t.fd);
		if (t.child > 0)
			waitpid(t.child, &status, 0);
	}
	close_migration(key, conn, host);
	return rc;
usage:
	cli_error("usage: chaos migrate <dom> <host> [--live] [-s SSHCMD] [--port P --psk-file F] [--timing] [--bridge B[=NEW]]... [--disk P[=NEW]]... [--config FILE]");
	return 2;
}

/*
 * chaos-tls listen PORT --psk-file F on t; returns once a sender with the
 * key has connected (its first bytes are there), or -1 when chaos-tls
 * ended without one (it said why on stderr).
 */
static int tls_accept(const char *port, const char *psk_file,
		      struct transport *t)
{
	char path[PATH_MAX];
	char *argv[] = { path, "listen", (char *)port, "--psk-file",
			 (char *)psk_file, NULL };
	struct pollfd p;
	char c;
	int r;

	if (find_chaos_tls(path) || spawn(argv, true, t))
		return -1;
	/*
	 * The stream's own handshake has a time limit; the listener has none
	 * of its own, so wait here until a sender's bytes arrive.
	 */
	p = (struct pollfd){ .fd = t->fd, .events = POLLIN };
	while ((r = poll(&p, 1, -1)) < 0 && errno == EINTR)
		;
	if (r > 0 && recv(t->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 1)
		return 0;
	r = reap(t);
	cli_error("migrate-receive: no sender on port %s: %s", port,
		  tls_failure(r));
	return -1;
}

int cmd_migrate_receive(int argc, char **argv)
{
	const char *port = NULL, *psk_file = NULL, *bridges[CLI_BRIDGES_MAX];
	const char *disks[CHAOS_CONFIG_DISKS_MAX];
	chaos_restore_opts opts = { .bridges = bridges, .disks = disks };
	char config[CHAOS_CONFIG_PATH_MAX];
	chaos_migrate_key *key = NULL;
	struct transport t = { .fd = -1 };
	chaos_host *host = NULL;
	chaosd_conn *conn = NULL;
	int in = 0, out = 1, rc = 1, p = 0;
	chaos_err err;
	uint32_t domid;
	int c;
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "psk-file", required_argument, NULL, 'K' },
		{ "bridge", required_argument, NULL, 'b' },
		{ "disk", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'C' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};

	while ((c = cli_getopt(argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case 'C':
			if (cli_config_arg(optarg, config, &opts))
				return 2;
			break;
		case 'l':
			port = optarg;
			break;
		case 'K':
			psk_file = optarg;
			break;
		case 'b':
			if (cli_add_bridge(bridges, &opts.nr_bridges, optarg))
				return 2;
			break;
		case 'd':
			if (cli_add_disk(disks, &opts.nr_disks, optarg))
				return 2;
			break;
		case 'h':
			return CLI_HELP;
		default:
			goto usage;
		}
	}
	if (optind < argc)
		goto usage;
	if (port && ((p = parse_port(port)) < 0 || !psk_file)) {
		cli_error("--listen needs a port and --psk-file");
		return 2;
	}
	if (open_for_migration(psk_file, &key, &conn, &host))
		goto done;
	if (host)
		cli_recover(host);  /* stderr: stdout may be the stream */
	if (port) {
		if (tls_accept(port, psk_file, &t))
			goto done;
		in = out = t.fd;
	}
	/* stdout is the stream: every word for people goes to stderr. */
	if (conn ? chaosd_migrate_receive(conn, in, out, key, &opts, &domid, &err) :
		   chaos_migrate_receive(host, in, out, key, &opts, &domid, &err))
		cli_error("migrate-receive: %s", err.msg);
	else {
		rc = 0;
		fprintf(stderr, "chaos: migrate-receive: the guest runs as domain %u\n",
			domid);
	}
done:
	if (port)
		reap(&t);
	close_migration(key, conn, host);
	return rc;
usage:
	cli_error("usage: chaos migrate-receive [--listen PORT --psk-file FILE] [--bridge NAME[=NEW]]... [--disk PATH[=NEW]]... [--config FILE]");
	return 2;
}
