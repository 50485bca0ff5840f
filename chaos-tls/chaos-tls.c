// SPDX-License-Identifier: MIT
/*
 * chaos-tls: a TLS pipe keyed by a pre-shared key file, the transport of
 * `chaos migrate --port` and `chaos migrate-receive --listen`.
 *
 *   chaos-tls connect HOST PORT --psk-file F [--timeout S]
 *   chaos-tls listen PORT --psk-file F [--timeout S]
 *
 * Either end copies its stdin into the TLS connection and the connection
 * into its stdout until both directions have ended (stdin's end is sent as
 * a TLS close_notify, the peer's close_notify becomes a shutdown or close
 * of stdout).
 *
 * GnuTLS does all the cryptography: TLS 1.3 (1.2 at the least) with a
 * PSK key exchange that always adds an ephemeral (EC)DH share, so a key
 * that leaks later does not open recorded sessions. The PSK is derived
 * from the key file's bytes with HKDF-SHA256 (GnuTLS's), so the TLS key is
 * never the very key chaos uses for its own HMACs inside the stream.
 *
 * The listener takes handshakes from several connections at once; one
 * that fails (a stranger, a wrong key, garbage) or stalls is logged and
 * closed, and the listener goes on waiting until the first connection
 * that completes the handshake, or the timeout. Then the listening socket
 * is closed and that connection is bridged.
 *
 * Exit status: 0 done, 1 setup failed (key file, socket), 2 usage,
 * 3 cannot connect, 4 TLS handshake failed (wrong key, not chaos-tls),
 * 5 timed out, 6 the connection failed after the handshake.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include <chaos/chaos.h>

enum {
	EXIT_DONE = 0,
	EXIT_SETUP = 1,
	EXIT_USAGE = 2,
	EXIT_CONNECT = 3,
	EXIT_HANDSHAKE = 4,
	EXIT_TIMEOUT = 5,
	EXIT_IO = 6,
};

/*
 * PSK key exchanges with (EC)DHE only: in TLS 1.3 GnuTLS then offers
 * psk_dhe_ke and never plain psk_ke; in TLS 1.2 the ECDHE-PSK and DHE-PSK
 * suites. AEAD ciphers only (TLS 1.3 has no others; this keeps TLS 1.2's
 * CBC suites out).
 */
#define PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:" \
		 "-KX-ALL:+ECDHE-PSK:+DHE-PSK:" \
		 "-CIPHER-ALL:+AES-256-GCM:+CHACHA20-POLY1305:+AES-128-GCM:" \
		 "-MAC-ALL:+AEAD"
#define IDENTITY "chaos-migrate"
#define PSK_SALT "chaos-tls psk salt v1"
#define PSK_INFO "chaos-tls migration psk v1"
#define PSK_LEN 32
#define CONNECT_TIMEOUT_S 30
/* Per connection at the listener: a silent stranger is dropped. */
#define HANDSHAKE_MS 15000
#define PENDING_MAX 8
#define BUF_SIZE 65536

static const char *me = "chaos-tls";
static gnutls_datum_t psk;   /* derived, gnutls_malloc'd */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", me, line);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The key file under chaos's rules, then HKDF-SHA256 to the TLS PSK. */
static int load_psk(const char *path)
{
	chaos_migrate_key *key = calloc(1, sizeof(*key));
	gnutls_datum_t ikm, salt = { (unsigned char *)PSK_SALT, sizeof(PSK_SALT) - 1 },
		       info = { (unsigned char *)PSK_INFO, sizeof(PSK_INFO) - 1 },
		       prk_d;
	uint8_t prk[32];
	chaos_err err;
	int rc = -1, r;

	if (!key) {
		say("out of memory");
		return -1;
	}
	if (chaos_migrate_key_load(path, key, &err)) {
		say("%s", err.msg);
		goto out;
	}
	ikm.data = key->bytes;
	ikm.size = (unsigned int)key->len;
	psk.data = gnutls_malloc(PSK_LEN);
	psk.size = PSK_LEN;
	prk_d.data = prk;
	prk_d.size = sizeof(prk);
	if (!psk.data) {
		say("out of memory");
		goto out;
	}
	if ((r = gnutls_hkdf_extract(GNUTLS_MAC_SHA256, &ikm, &salt, prk)) ||
	    (r = gnutls_hkdf_expand(GNUTLS_MAC_SHA256, &prk_d, &info, psk.data,
				    PSK_LEN))) {
		say("deriving the key: %s", gnutls_strerror(r));
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(prk, sizeof(prk));
	explicit_bzero(key, sizeof(*key));
	free(key);
	return rc;
}

/* The server's side of the PSK: our one identity, nothing else. */
static int server_psk(gnutls_session_t s, const char *username,
		      gnutls_datum_t *key)
{
	(void)s;
	if (strcmp(username, IDENTITY))
		return -1;
	key->data = gnutls_malloc(psk.size);
	if (!key->data)
		return -1;
	memcpy(key->data, psk.data, psk.size);
	key->size = psk.size;
	return 0;
}

static int set_blocking(int fd, bool blocking)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -1;
	return fcntl(fd, F_SETFL, blocking ? fl & ~O_NONBLOCK : fl | O_NONBLOCK);
}

/* --- the bridge ------------------------------------------------------------ */

struct bridge {
	gnutls_session_t s;
	int sock;
	int rc_up, rc_down;
};

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* stdin -> TLS; stdin's end becomes close_notify and a TCP half-close. */
static void *up(void *arg)
{
	struct bridge *b = arg;
	uint8_t *buf = malloc(BUF_SIZE);
	ssize_t n;

	b->rc_up = EXIT_IO;
	if (!buf) {
		say("out of memory");
		return NULL;
	}
	for (;;) {
		n = read(0, buf, BUF_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			say("reading stdin: %s", strerror(errno));
			break;
		}
		if (n == 0) {
			int r;

			do
				r = gnutls_bye(b->s, GNUTLS_SHUT_WR);
			while (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED);
			shutdown(b->sock, SHUT_WR);
			b->rc_up = EXIT_DONE;
			break;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = gnutls_record_send(b->s, buf + off,
						       (size_t)(n - off));

			if (w == GNUTLS_E_AGAIN || w == GNUTLS_E_INTERRUPTED)
				continue;
			if (w < 0) {
				say("sending: %s", gnutls_strerror((int)w));
				/* The other direction cannot go on either. */
				shutdown(b->sock, SHUT_RDWR);
				goto out;
			}
			off += w;
		}
	}
out:
	free(buf);
	return NULL;
}

/* TLS -> stdout, until the peer's close_notify. */
static void *down(void *arg)
{
	struct bridge *b = arg;
	uint8_t *buf = malloc(BUF_SIZE);
	bool out_ok = true;
	struct stat st;
	ssize_t n;

	b->rc_down = EXIT_IO;
	if (!buf) {
		say("out of memory");
		return NULL;
	}
	for (;;) {
		n = gnutls_record_recv(b->s, buf, BUF_SIZE);
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
			continue;
		if (n == 0) {
			b->rc_down = EXIT_DONE;
			break;
		}
		if (n < 0) {
			say("receiving: %s", gnutls_strerror((int)n));
			break;
		}
		/* Once stdout's reader is gone, the rest is drained unread. */
		if (out_ok && write_all(1, buf, (size_t)n))
			out_ok = false;
	}
	/* The end of the peer's data: a socket's write half, or the pipe. */
	if (fstat(1, &st) == 0 && S_ISSOCK(st.st_mode))
		shutdown(1, SHUT_WR);
	else
		close(1);
	free(buf);
	return NULL;
}

/*
 * Both directions at once, one thread each: GnuTLS lets one thread send
 * while another receives on a session past its handshake, and neither
 * direction can then hold the other up when both carry bulk data.
 */
static int bridge(gnutls_session_t s, int sock)
{
	struct bridge b = { .s = s, .sock = sock };
	pthread_t t;

	if (pthread_create(&t, NULL, down, &b)) {
		say("cannot start a thread");
		return EXIT_SETUP;
	}
	up(&b);
	pthread_join(t, NULL);
	return b.rc_up ? b.rc_up : b.rc_down;
}

/* --- sessions ------------------------------------------------------------- */

static gnutls_psk_client_credentials_t client_cred;
static gnutls_psk_server_credentials_t server_cred;

static int new_session(gnutls_session_t *s, bool server, int fd)
{
	const char *where = NULL;
	int r;

	r = gnutls_init(s, server ? GNUTLS_SERVER | GNUTLS_NONBLOCK : GNUTLS_CLIENT);
	if (r) {
		say("gnutls_init: %s", gnutls_strerror(r));
		return -1;
	}
	r = gnutls_priority_set_direct(*s, PRIORITY, &where);
	if (!r)
		r = gnutls_credentials_set(*s, GNUTLS_CRD_PSK,
					   server ? (void *)server_cred
						  : (void *)client_cred);
	if (r) {
		say("TLS setup: %s%s%s", gnutls_strerror(r), where ? " at " : "",
		    where ? where : "");
		gnutls_deinit(*s);
		return -1;
	}
	gnutls_transport_set_int(*s, fd);
	return 0;
}

static void describe(gnutls_session_t s, const char *peer)
{
	const char *group = gnutls_group_get_name(gnutls_group_get(s));
	char *d = gnutls_session_get_desc(s);

	say("connection from %s: %s, %s key exchange%s%s", peer, d ? d : "?",
	    gnutls_kx_get_name(gnutls_kx_get(s)), group ? " over " : "",
	    group ? group : "");
	gnutls_free(d);
}

/* --- connect --------------------------------------------------------------- */

static int parse_addr(const char *host, int port, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
		return 0;
	}
	return -1;
}

static int do_connect(const char *host, int port, int timeout_s)
{
	uint64_t deadline = now_ms() + (uint64_t)timeout_s * 1000u;
	struct sockaddr_storage ss;
	gnutls_session_t s;
	socklen_t len;
	int fd, r, soerr = 0;
	socklen_t sl = sizeof(soerr);
	struct pollfd p;

	if (parse_addr(host, port, &ss, &len)) {
		say("'%s' is not an IP address", host);
		return EXIT_USAGE;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		say("socket: %s", strerror(errno));
		return EXIT_SETUP;
	}
	if (connect(fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS) {
		say("cannot connect to %s port %d: %s", host, port, strerror(errno));
		close(fd);
		return EXIT_CONNECT;
	}
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	do
		r = poll(&p, 1, (int)(deadline - now_ms()));
	while (r < 0 && errno == EINTR && now_ms() < deadline);
	if (r == 0) {
		say("cannot connect to %s port %d: no answer within %d s", host,
		    port, timeout_s);
		close(fd);
		return EXIT_TIMEOUT;
	}
	if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) || soerr) {
		say("cannot connect to %s port %d: %s", host, port,
		    strerror(soerr ? soerr : errno));
		close(fd);
		return EXIT_CONNECT;
	}
	set_blocking(fd, true);
	if (new_session(&s, false, fd)) {
		close(fd);
		return EXIT_SETUP;
	}
	gnutls_handshake_set_timeout(s, (unsigned int)(deadline > now_ms() ?
						       deadline - now_ms() : 1));
	do
		r = gnutls_handshake(s);
	while (r < 0 && !gnutls_error_is_fatal(r));
	if (r == GNUTLS_E_TIMEDOUT) {
		say("TLS handshake with %s port %d: no answer within %d s",
		    host, port, timeout_s);
		r = EXIT_TIMEOUT;
	} else if (r) {
		say("TLS handshake with %s port %d failed: %s (wrong pre-shared key, or no chaos-tls there?)",
		    host, port, gnutls_strerror(r));
		r = EXIT_HANDSHAKE;
	} else {
		r = bridge(s, fd);
	}
	gnutls_deinit(s);
	close(fd);
	return r;
}

/* --- listen ---------------------------------------------------------------- */

struct pending {
	int fd;
	gnutls_session_t s;
	uint64_t deadline;
	char peer[INET6_ADDRSTRLEN + 16];
};

static void drop(struct pending *p, const char *why)
{
	if (why)
		say("connection from %s: %s; still waiting", p->peer, why);
	gnutls_deinit(p->s);
	close(p->fd);
	p->fd = -1;
}

static void name_peer(const struct sockaddr_in6 *a, char *out, size_t n)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	const uint8_t *b = a->sin6_addr.s6_addr;
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (!memcmp(b, v4mapped, 12))
		inet_ntop(AF_INET, b + 12, ip, sizeof(ip));
	else
		inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
	snprintf(out, n, "%s port %u", ip, ntohs(a->sin6_port));
}

static int do_listen(int port, int timeout_s)
{
	struct sockaddr_in6 addr = { .sin6_family = AF_INET6,
				     .sin6_port = htons((uint16_t)port),
				     .sin6_addr = IN6ADDR_ANY_INIT };
	uint64_t deadline = timeout_s ? now_ms() + (uint64_t)timeout_s * 1000u : 0;
	struct pending pend[PENDING_MAX];
	struct pollfd pfd[PENDING_MAX + 2];
	int one = 1, zero = 0, lfd, winner = -1;
	bool watch_stdin;
	struct stat st;

	for (int i = 0; i < PENDING_MAX; i++)
		pend[i].fd = -1;
	/* The user of the pipe going away ends the wait (a socket's hang-up). */
	watch_stdin = fstat(0, &st) == 0 && S_ISSOCK(st.st_mode);
	lfd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (lfd < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
	    bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(lfd, PENDING_MAX)) {
		say("cannot listen on port %d: %s", port, strerror(errno));
		if (lfd >= 0)
			close(lfd);
		return EXIT_SETUP;
	}
	say("listening on port %d", port);
	while (winner < 0) {
		uint64_t now = now_ms(), next = deadline;
		int n = 0, r, wait_ms;

		if (deadline && now >= deadline) {
			say("no connection with the pre-shared key on port %d within %d s",
			    port, timeout_s);
			break;
		}
		pfd[n++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = watch_stdin ? 0 : -1,
					    .events = POLLRDHUP };
		for (int i = 0; i < PENDING_MAX; i++) {
			struct pending *p = &pend[i];

			if (p->fd < 0) {
				pfd[n++] = (struct pollfd){ .fd = -1 };
				continue;
			}
			if (now >= p->deadline) {
				drop(p, "no TLS handshake in time");
				pfd[n++] = (struct pollfd){ .fd = -1 };
				continue;
			}
			if (!next || p->deadline < next)
				next = p->deadline;
			pfd[n++] = (struct pollfd){
				.fd = p->fd,
				.events = gnutls_record_get_direction(p->s) ?
						  POLLOUT : POLLIN };
		}
		wait_ms = next ? (int)(next - now) : -1;
		r = poll(pfd, (nfds_t)n, wait_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			say("poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents & (POLLRDHUP | POLLHUP | POLLERR)) {
			say("stdin closed; no longer waiting");
			break;
		}
		for (int i = 0; i < PENDING_MAX && winner < 0; i++) {
			struct pending *p = &pend[i];

			if (p->fd < 0 || !pfd[i + 2].revents)
				continue;
			r = gnutls_handshake(p->s);
			if (r == 0)
				winner = i;
			else if (r != GNUTLS_E_AGAIN && r != GNUTLS_E_INTERRUPTED) {
				char why[160];

				snprintf(why, sizeof(why),
					 "TLS handshake failed: %s (wrong pre-shared key, or not chaos-tls)",
					 gnutls_strerror(r));
				drop(p, why);
			}
		}
		if (winner >= 0 || !(pfd[0].revents & POLLIN))
			continue;
		for (;;) {
			struct sockaddr_in6 from;
			socklen_t fl = sizeof(from);
			struct pending *slot = NULL;
			int c = accept4(lfd, (struct sockaddr *)&from, &fl,
					SOCK_CLOEXEC | SOCK_NONBLOCK);

			if (c < 0)
				break;
			for (int i = 0; i < PENDING_MAX && !slot; i++)
				if (pend[i].fd < 0)
					slot = &pend[i];
			if (!slot) {
				/* Full: the oldest attempt makes room. */
				slot = &pend[0];
				for (int i = 1; i < PENDING_MAX; i++)
					if (pend[i].deadline < slot->deadline)
						slot = &pend[i];
				drop(slot, "too many handshakes at once, dropped the oldest");
			}
			name_peer(&from, slot->peer, sizeof(slot->peer));
			if (new_session(&slot->s, true, c)) {
				close(c);
				continue;
			}
			slot->fd = c;
			slot->deadline = now_ms() + HANDSHAKE_MS;
			/* Its ClientHello may be there already. */
			r = gnutls_handshake(slot->s);
			if (r == 0) {
				winner = (int)(slot - pend);
				break;
			}
			if (r != GNUTLS_E_AGAIN && r != GNUTLS_E_INTERRUPTED) {
				char why[160];

				snprintf(why, sizeof(why),
					 "TLS handshake failed: %s (wrong pre-shared key, or not chaos-tls)",
					 gnutls_strerror(r));
				drop(slot, why);
			}
		}
	}
	close(lfd);
	for (int i = 0; i < PENDING_MAX; i++)
		if (pend[i].fd >= 0 && i != winner)
			drop(&pend[i], NULL);
	if (winner < 0)
		return deadline && now_ms() >= deadline ? EXIT_TIMEOUT : EXIT_SETUP;
	{
		struct pending *p = &pend[winner];
		int rc;

		describe(p->s, p->peer);
		set_blocking(p->fd, true);
		rc = bridge(p->s, p->fd);
		drop(p, NULL);
		return rc;
	}
}

/* --- main ------------------------------------------------------------------ */

static int parse_num(const char *text, long lo, long hi, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(text, &end, 10);
	return !*text || *end || errno || *v < lo || *v > hi ? -1 : 0;
}

#define STR_(x) #x
#define STR(x) STR_(x)
static const char usage_text[] =
	"usage: chaos-tls connect HOST PORT --psk-file F [--timeout S]\n"
	"       chaos-tls listen PORT --psk-file F [--timeout S]\n"
	"  --psk-file F   the pre-shared key file (the caller's, not readable by\n"
	"                 others)\n"
	"  --timeout S    connect: give up after S seconds (default "
	STR(CONNECT_TIMEOUT_S) ");\n"
	"                 listen: wait at most S seconds for the peer\n"
	"  -h, --help     print this and exit\n";

static int usage(void)
{
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}

static int help(void)
{
	fputs(usage_text, stdout);
	return EXIT_DONE;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "psk-file", required_argument, NULL, 'k' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *psk_file = NULL;
	char **args;
	long port, timeout = -1;
	int want, rc, r, c;
	bool listen_mode;

	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return help();
	if (!strcmp(argv[1], "connect"))
		listen_mode = false, want = 2;
	else if (!strcmp(argv[1], "listen"))
		listen_mode = true, want = 1;
	else
		return usage();
	/* The options follow the command: parse argv[1..] as its own argv. */
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'k':
			psk_file = optarg;
			break;
		case 't':
			if (parse_num(optarg, 1, 86400 * 7, &timeout)) {
				say("--timeout '%s': seconds, 1 or more",
				    optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			return help();
		default:
			say("%s: unknown option or missing value",
			    argv[optind]);
			return usage();
		}
	}
	args = argv + 1 + optind;
	if (argc - 1 - optind != want || !psk_file)
		return usage();
	if (parse_num(args[want - 1], 1, 65535, &port)) {
		say("'%s' is not a TCP port", args[want - 1]);
		return EXIT_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((r = gnutls_global_init())) {
		say("gnutls_global_init: %s", gnutls_strerror(r));
		return EXIT_SETUP;
	}
	if (load_psk(psk_file))
		return EXIT_SETUP;
	if (listen_mode) {
		if ((r = gnutls_psk_allocate_server_credentials(&server_cred)) ||
		    (r = gnutls_psk_set_server_known_dh_params(server_cred,
							       GNUTLS_SEC_PARAM_HIGH))) {
			say("TLS credentials: %s", gnutls_strerror(r));
			return EXIT_SETUP;
		}
		gnutls_psk_set_server_credentials_function(server_cred, server_psk);
		rc = do_listen((int)port, timeout > 0 ? (int)timeout : 0);
		gnutls_psk_free_server_credentials(server_cred);
	} else {
		if ((r = gnutls_psk_allocate_client_credentials(&client_cred)) ||
		    (r = gnutls_psk_set_client_credentials(client_cred, IDENTITY,
							   &psk, GNUTLS_PSK_KEY_RAW))) {
			say("TLS credentials: %s", gnutls_strerror(r));
			return EXIT_SETUP;
		}
		rc = do_connect(args[0], (int)port,
				timeout > 0 ? (int)timeout : CONNECT_TIMEOUT_S);
		gnutls_psk_free_client_credentials(client_cred);
	}
	explicit_bzero(psk.data, psk.size);
	gnutls_free(psk.data);
	gnutls_global_deinit();
	return rc;
}
