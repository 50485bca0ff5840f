// SPDX-License-Identifier: MIT
/*
 * Migration, both ends (docs/cli.md, "Migration"):
 *
 *   source                                destination
 *   HELLO (+ AUTH with a key)   <---->    HELLO (+ AUTH)
 *   suspend, capture
 *   IMAGE (+ IMAGE_MAC)         ----->    check, restore paused, unnamed
 *                               <-----    STATUS 0 (or an error)
 *   GO                          ----->    unpause
 *                               <-----    RUNNING
 *   destroy the source copy
 *   DONE                        ----->    claim the guest's name
 *
 * Until GO is sent, every failure resumes the guest on the source and the
 * destination destroys whatever it restored.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <nettle/memops.h>

#include <chaos/build.h>
#include <chaos/domain.h>
#include <chaos/save.h>

#include "migrate_wire.h"
#include "save_internal.h"
#include "saveimg_stream.h"
#include "shell.h"

#define HANDSHAKE_TIMEOUT_MS 30000u
/* The destination builds the domain before answering. */
#define RESTORE_TIMEOUT_MS 120000u
#define STEP_TIMEOUT_MS 30000u
/* A whole image at most: the largest memory and vCPU count. */
#define IMAGE_MAX ((uint64_t)CHAOS_CONFIG_MEMORY_MAX * 256 * 4097 + (1u << 20) * 2)

int chaos_migrate_key_load(const char *path, chaos_migrate_key *key,
			   chaos_err *err)
{
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	key->len = 0;
	if (fd < 0)
		return chaos_err_set(err, errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return chaos_err_set(err, EINVAL, "%s: not a regular file", path);
	}
	if (st.st_mode & 077) {
		close(fd);
		return chaos_err_set(err, EACCES,
				     "%s: a pre-shared key must be readable by its owner only (mode %03o)",
				     path, (unsigned int)(st.st_mode & 0777));
	}
	n = read(fd, key->bytes, sizeof(key->bytes));
	close(fd);
	if (n < CHAOS_PSK_MIN || (size_t)st.st_size > sizeof(key->bytes))
		return chaos_err_set(err, EINVAL,
				     "%s: a pre-shared key is %d to %d bytes, this is %lld",
				     path, CHAOS_PSK_MIN, CHAOS_PSK_MAX,
				     (long long)st.st_size);
	key->len = (size_t)n;
	return 0;
}

static int expect(struct chaos_mig *m, uint32_t type, unsigned int timeout_ms,
		  chaos_err *err)
{
	uint8_t *p;
	uint64_t n;

	if (chaos_mig_recv(m, type, 0, timeout_ms, &p, &n, err))
		return -1;
	free(p);
	return 0;
}

/*
 * The image's io on the stream: the IMAGE header goes first, with the
 * length the image's own header gives (its first bytes, the head, come in
 * one piece), then the bytes as they are captured.
 */
struct image_out {
	struct chaos_mig *m;
	bool started;
};

static int image_write(void *ctx, void *buf, size_t len, chaos_err *err)
{
	struct image_out *o = ctx;
	uint64_t total;

	if (!o->started) {
		if (len < CHAOS_SAVEIMG_HEADER_SIZE)
			return chaos_err_set(err, EINVAL, "image: a %zu-byte head", len);
		memcpy(&total, (uint8_t *)buf + 16, 8);
		if (chaos_mig_send_header(o->m, CHAOS_MIG_IMAGE, total, err))
			return -1;
		o->started = true;
	}
	return chaos_mig_write(o->m, buf, len, err);
}

/* Source, once suspended: the image out, the destination's verdict in. */
static int send_image(struct chaos_mig *m, chaos_host *host, uint32_t domid,
		      chaos_migrate_timing *t, chaos_err *err)
{
	uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE], mac[CHAOS_MIG_MAC];
	struct image_out o = { .m = m };
	struct chaos_saveimg_stream out;
	uint64_t t0 = chaos_now_us();
	int rc;

	/* Captured straight onto the stream: capture and send overlap. */
	chaos_saveimg_stream_init(&out, image_write, &o);
	rc = chaos_guest_capture_to(host, domid, &out, digest, err);
	t->capture_us = chaos_now_us() - t0;
	if (!rc && m->key && m->key->len) {
		chaos_mig_image_mac(m, digest, mac);
		rc = chaos_mig_send(m, CHAOS_MIG_IMAGE_MAC, mac, sizeof(mac), err);
	}
	t0 = chaos_now_us();
	if (!rc)
		rc = expect(m, CHAOS_MIG_STATUS, RESTORE_TIMEOUT_MS, err);
	t->transfer_us = chaos_now_us() - t0;
	return rc;
}

static void note(chaos_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(chaos_err *err, const char *fmt, ...)
{
	size_t len = strlen(err->msg);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg + len, sizeof(err->msg) - len, fmt, ap);
	va_end(ap);
}

int chaos_migrate_send(chaos_host *host, uint32_t domid, int in_fd, int out_fd,
		       const chaos_migrate_key *key,
		       chaos_migrate_timing *timing, chaos_err *err)
{
	struct chaos_mig m = { .in = in_fd, .out = out_fd,
			       .role = CHAOS_MIG_SENDER, .key = key };
	chaos_migrate_timing scratch;
	chaos_err local, rerr;
	uint64_t start = chaos_now_us(), suspended;

	if (!err)
		err = &local;
	if (!timing)
		timing = &scratch;
	memset(timing, 0, sizeof(*timing));
	/* Nothing is touched before the destination proved itself. */
	if (chaos_mig_handshake(&m, HANDSHAKE_TIMEOUT_MS, err))
		return -1;
	if (chaos_guest_suspend(host, domid, CHAOS_SUSPEND_TIMEOUT_MS, err)) {
		chaos_mig_status(&m, -ECANCELED, "the source could not suspend the guest");
		return -1;
	}
	suspended = chaos_now_us();
	timing->suspend_us = suspended - start;
	if (send_image(&m, host, domid, timing, err) ||
	    chaos_mig_send(&m, CHAOS_MIG_GO, NULL, 0, err))
		goto resume;
	/* GO is out: from here the destination may run the guest. */
	if (expect(&m, CHAOS_MIG_RUNNING, STEP_TIMEOUT_MS, err)) {
		if (err->code == ETIMEDOUT || err->code == ECONNRESET ||
		    err->code == EPIPE) {
			note(err, "; after GO: domain %u is kept suspended here, "
				  "the destination may run the guest (check it, then destroy or resume this copy)",
			     domid);
			return -1;
		}
		goto resume; /* the destination said it failed */
	}
	timing->downtime_us = chaos_now_us() - suspended;
	if (chaos_guest_destroy(host, domid, err))
		return -1;
	chaos_mig_send(&m, CHAOS_MIG_DONE, NULL, 0, NULL);
	timing->total_us = chaos_now_us() - start;
	return 0;
resume:
	if (chaos_guest_resume(host, domid, &rerr) == 0)
		note(err, " (domain %u resumed here)", domid);
	else
		note(err, "; resuming domain %u here failed too: %s", domid,
		     rerr.msg);
	return -1;
}

/* Destination: the image in, checked (and authenticated with a key). */
static int receive_image(struct chaos_mig *m, uint8_t **image, uint64_t *len,
			 chaos_err *err)
{
	uint8_t *mac, want[CHAOS_MIG_MAC];
	uint64_t n;

	if (chaos_mig_recv(m, CHAOS_MIG_IMAGE, IMAGE_MAX, RESTORE_TIMEOUT_MS,
			   image, len, err))
		return -1;
	if (*len < CHAOS_SAVEIMG_MIN_SIZE) {
		free(*image);
		return chaos_err_set(err, EPROTO, "migration stream: image of %llu bytes",
				     (unsigned long long)*len);
	}
	if (!m->key || !m->key->len)
		return 0;
	if (chaos_mig_recv(m, CHAOS_MIG_IMAGE_MAC, CHAOS_MIG_MAC,
			   STEP_TIMEOUT_MS, &mac, &n, err)) {
		free(*image);
		return -1;
	}
	chaos_mig_image_mac(m, *image + *len - CHAOS_SAVEIMG_HASH_SIZE, want);
	if (n != CHAOS_MIG_MAC || !memeql_sec(mac, want, CHAOS_MIG_MAC)) {
		free(mac);
		free(*image);
		return chaos_err_set(err, EACCES,
				     "migration stream: the image is not authenticated by the pre-shared key");
	}
	free(mac);
	return 0;
}

int chaos_migrate_receive(chaos_host *host, int in_fd, int out_fd,
			  const chaos_migrate_key *key, uint32_t *domid,
			  chaos_err *err)
{
	struct chaos_mig m = { .in = in_fd, .out = out_fd,
			       .role = CHAOS_MIG_RECEIVER, .key = key };
	chaos_restore_opts opts = { .paused = true, .unnamed = true };
	char name[CHAOS_NAME_MAX] = "";
	chaos_err local;
	uint8_t *image;
	uint64_t len;
	int rc;

	if (!err)
		err = &local;
	*domid = 0;
	if (chaos_mig_handshake(&m, HANDSHAKE_TIMEOUT_MS, err)) {
		chaos_mig_status(&m, -(err->code ? err->code : EPROTO), err->msg);
		return -1;
	}
	if (receive_image(&m, &image, &len, err)) {
		chaos_mig_status(&m, -(err->code ? err->code : EPROTO), err->msg);
		return -1;
	}
	rc = chaos_guest_restore_image(host, image, len, &opts, domid, name,
				       err);
	free(image);
	if (rc) {
		chaos_mig_status(&m, -(err->code ? err->code : EIO), err->msg);
		return -1;
	}
	if (chaos_mig_status(&m, 0, "restored") ||
	    expect(&m, CHAOS_MIG_GO, STEP_TIMEOUT_MS, err))
		goto destroy;
	if (chaos_domain_unpause(host, *domid, err)) {
		chaos_mig_status(&m, -(err->code ? err->code : EIO), err->msg);
		goto destroy;
	}
	if (chaos_mig_send(&m, CHAOS_MIG_RUNNING, NULL, 0, err))
		return -1; /* running here; the source keeps its copy suspended */
	/* The source gives up the name when it destroys its copy. */
	if (expect(&m, CHAOS_MIG_DONE, STEP_TIMEOUT_MS, err))
		return -1;
	if (chaos_guest_claim_name(host, *domid, name, err))
		return -1;
	return 0;
destroy:
	chaos_guest_destroy(host, *domid, NULL);
	*domid = 0;
	return -1;
}
