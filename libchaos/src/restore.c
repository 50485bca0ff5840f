// SPDX-License-Identifier: MIT
/*
 * Restoring a guest from an image: the image is checked as a whole first
 * (saveimg_format.c), then a new domain is built with the builder's own
 * steps (shell: domain, memory, console channel, power device; vifs), the
 * memory written with page tables and vCPU frames localised, start info
 * and the p2m list rewritten for the new frames, the tables pinned (Xen
 * validates them here) and the vCPUs set. Any failure destroys the new
 * domain: nothing is left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chaos/record.h>
#include <chaos/registry.h>

#include "guest_vifs.h"
#include "pt_canon.h"
#include "save_internal.h"
#include "shell.h"

#define PAGE_SIZE 4096u
#define BATCH 1024u
#define PIN_BATCH 256u
#define START_INFO_MAGIC "xen-3.0-x86_64"

struct restore {
	chaos_host *host;
	struct chaos_saveimg img;
	struct chaos_shell shell;
	uint64_t console_pfn;
};

static void *map_rw(struct restore *r, uint64_t first, size_t n,
		    chaos_err *err)
{
	int errs[BATCH];
	void *p = xenforeignmemory_map(r->host->fmem, r->shell.domid,
				       PROT_READ | PROT_WRITE, n,
				       r->shell.p2m + first, errs);

	if (!p) {
		chaos_err_xen(err, r->host, errno, "cannot map domain %u's memory",
			      r->shell.domid);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (errs[i]) {
			chaos_err_set(err, -errs[i],
				      "cannot map page %llu of domain %u: %s",
				      (unsigned long long)(first + i),
				      r->shell.domid, strerror(-errs[i]));
			xenforeignmemory_unmap(r->host->fmem, p, n);
			return NULL;
		}
	}
	return p;
}

/* start_info: the frames and ports of the new domain. */
static int fix_start_info(struct restore *r, start_info_t *si, chaos_err *err)
{
	uint64_t nr = r->img.nr_pages;

	if (strncmp(si->magic, START_INFO_MAGIC, strlen(START_INFO_MAGIC)))
		return chaos_err_set(err, EINVAL,
				     "image: start info at pfn %#llx has no \"%s\" magic",
				     (unsigned long long)r->img.start_info_pfn,
				     START_INFO_MAGIC);
	if (si->nr_pages != nr)
		return chaos_err_set(err, EINVAL,
				     "image: start info nr_pages %lu, the image has %llu",
				     (unsigned long)si->nr_pages,
				     (unsigned long long)nr);
	/* The guest left pfns here before suspending (PV convention). */
	if (si->console.domU.mfn >= nr)
		return chaos_err_set(err, EINVAL,
				     "image: start info console.domU.mfn (pfn %#llx) is outside the guest's memory",
				     (unsigned long long)si->console.domU.mfn);
	if (si->store_mfn >= nr)
		return chaos_err_set(err, EINVAL,
				     "image: start info store_mfn (pfn %#llx) is outside the guest's memory",
				     (unsigned long long)si->store_mfn);
	r->console_pfn = si->console.domU.mfn;
	si->shared_info = r->shell.shared_info_mfn << 12;
	si->console.domU.mfn = r->shell.p2m[r->console_pfn];
	si->console.domU.evtchn = r->shell.console_port;
	if (si->store_mfn)
		si->store_mfn = r->shell.p2m[si->store_mfn];
	si->store_evtchn = 0; /* no XenStore */
	return 0;
}

static bool is_p2m_frame(const struct restore *r, uint64_t pfn,
			 uint64_t *index)
{
	for (uint64_t i = 0; i < r->img.nr_p2m_frames; i++) {
		if (r->img.p2m_frames[i] == pfn) {
			*index = i;
			return true;
		}
	}
	return false;
}

/* One page into guest memory, made local. */
static int write_page(struct restore *r, uint64_t pfn, uint8_t *dst,
		      chaos_err *err)
{
	unsigned int level = r->img.types[pfn] & CHAOS_PAGE_LEVEL_MASK;
	uint64_t index;

	memcpy(dst, r->img.pages + pfn * PAGE_SIZE, PAGE_SIZE);
	if (level)
		return chaos_pt_localize((uint64_t *)dst, level, pfn,
					 r->shell.p2m, r->img.nr_pages, err);
	if (is_p2m_frame(r, pfn, &index)) {
		/* The guest's p2m list: the new domain's frames. */
		uint64_t *list = (uint64_t *)dst;

		for (uint64_t k = 0; k < PAGE_SIZE / 8; k++) {
			uint64_t p = index * (PAGE_SIZE / 8) + k;

			if (p < r->img.nr_pages)
				list[k] = r->shell.p2m[p];
		}
	}
	if (pfn == r->img.start_info_pfn)
		return fix_start_info(r, (start_info_t *)dst, err);
	return 0;
}

static int write_memory(struct restore *r, chaos_err *err)
{
	for (uint64_t first = 0; first < r->img.nr_pages; first += BATCH) {
		size_t n = r->img.nr_pages - first < BATCH ?
				   (size_t)(r->img.nr_pages - first) : BATCH;
		uint8_t *mem = map_rw(r, first, n, err);
		int rc = 0;

		if (!mem)
			return -1;
		for (size_t i = 0; i < n && !rc; i++)
			rc = write_page(r, first + i, mem + i * PAGE_SIZE, err);
		/* Unmapped before pinning: Xen will not make a page with a
		 * writable mapping into a page table. */
		xenforeignmemory_unmap(r->host->fmem, mem, n);
		if (rc)
			return -1;
	}
	return 0;
}

/* Pin what the guest had pinned, lower levels first; Xen validates. */
static int pin_tables(struct restore *r, chaos_err *err)
{
	static const unsigned int pin_cmd[] = {
		0, MMUEXT_PIN_L1_TABLE, MMUEXT_PIN_L2_TABLE,
		MMUEXT_PIN_L3_TABLE, MMUEXT_PIN_L4_TABLE,
	};
	struct mmuext_op ops[PIN_BATCH];
	unsigned int n = 0;

	for (unsigned int level = 1; level <= 4; level++) {
		for (uint64_t pfn = 0; pfn < r->img.nr_pages; pfn++) {
			uint8_t t = r->img.types[pfn];

			if ((t & CHAOS_PAGE_LEVEL_MASK) != level ||
			    !(t & CHAOS_PAGE_PINNED))
				continue;
			ops[n].cmd = pin_cmd[level];
			ops[n].arg1.mfn = r->shell.p2m[pfn];
			if (++n < PIN_BATCH)
				continue;
			if (xc_mmuext_op(r->host->xch, ops, n, r->shell.domid))
				goto refused;
			n = 0;
		}
		/* Each level complete before the next one's pins. */
		if (n && xc_mmuext_op(r->host->xch, ops, n, r->shell.domid))
			goto refused;
		n = 0;
	}
	return 0;
refused:
	return chaos_err_xen(err, r->host, errno,
			     "the hypervisor refused the image's page tables");
}

static int set_vcpus(struct restore *r, chaos_err *err)
{
	for (uint32_t v = 0; v < r->img.nr_vcpus; v++) {
		vcpu_guest_context_any_t any;

		if (!r->img.vcpus[v].online)
			continue;
		memset(&any, 0, sizeof(any));
		any.x64 = r->img.vcpus[v].ctx;
		if (chaos_vcpu_localize(&any.x64, v, r->shell.p2m,
					r->img.nr_pages, err))
			return -1;
		if (xc_vcpu_setcontext(r->host->xch, r->shell.domid, v, &any))
			return chaos_err_xen(err, r->host, errno,
					     "the hypervisor refused vCPU %u of the image",
					     v);
	}
	return 0;
}

static int record_guest(struct restore *r, bool claim, chaos_err *err)
{
	chaos_domain_record rec = {
		.domid = r->shell.domid,
		.console_mfn = r->shell.p2m[r->console_pfn],
		.console_port = r->shell.console_port,
		.on_poweroff = r->img.cfg.on_poweroff,
		.on_reboot = r->img.cfg.on_reboot,
		.on_crash = r->img.cfg.on_crash,
	};

	memcpy(rec.handle, r->shell.handle, sizeof(rec.handle));
	if (claim)
		memcpy(rec.name, r->img.cfg.name, sizeof(rec.name));
	if (claim && r->img.cfg.name[0] &&
	    chaos_registry_claim(r->host->registry, r->img.cfg.name,
				 r->shell.domid, r->shell.handle, err))
		return -1;
	if (chaos_record_save(r->host->state_dir, &rec, err)) {
		if (claim && r->img.cfg.name[0])
			chaos_registry_release(r->host->registry,
					       r->img.cfg.name, NULL);
		return -1;
	}
	return 0;
}

int chaos_guest_restore_image(chaos_host *host, uint8_t *image, size_t len,
			      const chaos_restore_opts *opts, uint32_t *domid,
			      char *name, chaos_err *err)
{
	struct restore r = { .host = host };
	chaos_create_timing timing = { 0 };
	chaos_config cfg;
	bool claim = !(opts && opts->unnamed);
	int rc = -1;

	*domid = 0;
	if (chaos_saveimg_decode(image, len, &r.img, err))
		return -1;
	if (chaos_host_registry(host, err))
		goto out;
	chaos_travel_config_to_config(&r.img.cfg, &cfg);
	if (chaos_shell_prepare(host, r.img.cfg.memory_mib, r.img.cfg.vcpus,
				0, CHAOS_HANDLE_GUEST, &r.shell, &timing, err))
		goto out;
	if (chaos_guest_add_vifs(host, &cfg, r.shell.domid, 0, &timing, err) ||
	    write_memory(&r, err) ||
	    chaos_shell_init_shared_info(host, &r.shell, err) ||
	    pin_tables(&r, err) || set_vcpus(&r, err) ||
	    record_guest(&r, claim, err))
		goto out_shell;
	if (!(opts && opts->paused) &&
	    xc_domain_unpause(host->xch, r.shell.domid)) {
		chaos_err_xen(err, host, errno, "cannot unpause domain %u",
			      r.shell.domid);
		chaos_record_remove(host->state_dir, r.shell.domid, NULL);
		if (claim && r.img.cfg.name[0])
			chaos_registry_release(host->registry, r.img.cfg.name,
					       NULL);
		goto out_shell;
	}
	*domid = r.shell.domid;
	if (name)
		memcpy(name, r.img.cfg.name, CHAOS_NAME_MAX);
	chaos_shell_release(&r.shell);
	rc = 0;
	goto out;
out_shell:
	chaos_shell_discard(host, &r.shell);
out:
	chaos_saveimg_free(&r.img);
	return rc;
}

int chaos_image_read_file(const char *path, uint8_t **image, size_t *len,
			  chaos_err *err)
{
	uint8_t hdr[CHAOS_SAVEIMG_HEADER_SIZE], *buf;
	struct stat st;
	uint64_t total;
	size_t done = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*image = NULL;
	*len = 0;
	if (fd < 0)
		return chaos_err_set(err, errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return chaos_err_set(err, EINVAL, "%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size < sizeof(hdr) ||
	    read(fd, hdr, sizeof(hdr)) != (ssize_t)sizeof(hdr)) {
		close(fd);
		return chaos_err_set(err, EINVAL,
				     "%s: %lld bytes, too short for a saved guest",
				     path, (long long)st.st_size);
	}
	if (chaos_saveimg_peek_size(hdr, sizeof(hdr), &total, err)) {
		close(fd);
		return -1;
	}
	if (total != (uint64_t)st.st_size) {
		close(fd);
		return chaos_err_set(err, EINVAL,
				     "%s: %lld bytes, the header says %llu (truncated or padded)",
				     path, (long long)st.st_size,
				     (unsigned long long)total);
	}
	buf = malloc(total);
	if (!buf) {
		close(fd);
		return chaos_err_set(err, ENOMEM, "out of memory for %s", path);
	}
	memcpy(buf, hdr, sizeof(hdr));
	done = sizeof(hdr);
	while (done < total) {
		ssize_t n = read(fd, buf + done, total - done);

		if (n <= 0) {
			free(buf);
			close(fd);
			return chaos_err_set(err, n < 0 ? errno : EIO,
					     "%s: read failed", path);
		}
		done += (size_t)n;
	}
	close(fd);
	*image = buf;
	*len = total;
	return 0;
}

int chaos_guest_restore(chaos_host *host, const char *path,
			const chaos_restore_opts *opts, uint32_t *domid,
			char *name, chaos_err *err)
{
	uint8_t *image;
	size_t len;
	int rc;

	*domid = 0;
	if (chaos_image_read_file(path, &image, &len, err))
		return -1;
	rc = chaos_guest_restore_image(host, image, len, opts, domid, name,
				       err);
	free(image);
	return rc;
}

int chaos_guest_claim_name(chaos_host *host, uint32_t domid, const char *name,
			   chaos_err *err)
{
	chaos_domain_record rec;
	chaos_domain_info info;

	if (!name[0])
		return 0;
	if (chaos_domain_get(host, domid, &info, err) ||
	    chaos_host_registry(host, err) ||
	    chaos_record_load(host->state_dir, domid, info.handle, &rec, err))
		return -1;
	if (chaos_registry_claim(host->registry, name, domid, info.handle, err))
		return -1;
	snprintf(rec.name, sizeof(rec.name), "%s", name);
	if (chaos_record_save(host->state_dir, &rec, err)) {
		chaos_registry_release(host->registry, name, NULL);
		return -1;
	}
	return 0;
}
