// SPDX-License-Identifier: MIT
/*
 * The migration stream (migrate_wire.c) over socket pairs: a good
 * exchange, then a hostile peer: the wrong key, forged and altered control
 * messages, oversize and truncated messages, a replayed handshake and
 * replayed or reflected messages. The peer's half of a handshake runs in
 * a thread; hostile bytes are written raw, as an attacker on the wire
 * would.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "migrate/migrate.h"

#define SHORT_MS 200u  /* a silent peer: the limit that ends the wait */
#define LONG_MS 10000u /* a peer that does answer */
#define HEADER 16

static const chaos_migrate_key key_a = { .bytes = "0123456789abcdef-test-key", .len = 25 };
static const chaos_migrate_key key_b = { .bytes = "0123456789abcdef-test-kez", .len = 25 };

/* One end of a session; its handshake or one receive may run in a thread. */
struct end {
	struct chaos_mig m;
	int rc;
	chaos_err err;
	pthread_t thread;
	uint32_t want;		/* for a threaded receive */
	uint64_t max;
	uint8_t *payload;
	uint64_t len;
};

static void *handshake_thread(void *arg)
{
	struct end *e = arg;

	e->rc = chaos_mig_handshake(&e->m, LONG_MS, &e->err);
	return NULL;
}

static void *recv_thread(void *arg)
{
	struct end *e = arg;

	e->rc = chaos_mig_recv(&e->m, e->want, e->max, LONG_MS, &e->payload,
			       &e->len, &e->err);
	return NULL;
}

static void end_init(struct end *e, int fd, enum chaos_mig_role role,
		     const chaos_migrate_key *key)
{
	memset(e, 0, sizeof(*e));
	e->m.in = e->m.out = fd;
	e->m.role = role;
	e->m.key = key;
}

static void start(struct end *e, void *(*job)(void *))
{
	assert_int_equal(pthread_create(&e->thread, NULL, job, e), 0);
}

static void join(struct end *e)
{
	assert_int_equal(pthread_join(e->thread, NULL), 0);
}

struct session {
	int sv[2];
	struct end src, dst;
};

/* Both ends handshake with their keys; each end's result is kept. */
static void session_open(struct session *s, const chaos_migrate_key *src_key,
			 const chaos_migrate_key *dst_key)
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, s->sv), 0);
	end_init(&s->src, s->sv[0], CHAOS_MIG_SENDER, src_key);
	end_init(&s->dst, s->sv[1], CHAOS_MIG_RECEIVER, dst_key);
	start(&s->dst, handshake_thread);
	s->src.rc = chaos_mig_handshake(&s->src.m, LONG_MS, &s->src.err);
	/* A failing source may leave the destination waiting: wake it. */
	if (s->src.rc)
		shutdown(s->sv[0], SHUT_RDWR);
	join(&s->dst);
}

/* A session both ends authenticated with the same key. */
static void session_authed(struct session *s)
{
	session_open(s, &key_a, &key_a);
	assert_int_equal(s->src.rc, 0);
	assert_int_equal(s->dst.rc, 0);
	assert_true(s->src.m.authed);
	assert_true(s->dst.m.authed);
}

static void session_close(struct session *s)
{
	close(s->sv[0]);
	close(s->sv[1]);
}

static void put_header(uint8_t *h, uint32_t type, uint32_t zero, uint64_t len)
{
	memcpy(h, &type, 4);
	memcpy(h + 4, &zero, 4);
	memcpy(h + 8, &len, 8);
}

static void write_raw(int fd, const void *p, size_t len)
{
	assert_int_equal(write(fd, p, len), (ssize_t)len);
}

static void read_exact(int fd, uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = read(fd, p, len);

		assert_true(n > 0);
		p += n;
		len -= (size_t)n;
	}
}

/* Everything already queued on fd, up to max bytes. */
static size_t drain(int fd, uint8_t *buf, size_t max)
{
	size_t got = 0;
	ssize_t n;

	while (got < max &&
	       (n = recv(fd, buf + got, max - got, MSG_DONTWAIT)) > 0)
		got += (size_t)n;
	return got;
}

/* The bytes an end writes for one message, captured, not delivered. */
static size_t capture(struct end *e, uint32_t type, const void *payload,
		      uint64_t len, uint8_t *out, size_t max)
{
	int tap[2], saved = e->m.out;
	chaos_err err;
	size_t n;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, tap), 0);
	e->m.out = tap[0];
	assert_int_equal(chaos_mig_send(&e->m, type, payload, len, &err), 0);
	e->m.out = saved;
	n = drain(tap[1], out, max);
	close(tap[0]);
	close(tap[1]);
	return n;
}

static int recv_one(struct end *e, uint32_t want, uint64_t max,
		    unsigned int timeout_ms)
{
	uint8_t *p = (uint8_t *)&p; /* must come back NULL on failure */
	uint64_t n;
	int rc = chaos_mig_recv(&e->m, want, max, timeout_ms, &p, &n, &e->err);

	if (rc == 0)
		free(p);
	else
		assert_null(p);
	return rc;
}

static void assert_err(const chaos_err *err, int code, const char *words)
{
	if (err->code != code || !strstr(err->msg, words))
		fail_msg("error %d \"%s\", expected %d with \"%s\"", err->code,
			 err->msg, code, words);
}

/* ---- a good exchange ------------------------------------------------ */

static void test_good_exchange_with_key(void **state)
{
	const size_t image_len = 1u << 20; /* more than a socket buffer */
	uint8_t *image = malloc(image_len), mac_src[CHAOS_MIG_MAC],
		mac_dst[CHAOS_MIG_MAC], *p;
	static const char restored[] = "\0\0\0\0restored";
	struct session s;
	uint64_t n;
	int32_t code;

	(void)state;
	assert_non_null(image);
	for (size_t i = 0; i < image_len; i++)
		image[i] = (uint8_t)(i * 7 + (i >> 12));
	session_authed(&s);

	/* IMAGE: the destination reads while the source writes. */
	s.dst.want = CHAOS_MIG_IMAGE;
	s.dst.max = image_len;
	start(&s.dst, recv_thread);
	assert_int_equal(chaos_mig_send(&s.src.m, CHAOS_MIG_IMAGE, image,
					image_len, &s.src.err), 0);
	join(&s.dst);
	assert_int_equal(s.dst.rc, 0);
	assert_int_equal(s.dst.len, image_len);
	assert_memory_equal(s.dst.payload, image, image_len);

	/* IMAGE_MAC: both ends bind the same image to the session. */
	chaos_mig_image_mac(&s.src.m, image + image_len - CHAOS_SAVEIMG_HASH_SIZE,
			    mac_src);
	chaos_mig_image_mac(&s.dst.m,
			    s.dst.payload + s.dst.len - CHAOS_SAVEIMG_HASH_SIZE,
			    mac_dst);
	assert_memory_equal(mac_src, mac_dst, CHAOS_MIG_MAC);
	/* Its own MAC is the last 16 bytes. */
	s.dst.payload[image_len - 1] ^= 1;
	chaos_mig_image_mac(&s.dst.m,
			    s.dst.payload + s.dst.len - CHAOS_SAVEIMG_HASH_SIZE,
			    mac_dst);
	assert_memory_not_equal(mac_src, mac_dst, CHAOS_MIG_MAC);
	free(s.dst.payload);
	free(image);

	/* STATUS 0, GO, RUNNING, DONE: each sealed, each accepted. */
	assert_int_equal(chaos_mig_status(&s.dst.m, 0, "restored"), 0);
	assert_int_equal(chaos_mig_recv(&s.src.m, CHAOS_MIG_STATUS, 0, LONG_MS,
					&p, &n, &s.src.err), 0);
	assert_int_equal(n, sizeof(restored) - 1);
	assert_memory_equal(p, restored, n);
	memcpy(&code, p, 4);
	assert_int_equal(code, 0);
	free(p);
	assert_int_equal(chaos_mig_send(&s.src.m, CHAOS_MIG_GO, NULL, 0, NULL), 0);
	assert_int_equal(recv_one(&s.dst, CHAOS_MIG_GO, 0, LONG_MS), 0);
	assert_int_equal(chaos_mig_send(&s.dst.m, CHAOS_MIG_RUNNING, NULL, 0, NULL), 0);
	assert_int_equal(recv_one(&s.src, CHAOS_MIG_RUNNING, 0, LONG_MS), 0);
	assert_int_equal(chaos_mig_send(&s.src.m, CHAOS_MIG_DONE, NULL, 0, NULL), 0);
	assert_int_equal(recv_one(&s.dst, CHAOS_MIG_DONE, 0, LONG_MS), 0);
	session_close(&s);
}

/* Without a key (ssh carries the stream) nothing is sealed. */
static void test_good_exchange_without_key(void **state)
{
	struct session s;

	(void)state;
	session_open(&s, NULL, NULL);
	assert_int_equal(s.src.rc, 0);
	assert_int_equal(s.dst.rc, 0);
	assert_false(s.src.m.authed);
	assert_int_equal(chaos_mig_send(&s.src.m, CHAOS_MIG_GO, NULL, 0, NULL), 0);
	assert_int_equal(recv_one(&s.dst, CHAOS_MIG_GO, 0, LONG_MS), 0);
	session_close(&s);
}

/* The destination's failure reaches the source as its error. */
static void test_status_failure_becomes_error(void **state)
{
	struct session s;

	(void)state;
	session_authed(&s);
	assert_int_equal(chaos_mig_status(&s.dst.m, -ENOSPC, "no memory\nfor it"), 0);
	assert_int_equal(recv_one(&s.src, CHAOS_MIG_STATUS, 0, LONG_MS), -1);
	/* Its text is shown made printable. */
	assert_err(&s.src.err, ENOSPC, "the destination says: no memory?for it");
	session_close(&s);
}

/* ---- the wrong key -------------------------------------------------- */

static void test_wrong_key_refused(void **state)
{
	struct session s;

	(void)state;
	session_open(&s, &key_a, &key_b);
	assert_int_equal(s.src.rc, -1);
	assert_int_equal(s.dst.rc, -1);
	assert_err(&s.src.err, EACCES, "does not know the pre-shared key");
	assert_err(&s.dst.err, EACCES, "does not know the pre-shared key");
	assert_false(s.src.m.authed);
	assert_false(s.dst.m.authed);
	session_close(&s);
}

static void test_key_on_one_side_only_refused(void **state)
{
	struct session s;

	(void)state;
	session_open(&s, &key_a, NULL);
	assert_int_equal(s.src.rc, -1);
	assert_int_equal(s.dst.rc, -1);
	assert_err(&s.src.err, EACCES, "does not use a pre-shared key and we do");
	assert_err(&s.dst.err, EACCES, "uses a pre-shared key and we do not");
	session_close(&s);
}

/* ---- forged and altered control messages ---------------------------- */

/* An attacker's RUNNING: it cannot make the MAC. */
static void test_forged_running_refused(void **state)
{
	uint8_t msg[HEADER + CHAOS_MIG_MAC] = { 0 };
	struct session s;

	(void)state;
	session_authed(&s);
	put_header(msg, CHAOS_MIG_RUNNING, 0, CHAOS_MIG_MAC);
	write_raw(s.sv[1], msg, sizeof(msg));
	assert_int_equal(recv_one(&s.src, CHAOS_MIG_RUNNING, 0, LONG_MS), -1);
	assert_err(&s.src.err, EACCES, "not authenticated by the pre-shared key");
	session_close(&s);
}

/* An attacker's failure STATUS is refused, not shown as the peer's word. */
static void test_forged_status_refused(void **state)
{
	uint8_t msg[HEADER + 8 + CHAOS_MIG_MAC] = { 0 };
	int32_t code = -EIO;
	struct session s;

	(void)state;
	session_authed(&s);
	put_header(msg, CHAOS_MIG_STATUS, 0, 8 + CHAOS_MIG_MAC);
	memcpy(msg + HEADER, &code, 4);
	memcpy(msg + HEADER + 4, "oops", 4);
	write_raw(s.sv[1], msg, sizeof(msg));
	assert_int_equal(recv_one(&s.src, CHAOS_MIG_STATUS, 0, LONG_MS), -1);
	assert_err(&s.src.err, EACCES, "message type 5 not authenticated");
	session_close(&s);
}

/* A real STATUS with one byte of its text changed. */
static void test_altered_status_refused(void **state)
{
	uint8_t msg[256];
	struct session s;
	size_t n;

	(void)state;
	session_authed(&s);
	n = capture(&s.dst, CHAOS_MIG_STATUS, "\0\0\0\0restored", 12, msg,
		    sizeof(msg));
	assert_int_equal(n, HEADER + 12 + CHAOS_MIG_MAC);
	msg[HEADER + 4] = 'R';
	write_raw(s.sv[1], msg, n);
	assert_int_equal(recv_one(&s.src, CHAOS_MIG_STATUS, 0, LONG_MS), -1);
	assert_err(&s.src.err, EACCES, "not authenticated");
	session_close(&s);
}

/*
 * Audit finding 1, "split-brain after GO: the source resumes on a forged or
 * garbled RUNNING while the destination already runs": only the peer's own
 * STATUS counts as a refusal (peer_refused, which session.c's hand_over
 * requires before it resumes the source); a RUNNING with a flipped MAC
 * byte, a retyped frame or a forged STATUS do not.
 */
static void test_only_the_peer_refuses(void **state)
{
	uint8_t msg[256];
	struct session s;
	size_t n;

	(void)state;
	session_authed(&s);
	/* A real RUNNING, its MAC's last byte flipped. */
	n = capture(&s.dst, CHAOS_MIG_RUNNING, NULL, 0, msg, sizeof(msg));
	msg[n - 1] ^= 1;
	write_raw(s.sv[1], msg, n);
	assert_int_equal(recv_one(&s.src, CHAOS_MIG_RUNNING, 0, LONG_MS), -1);
	assert_false(s.src.m.peer_refused);
	session_close(&s);

	session_authed(&s);
	/* A real RUNNING relabelled DONE. */
	n = capture(&s.dst, CHAOS_MIG_RUNNING, NULL, 0, msg, sizeof(msg));
	put_header(msg, CHAOS_MIG_DONE, 0, n - HEADER);
	write_raw(s.sv[1], msg, n);
	assert_int_equal(recv_one(&s.src, CHAOS_MIG_RUNNING, 0, LONG_MS), -1);
	assert_false(s.src.m.peer_refused);
	session_close(&s);

	session_authed(&s);
	/* A STATUS the attacker made up. */
	memset(msg, 0, sizeof(msg));
	put_header(msg, CHAOS_MIG_STATUS, 0, 8 + CHAOS_MIG_MAC);
	memcpy(msg + HEADER, "\xfb\xff\xff\xff" "oops", 8);
	write_raw(s.sv[1], msg, HEADER + 8 + CHAOS_MIG_MAC);
	assert_int_equal(recv_one(&s.src, CHAOS_MIG_RUNNING, 0, LONG_MS), -1);
	assert_false(s.src.m.peer_refused);
	session_close(&s);

	session_authed(&s);
	/* The destination's own failure: the one case that counts. */
	assert_int_equal(chaos_mig_status(&s.dst.m, -EIO, "cannot unpause"), 0);
	assert_int_equal(recv_one(&s.src, CHAOS_MIG_RUNNING, 0, LONG_MS), -1);
	assert_true(s.src.m.peer_refused);
	assert_err(&s.src.err, EIO, "cannot unpause");
	/* And a later receive starts clean. */
	shutdown(s.sv[1], SHUT_WR);
	assert_int_equal(recv_one(&s.src, CHAOS_MIG_RUNNING, 0, LONG_MS), -1);
	assert_false(s.src.m.peer_refused);
	session_close(&s);
}

/*
 * Audit finding 22b, "chaos_migrate_key_load does not check the key file's
 * owner": a key file of another user is refused, as is one others can
 * read; the caller's own 0600 file is taken.
 */
static void test_key_file_checks(void **state)
{
	char path[] = "/tmp/chaos-test-key-XXXXXX";
	chaos_migrate_key key;
	chaos_err err;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "0123456789abcdef0123", 20), 20);
	close(fd);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(chaos_migrate_key_load(path, &key, &err), 0);
	assert_int_equal(key.len, 20);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(chaos_migrate_key_load(path, &key, &err), -1);
	assert_err(&err, EACCES, "readable by its owner only");
	assert_int_equal(chmod(path, 0600), 0);
	/* Only root can give the file away; everyone else proves the rest. */
	if (geteuid() == 0) {
		assert_int_equal(chown(path, 12345, 12345), 0);
		assert_int_equal(chaos_migrate_key_load(path, &key, &err), -1);
		assert_err(&err, EACCES, "not uid 12345");
	}
	unlink(path);
}

/* A real GO relabelled DONE, a real MAC changed, a MAC left off. */
static void test_altered_control_refused(void **state)
{
	uint8_t msg[256];
	struct session s;
	size_t n;

	(void)state;
	session_authed(&s);
	n = capture(&s.src, CHAOS_MIG_GO, NULL, 0, msg, sizeof(msg));
	assert_int_equal(n, HEADER + CHAOS_MIG_MAC);
	put_header(msg, CHAOS_MIG_DONE, 0, CHAOS_MIG_MAC);
	write_raw(s.sv[0], msg, n);
	assert_int_equal(recv_one(&s.dst, CHAOS_MIG_DONE, 0, LONG_MS), -1);
	assert_err(&s.dst.err, EACCES, "message type 8 not authenticated");
	session_close(&s);

	session_authed(&s);
	n = capture(&s.src, CHAOS_MIG_GO, NULL, 0, msg, sizeof(msg));
	msg[n - 1] ^= 0x80;
	write_raw(s.sv[0], msg, n);
	assert_int_equal(recv_one(&s.dst, CHAOS_MIG_GO, 0, LONG_MS), -1);
	assert_err(&s.dst.err, EACCES, "not authenticated");
	session_close(&s);

	/* Unsealed after the handshake: shorter than a MAC. */
	session_authed(&s);
	put_header(msg, CHAOS_MIG_GO, 0, 0);
	write_raw(s.sv[0], msg, HEADER);
	assert_int_equal(recv_one(&s.dst, CHAOS_MIG_GO, 0, LONG_MS), -1);
	assert_err(&s.dst.err, EPROTO, "message type 6 of 0 bytes");
	session_close(&s);
}

/* ---- oversize, malformed and truncated messages ---------------------- */

/* Refused from the header alone: nothing is read or allocated first. */
static void test_oversize_refused(void **state)
{
	static const struct {
		uint32_t type;
		uint64_t len, max;
		const char *words;
	} cases[] = {
		{ CHAOS_MIG_IMAGE, 1001, 1000, "of 1001 bytes, at most 1000 allowed" },
		{ CHAOS_MIG_IMAGE, UINT64_MAX, 1000, "at most 1000 allowed" },
		{ CHAOS_MIG_GO, 1 + CHAOS_MIG_MAC, 0, "at most 32 allowed" },
		{ CHAOS_MIG_STATUS, 4 + CHAOS_MIG_TEXT_MAX + CHAOS_MIG_MAC + 1, 0,
		  "at most 548 allowed" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t h[HEADER];
		struct session s;

		session_authed(&s);
		put_header(h, cases[i].type, 0, cases[i].len);
		write_raw(s.sv[0], h, sizeof(h));
		assert_int_equal(recv_one(&s.dst, cases[i].type == CHAOS_MIG_STATUS ?
						  CHAOS_MIG_GO : cases[i].type,
					  cases[i].max, LONG_MS), -1);
		assert_err(&s.dst.err, EPROTO, cases[i].words);
		session_close(&s);
	}
}

/* A sender never seals a control message larger than a STATUS. */
static void test_oversize_control_not_sent(void **state)
{
	static uint8_t big[4 + CHAOS_MIG_TEXT_MAX + 1];
	struct session s;

	(void)state;
	session_authed(&s);
	assert_int_equal(chaos_mig_send(&s.dst.m, CHAOS_MIG_STATUS, big,
					sizeof(big), &s.dst.err), -1);
	assert_err(&s.dst.err, EMSGSIZE, "control message type 5 of 517 bytes");
	session_close(&s);
}

static void test_malformed_header_refused(void **state)
{
	uint8_t h[HEADER];
	struct session s;

	(void)state;
	session_authed(&s);
	put_header(h, CHAOS_MIG_IMAGE, 1, 8);
	write_raw(s.sv[0], h, sizeof(h));
	assert_int_equal(recv_one(&s.dst, CHAOS_MIG_IMAGE, 100, LONG_MS), -1);
	assert_err(&s.dst.err, EPROTO, "header reserved field not zero");
	session_close(&s);

	session_authed(&s);
	put_header(h, CHAOS_MIG_IMAGE_MAC, 0, 32);
	write_raw(s.sv[0], h, sizeof(h));
	assert_int_equal(recv_one(&s.dst, CHAOS_MIG_IMAGE, 100, LONG_MS), -1);
	assert_err(&s.dst.err, EPROTO, "message type 4 where 3 belongs");
	session_close(&s);
}

static void test_truncated_refused(void **state)
{
	uint8_t msg[HEADER + 100] = { 0 };
	struct session s;

	(void)state;
	/* Half a header, then the peer closes. */
	session_authed(&s);
	put_header(msg, CHAOS_MIG_IMAGE, 0, 100);
	write_raw(s.sv[0], msg, HEADER / 2);
	shutdown(s.sv[0], SHUT_WR);
	assert_int_equal(recv_one(&s.dst, CHAOS_MIG_IMAGE, 100, LONG_MS), -1);
	assert_err(&s.dst.err, ECONNRESET, "the peer closed it");
	session_close(&s);

	/* A header promising 100 bytes, 60 of them, then the peer closes. */
	session_authed(&s);
	write_raw(s.sv[0], msg, HEADER + 60);
	shutdown(s.sv[0], SHUT_WR);
	assert_int_equal(recv_one(&s.dst, CHAOS_MIG_IMAGE, 100, LONG_MS), -1);
	assert_err(&s.dst.err, ECONNRESET, "the peer closed it");
	session_close(&s);

	/* The same, but the peer stays silent: the time limit ends it. */
	session_authed(&s);
	write_raw(s.sv[0], msg, HEADER + 60);
	assert_int_equal(recv_one(&s.dst, CHAOS_MIG_IMAGE, 100, SHORT_MS), -1);
	assert_err(&s.dst.err, ETIMEDOUT, "said nothing in time");
	session_close(&s);
}

/* A HELLO of the wrong size, from a peer that is no chaos. */
static void test_short_hello_refused(void **state)
{
	uint8_t msg[HEADER + 10] = { 0 };
	struct end e;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	end_init(&e, sv[1], CHAOS_MIG_RECEIVER, &key_a);
	put_header(msg, CHAOS_MIG_HELLO, 0, 10);
	write_raw(sv[0], msg, sizeof(msg));
	assert_int_equal(chaos_mig_handshake(&e.m, SHORT_MS, &e.err), -1);
	assert_err(&e.err, EPROTO, "HELLO of 10 bytes");
	close(sv[0]);
	close(sv[1]);
}

/* ---- replays -------------------------------------------------------- */

/*
 * A destination's HELLO and AUTH, recorded from a session with a source
 * whose HELLO the test made up (the destination answers before it checks
 * the source's AUTH, which never comes).
 */
static size_t record_destination(uint8_t *out, size_t max)
{
	uint8_t hello[HEADER + 8 + CHAOS_MIG_NONCE];
	uint32_t version = CHAOS_MIG_VERSION, flags = CHAOS_MIG_F_PSK;
	struct end e;
	size_t n;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	end_init(&e, sv[1], CHAOS_MIG_RECEIVER, &key_a);
	put_header(hello, CHAOS_MIG_HELLO, 0, 8 + CHAOS_MIG_NONCE);
	memcpy(hello + HEADER, &version, 4);
	memcpy(hello + HEADER + 4, &flags, 4);
	memset(hello + HEADER + 8, 0x5a, CHAOS_MIG_NONCE);
	write_raw(sv[0], hello, sizeof(hello));
	assert_int_equal(chaos_mig_handshake(&e.m, SHORT_MS, &e.err), -1);
	assert_err(&e.err, ETIMEDOUT, "said nothing in time");
	n = drain(sv[0], out, max);
	close(sv[0]);
	close(sv[1]);
	return n;
}

/* A recorded handshake replayed to a new source: its nonce is new. */
static void test_replayed_handshake_refused(void **state)
{
	uint8_t rec[256];
	size_t n = record_destination(rec, sizeof(rec));
	struct end e;
	int sv[2];

	(void)state;
	assert_int_equal(n, (HEADER + 8 + CHAOS_MIG_NONCE) + (HEADER + CHAOS_MIG_MAC));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	end_init(&e, sv[0], CHAOS_MIG_SENDER, &key_a);
	write_raw(sv[1], rec, n);
	assert_int_equal(chaos_mig_handshake(&e.m, LONG_MS, &e.err), -1);
	assert_err(&e.err, EACCES, "does not know the pre-shared key");
	assert_false(e.m.authed);
	close(sv[0]);
	close(sv[1]);
}

/* Our own HELLO sent back to us, its nonce and all. */
static void test_reflected_nonce_refused(void **state)
{
	uint8_t hello[HEADER + 8 + CHAOS_MIG_NONCE];
	struct end e;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	end_init(&e, sv[1], CHAOS_MIG_RECEIVER, &key_a);
	start(&e, handshake_thread);
	read_exact(sv[0], hello, sizeof(hello));
	write_raw(sv[0], hello, sizeof(hello));
	join(&e);
	assert_int_equal(e.rc, -1);
	assert_err(&e.err, EACCES, "nonce is our own");
	close(sv[0]);
	close(sv[1]);
}

/* A real GO delivered twice: the second is a replay. */
static void test_replayed_control_refused(void **state)
{
	uint8_t msg[256];
	struct session s;
	size_t n;

	(void)state;
	session_authed(&s);
	n = capture(&s.src, CHAOS_MIG_GO, NULL, 0, msg, sizeof(msg));
	write_raw(s.sv[0], msg, n);
	write_raw(s.sv[0], msg, n);
	assert_int_equal(recv_one(&s.dst, CHAOS_MIG_GO, 0, LONG_MS), 0);
	assert_int_equal(recv_one(&s.dst, CHAOS_MIG_GO, 0, LONG_MS), -1);
	assert_err(&s.dst.err, EACCES, "replayed");
	session_close(&s);
}

/* A RUNNING recorded in one session, replayed into the next. */
static void test_control_from_old_session_refused(void **state)
{
	uint8_t msg[256];
	struct session s;
	size_t n;

	(void)state;
	session_authed(&s);
	n = capture(&s.dst, CHAOS_MIG_RUNNING, NULL, 0, msg, sizeof(msg));
	session_close(&s);

	session_authed(&s);
	write_raw(s.sv[1], msg, n);
	assert_int_equal(recv_one(&s.src, CHAOS_MIG_RUNNING, 0, LONG_MS), -1);
	assert_err(&s.src.err, EACCES, "not authenticated");
	session_close(&s);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_good_exchange_with_key),
	cmocka_unit_test(test_good_exchange_without_key),
	cmocka_unit_test(test_status_failure_becomes_error),
	cmocka_unit_test(test_wrong_key_refused),
	cmocka_unit_test(test_key_on_one_side_only_refused),
	cmocka_unit_test(test_forged_running_refused),
	cmocka_unit_test(test_forged_status_refused),
	cmocka_unit_test(test_only_the_peer_refuses),
	cmocka_unit_test(test_key_file_checks),
	cmocka_unit_test(test_altered_status_refused),
	cmocka_unit_test(test_altered_control_refused),
	cmocka_unit_test(test_oversize_refused),
	cmocka_unit_test(test_oversize_control_not_sent),
	cmocka_unit_test(test_malformed_header_refused),
	cmocka_unit_test(test_truncated_refused),
	cmocka_unit_test(test_short_hello_refused),
	cmocka_unit_test(test_replayed_handshake_refused),
	cmocka_unit_test(test_reflected_nonce_refused),
	cmocka_unit_test(test_replayed_control_refused),
	cmocka_unit_test(test_control_from_old_session_refused),
};

int main(void)
{
	return cmocka_run_group_tests(tests, NULL, NULL);
}
