// SPDX-License-Identifier: MIT
/*
 * The destination's view of an image on the migration stream: read across
 * IMAGE or IMAGE_PART messages, then the MAC that binds it to the session.
 * Shared by the plain receive (session.c) and the live one (live_recv.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <nettle/memops.h>

#include "migrate/migrate.h"

/*
 * Destination: the image's io on the stream. A version 10 image is one
 * IMAGE message of the length its header gives; a live stream (version
 * 7) is IMAGE_PART messages one after another, read on across them.
 */
static int image_read(void *ctx, void *buf, size_t len, chaos_err *err)
{
	struct chaos_mig_image_in *in = ctx;
	uint8_t *p = buf;

	while (len) {
		size_t n;
		uint32_t type;

		if (!in->left) {
			if (!in->parts)
				return chaos_err_set(err, EPROTO,
						     "migration stream: the image runs past its IMAGE message");
			if (chaos_mig_recv_stream(in->m, CHAOS_MIG_IMAGE_PART,
						  CHAOS_MIG_IMAGE_PART,
						  CHAOS_MIG_PART_MAX,
						  CHAOS_MIG_RESTORE_TIMEOUT_MS, &type,
						  &in->left, err))
				return -1;
			if (!in->left)
				return chaos_err_set(err, EPROTO,
						     "migration stream: an empty IMAGE_PART");
		}
		n = len < in->left ? len : (size_t)in->left;
		if (chaos_mig_read(in->m, p, n, CHAOS_MIG_RESTORE_TIMEOUT_MS, err))
			return -1;
		p += n;
		len -= n;
		in->left -= n;
	}
	return 0;
}

int chaos_mig_image_in_init(struct chaos_mig_image_in *in,
			    struct chaos_mig *m, uint64_t first_len,
			    bool parts, chaos_err *err)
{
	in->m = m;
	in->left = first_len;
	in->parts = parts;
	if (chaos_saveimg_stream_init(&in->stream, image_read, in, err) ||
	    chaos_mig_key_stream(m, &in->stream, err))
		return -1;
	return 0;
}

void chaos_mig_image_in_free(struct chaos_mig_image_in *in)
{
	chaos_saveimg_stream_free(&in->stream);
}

/* With a key: the image's MAC (UMAC) bound to this session by the key's. */
int chaos_mig_check_image_mac(void *ctx,
			      const uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE],
			      chaos_err *err)
{
	struct chaos_mig_image_in *in = ctx;
	uint8_t *mac, want[CHAOS_MIG_MAC];
	uint64_t n;
	bool ok;

	if (in->left)
		return chaos_err_set(err, EPROTO,
				     "migration stream: %llu bytes after the image's END record",
				     (unsigned long long)in->left);
	if (!in->m->key || !in->m->key->len)
		return 0;
	if (chaos_mig_recv(in->m, CHAOS_MIG_IMAGE_MAC, CHAOS_MIG_MAC,
			   CHAOS_MIG_STEP_TIMEOUT_MS, &mac, &n, err))
		return -1;
	chaos_mig_image_mac(in->m, digest, want);
	ok = n == CHAOS_MIG_MAC && memeql_sec(mac, want, CHAOS_MIG_MAC);
	free(mac);
	if (!ok)
		return chaos_err_set(err, EACCES,
				     "migration stream: the image is not authenticated by the pre-shared key");
	return 0;
}
