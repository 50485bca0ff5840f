// SPDX-License-Identifier: MIT
/* The migration stream: framing, time limits, the key handshake. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>

#include "migrate/migrate.h"

#define HEADER 16
#define HELLO_SIZE (8 + CHAOS_MIG_NONCE)

static int write_all(int fd, const uint8_t *p, uint64_t len, chaos_err *err)
{
	if (chaos_write_all(fd, p, (size_t)len))
		return chaos_err_set(err, errno,
				     "migration stream: the peer is gone (%s)",
				     strerror(errno));
	return 0;
}

static int read_all(int fd, uint8_t *p, uint64_t len, uint64_t deadline,
		    chaos_err *err)
{
	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t now = (uint64_t)chaos_now_ms();
		ssize_t n;
		int rc;

		if (now >= deadline)
			return chaos_err_set(err, ETIMEDOUT,
					     "migration stream: the peer said nothing in time");
		rc = poll(&pfd, 1, (int)(deadline - now));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return chaos_err_set(err, errno, "migration stream: %s",
					     strerror(errno));
		if (rc == 0)
			continue;
		n = read(fd, p, len > (1u << 20) ? (1u << 20) : len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return chaos_err_set(err, n < 0 ? errno : ECONNRESET,
					     "migration stream: the peer closed it");
		p += n;
		len -= (uint64_t)n;
	}
	return 0;
}

static void auth_mac(const struct chaos_mig *m, enum chaos_mig_role role,
		     const uint8_t *extra, size_t extra_len,
		     uint8_t out[CHAOS_MIG_MAC]);

/*
 * With a key, control messages (STATUS, GO, RUNNING, DONE) end with a MAC
 * by their writer over their type, their number among the writer's sealed
 * messages and their payload: a forged "RUNNING" would make the source
 * destroy its copy. The nonces are fresh per session and the number grows
 * per message, so none can be replayed, in this session or another.
 */
static bool control(uint32_t type)
{
	return type >= CHAOS_MIG_STATUS && type <= CHAOS_MIG_DONE;
}

static void control_mac(const struct chaos_mig *m, enum chaos_mig_role role,
			uint32_t type, uint64_t seq, const uint8_t *payload,
			uint64_t len, uint8_t out[CHAOS_MIG_MAC])
{
	uint8_t buf[4 + 8 + 4 + CHAOS_MIG_TEXT_MAX];

	/* Callers bound len: the largest control payload is a STATUS. */
	memcpy(buf, &type, 4);
	memcpy(buf + 4, &seq, 8);
	if (len)
		memcpy(buf + 12, payload, len);
	auth_mac(m, role, buf, 12 + len, out);
}

static bool sealed(const struct chaos_mig *m, uint32_t type)
{
	return m->authed && control(type);
}

int chaos_mig_send(struct chaos_mig *m, uint32_t type, const void *payload,
		   uint64_t len, chaos_err *err)
{
	uint8_t h[HEADER] = { 0 }, mac[CHAOS_MIG_MAC];
	uint64_t total = len + (sealed(m, type) ? CHAOS_MIG_MAC : 0);

	if (sealed(m, type) && len > 4 + CHAOS_MIG_TEXT_MAX)
		return chaos_err_set(err, EMSGSIZE,
				     "migration stream: control message type %u of %llu bytes",
				     type, (unsigned long long)len);
	memcpy(h, &type, 4);
	memcpy(h + 8, &total, 8);
	if (write_all(m->out, h, sizeof(h), err))
		return -1;
	if (len && write_all(m->out, payload, len, err))
		return -1;
	if (!sealed(m, type))
		return 0;
	control_mac(m, m->role, type, m->sealed_sent++, payload, len, mac);
	return write_all(m->out, mac, sizeof(mac), err);
}

int chaos_mig_status(struct chaos_mig *m, int code, const char *text)
{
	uint8_t buf[4 + CHAOS_MIG_TEXT_MAX];
	size_t n = strnlen(text, CHAOS_MIG_TEXT_MAX);
	int32_t c = code;

	memcpy(buf, &c, 4);
	memcpy(buf + 4, text, n);
	return chaos_mig_send(m, CHAOS_MIG_STATUS, buf, 4 + n, NULL);
}

/* The peer's STATUS as our error; its text is shown, made printable. */
static int peer_status(const uint8_t *p, uint64_t len, chaos_err *err)
{
	char text[CHAOS_MIG_TEXT_MAX + 1];
	int32_t code;
	size_t n;

	if (len < 4 || len > 4 + CHAOS_MIG_TEXT_MAX)
		return chaos_err_set(err, EPROTO,
				     "migration stream: bad STATUS length %llu",
				     (unsigned long long)len);
	memcpy(&code, p, 4);
	n = (size_t)len - 4;
	memcpy(text, p + 4, n);
	text[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (text[i] < 0x20 || text[i] > 0x7e)
			text[i] = '?';
	if (code >= 0 || code < -4095)
		code = -EPROTO;
	/* text may be our own words; the peer only sends failures here. */
	return chaos_err_set(err, -code, "the destination says: %s", text);
}

/* A message's header: its type and length, the reserved field checked. */
static int read_header(struct chaos_mig *m, uint64_t deadline,
		       uint32_t *type, uint64_t *n, chaos_err *err)
{
	uint8_t h[HEADER];
	uint32_t zero;

	if (read_all(m->in, h, sizeof(h), deadline, err))
		return -1;
	memcpy(type, h, 4);
	memcpy(&zero, h + 4, 4);
	memcpy(n, h + 8, 8);
	if (zero)
		return chaos_err_set(err, EPROTO,
				     "migration stream: header reserved field not zero");
	return 0;
}

/* The payload of a message whose header said type and n bytes. */
static int read_payload(struct chaos_mig *m, uint32_t want, uint64_t max,
			uint64_t deadline, uint32_t type, uint64_t n,
			uint8_t **payload, uint64_t *len, chaos_err *err)
{
	uint8_t *buf;

	if (type == CHAOS_MIG_STATUS)
		max = 4 + CHAOS_MIG_TEXT_MAX;
	else if (type != want)
		return chaos_err_set(err, EPROTO,
				     "migration stream: message type %u where %u belongs",
				     type, want);
	if (sealed(m, type))
		max += CHAOS_MIG_MAC;
	if (n > max || (sealed(m, type) && n < CHAOS_MIG_MAC))
		return chaos_err_set(err, EPROTO,
				     "migration stream: message type %u of %llu bytes, at most %llu allowed",
				     type, (unsigned long long)n,
				     (unsigned long long)max);
	buf = malloc(n ? n : 1);
	if (!buf)
		return chaos_err_set(err, ENOMEM, "out of memory for %llu bytes",
				     (unsigned long long)n);
	if (read_all(m->in, buf, n, deadline, err)) {
		free(buf);
		return -1;
	}
	if (sealed(m, type)) {
		uint8_t mac[CHAOS_MIG_MAC];
		enum chaos_mig_role peer = m->role == CHAOS_MIG_SENDER ?
						   CHAOS_MIG_RECEIVER : CHAOS_MIG_SENDER;

		n -= CHAOS_MIG_MAC;
		control_mac(m, peer, type, m->sealed_received, buf, n, mac);
		if (!memeql_sec(buf + n, mac, CHAOS_MIG_MAC)) {
			free(buf);
			return chaos_err_set(err, EACCES,
					     "migration stream: message type %u not authenticated by the pre-shared key (forged, altered or replayed)",
					     type);
		}
		m->sealed_received++;
	}
	/* A STATUS is the peer's verdict: only "0" is a success. */
	if (type == CHAOS_MIG_STATUS) {
		int32_t code = -1;

		if (n >= 4)
			memcpy(&code, buf, 4);
		if (want != CHAOS_MIG_STATUS || code != 0) {
			/* Well formed, and with a key its MAC checked. */
			m->peer_refused = n >= 4 && n <= 4 + CHAOS_MIG_TEXT_MAX;
			peer_status(buf, n, err);
			free(buf);
			return -1;
		}
	}
	*payload = buf;
	*len = n;
	return 0;
}

int chaos_mig_recv(struct chaos_mig *m, uint32_t want, uint64_t max,
		   unsigned int timeout_ms, uint8_t **payload, uint64_t *len,
		   chaos_err *err)
{
	uint64_t deadline = (uint64_t)chaos_now_ms() + timeout_ms, n;
	uint32_t type;

	*payload = NULL;
	*len = 0;
	m->peer_refused = false;
	if (read_header(m, deadline, &type, &n, err))
		return -1;
	return read_payload(m, want, max, deadline, type, n, payload, len, err);
}

int chaos_mig_recv_stream(struct chaos_mig *m, uint32_t want1, uint32_t want2,
			  uint64_t max, unsigned int timeout_ms,
			  uint32_t *type, uint64_t *len, chaos_err *err)
{
	uint64_t deadline = (uint64_t)chaos_now_ms() + timeout_ms;
	uint8_t *payload;

	*len = 0;
	if (read_header(m, deadline, type, len, err))
		return -1;
	if (*type != want1 && *type != want2) {
		/* A STATUS (the peer gave up) or a wrong type: as recv says. */
		if (read_payload(m, want1, 0, deadline, *type, *len, &payload,
				 len, err) == 0)
			free(payload);
		return -1;
	}
	if (*len > max)
		return chaos_err_set(err, EPROTO,
				     "migration stream: message type %u of %llu bytes, at most %llu allowed",
				     *type, (unsigned long long)*len,
				     (unsigned long long)max);
	return 0;
}

int chaos_mig_read(struct chaos_mig *m, void *buf, size_t len,
		   unsigned int timeout_ms, chaos_err *err)
{
	return read_all(m->in, buf, len, (uint64_t)chaos_now_ms() + timeout_ms, err);
}

static void auth_mac(const struct chaos_mig *m, enum chaos_mig_role role,
		     const uint8_t *extra, size_t extra_len,
		     uint8_t out[CHAOS_MIG_MAC])
{
	static const char label[] = "chaos-migrate-v1";
	const uint8_t *n_sender = m->role == CHAOS_MIG_SENDER ? m->nonce_mine :
								m->nonce_peer;
	const uint8_t *n_receiver = m->role == CHAOS_MIG_SENDER ? m->nonce_peer :
								  m->nonce_mine;
	struct hmac_sha256_ctx ctx;
	uint8_t r = (uint8_t)role;

	hmac_sha256_set_key(&ctx, m->key->len, m->key->bytes);
	hmac_sha256_update(&ctx, sizeof(label), (const uint8_t *)label);
	hmac_sha256_update(&ctx, 1, &r);
	hmac_sha256_update(&ctx, CHAOS_MIG_NONCE, n_sender);
	hmac_sha256_update(&ctx, CHAOS_MIG_NONCE, n_receiver);
	if (extra_len)
		hmac_sha256_update(&ctx, extra_len, extra);
	hmac_sha256_digest(&ctx, CHAOS_MIG_MAC, out);
	/* The context holds key-derived state: leave none of it behind. */
	explicit_bzero(&ctx, sizeof(ctx));
}

void chaos_mig_image_mac(const struct chaos_mig *m,
			 const uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE],
			 uint8_t out[CHAOS_MIG_MAC])
{
	/* The image's own MAC, bound to this session and direction. */
	auth_mac(m, CHAOS_MIG_IMAGE_DIGEST, digest, CHAOS_SAVEIMG_HASH_SIZE,
		 out);
}

int chaos_mig_key_stream(const struct chaos_mig *m,
			 struct chaos_saveimg_stream *s, chaos_err *err)
{
	uint8_t derived[CHAOS_MIG_MAC];
	int rc;

	_Static_assert(2 * CHAOS_SAVEIMG_KEY_SIZE <= CHAOS_MIG_MAC,
		       "key and nonce from one HMAC");
	if (!m->key || !m->key->len)
		return 0;
	/* HMAC-SHA256 as the key derivation: fresh nonces each session
	 * make a fresh UMAC key, so its nonce is never reused. */
	auth_mac(m, CHAOS_MIG_IMAGE_KEY, NULL, 0, derived);
	rc = chaos_saveimg_stream_key(s, derived,
				      derived + CHAOS_SAVEIMG_KEY_SIZE, err);
	explicit_bzero(derived, sizeof(derived));
	return rc;
}

int chaos_mig_send_header(struct chaos_mig *m, uint32_t type, uint64_t len,
			  chaos_err *err)
{
	uint8_t h[HEADER] = { 0 };

	if (sealed(m, type))
		return chaos_err_set(err, EINVAL,
				     "migration stream: control message type %u cannot be streamed",
				     type);
	memcpy(h, &type, 4);
	memcpy(h + 8, &len, 8);
	return write_all(m->out, h, sizeof(h), err);
}

int chaos_mig_write(void *m, void *buf, size_t len, chaos_err *err)
{
	return write_all(((struct chaos_mig *)m)->out, buf, len, err);
}

static bool have_key(const struct chaos_mig *m)
{
	return m->key && m->key->len;
}

int chaos_mig_handshake(struct chaos_mig *m, unsigned int timeout_ms,
			chaos_err *err)
{
	uint8_t hello[HELLO_SIZE], mac[CHAOS_MIG_MAC], *p;
	uint32_t version = CHAOS_MIG_VERSION, flags = have_key(m) ? CHAOS_MIG_F_PSK : 0;
	uint32_t peer_version, peer_flags;
	enum chaos_mig_role peer_role = m->role == CHAOS_MIG_SENDER ?
						CHAOS_MIG_RECEIVER : CHAOS_MIG_SENDER;
	uint64_t n;

	if (getrandom(m->nonce_mine, CHAOS_MIG_NONCE, 0) != CHAOS_MIG_NONCE)
		return chaos_err_set(err, errno, "getrandom: %s", strerror(errno));
	memcpy(hello, &version, 4);
	memcpy(hello + 4, &flags, 4);
	memcpy(hello + 8, m->nonce_mine, CHAOS_MIG_NONCE);
	if (chaos_mig_send(m, CHAOS_MIG_HELLO, hello, sizeof(hello), err) ||
	    chaos_mig_recv(m, CHAOS_MIG_HELLO, HELLO_SIZE, timeout_ms, &p, &n,
			   err))
		return -1;
	if (n != HELLO_SIZE) {
		free(p);
		return chaos_err_set(err, EPROTO, "migration stream: HELLO of %llu bytes",
				     (unsigned long long)n);
	}
	memcpy(&peer_version, p, 4);
	memcpy(&peer_flags, p + 4, 4);
	memcpy(m->nonce_peer, p + 8, CHAOS_MIG_NONCE);
	free(p);
	/* Our own HELLO sent back: a reflection, never a real peer. */
	if (memeql_sec(m->nonce_peer, m->nonce_mine, CHAOS_MIG_NONCE))
		return chaos_err_set(err, EACCES,
				     "migration stream: the peer's HELLO nonce is our own (a reflected or replayed HELLO)");
	if (peer_version != CHAOS_MIG_VERSION)
		return chaos_err_set(err, EPROTO,
				     "migration stream: the peer speaks version %u, we speak %u",
				     peer_version, CHAOS_MIG_VERSION);
	if (peer_flags != flags)
		return chaos_err_set(err, EACCES,
				     "migration stream: the peer %s a pre-shared key and we %s",
				     peer_flags & CHAOS_MIG_F_PSK ? "uses" : "does not use",
				     flags ? "do" : "do not");
	if (!have_key(m))
		return 0;
	auth_mac(m, m->role, NULL, 0, mac);
	if (chaos_mig_send(m, CHAOS_MIG_AUTH, mac, sizeof(mac), err) ||
	    chaos_mig_recv(m, CHAOS_MIG_AUTH, CHAOS_MIG_MAC, timeout_ms, &p, &n,
			   err))
		return -1;
	auth_mac(m, peer_role, NULL, 0, mac);
	if (n != CHAOS_MIG_MAC || !memeql_sec(p, mac, CHAOS_MIG_MAC)) {
		free(p);
		return chaos_err_set(err, EACCES,
				     "migration stream: the peer does not know the pre-shared key");
	}
	free(p);
	m->authed = true;
	return 0;
}
