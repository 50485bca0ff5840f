// SPDX-License-Identifier: MIT
/*
 * The migration wire (migrate/wire.c, migrate/image_in.c): one end of a
 * session over a socket pair, running what session.c runs, against bytes
 * from the input. The first byte chooses:
 *
 *   bit 0  a pre-shared key on both ends
 *   bit 1  the peer is a real endpoint in a thread: it does its half of
 *          the handshake (so AUTH and the sealing of control messages are
 *          right), then sends the rest of the input as messages, each
 *          [u8 type][u16 length, LE][payload] (type with bit 7 set: the
 *          payload goes out as raw bytes instead of a message). Without
 *          bit 1 the rest of the input is the peer's raw bytes, from its
 *          HELLO on.
 *   bit 2  our end is the source (sends an image, reads STATUS and
 *          RUNNING); otherwise the destination (HELLO/AUTH, the IMAGE or
 *          IMAGE_PARTs read as a version 10 or live (version 11) image,
 *          the image MAC, GO, DONE). The guest's pages with bytes are
 *          read and dropped: no Xen.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "migrate/migrate.h"
#include "fuzz.h"

#define TIMEOUT_MS 2000u
#define PAGE 4096u

static const chaos_migrate_key key = { .bytes = "fuzz-pre-shared-key-0123456789",
				       .len = 30 };

struct peer {
	struct chaos_mig m;
	const uint8_t *p;
	size_t len;
};

static void *peer_main(void *arg)
{
	struct peer *pe = arg;
	chaos_err err;
	size_t at = 0;

	if (chaos_mig_handshake(&pe->m, TIMEOUT_MS, &err) == 0) {
		while (pe->len - at >= 3) {
			uint8_t type = pe->p[at];
			size_t n = (size_t)pe->p[at + 1] | (size_t)pe->p[at + 2] << 8;
			int rc;

			at += 3;
			if (n > pe->len - at)
				n = pe->len - at;
			if (type & 0x80)
				rc = chaos_write_all(pe->m.out, pe->p + at, n);
			else
				rc = chaos_mig_send(&pe->m, type, pe->p + at, n,
						    &err);
			at += n;
			if (rc)
				break;
		}
	}
	shutdown(pe->m.out, SHUT_WR);
	return NULL;
}

/* Destination: the image as session.c's receive_guest reads it. */
static int read_image(struct chaos_mig *m, chaos_err *err)
{
	static uint64_t pfns[CHAOS_LIVE_BATCH_MAX];
	static uint8_t page[PAGE];
	uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE];
	struct chaos_mig_image_in in;
	struct chaos_saveimg img = { 0 };
	struct chaos_live_rx rx = { 0 };
	uint32_t type, count;
	uint64_t len;
	int rc = -1, more;

	if (chaos_mig_recv_stream(m, CHAOS_MIG_IMAGE, CHAOS_MIG_IMAGE_PART,
				  UINT64_C(1) << 40, TIMEOUT_MS, &type, &len, err))
		return -1;
	if (type == CHAOS_MIG_IMAGE_PART) {
		if (len > CHAOS_MIG_PART_MAX || !len)
			return chaos_err_set(err, EPROTO, "IMAGE_PART of %llu bytes",
					     (unsigned long long)len);
		if (chaos_mig_image_in_init(&in, m, len, true, err) ||
		    chaos_live_read_start(&rx, &in.stream, err) ||
		    rx.nr_pages > FZ_HOST_PAGES ||
		    chaos_live_rx_track(&rx, err))
			goto out;
		/* Entries with CHAOS_LIVE_ZERO have no bytes (cleared). */
		while ((more = chaos_live_next(&rx, &in.stream, pfns, &count,
					       &img, err)) > 0)
			for (uint32_t i = 0; i < count && more > 0; i++)
				if (!(pfns[i] & CHAOS_LIVE_ZERO) &&
				    chaos_saveimg_get(&in.stream, page, PAGE, err))
					more = -1;
		if (more == 0 && !chaos_saveimg_get_end(&in.stream, digest, err) &&
		    !chaos_mig_check_image_mac(&in, digest, err) &&
		    !chaos_live_check_final(&rx, &img, err))
			rc = 0;
		goto out;
	}
	if (chaos_mig_image_in_init(&in, m, len, false, err) ||
	    chaos_saveimg_read_head(&in.stream, len, 0, &img, err))
		goto out;
	/* Only the pages with bytes are in a version 10 image. */
	for (uint64_t pfn = 0; pfn < img.nr_pages; pfn++)
		if (chaos_saveimg_has_bytes(img.present_map, pfn) &&
		    chaos_saveimg_get(&in.stream, page, PAGE, err))
			goto out;
	if (chaos_saveimg_get_end(&in.stream, digest, err) ||
	    chaos_mig_check_image_mac(&in, digest, err))
		goto out;
	rc = 0;
out:
	chaos_live_rx_free(&rx);
	chaos_saveimg_free(&img);
	chaos_mig_image_in_free(&in);
	return rc;
}

static int expect(struct chaos_mig *m, uint32_t type, chaos_err *err)
{
	uint8_t *p;
	uint64_t n;

	if (chaos_mig_recv(m, type, type == CHAOS_MIG_STATUS ?
			   4 + CHAOS_MIG_TEXT_MAX : 0, TIMEOUT_MS, &p, &n, err))
		return -1;
	free(p);
	return 0;
}

static void destination(struct chaos_mig *m)
{
	chaos_err err;

	if (chaos_mig_handshake(m, TIMEOUT_MS, &err)) {
		chaos_mig_status(m, -EPROTO, err.msg);
		FZ_SAY("handshake: %s\n", err.msg);
		return;
	}
	if (read_image(m, &err)) {
		chaos_mig_status(m, -EIO, err.msg);
		FZ_SAY("image: %s\n", err.msg);
		return;
	}
	if (chaos_mig_status(m, 0, "restored") || expect(m, CHAOS_MIG_GO, &err) ||
	    chaos_mig_send(m, CHAOS_MIG_RUNNING, NULL, 0, &err) ||
	    expect(m, CHAOS_MIG_DONE, &err)) {
		FZ_SAY("after the image: %s\n", err.msg);
		return;
	}
	FZ_SAY("destination: all done\n");
}

static void source(struct chaos_mig *m)
{
	static const uint8_t image[64] = "CHAOSIMG";
	chaos_err err;

	if (chaos_mig_handshake(m, TIMEOUT_MS, &err) ||
	    chaos_mig_send_header(m, CHAOS_MIG_IMAGE, sizeof(image), &err) ||
	    chaos_mig_write(m, (void *)image, sizeof(image), &err) ||
	    expect(m, CHAOS_MIG_STATUS, &err) ||
	    chaos_mig_send(m, CHAOS_MIG_GO, NULL, 0, &err) ||
	    expect(m, CHAOS_MIG_RUNNING, &err) ||
	    chaos_mig_send(m, CHAOS_MIG_DONE, NULL, 0, &err)) {
		FZ_SAY("source: %s\n", err.msg);
		return;
	}
	FZ_SAY("source: all done\n");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chaos_mig m = { 0 };
	struct peer pe = { 0 };
	pthread_t thread;
	int sv[2], big = 1 << 20;
	bool threaded;

	if (size < 1)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		abort();
	threaded = data[0] & 2;
	m.in = m.out = sv[0];
	m.role = data[0] & 4 ? CHAOS_MIG_SENDER : CHAOS_MIG_RECEIVER;
	m.key = data[0] & 1 ? &key : NULL;
	if (threaded) {
		pe.m.in = pe.m.out = sv[1];
		pe.m.role = m.role == CHAOS_MIG_SENDER ? CHAOS_MIG_RECEIVER :
							 CHAOS_MIG_SENDER;
		pe.m.key = m.key;
		pe.p = data + 1;
		pe.len = size - 1;
		if (pthread_create(&thread, NULL, peer_main, &pe))
			abort();
	} else {
		/* The peer's bytes, as much as the socket holds, then EOF. */
		setsockopt(sv[1], SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
		setsockopt(sv[0], SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
		fcntl(sv[1], F_SETFL, O_NONBLOCK);
		for (size_t at = 1; at < size;) {
			ssize_t n = write(sv[1], data + at, size - at);

			if (n <= 0)
				break;
			at += (size_t)n;
		}
		shutdown(sv[1], SHUT_WR);
	}
	if (m.role == CHAOS_MIG_SENDER)
		source(&m);
	else
		destination(&m);
	/* Our end gone: a peer still writing or waiting gives up. */
	close(sv[0]);
	if (threaded)
		pthread_join(thread, NULL);
	close(sv[1]);
	return 0;
}
