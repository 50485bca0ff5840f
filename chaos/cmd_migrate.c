// SPDX-License-Identifier: MIT
/*
 * chaos migrate <dom> <host> [--live] [-s SSHCMD] [--port P --psk-file F] [--timing]
 * chaos migrate-receive [--listen P --psk-file F]
 *
 * Transports: by default `ssh <host> chaos migrate-receive` (ssh
 * authenticates both ends and carries the stream on its stdin/stdout);
 * -s replaces "ssh" (like xl's -s; an empty one runs <host> itself as the
 * command); --port connects over plain TCP, where a pre-shared key file is
 * required and authenticates both ends and the image.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <netinet/in.h>

#include <chaos/chaos.h>
#include "commands.h"

struct transport {
	int fd;
	pid_t child;    /* the ssh (or -s) command, or 0 */
};

/* Run CMD with its stdin and stdout on one end of a socket pair. */
static int spawn(const char *cmd, struct transport *t)
{
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
		if (dup2(sv[1], 0) < 0 || dup2(sv[1], 1) < 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	t->fd = sv[0];
	return 0;
}

/* --port takes an IP address: no name service in a static binary. */
static int tcp_connect(const char *host, int port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons((uint16_t)port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port) };
	struct sockaddr *sa;
	socklen_t len;
	int fd;

	if (inet_pton(AF_INET, host, &a4.sin_addr) == 1) {
		sa = (struct sockaddr *)&a4;
		len = sizeof(a4);
	} else if (inet_pton(AF_INET6, host, &a6.sin6_addr) == 1) {
		sa = (struct sockaddr *)&a6;
		len = sizeof(a6);
	} else {
		cli_error("'%s' is not an IP address (--port needs one)", host);
		return -1;
	}
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, sa, len)) {
		cli_error("cannot connect to %s port %d: %s", host, port,
			  strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
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
 * away is an error, not a death), the host opened. -1 after saying why;
 * *key and *host are then freed by the caller as usual.
 */
static int open_for_migration(const char *psk_file, chaos_migrate_key **key,
			      chaos_host **host)
{
	chaos_err err;

	*host = NULL;
	if (psk_file && load_key(psk_file, key))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	if (chaos_host_open(host, &err)) {
		cli_error("%s", err.msg);
		*host = NULL;
		return -1;
	}
	return 0;
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
	char cmd[4096];
	chaos_err err;
	uint32_t domid;
	int rc = 1, status, port_nr = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-s") && i + 1 < argc)
			ssh = argv[++i];
		else if (!strcmp(argv[i], "--port") && i + 1 < argc)
			port = argv[++i];
		else if (!strcmp(argv[i], "--psk-file") && i + 1 < argc)
			psk_file = argv[++i];
		else if (!strcmp(argv[i], "--timing"))
			show_timing = true;
		else if (!strcmp(argv[i], "--live"))
			live = true;
		else if (argv[i][0] == '-' || (ref && host_name))
			goto usage;
		else if (!ref)
			ref = argv[i];
		else
			host_name = argv[i];
	}
	if (!ref || !host_name || (port && (port_nr = parse_port(port)) < 0))
		goto usage;
	if (port && !psk_file) {
		cli_error("--port needs --psk-file: plain TCP is authenticated by a pre-shared key");
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
	if (open_for_migration(psk_file, &key, &host))
		goto out;
	if (chaos_guest_resolve(host, ref, &domid, &err)) {
		cli_error("%s", err.msg);
		goto out;
	}
	if (port) {
		t.fd = tcp_connect(host_name, port_nr);
	} else {
		if (ssh[0])
			snprintf(cmd, sizeof(cmd), "%s %s chaos migrate-receive%s%s",
				 ssh, host_name, psk_file ? " --psk-file " : "",
				 psk_file ? psk_file : "");
		else
			snprintf(cmd, sizeof(cmd), "%s", host_name);
		if (spawn(cmd, &t))
			t.fd = -1;
	}
	if (t.fd < 0)
		goto out;
	if ((live ? chaos_migrate_send_live : chaos_migrate_send)(host, domid, t.fd,
								  t.fd, key,
								  &timing, &err)) {
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
	}
out:
	if (t.fd >= 0)
		close(t.fd);
	if (t.child > 0)
		waitpid(t.child, &status, 0);
	free_key(key);
	if (host)
		chaos_host_close(host);
	return rc;
usage:
	cli_error("usage: chaos migrate <dom> <host> [--live] [-s SSHCMD] [--port P --psk-file F] [--timing]");
	return 2;
}

/* One connection on port, then the listening socket is closed. */
static int tcp_accept_one(int port)
{
	struct sockaddr_in6 addr = { .sin6_family = AF_INET6,
				     .sin6_port = htons((uint16_t)port),
				     .sin6_addr = IN6ADDR_ANY_INIT };
	int one = 1, fd, conn;

	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, 1)) {
		cli_error("cannot listen on port %d: %s", port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fprintf(stderr, "chaos: migrate-receive: listening on port %d\n", port);
	conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		cli_error("accept: %s", strerror(errno));
	close(fd);
	return conn;
}

int cmd_migrate_receive(int argc, char **argv)
{
	const char *port = NULL, *psk_file = NULL, *bridges[CLI_BRIDGES_MAX];
	chaos_restore_opts opts = { .bridges = bridges };
	chaos_migrate_key *key = NULL;
	chaos_host *host = NULL;
	int in = 0, out = 1, rc = 1, p = 0;
	chaos_err err;
	uint32_t domid;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--listen") && i + 1 < argc)
			port = argv[++i];
		else if (!strcmp(argv[i], "--psk-file") && i + 1 < argc)
			psk_file = argv[++i];
		else if (!strcmp(argv[i], "--bridge") && i + 1 < argc) {
			if (cli_add_bridge(bridges, &opts.nr_bridges, argv[++i]))
				return 2;
		} else
			goto usage;
	}
	if (port && ((p = parse_port(port)) < 0 || !psk_file)) {
		cli_error("--listen needs a port and --psk-file");
		return 2;
	}
	if (open_for_migration(psk_file, &key, &host))
		goto done;
	cli_recover(host);  /* stderr: stdout may be the stream */
	if (port) {
		in = out = tcp_accept_one(p);
		if (in < 0)
			goto done;
	}
	/* stdout is the stream: every word for people goes to stderr. */
	if (chaos_migrate_receive(host, in, out, key, &opts, &domid, &err))
		cli_error("migrate-receive: %s", err.msg);
	else {
		rc = 0;
		fprintf(stderr, "chaos: migrate-receive: the guest runs as domain %u\n",
			domid);
	}
	if (port)
		close(in);
done:
	free_key(key);
	if (host)
		chaos_host_close(host);
	return rc;
usage:
	cli_error("usage: chaos migrate-receive [--listen PORT --psk-file FILE] [--bridge NAME[=NEW]]...");
	return 2;
}
