// SPDX-License-Identifier: MIT
/*
 * The live stream (version 11, docs/image-format.md), both ways. The reader treats every
 * byte as hostile: each record's type and length, each pfn against the
 * guest's size, round numbers against the limit, and only the state
 * after the last batch (itself fully checked) says what the pages are.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt/ckpt.h"
#include "util/util.h"

#define PAGE_SIZE 4096u
#define MEMORY_SIZE 16u
/* A batch's payload before its pages: round u32, count u32. */
#define BATCH_FIXED 8u

/* count entries, with_bytes of them followed by their page. */
static uint64_t batch_length(uint32_t count, uint32_t with_bytes)
{
	return BATCH_FIXED + (uint64_t)count * 8 +
	       (uint64_t)with_bytes * PAGE_SIZE;
}

int chaos_live_put_start(struct chaos_saveimg_stream *s, uint64_t nr_pages,
			 uint32_t nr_vcpus, const struct chaos_cpu_state *cpu,
			 chaos_err *err)
{
	uint8_t buf[CHAOS_SAVEIMG_HEADER_SIZE + CHAOS_SAVEIMG_RECORD_HEADER +
		    MEMORY_SIZE + CHAOS_SAVEIMG_RECORD_HEADER +
		    CHAOS_SAVEIMG_CPU_SIZE] = { 0 };
	uint8_t *mem = buf + CHAOS_SAVEIMG_HEADER_SIZE;
	uint8_t *rec = mem + CHAOS_SAVEIMG_RECORD_HEADER + MEMORY_SIZE;

	if (chaos_saveimg_cpu_check(cpu, err))
		return -1;
	memcpy(buf, CHAOS_SAVEIMG_MAGIC, 8);
	saveimg_put32(buf + 8, CHAOS_LIVE_VERSION);
	saveimg_put32(buf + 12, CHAOS_SAVEIMG_HEADER_SIZE);
	/* total_size 0: a live stream's size is not known ahead. */
	saveimg_record_header(mem, CHAOS_REC_MEMORY, MEMORY_SIZE);
	saveimg_put64(mem + CHAOS_SAVEIMG_RECORD_HEADER, nr_pages);
	saveimg_put32(mem + CHAOS_SAVEIMG_RECORD_HEADER + 8, nr_vcpus);
	/* The CPU before any page: a host that cannot run the guest says
	 * so while it still runs at the source. */
	saveimg_record_header(rec, CHAOS_REC_CPU, CHAOS_SAVEIMG_CPU_SIZE);
	chaos_saveimg_cpu_encode(rec + CHAOS_SAVEIMG_RECORD_HEADER, cpu);
	return chaos_saveimg_put(s, buf, sizeof(buf), err);
}

int chaos_live_put_batch(struct chaos_saveimg_stream *s, uint32_t round,
			 const uint64_t *pfns, uint32_t count, chaos_err *err)
{
	uint8_t buf[CHAOS_SAVEIMG_RECORD_HEADER + BATCH_FIXED +
		    CHAOS_LIVE_BATCH_MAX * 8];
	uint32_t with_bytes = 0;

	if (!count || count > CHAOS_LIVE_BATCH_MAX)
		return chaos_err_set(err, EINVAL, "live stream: a batch of %u pages",
				     count);
	for (uint32_t i = 0; i < count; i++)
		with_bytes += !(pfns[i] & CHAOS_LIVE_ZERO);
	saveimg_record_header(buf, CHAOS_REC_BATCH,
			      batch_length(count, with_bytes));
	saveimg_put32(buf + CHAOS_SAVEIMG_RECORD_HEADER, round);
	saveimg_put32(buf + CHAOS_SAVEIMG_RECORD_HEADER + 4, count);
	for (uint32_t i = 0; i < count; i++)
		saveimg_put64(buf + CHAOS_SAVEIMG_RECORD_HEADER + BATCH_FIXED + i * 8,
		      pfns[i]);
	return chaos_saveimg_put(s, buf, CHAOS_SAVEIMG_RECORD_HEADER +
					 BATCH_FIXED + (size_t)count * 8, err);
}

int chaos_live_put_state(struct chaos_saveimg_stream *s,
			 const struct chaos_saveimg *img, chaos_err *err)
{
	size_t len = chaos_saveimg_state_size(img->nr_pages, img->nr_vcpus);
	uint8_t *buf = len ? malloc(len) : NULL;
	int rc;

	if (!buf)
		return chaos_err_set(err, ENOMEM, "out of memory for the guest's state");
	rc = chaos_saveimg_encode_state(buf, len, img, err) ||
	     chaos_saveimg_put(s, buf, len, err);
	free(buf);
	return rc ? -1 : 0;
}

/* The CPU record after MEMORY (version 11). */
static int read_cpu(struct chaos_live_rx *rx, struct chaos_saveimg_stream *s,
		    chaos_err *err)
{
	uint8_t buf[CHAOS_SAVEIMG_RECORD_HEADER + CHAOS_SAVEIMG_CPU_SIZE];

	if (chaos_saveimg_get(s, buf, sizeof(buf), err))
		return -1;
	if (saveimg_get32(buf) != CHAOS_REC_CPU || saveimg_get32(buf + 4) ||
	    saveimg_get64(buf + 8) != CHAOS_SAVEIMG_CPU_SIZE)
		return chaos_err_set(err, EINVAL,
				     "image: the CPU record (type %u, %u bytes) is not where it belongs",
				     CHAOS_REC_CPU, CHAOS_SAVEIMG_CPU_SIZE);
	return chaos_saveimg_cpu_decode(buf + CHAOS_SAVEIMG_RECORD_HEADER,
					&rx->cpu, err);
}

int chaos_live_read_start(struct chaos_live_rx *rx,
			  struct chaos_saveimg_stream *s, chaos_err *err)
{
	uint8_t buf[CHAOS_SAVEIMG_HEADER_SIZE + CHAOS_SAVEIMG_RECORD_HEADER +
		    MEMORY_SIZE];
	const uint8_t *mem = buf + CHAOS_SAVEIMG_HEADER_SIZE;
	const uint8_t *p = mem + CHAOS_SAVEIMG_RECORD_HEADER;
	uint64_t max_pages = (uint64_t)CHAOS_CONFIG_MEMORY_MAX * PAGES_PER_MIB;

	memset(rx, 0, sizeof(*rx));
	if (chaos_saveimg_get(s, buf, sizeof(buf), err))
		return -1;
	if (memcmp(buf, CHAOS_SAVEIMG_MAGIC, 8))
		return chaos_err_set(err, EINVAL,
				     "image: bad magic (not a chaos saved guest)");
	if (saveimg_get32(buf + 8) != CHAOS_LIVE_VERSION)
		return chaos_err_set(err, EINVAL,
				     "image: version %u, a live stream is version %u",
				     saveimg_get32(buf + 8), CHAOS_LIVE_VERSION);
	if (saveimg_get32(buf + 12) != CHAOS_SAVEIMG_HEADER_SIZE)
		return chaos_err_set(err, EINVAL, "image: header_size %u, expected %u",
				     saveimg_get32(buf + 12), CHAOS_SAVEIMG_HEADER_SIZE);
	if (saveimg_get64(buf + 16) || saveimg_get64(buf + 24))
		return chaos_err_set(err, EINVAL,
				     "image: a live stream's total_size and reserved field are zero");
	if (saveimg_get32(mem) != CHAOS_REC_MEMORY || saveimg_get32(mem + 4) ||
	    saveimg_get64(mem + 8) != MEMORY_SIZE)
		return chaos_err_set(err, EINVAL,
				     "image: the MEMORY record (type 7, 16 bytes) is not where it belongs");
	rx->nr_pages = saveimg_get64(p);
	rx->nr_vcpus = saveimg_get32(p + 8);
	if (!rx->nr_pages || rx->nr_pages > max_pages ||
	    rx->nr_pages % PAGES_PER_MIB)
		return chaos_err_set(err, EINVAL,
				     "image: MEMORY nr_pages %llu is not whole MiB from 1 to %llu pages",
				     (unsigned long long)rx->nr_pages,
				     (unsigned long long)max_pages);
	if (!rx->nr_vcpus || rx->nr_vcpus > CHAOS_CONFIG_VCPUS_MAX)
		return chaos_err_set(err, EINVAL,
				     "image: MEMORY nr_vcpus %u is not from 1 to %u",
				     rx->nr_vcpus, CHAOS_CONFIG_VCPUS_MAX);
	if (saveimg_get32(p + 12))
		return chaos_err_set(err, EINVAL, "image: MEMORY reserved field not zero");
	return read_cpu(rx, s, err);
}

int chaos_live_rx_track(struct chaos_live_rx *rx, chaos_err *err)
{
	rx->sent_in = calloc(rx->nr_pages, 1);
	rx->canon = calloc(rx->nr_pages, 1);
	if (!rx->sent_in || !rx->canon)
		return chaos_err_set(err, ENOMEM, "out of memory for %llu pages",
				     (unsigned long long)rx->nr_pages);
	return 0;
}

static int read_batch(struct chaos_live_rx *rx, struct chaos_saveimg_stream *s,
		      uint64_t length, uint64_t *pfns, uint32_t *count,
		      chaos_err *err)
{
	uint8_t fixed[BATCH_FIXED], raw[CHAOS_LIVE_BATCH_MAX * 8];
	uint32_t round, n, with_bytes = 0, out = 0;

	if (length < BATCH_FIXED)
		return chaos_err_set(err, EINVAL, "image: BATCH of %llu bytes",
				     (unsigned long long)length);
	if (chaos_saveimg_get(s, fixed, sizeof(fixed), err))
		return -1;
	round = saveimg_get32(fixed);
	n = saveimg_get32(fixed + 4);
	if (!n || n > CHAOS_LIVE_BATCH_MAX)
		return chaos_err_set(err, EINVAL,
				     "image: BATCH count %u is not from 1 to %u", n,
				     CHAOS_LIVE_BATCH_MAX);
	if (length < batch_length(n, 0) || length > batch_length(n, n))
		return chaos_err_set(err, EINVAL,
				     "image: BATCH of %u pages is %llu bytes, not %llu to %llu",
				     n, (unsigned long long)length,
				     (unsigned long long)batch_length(n, 0),
				     (unsigned long long)batch_length(n, n));
	if (round >= CHAOS_LIVE_ROUNDS_MAX)
		return chaos_err_set(err, EINVAL,
				     "image: BATCH round %u, at most %u rounds",
				     round, CHAOS_LIVE_ROUNDS_MAX);
	/* Rounds start at 0 and go up one at a time. */
	if (rx->batches_seen ? (round != rx->round && round != rx->round + 1) :
			       round != 0)
		return chaos_err_set(err, EINVAL,
				     "image: BATCH round %u after round %u", round,
				     rx->batches_seen ? rx->round : 0);
	if (chaos_saveimg_get(s, raw, (size_t)n * 8, err))
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t e = saveimg_get64(raw + i * 8);
		uint64_t pfn = e & CHAOS_LIVE_PFN_MASK;

		if (pfn >= rx->nr_pages)
			return chaos_err_set(err, EINVAL,
					     "image: BATCH pfn %#llx is outside the guest's %llu pages",
					     (unsigned long long)pfn,
					     (unsigned long long)rx->nr_pages);
		if ((e & CHAOS_LIVE_ZERO) && (e & CHAOS_LIVE_CANON))
			return chaos_err_set(err, EINVAL,
					     "image: BATCH pfn %#llx is both all zero and machine-independent",
					     (unsigned long long)pfn);
		rx->canon[pfn] = (e & CHAOS_LIVE_CANON) != 0;
		with_bytes += !(e & CHAOS_LIVE_ZERO);
		/* A zero page never sent before is already zero (a new
		 * domain's memory): nothing for the receiver to do. */
		if (!(e & CHAOS_LIVE_ZERO) || rx->sent_in[pfn])
			pfns[out++] = e;
		rx->sent_in[pfn] = (uint8_t)(round + 1);
	}
	if (length != batch_length(n, with_bytes))
		return chaos_err_set(err, EINVAL,
				     "image: BATCH of %u pages, %u with bytes, is %llu bytes, expected %llu",
				     n, with_bytes, (unsigned long long)length,
				     (unsigned long long)batch_length(n, with_bytes));
	rx->round = round;
	rx->batches_seen = true;
	rx->pages += n;
	*count = out;
	return 0;
}

static int read_state(struct chaos_live_rx *rx, struct chaos_saveimg_stream *s,
		      const uint8_t hdr[CHAOS_SAVEIMG_RECORD_HEADER],
		      struct chaos_saveimg *img, chaos_err *err)
{
	size_t len = chaos_saveimg_state_size(rx->nr_pages, rx->nr_vcpus);
	uint8_t *buf;

	if (!rx->batches_seen)
		return chaos_err_set(err, EINVAL, "image: the state comes before any BATCH");
	buf = len ? malloc(len) : NULL;
	if (!buf)
		return chaos_err_set(err, ENOMEM, "out of memory for the guest's state");
	memcpy(buf, hdr, CHAOS_SAVEIMG_RECORD_HEADER);
	if (chaos_saveimg_get(s, buf + CHAOS_SAVEIMG_RECORD_HEADER,
			      len - CHAOS_SAVEIMG_RECORD_HEADER, err) ||
	    chaos_saveimg_decode_state(buf, len, rx->nr_pages, rx->nr_vcpus,
				       img, err)) {
		free(buf);
		return -1;
	}
	img->owned = buf;
	return 0;
}

int chaos_live_next(struct chaos_live_rx *rx, struct chaos_saveimg_stream *s,
		    uint64_t pfns[CHAOS_LIVE_BATCH_MAX], uint32_t *count,
		    struct chaos_saveimg *img, chaos_err *err)
{
	uint8_t hdr[CHAOS_SAVEIMG_RECORD_HEADER];
	uint32_t type;

	*count = 0;
	if (!rx->sent_in || !rx->canon)
		return chaos_err_set(err, EINVAL,
				     "live stream: pages read before the guest's size was granted");
	if (chaos_saveimg_get(s, hdr, sizeof(hdr), err))
		return -1;
	type = saveimg_get32(hdr);
	if (saveimg_get32(hdr + 4))
		return chaos_err_set(err, EINVAL,
				     "image: record type %u: flags not zero", type);
	if (type == CHAOS_REC_BATCH)
		return read_batch(rx, s, saveimg_get64(hdr + 8), pfns, count, err) ? -1 : 1;
	if (type == CHAOS_REC_DOMAIN)
		return read_state(rx, s, hdr, img, err) ? -1 : 0;
	return chaos_err_set(err, EINVAL,
			     "image: record type %u where a BATCH or DOMAIN belongs",
			     type);
}

static bool same_policy(const struct chaos_cpu_policy *a,
			const struct chaos_cpu_policy *b)
{
	return a->nr_leaves == b->nr_leaves && a->nr_msrs == b->nr_msrs &&
	       a->nr_leaves <= CHAOS_CPU_LEAVES_MAX &&
	       a->nr_msrs <= CHAOS_CPU_MSRS_MAX &&
	       !memcmp(a->leaves, b->leaves, a->nr_leaves * sizeof(a->leaves[0])) &&
	       !memcmp(a->msrs, b->msrs, a->nr_msrs * sizeof(a->msrs[0]));
}

int chaos_live_check_final(const struct chaos_live_rx *rx,
			   const struct chaos_saveimg *img, chaos_err *err)
{
	uint8_t final = (uint8_t)(rx->round + 1);
	/* (decode_state checked img's size against rx and each p2m frame) */
	uint8_t *p2m_page = chaos_saveimg_p2m_pages(img);
	int rc = 0;

	if (!p2m_page)
		return chaos_err_set(err, ENOMEM, "out of memory for %llu pages",
				     (unsigned long long)rx->nr_pages);
	for (uint64_t pfn = 0; pfn < rx->nr_pages && !rc; pfn++) {
		bool rewritten = (img->types[pfn] & CHAOS_PAGE_LEVEL_MASK) ||
				 p2m_page[pfn];

		if (!rx->sent_in[pfn])
			rc = chaos_err_set(err, EINVAL,
					   "image: pfn %#llx never came in any BATCH",
					   (unsigned long long)pfn);
		else if (rewritten && !rx->canon[pfn])
			rc = chaos_err_set(err, EINVAL,
					   "image: %s pfn %#llx last came with machine frames",
					   p2m_page[pfn] ? "p2m frame" : "page table",
					   (unsigned long long)pfn);
		else if (!rewritten && rx->canon[pfn])
			rc = chaos_err_set(err, EINVAL,
					   "image: pfn %#llx last came machine-independent but is a plain page",
					   (unsigned long long)pfn);
	}
	free(p2m_page);
	if (!rc && rx->sent_in[img->start_info_pfn] != final)
		rc = chaos_err_set(err, EINVAL,
				   "image: the start info pfn did not come in the final round");
	/* A running domain's policy cannot change: the host was judged by
	 * the start's. */
	if (!rc && !same_policy(&rx->cpu.policy, &img->cpu.policy))
		rc = chaos_err_set(err, EINVAL,
				   "image: the CPU policy in the final state is not the one the stream started with");
	return rc;
}

void chaos_live_rx_free(struct chaos_live_rx *rx)
{
	free(rx->sent_in);
	rx->sent_in = NULL;
	free(rx->canon);
	rx->canon = NULL;
}
