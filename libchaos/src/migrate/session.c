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
 * Live (--live, live_send.c and live_receive.c): instead of suspend and
 * IMAGE, the guest goes on running while IMAGE_PARTs carry its pages in
 * rounds; it is suspended for the last round and its state; the rest is
 * the same. The destination reads either kind straight into a paused
 * domain and believes nothing of it before the END record and the MAC.
 *
 * Until GO is sent, every failure resumes the guest on the source (or,
 * live and not yet suspended, it just goes on) and the destination
 * destroys whatever it built.
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

#include <chaos/guest.h>
#include <chaos/domain.h>

#include "migrate/migrate.h"

#define HANDSHAKE_TIMEOUT_MS 30000u
#define RESTORE_TIMEOUT_MS CHAOS_MIG_RESTORE_TIMEOUT_MS
#define STEP_TIMEOUT_MS CHAOS_MIG_STEP_TIMEOUT_MS
/* How long a source whose stream was cut waits for the destination's
 * reason, which it wrote before it stopped reading. */
#define REASON_TIMEOUT_MS 2000u
/* A whole image at most: the largest memory and vCPU count. */
#define IMAGE_MAX ((uint64_t)CHAOS_CONFIG_MEMORY_MAX * 256 * 4097 + (1u << 20) * 2)

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

/*
 * The stream was cut: a destination that refused the guest as it came
 * (a CPU it cannot give, no room) said why before it stopped reading,
 * and that is the error to show.
 */
static void destination_reason(struct chaos_mig *m, chaos_err *err)
{
	chaos_err said = { 0 };

	if (err->code != EPIPE && err->code != ECONNRESET)
		return;
	if (expect(m, CHAOS_MIG_STATUS, REASON_TIMEOUT_MS, &said) &&
	    m->peer_refused)
		*err = said;
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
	rc = chaos_saveimg_stream_init(&out, image_write, &o, err) ||
	     chaos_mig_key_stream(m, &out, err);
	out.ph = &t->phases;
	rc = rc || chaos_ckpt_capture_to(host, domid, &out, digest, err);
	if (rc)
		destination_reason(m, err);
	t->phases.image_bytes = out.done;
	chaos_saveimg_stream_free(&out);
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

/* After GO: the destination's word, then the source copy goes. */
static int hand_over(struct chaos_mig *m, uint32_t domid,
		     chaos_err *err)
{
	/* Killed once GO may be out, this copy must not be resumed by
	 * recovery: the destination may be running the guest. */
	if (chaos_busy_note(m->mark, CHAOS_MARK_SENT_GO)) {
		chaos_err_set(err, errno, "cannot note \"go\" in the guest's "
			      "busy mark: %s", strerror(errno));
		return -1;
	}
	/* A GO that did not go out whole was never seen: resume here. */
	if (chaos_mig_send(m, CHAOS_MIG_GO, NULL, 0, err))
		return -1;
	/* GO is out: from here the destination may run the guest. */
	if (expect(m, CHAOS_MIG_RUNNING, STEP_TIMEOUT_MS, err)) {
		/* Only the destination's own word that it failed lets the
		 * guest run here again; a cut stream, or a RUNNING garbled or
		 * forged on the way, may hide a guest already running there. */
		if (m->peer_refused)
			return -1;
		note(err, "; after GO: domain %u is kept suspended here, "
			  "the destination may run the guest (check it, then destroy or resume this copy)",
		     domid);
		return 1;
	}
	return 0;
}

static void resume_here(chaos_host *host, uint32_t domid, chaos_err *err)
{
	chaos_err rerr;

	if (chaos_ckpt_resume(host, domid, &rerr) == 0)
		note(err, " (domain %u resumed here)", domid);
	else
		note(err, "; resuming domain %u here failed too: %s", domid,
		     rerr.msg);
}

/* -2: after GO with no word of the destination, the guest stays
 * suspended here on purpose (its mark is kept). */
#define KEPT_SUSPENDED (-2)

/*
 * Both kinds of source once the destination holds the image: GO, then
 * destroy this copy once the destination runs the guest. 0, -1 with the
 * guest resumed here, or KEPT_SUSPENDED.
 */
static int finish_source(struct chaos_mig *m, chaos_host *host,
			 uint32_t domid, uint64_t start, uint64_t suspended,
			 chaos_migrate_timing *timing, chaos_err *err)
{
	int rc = hand_over(m, domid, err);

	if (rc > 0)
		return KEPT_SUSPENDED;
	if (rc < 0) {
		resume_here(host, domid, err);
		return -1;
	}
	timing->downtime_us = chaos_now_us() - suspended;
	/* The guest runs there: this copy must never run again. */
	if (chaos_guest_destroy(host, domid, err))
		return KEPT_SUSPENDED;
	chaos_mig_send(m, CHAOS_MIG_DONE, NULL, 0, NULL);
	timing->total_us = chaos_now_us() - start;
	return 0;
}

static int send_plain(chaos_host *host, uint32_t domid, struct chaos_mig *m,
		      uint64_t start, chaos_migrate_timing *timing,
		      chaos_err *err)
{
	uint64_t suspended;

	if (chaos_checkpoint_suspend(host, domid, CHAOS_SUSPEND_TIMEOUT_MS, err)) {
		chaos_mig_status(m, -ECANCELED, "the source could not suspend the guest");
		return -1;
	}
	suspended = chaos_now_us();
	timing->suspend_us = suspended - start;
	if (send_image(m, host, domid, timing, err)) {
		resume_here(host, domid, err);
		return -1;
	}
	return finish_source(m, host, domid, start, suspended, timing, err);
}

static int send_live(chaos_host *host, uint32_t domid, struct chaos_mig *m,
		     uint64_t start, chaos_migrate_timing *timing,
		     chaos_err *err)
{
	uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE], mac[CHAOS_MIG_MAC];
	struct chaos_live_stats stats;
	uint64_t t0;
	int rc;

	rc = chaos_live_send(host, domid, m, &stats, digest, err);
	timing->rounds = stats.rounds;
	timing->pages_resent = stats.pages_resent;
	timing->phases = stats.phases;
	if (stats.suspended)
		timing->suspend_us = stats.suspended_us - stats.stop_us;
	timing->capture_us = chaos_now_us() - start;
	if (rc && !stats.suspended) {
		destination_reason(m, err);
		/* Still running here: tell the destination to drop its copy. */
		chaos_mig_status(m, -ECANCELED, "the source gave up the live migration");
		note(err, " (domain %u still runs here)", domid);
		return -1;
	}
	if (!rc && m->key && m->key->len) {
		chaos_mig_image_mac(m, digest, mac);
		rc = chaos_mig_send(m, CHAOS_MIG_IMAGE_MAC, mac, sizeof(mac), err);
	}
	t0 = chaos_now_us();
	if (rc)
		destination_reason(m, err);
	else
		rc = expect(m, CHAOS_MIG_STATUS, RESTORE_TIMEOUT_MS, err);
	timing->transfer_us = chaos_now_us() - t0;
	if (rc) {
		resume_here(host, domid, err);
		return -1;
	}
	return finish_source(m, host, domid, start, stats.suspended_us, timing,
			     err);
}

typedef int send_fn(chaos_host *host, uint32_t domid, struct chaos_mig *m,
		    uint64_t start, chaos_migrate_timing *timing,
		    chaos_err *err);

/*
 * The source's work under the guest's busy mark: a source killed while
 * the guest is suspended leaves it to recovery, which resumes it; one
 * that kept it suspended after GO leaves a kept mark, which recovery
 * leaves alone (only chaos_checkpoint_resume clears it).
 */
static int send_marked(send_fn *send, chaos_host *host, uint32_t domid,
		       int in_fd, int out_fd, const chaos_migrate_key *key,
		       chaos_migrate_timing *timing, chaos_err *err)
{
	struct chaos_mig m = { .in = in_fd, .out = out_fd,
			       .role = CHAOS_MIG_SENDER, .key = key,
			       .mark = -1 };
	uint64_t start = chaos_now_us();
	chaos_migrate_timing scratch;
	uint8_t handle[16];
	chaos_err local;
	int mark, rc;

	if (!err)
		err = &local;
	if (!timing)
		timing = &scratch;
	memset(timing, 0, sizeof(*timing));
	mark = chaos_ckpt_mark(host, domid, handle, err);
	if (mark < 0)
		return -1;
	m.mark = mark;
	/* Nothing is touched before the destination proved itself. */
	rc = chaos_mig_handshake(&m, HANDSHAKE_TIMEOUT_MS, err) ? -1 :
	     send(host, domid, &m, start, timing, err);
	if (rc == KEPT_SUSPENDED) {
		chaos_busy_keep(host->state_dir, handle, mark);
		return -1;
	}
	chaos_busy_release(host->state_dir, handle, mark);
	return rc;
}

int chaos_migrate_send(chaos_host *host, uint32_t domid, int in_fd, int out_fd,
		       const chaos_migrate_key *key,
		       chaos_migrate_timing *timing, chaos_err *err)
{
	return send_marked(send_plain, host, domid, in_fd, out_fd, key, timing,
			   err);
}

int chaos_migrate_send_live(chaos_host *host, uint32_t domid, int in_fd,
			    int out_fd, const chaos_migrate_key *key,
			    chaos_migrate_timing *timing, chaos_err *err)
{
	return send_marked(send_live, host, domid, in_fd, out_fd, key, timing,
			   err);
}

/* Destination: the guest built from the stream, paused and unnamed, its
 * busy mark (noted CHAOS_MARK_RECEIVED) into *mark. */
static int receive_guest(struct chaos_mig *m, chaos_host *host,
			 const chaos_restore_opts *given, uint32_t *domid,
			 char *name, int *mark, chaos_err *err)
{
	chaos_restore_opts opts = { .paused = true, .unnamed = true };
	struct chaos_mig_image_in in;
	uint32_t type;
	uint64_t len;
	int rc;

	if (given) {
		opts.bridges = given->bridges;
		opts.nr_bridges = given->nr_bridges;
		opts.disks = given->disks;
		opts.nr_disks = given->nr_disks;
		opts.as = given->as;  /* whoever receives it owns it */
		opts.config_path = given->config_path;
	}
	if (chaos_mig_recv_stream(m, CHAOS_MIG_IMAGE, CHAOS_MIG_IMAGE_PART,
				  IMAGE_MAX, RESTORE_TIMEOUT_MS, &type, &len,
				  err))
		return -1;
	if (type == CHAOS_MIG_IMAGE_PART) {
		if (len > CHAOS_MIG_PART_MAX || !len)
			return chaos_err_set(err, EPROTO,
					     "migration stream: IMAGE_PART of %llu bytes",
					     (unsigned long long)len);
		rc = chaos_mig_image_in_init(&in, m, len, true, err) ||
		     chaos_live_receive(host, &in, &opts, domid, name, mark,
					err);
	} else {
		rc = chaos_mig_image_in_init(&in, m, len, false, err) ||
		     chaos_ckpt_restore_stream(host, &in.stream, len,
					       chaos_mig_check_image_mac, &in,
					       &opts, domid, name, mark, err);
	}
	chaos_mig_image_in_free(&in);
	return rc ? -1 : 0;
}

/*
 * The destination runs the guest: it takes the guest's name, and its
 * mark goes. When it cannot (no DONE from the source, whose copy may
 * still hold the name on this host, or another guest has the name), the
 * mark, noted CHAOS_MARK_RUNNING with the name, is left for recovery,
 * which names the guest once no live domain holds the name.
 */
static int name_here(chaos_host *host, struct chaos_mig *m, uint32_t domid,
		     const uint8_t handle[16], const char *name, bool done,
		     chaos_err *err)
{
	chaos_err claim;

	if (chaos_checkpoint_claim_name(host, domid, name, &claim) == 0) {
		chaos_busy_release(host->state_dir, handle, m->mark);
		if (done)
			return 0;
		note(err, "; the guest runs here as domain %u, named '%s'",
		     domid, name);
		return -1;
	}
	chaos_busy_leave(m->mark);
	if (done)
		*err = claim;
	note(err, "; the guest runs here as domain %u, unnamed: chaos "
		  "names it '%s' once no live domain holds that name", domid,
	     name);
	return -1;
}

int chaos_migrate_receive(chaos_host *host, int in_fd, int out_fd,
			  const chaos_migrate_key *key,
			  const chaos_restore_opts *opts, uint32_t *domid,
			  chaos_err *err)
{
	struct chaos_mig m = { .in = in_fd, .out = out_fd,
			       .role = CHAOS_MIG_RECEIVER, .key = key,
			       .mark = -1 };
	char name[CHAOS_NAME_MAX] = "", running[CHAOS_BUSY_NOTE_MAX];
	chaos_domain_info info;
	chaos_err local;

	if (!err)
		err = &local;
	*domid = 0;
	memset(&info, 0, sizeof(info));
	if (chaos_mig_handshake(&m, HANDSHAKE_TIMEOUT_MS, err)) {
		chaos_mig_status(&m, -(err->code ? err->code : EPROTO), err->msg);
		return -1;
	}
	if (receive_guest(&m, host, opts, domid, name, &m.mark, err)) {
		chaos_mig_status(&m, -(err->code ? err->code : EIO), err->msg);
		return -1;
	}
	/* The guest's handle, for its mark once its domain may be gone. */
	if (chaos_domain_get(host, *domid, &info, err) ||
	    chaos_mig_status(&m, 0, "restored") ||
	    expect(&m, CHAOS_MIG_GO, STEP_TIMEOUT_MS, err))
		goto destroy;
	/* From GO on this copy is the guest: killed now, we leave it to
	 * recovery to run and name. */
	snprintf(running, sizeof(running), "%s %s", CHAOS_MARK_RUNNING, name);
	if (chaos_busy_note(m.mark, running)) {
		chaos_err_set(err, errno, "cannot note \"go\" in the guest's "
			      "busy mark: %s", strerror(errno));
		chaos_mig_status(&m, -err->code, err->msg);
		goto destroy;
	}
	if (chaos_domain_unpause(host, *domid, err)) {
		chaos_mig_status(&m, -(err->code ? err->code : EIO), err->msg);
		goto destroy;
	}
	/* Running here; a source that does not hear it keeps its copy
	 * suspended, and its name with it. */
	if (chaos_mig_send(&m, CHAOS_MIG_RUNNING, NULL, 0, err))
		return name_here(host, &m, *domid, info.handle, name, false,
				 err);
	/* The source gives up the name when it destroys its copy. */
	if (expect(&m, CHAOS_MIG_DONE, STEP_TIMEOUT_MS, err))
		return name_here(host, &m, *domid, info.handle, name, false,
				 err);
	return name_here(host, &m, *domid, info.handle, name, true, err);
destroy:
	chaos_guest_destroy(host, *domid, NULL);
	if (*domid && info.domid == *domid)
		chaos_busy_release(host->state_dir, info.handle, m.mark);
	else
		chaos_busy_leave(m.mark);  /* recovery finds the domain gone */
	*domid = 0;
	return -1;
}
