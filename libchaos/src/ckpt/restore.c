// SPDX-License-Identifier: MIT
/*
 * Restoring a guest from a version 3 image, from a file or a migration
 * stream, without holding the image in memory: the head is read and
 * every field checked, a paused shell is built, the pages are read
 * straight into it a batch at a time while the image is hashed, and the
 * END record's checksum (a migration's MAC) is checked before anything
 * of the image is believed (restore_domain.c then builds the final
 * state). Any failure destroys the new domain: nothing is left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#include "ckpt/ckpt.h"

#define PAGE_SIZE 4096u

/*
 * The pages with bytes, in pfn order, into the new domain's memory a
 * batch at a time (restore_domain.c: copied in by the hypervisor, or
 * read straight into a mapping). The others stay as Xen gave them: zero
 * (it scrubs memory before a domain gets it).
 */
static int read_pages(struct chaos_restore *r, struct chaos_saveimg_stream *in,
		      chaos_err *err)
{
	size_t max = chaos_restore_pages_max(r);
	uint64_t *pfns = malloc(max * sizeof(uint64_t));
	uint64_t pfn = 0;
	int rc = 0;

	if (!pfns)
		return chaos_err_set(err, ENOMEM, "out of memory");
	while (!rc) {
		size_t count = 0;
		uint8_t *mem;

		for (; pfn < r->img.nr_pages && count < max; pfn++)
			if (chaos_saveimg_has_bytes(r->img.present_map, pfn))
				pfns[count++] = pfn;
		if (!count)
			break;
		mem = chaos_restore_pages_begin(r, pfns, count, err);
		if (!mem) {
			rc = -1;
			break;
		}
		rc = chaos_saveimg_get(in, mem, count * PAGE_SIZE, err);
		if (chaos_restore_pages_end(r, mem, pfns, count, !rc,
					    rc ? NULL : err))
			rc = -1;
	}
	r->ph->zero_pages = r->img.nr_pages - r->img.present;
	free(pfns);
	return rc;
}

/* The most pages a restored guest could get here: the hypervisor's free
 * memory (0, no bound, when it cannot say: the shell fails then). */
static uint64_t restorable_pages(chaos_host *host)
{
	xc_physinfo_t phys = { 0 };

	if (xc_physinfo(host->xch, &phys))
		return 0;
	return phys.free_pages + phys.scrub_pages;
}

int chaos_ckpt_restore_stream(chaos_host *host,
			       struct chaos_saveimg_stream *in, uint64_t total,
			       chaos_image_check check, void *check_ctx,
			       const chaos_restore_opts *opts, uint32_t *domid,
			       char *name, int *mark, chaos_err *err)
{
	uint8_t digest[CHAOS_SAVEIMG_HASH_SIZE];
	struct chaos_restore r = { .host = host };

	*domid = 0;
	r.ph = opts && opts->phases ? opts->phases : &r.scratch;
	in->ph = r.ph;
	/* The host's bridges and disks are the host's: refused before
	 * anything is built when the head says so (a live image's config
	 * comes last). */
	if (chaos_saveimg_read_head(in, total, restorable_pages(host), &r.img,
				    err))
		return -1;
	/* So is a CPU this host cannot be for the guest. */
	if (chaos_restore_cpu_admit(host, &r.img.cpu.policy, err) ||
	    chaos_ckpt_place_vifs(&r.img.cfg, opts, err) ||
	    chaos_ckpt_place_disks(&r.img.dev, opts, err) ||
	    chaos_ckpt_place_config(&r, opts, err)) {
		chaos_restore_discard(&r);
		return -1;
	}
	if (chaos_restore_shell(&r, host, r.img.nr_pages, r.img.nr_vcpus, err) ||
	    read_pages(&r, in, err) ||
	    chaos_saveimg_get_end(in, digest, err) ||
	    (check && check(check_ctx, digest, err)) ||
	    chaos_restore_finish(&r, opts, domid, name, mark, err)) {
		chaos_restore_discard(&r);
		return -1;
	}
	return 0;
}

/* From the fd's offset to the end of the file: "what" names it. */
static int restore_from(chaos_host *host, int fd, const char *what,
			const chaos_restore_opts *opts, uint32_t *domid,
			char *name, chaos_err *err)
{
	struct chaos_saveimg_stream in;
	struct stat st;
	off_t at;
	int rc;

	*domid = 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		return chaos_err_set(err, EINVAL, "%s: not a regular file", what);
	at = lseek(fd, 0, SEEK_CUR);
	if (at < 0 || at > st.st_size)
		return chaos_err_set(err, EINVAL, "%s: cannot tell where it starts",
				     what);
	if ((uint64_t)(st.st_size - at) < CHAOS_SAVEIMG_PEEK_SIZE)
		return chaos_err_set(err, EINVAL,
				     "%s: %lld bytes, too short for a saved guest",
				     what, (long long)(st.st_size - at));
	rc = chaos_saveimg_stream_init(&in, chaos_saveimg_fd_read, &fd, err) ||
	     chaos_ckpt_restore_stream(host, &in, (uint64_t)(st.st_size - at),
				       NULL, NULL, opts, domid, name, NULL, err);
	if (opts && opts->phases)
		opts->phases->image_bytes = (uint64_t)(st.st_size - at);
	chaos_saveimg_stream_free(&in);
	return rc ? -1 : 0;
}

int chaos_checkpoint_restore(chaos_host *host, const char *path,
			const chaos_restore_opts *opts, uint32_t *domid,
			char *name, chaos_err *err)
{
	struct stat st;
	int fd, rc;

	*domid = 0;
	fd = chaos_open_regular(path, "", &st, err);
	if (fd < 0)
		return -1;
	rc = restore_from(host, fd, path, opts, domid, name, err);
	close(fd);
	return rc ? -1 : 0;
}

int chaos_checkpoint_restore_fd(chaos_host *host, int fd,
				const chaos_restore_opts *opts, uint32_t *domid,
				char *name, chaos_err *err)
{
	return restore_from(host, fd, "the image", opts, domid, name, err);
}

int chaos_checkpoint_claim_name(chaos_host *host, uint32_t domid, const char *name,
			   chaos_err *err)
{
	chaos_domain_record rec;
	chaos_domain_info info;
	uint8_t holder[16];
	uint32_t id;
	bool ours;

	if (!name[0])
		return 0;
	if (chaos_domain_get(host, domid, &info, err) ||
	    chaos_host_registry(host, err) ||
	    chaos_record_load(host->state_dir, domid, info.handle, &rec, err))
		return -1;
	/* Already bound to this guest: a claimer killed between the
	 * registry and the record; only the record is left to write. */
	ours = chaos_registry_lookup(host->registry, name, &id, holder,
				     NULL) == 0 &&
	       id == domid && !memcmp(holder, info.handle, sizeof(holder));
	if (!ours &&
	    (guest_name_free(host, name, err) ||
	     chaos_registry_claim(host->registry, name, domid, info.handle,
				  err)))
		return -1;
	snprintf(rec.name, sizeof(rec.name), "%s", name);
	if (chaos_record_save(host->state_dir, &rec, err)) {
		if (!ours)
			chaos_registry_release(host->registry, name, NULL);
		return -1;
	}
	return 0;
}
