// SPDX-License-Identifier: MIT
/*
 * rig-floor KERNEL MEM_MIB ROUNDS: the floor of a pooled create, measured.
 *
 * Each round prepares, untimed, everything a pool could have ready: a
 * shell (domain, vCPU, memory, console channel), the kernel parsed and
 * decompressed, the shell primed for its layout (p2m list, page tables
 * pinned, shared info), and the memory the kernel goes to mapped into
 * dom0. It then times only what no pool can do ahead:
 *   copy     the kernel's segments into the mapped memory;
 *   start    start_info (command line, console, shared info);
 *   vcpu     the hypercall page and vCPU 0's registers;
 *   unpause  the domain runs.
 * The guest must then print "ready" on its console ring (so the floor is
 * a real boot, not a shortcut), and is destroyed.
 *
 * It uses libchaos's own builder steps (the same code chaos runs), linked
 * from the static library with its internal headers. Prints one line per
 * round: floor_us=T copy=A start=B vcpu=C unpause=D.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <chaos/chaos.h>

#include "build/build.h"
#include "hyp/hyp.h"
#include "util/util.h"
#include <xen/io/console.h>

#define READY_TIMEOUT_MS 10000

struct kept_map {
	uint8_t *base;
	uint64_t pages;
};

static void *kept_page(void *ctx, uint64_t pfn)
{
	struct kept_map *m = ctx;

	return pfn < m->pages ? m->base + pfn * XC_PAGE_SIZE : NULL;
}

static int die(const char *what, const chaos_err *err)
{
	fprintf(stderr, "rig-floor: %s: %s\n", what, err ? err->msg : "");
	return 1;
}

/* Wait until the guest's console ring holds "ready". */
static int wait_ready(chaos_host *host, uint32_t domid, xen_pfn_t mfn)
{
	struct xencons_interface *c;
	int map_err = 0, found = 0;

	c = xenforeignmemory_map(host->fmem, domid, PROT_READ, 1, &mfn,
				 &map_err);
	if (!c || map_err)
		return -1;
	for (int waited = 0; waited < READY_TIMEOUT_MS && !found; waited++) {
		size_t prod = (uint32_t)c->out_prod;
		size_t n = prod < sizeof(c->out) ? prod : sizeof(c->out);

		__sync_synchronize();
		found = memmem(c->out, n, "ready", 5) != NULL;
		if (!found)
			nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	xenforeignmemory_unmap(host->fmem, c, 1);
	return found ? 0 : -1;
}

static int round_once(chaos_host *host, const struct chaos_image *img,
		      uint64_t mem_mib)
{
	chaos_create_timing timing = { 0 };
	struct chaos_shell shell;
	struct chaos_pv_layout lay;
	struct kept_map m;
	struct chaos_guest_mem mem;
	struct chaos_pv_start_params sp = { .cmdline = "" };
	uint64_t t0, t1, t2, t3, t4;
	chaos_err err = { 0 };
	int *errs, rc = 1;

	if (chaos_shell_prepare(host, mem_mib, 1, 0, NULL, CHAOS_KIND_SHELL,
				&shell, &timing, &err))
		return die("prepare a shell", &err);
	if (chaos_pv_layout_compute(img, shell.nr_pages, 0, &lay, &err) ||
	    chaos_shell_prime_layout(host, &shell, &lay, false, &err)) {
		chaos_shell_discard(host, &shell);
		return die("prime the shell", &err);
	}
	/* Everything below the pinned tables, as chaos's load maps it. */
	m.pages = lay.pt_pfn;
	errs = calloc(m.pages, sizeof(*errs));
	m.base = errs ? xenforeignmemory_map(host->fmem, shell.domid,
					     PROT_READ | PROT_WRITE, m.pages,
					     shell.p2m, errs) : NULL;
	free(errs);
	if (!m.base) {
		chaos_shell_discard(host, &shell);
		fprintf(stderr, "rig-floor: cannot map the shell: %s\n",
			strerror(errno));
		return 1;
	}
	mem = (struct chaos_guest_mem){ .nr_pages = shell.nr_pages,
					.p2m = shell.p2m, .page = kept_page,
					.ctx = &m };
	sp.shared_info_mfn = shell.shared_info_mfn;
	sp.console_mfn = shell.p2m[lay.console_pfn];
	sp.console_evtchn = shell.console_port;

	t0 = chaos_now_us();
	if (chaos_pv_load_segments(img, &lay, &mem, &err)) {
		die("copy the kernel", &err);
		goto out;
	}
	t1 = chaos_now_us();
	if (chaos_pv_write_start_info(&lay, &mem, &sp, &err)) {
		die("write start_info", &err);
		goto out;
	}
	t2 = chaos_now_us();
	if (chaos_shell_set_boot_vcpu(host, &shell, &lay, &err)) {
		die("set vCPU 0", &err);
		goto out;
	}
	t3 = chaos_now_us();
	if (xc_domain_unpause(host->xch, shell.domid)) {
		fprintf(stderr, "rig-floor: unpause: %s\n", strerror(errno));
		goto out;
	}
	t4 = chaos_now_us();
	if (wait_ready(host, shell.domid, shell.p2m[lay.console_pfn])) {
		fprintf(stderr, "rig-floor: domain %u did not print ready\n",
			shell.domid);
		goto out;
	}
	printf("floor_us=%llu copy=%llu start=%llu vcpu=%llu unpause=%llu\n",
	       (unsigned long long)(t4 - t0), (unsigned long long)(t1 - t0),
	       (unsigned long long)(t2 - t1), (unsigned long long)(t3 - t2),
	       (unsigned long long)(t4 - t3));
	rc = 0;
out:
	xenforeignmemory_unmap(host->fmem, m.base, m.pages);
	chaos_shell_discard(host, &shell);
	return rc;
}

int main(int argc, char **argv)
{
	struct chaos_image img = { 0 };
	chaos_host *host;
	chaos_err err = { 0 };
	long mem, rounds;
	int rc = 0;

	if (argc != 4 || (mem = atol(argv[2])) < 1 || mem > 4096 ||
	    (rounds = atol(argv[3])) < 1 || rounds > 10000) {
		fprintf(stderr, "usage: rig-floor KERNEL MEM_MIB ROUNDS\n");
		return 2;
	}
	if (chaos_host_open(&host, &err))
		return die("open the host", &err);
	if (chaos_image_from_file(argv[1], &img, &err)) {
		chaos_host_close(host);
		return die(argv[1], &err);
	}
	for (long i = 0; i < rounds && !rc; i++)
		rc = round_once(host, &img, (uint64_t)mem);
	chaos_image_release(&img);
	chaos_host_close(host);
	return rc;
}
