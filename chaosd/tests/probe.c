// SPDX-License-Identifier: MIT
/*
 * chaosd-probe: a client that misbehaves on purpose, for the rig.
 *   chaosd-probe [--socket P] call JSON     one request, print the reply
 *   chaosd-probe [--socket P] nonroot       connect as uid/gid 65534
 *   chaosd-probe [--socket P] abuse [N]     garbage, oversized, truncated,
 *                                           random frames; after each, the
 *                                           daemon must still answer ping
 *   chaosd-probe [--socket P] hold N SECS    open N connections, say
 *                                           "probe: holding N" and keep
 *                                           them idle for SECS
 *   chaosd-probe [--socket P] streams N DOM SECS
 *                                           attach N console streams to
 *                                           DOM, say "probe: streaming N"
 *                                           and keep them for SECS (the
 *                                           first refusal ends it: exit 1)
 *   chaosd-probe [--socket P] console-stall DOM SECS
 *                                           attach to DOM's console and read
 *                                           nothing for SECS while pinging
 *                                           the daemon; then the stream must
 *                                           still deliver output
 *   chaosd-probe [--socket P] events-stall SECS
 *                                           subscribe, read nothing for
 *                                           SECS, then print every event
 *                                           ("probe: event TYPE SEQ LOST")
 *                                           until 3 s pass without one
 *   chaosd-probe [--socket P] stop-mid-save DOM PID
 *                                           save DOM into a pipe nobody
 *                                           reads, stop chaosd (SIGTERM to
 *                                           PID) while the save waits on
 *                                           it, then drain the pipe: the
 *                                           save's reply must still come
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chaos/chaosd.h>

static const char *sock = CHAOSD_SOCKET;
static int failures;

static int dial(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "probe: connect %s: %s\n", sock, strerror(errno));
		exit(1);
	}
	return fd;
}

static void send_bytes(int fd, const void *buf, size_t len)
{
	if (write(fd, buf, len) != (ssize_t)len) {
		/* The daemon may close early (that is a fine answer). */
	}
}

/* Read one reply; print it; 1 if it is an error reply, 0 if ok, -1 none. */
static int reply(int fd, const char *what, int timeout_ms)
{
	chaos_err err;
	char *resp;
	size_t len;
	int is_err;

	if (chaosd_frame_read(fd, &resp, &len, timeout_ms, &err)) {
		printf("probe: %s: no reply (%s)\n", what, err.msg);
		return -1;
	}
	is_err = strstr(resp, "\"ok\":false") != NULL;
	printf("probe: %s: %s\n", what, resp);
	free(resp);
	return is_err;
}

static void still_alive(const char *after)
{
	chaosd_conn *c;
	chaos_err err;

	if (chaosd_connect(sock, &c, &err) || chaosd_ping(c, &err)) {
		printf("PROBE-FAIL daemon not answering after %s: %s\n", after,
		       err.msg);
		failures++;
	}
	chaosd_close(c);
}

/* A frame whose body is text; expect an error reply. */
static void expect_error(const char *what, const char *text)
{
	int fd = dial();
	uint8_t hdr[4];

	chaosd_frame_header((uint32_t)strlen(text), hdr);
	send_bytes(fd, hdr, 4);
	send_bytes(fd, text, strlen(text));
	if (reply(fd, what, 5000) != 1) {
		printf("PROBE-FAIL %s: expected an error reply\n", what);
		failures++;
	}
	close(fd);
	still_alive(what);
}

static void abuse(unsigned int rounds)
{
	static const char *const bad[] = {
		"not json at all", "{", "[]", "42", "{\"op\":42}",
		"{\"op\":\"nope\"}", "{\"nop\":\"ping\"}",
		"{\"op\":\"create\"}", "{\"op\":\"create\",\"config\":[1,2]}",
		"{\"op\":\"create\",\"config\":{\"kernel\":\"/x\",\"memory\":-5}}",
		"{\"op\":\"destroy\",\"domain\":\"../../etc/passwd\"}",
		"{\"op\":\"destroy\",\"domain\":7}",
		"{\"op\":\"destroy\",\"domain\":\"0\"}",
		"{\"op\":\"pool-set\",\"memory_mib\":4,\"vcpus\":1}",
		"{\"op\":\"pool-set\",\"memory_mib\":4,\"vcpus\":1,\"size\":99999999}",
		"{\"op\":\"ping\",\"extra\":true}",
		"{\"op\":\"ping\"}garbage",
		"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
	};
	uint8_t hdr[4], buf[512];
	int fd;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(bad[i], bad[i]);

	/* A NUL byte inside a frame. */
	fd = dial();
	chaosd_frame_header(5, hdr);
	send_bytes(fd, hdr, 4);
	send_bytes(fd, "{\0}\0x", 5);
	if (reply(fd, "nul bytes", 5000) != 1)
		failures++, printf("PROBE-FAIL nul bytes: expected an error\n");
	close(fd);
	still_alive("nul bytes");

	/* Oversized: the length alone is refused, nothing is allocated. */
	fd = dial();
	chaosd_frame_header(CHAOSD_FRAME_MAX + 1, hdr);
	send_bytes(fd, hdr, 4);
	if (reply(fd, "oversized", 5000) != 1)
		failures++, printf("PROBE-FAIL oversized: expected an error\n");
	close(fd);
	still_alive("oversized");

	fd = dial();
	memset(hdr, 0xff, 4);
	send_bytes(fd, hdr, 4);
	if (reply(fd, "4 GiB length", 5000) != 1)
		failures++, printf("PROBE-FAIL 4 GiB length: expected an error\n");
	close(fd);
	still_alive("4 GiB length");

	fd = dial();
	memset(hdr, 0, 4);
	send_bytes(fd, hdr, 4);
	if (reply(fd, "empty frame", 5000) != 1)
		failures++, printf("PROBE-FAIL empty frame: expected an error\n");
	close(fd);
	still_alive("empty frame");

	/* Truncated, then gone. */
	fd = dial();
	chaosd_frame_header(100, hdr);
	send_bytes(fd, hdr, 4);
	send_bytes(fd, "{\"op\":", 6);
	close(fd);
	still_alive("truncated frame");

	/* Half a header, then gone. */
	fd = dial();
	send_bytes(fd, hdr, 2);
	close(fd);
	still_alive("half a header");

	/* Truncated and stalled: the daemon times the client out, and
	 * serves others meanwhile. */
	fd = dial();
	send_bytes(fd, hdr, 4);
	send_bytes(fd, "{\"op\":", 6);
	still_alive("a stalled client (while it stalls)");
	if (reply(fd, "stalled frame", 15000) != 1)
		failures++, printf("PROBE-FAIL stalled frame: expected a timeout error\n");
	close(fd);

	/* Byte by byte: reads are reassembled. */
	fd = dial();
	{
		const char *ping = "{\"op\":\"ping\"}";

		chaosd_frame_header((uint32_t)strlen(ping), hdr);
		for (int i = 0; i < 4; i++)
			send_bytes(fd, hdr + i, 1);
		for (size_t i = 0; i < strlen(ping); i++) {
			send_bytes(fd, ping + i, 1);
			usleep(1000);
		}
		if (reply(fd, "byte-by-byte ping", 5000) != 0)
			failures++, printf("PROBE-FAIL byte-by-byte ping\n");
	}
	close(fd);

	/* Random frames of random sizes. */
	for (unsigned int r = 0; r < rounds; r++) {
		uint16_t n;

		if (getrandom(&n, sizeof(n), 0) != sizeof(n) ||
		    getrandom(buf, sizeof(buf), 0) != sizeof(buf))
			exit(1);
		n = (uint16_t)(n % sizeof(buf) + 1);
		fd = dial();
		chaosd_frame_header(n, hdr);
		send_bytes(fd, hdr, 4);
		send_bytes(fd, buf, n);
		if (reply(fd, "random frame", 5000) != 1)
			failures++, printf("PROBE-FAIL random frame %u\n", r);
		close(fd);
		/* And raw random bytes, header included. */
		fd = dial();
		send_bytes(fd, buf, n);
		close(fd);
	}
	still_alive("random frames");
}

/* A console client that does not read: the daemon must keep serving
 * others, and the stream must still work once the client reads. */
static int console_stall(const char *dom, unsigned int secs)
{
	chaosd_conn *c;
	chaos_err err;
	uint32_t domid;
	char buf[256];
	ssize_t n;

	if (chaosd_connect(sock, &c, &err) ||
	    chaosd_console_attach(c, dom, &domid, &err)) {
		printf("PROBE-FAIL console attach: %s\n", err.msg);
		return 1;
	}
	for (unsigned int i = 0; i < secs * 2; i++) {
		still_alive("a console client that does not read");
		usleep(500000);
	}
	n = read(chaosd_conn_fd(c), buf, sizeof(buf) - 1);
	if (n <= 0) {
		printf("PROBE-FAIL console stream gave nothing after the stall\n");
		failures++;
	} else {
		printf("probe: console of domain %u after %u s: %zd bytes\n",
		       domid, secs, n);
	}
	chaosd_close(c);
	return failures ? 1 : 0;
}

/* Console streams held open, reading nothing: each takes one of
 * chaosd's stream slots. */
static int streams(unsigned int n, const char *dom, unsigned int secs)
{
	chaos_err err;
	uint32_t domid;

	for (unsigned int k = 0; k < n; k++) {
		chaosd_conn *c;

		if (chaosd_connect(sock, &c, &err) ||
		    chaosd_console_attach(c, dom, &domid, &err)) {
			printf("probe: stream %u of %u refused: %s\n", k + 1, n,
			       err.msg);
			return 1;
		}
		/* Held until we exit. */
	}
	printf("probe: streaming %u\n", n);
	fflush(stdout);
	sleep(secs);
	return 0;
}

/* A subscriber that falls behind on purpose: what it gets afterwards
 * must account for every event (seen, or counted in an overflow). */
static int events_stall(int secs)
{
	chaosd_conn *c;
	chaosd_event ev;
	chaos_err err;

	if (chaosd_connect(sock, &c, &err) || chaosd_subscribe(c, &err)) {
		fprintf(stderr, "probe: %s\n", err.msg);
		return 1;
	}
	printf("probe: subscribed\n");
	fflush(stdout);
	sleep((unsigned int)secs);
	while (chaosd_event_next(c, 3000, &ev, &err) == 0)
		printf("probe: event %s %llu %llu\n",
		       chaosd_event_type_name(ev.type),
		       (unsigned long long)ev.seq, (unsigned long long)ev.lost);
	chaosd_close(c);
	return err.code == ETIMEDOUT ? 0 : 1;
}

struct save_call {
	chaosd_conn *conn;
	const char *dom;
	int fd;
	int rc;
	chaos_err err;
	bool done;
};

static void *save_main(void *arg)
{
	struct save_call *s = arg;

	s->rc = chaosd_save(s->conn, s->dom, s->fd, false, NULL, NULL, &s->err);
	__atomic_store_n(&s->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * A job under way when chaosd is told to stop must still answer its
 * client. The image goes into a pipe nobody reads yet: once its first
 * bytes are there, the save is certainly waiting on it; once chaosd's
 * socket file is gone, its serving loop has ended. Only then is the pipe
 * drained, and the save's reply must come.
 */
static int stop_mid_save(const char *dom, pid_t pid)
{
	struct save_call s = { .dom = dom };
	struct pollfd p = { .events = POLLIN };
	struct stat st;
	pthread_t thread;
	int pipefd[2], waited = 0;
	unsigned long long bytes = 0;
	char buf[65536];
	ssize_t n;

	if (pipe2(pipefd, O_CLOEXEC) || chaosd_connect(sock, &s.conn, &s.err)) {
		printf("PROBE-FAIL setup: %s\n",
		       s.conn ? strerror(errno) : s.err.msg);
		return 1;
	}
	s.fd = pipefd[1];
	p.fd = pipefd[0];
	if (pthread_create(&thread, NULL, save_main, &s)) {
		printf("PROBE-FAIL cannot start the save's thread\n");
		return 1;
	}
	for (int i = 0; poll(&p, 1, 100) != 1; i++) {
		if (__atomic_load_n(&s.done, __ATOMIC_ACQUIRE)) {
			pthread_join(thread, NULL);
			printf("PROBE-FAIL the save ended before writing: %s\n",
			       s.rc ? s.err.msg : "ok");
			return 1;
		}
		if (i == 300) {
			printf("PROBE-FAIL the save wrote nothing in 30 s\n");
			return 1;
		}
	}
	/* chaosd has its own copy of the write end now. */
	close(pipefd[1]);
	if (kill(pid, SIGTERM)) {
		printf("PROBE-FAIL kill %ld: %s\n", (long)pid, strerror(errno));
		return 1;
	}
	while (stat(sock, &st) == 0 && waited++ < 300)
		usleep(100000);
	if (waited > 300) {
		printf("PROBE-FAIL chaosd's socket still there 30 s after SIGTERM\n");
		return 1;
	}
	printf("probe: chaosd stopped serving; draining the image\n");
	fflush(stdout);
	while ((n = read(pipefd[0], buf, sizeof(buf))) > 0)
		bytes += (unsigned long long)n;
	pthread_join(thread, NULL);
	chaosd_close(s.conn);
	if (s.rc) {
		printf("PROBE-FAIL no reply for the save: %s\n", s.err.msg);
		return 1;
	}
	printf("probe: save answered after chaosd stopped serving (%llu bytes)\n",
	       bytes);
	return 0;
}

int main(int argc, char **argv)
{
	int i = 1;

	/* The daemon closes on refused or garbled clients; a write after that
	 * must be an error we report, not a signal that kills the probe. */
	signal(SIGPIPE, SIG_IGN);

	if (i + 1 < argc && !strcmp(argv[i], "--socket")) {
		sock = argv[i + 1];
		i += 2;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: chaosd-probe [--socket P] call JSON | nonroot | abuse [N] |\n"
			"       hold N SECS | streams N DOM SECS | console-stall DOM SECS |\n"
			"       events-stall SECS | stop-mid-save DOM PID\n");
		return 2;
	}
	if (!strcmp(argv[i], "events-stall") && i + 1 < argc)
		return events_stall(atoi(argv[i + 1]));
	if (!strcmp(argv[i], "stop-mid-save") && i + 2 < argc)
		return stop_mid_save(argv[i + 1], (pid_t)atol(argv[i + 2]));
	if (!strcmp(argv[i], "call") && i + 1 < argc) {
		int fd = dial();
		chaos_err err;

		if (chaosd_frame_write(fd, argv[i + 1], strlen(argv[i + 1]),
				       5000, &err)) {
			fprintf(stderr, "probe: %s\n", err.msg);
			/* A refusing daemon may have answered and closed
			 * before we wrote: show its answer. */
			reply(fd, "call", 5000);
			return 1;
		}
		return reply(fd, "call", 60000) == 0 ? 0 : 1;
	}
	if (!strcmp(argv[i], "nonroot")) {
		int fd;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534)) {
			perror("probe: cannot drop to uid 65534");
			return 1;
		}
		{
			struct sockaddr_un sa = { .sun_family = AF_UNIX };

			snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
			fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (fd >= 0 &&
			    connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
				int e = errno;

				printf("probe: as uid 65534: connect refused: %s\n",
				       strerror(e));
				return e == EACCES ? 0 : 1;
			}
		}
		send_bytes(fd, "\0\0\0\x0d{\"op\":\"ping\"}", 17);
		/* Refused: an error reply then close, or just close. */
		return reply(fd, "as uid 65534", 5000) == 0 ? 1 : 0;
	}
	if (!strcmp(argv[i], "hold") && i + 2 < argc) {
		unsigned int n = (unsigned int)atoi(argv[i + 1]);

		/* Idle clients: they take slots and say nothing. */
		for (unsigned int k = 0; k < n; k++)
			dial();
		printf("probe: holding %u\n", n);
		fflush(stdout);
		sleep((unsigned int)atoi(argv[i + 2]));
		return 0;
	}
	if (!strcmp(argv[i], "streams") && i + 3 < argc)
		return streams((unsigned int)atoi(argv[i + 1]), argv[i + 2],
			       (unsigned int)atoi(argv[i + 3]));
	if (!strcmp(argv[i], "console-stall") && i + 2 < argc)
		return console_stall(argv[i + 1],
				     (unsigned int)atoi(argv[i + 2]));
	if (!strcmp(argv[i], "abuse")) {
		abuse(i + 1 < argc ? (unsigned int)atoi(argv[i + 1]) : 50);
		printf("probe: abuse done, %d failures\n", failures);
		return failures ? 1 : 0;
	}
	fprintf(stderr, "probe: unknown mode '%s'\n", argv[i]);
	return 2;
}
