// SPDX-License-Identifier: MIT
/*
 * copy-pages-tool DOMID OTHER: NOXS_DOMCTL_copy_pages driven from dom0
 * against a running PV guest (DOMID), with every argument the hypervisor
 * must refuse, one line per check. OTHER is a second guest, whose frames
 * DOMID does not own. Exits 1 at the first check that does not hold.
 *
 * The guest's frames come from its own page tables: vCPU 0's CR3 is its
 * top table, read through the call itself, and the walk down to the first
 * writable leaf gives a data page. That page is read, written back with
 * the same bytes and read again; a write into a page table must be
 * refused (EPERM) and leave the table as it was.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xencall.h>
#include <xenctrl.h>

#include "noxs.h"

#define PAGE 4096u
#define PTE_PRESENT 0x1ull
#define PTE_RW 0x2ull
#define PTE_PSE 0x80ull
#define PTE_MFN(e) (((e) >> 12) & ((1ull << 40) - 1))
/* Slots of a PV guest's top table that Xen fills with its own mappings. */
#define XEN_SLOT_FIRST 256u
#define XEN_SLOT_LAST 271u

static xc_interface *xch;
static uint64_t *frames;	/* hypercall buffer: 2 frames */
static uint8_t *buf;		/* hypercall buffer: 2 pages */
static int failures;

/* One call; returns 0 or an errno, *done the pages copied. */
static int call(uint32_t domid, uint32_t nr, uint32_t flags, uint32_t pad,
		uint64_t buf_addr, uint32_t *done)
{
	struct xen_domctl domctl = {
		.cmd = NOXS_DOMCTL_copy_pages,
		.domain = (domid_t)domid,
	};
	struct noxs_copy_pages cp = {
		.frames = (uint64_t)(uintptr_t)frames,
		.buf = buf_addr,
		.nr = nr,
		.flags = flags,
		.pad = pad,
		.done = 0xdead,
	};
	int rc;

	memcpy(&domctl.u, &cp, sizeof(cp));
	rc = xc_domctl(xch, &domctl);
	memcpy(&cp, &domctl.u, sizeof(cp));
	if (done)
		*done = cp.done;
	return rc ? errno : 0;
}

static int copy1(uint32_t domid, uint64_t frame, uint32_t flags)
{
	frames[0] = frame;
	return call(domid, 1, flags, 0, (uint64_t)(uintptr_t)buf, NULL);
}

static void check(bool ok, const char *what, int got)
{
	printf("%s: %s (%s)\n", ok ? "ok" : "FAILED", what,
	       got ? strerror(got) : "no error");
	if (!ok)
		failures++;
}

static void expect(int want, int got, const char *what)
{
	check(got == want, what, got);
}

/* The first frame under table, at the next level down, the call can read
 * (present, not a superpage, not Xen's own: a special page such as the
 * shared info is refused); 0 if none. With leaf, the first writable leaf
 * instead. */
static uint64_t first_below(uint32_t domid, uint64_t table, unsigned int level,
			    bool leaf)
{
	uint64_t e[PAGE / 8];

	if (copy1(domid, table, 0))
		return 0;
	memcpy(e, buf, PAGE);
	for (unsigned int i = 0; i < PAGE / 8; i++) {
		if (level == 4 && i >= XEN_SLOT_FIRST && i <= XEN_SLOT_LAST)
			continue;
		if (!(e[i] & PTE_PRESENT) || (level > 1 && (e[i] & PTE_PSE)))
			continue;
		if (leaf && !(e[i] & PTE_RW))
			continue;
		if (copy1(domid, PTE_MFN(e[i]), 0))
			continue;
		return PTE_MFN(e[i]);
	}
	return 0;
}

static uint64_t top_table(uint32_t domid)
{
	vcpu_guest_context_any_t ctx;

	if (xc_vcpu_getcontext(xch, domid, 0, &ctx)) {
		perror("xc_vcpu_getcontext");
		exit(1);
	}
	return ctx.x64.ctrlreg[3] >> 12;
}

int main(int argc, char **argv)
{
	uint8_t before[PAGE], again[PAGE];
	uint64_t l4, l3, l2, l1, data, other_l4;
	uint32_t domid, other, done;
	xencall_handle *xcall;

	if (argc != 3) {
		fprintf(stderr, "usage: copy-pages-tool DOMID OTHER_DOMID\n");
		return 2;
	}
	domid = (uint32_t)strtoul(argv[1], NULL, 0);
	other = (uint32_t)strtoul(argv[2], NULL, 0);
	xch = xc_interface_open(NULL, NULL, 0);
	xcall = xencall_open(NULL, 0);
	if (!xch || !xcall) {
		perror("cannot open the hypervisor interfaces");
		return 1;
	}
	frames = xencall_alloc_buffer(xcall, 2 * sizeof(uint64_t));
	buf = xencall_alloc_buffer_pages(xcall, 2);
	if (!frames || !buf) {
		perror("hypercall buffers");
		return 1;
	}

	/* Arguments refused before any page is touched. */
	expect(EINVAL, call(domid, 0, 0, 0, (uintptr_t)buf, NULL), "no pages");
	expect(E2BIG, call(domid, NOXS_COPY_PAGES_MAX + 1, 0, 0, (uintptr_t)buf,
			   NULL), "more pages than one call takes");
	expect(EINVAL, call(domid, 1, 0x2, 0, (uintptr_t)buf, NULL),
	       "an unknown flag");
	expect(EINVAL, call(domid, 1, 0, 1, (uintptr_t)buf, NULL),
	       "a non-zero pad");
	expect(EINVAL, call(0, 1, 0, 0, (uintptr_t)buf, NULL),
	       "the caller's own domain");

	/* Frames that are not the guest's. */
	l4 = top_table(domid);
	other_l4 = top_table(other);
	expect(EINVAL, copy1(domid, ~0ull >> 12, 0), "a frame beyond memory");
	expect(EINVAL, copy1(domid, other_l4, 0), "another guest's frame");
	expect(EINVAL, copy1(domid, other_l4, NOXS_COPY_TO_DOMAIN),
	       "a write into another guest's frame");

	/* Reads of the guest's own pages, down its tables. */
	expect(0, copy1(domid, l4, 0), "read the top page table");
	l3 = first_below(domid, l4, 4, false);
	l2 = l3 ? first_below(domid, l3, 3, false) : 0;
	l1 = l2 ? first_below(domid, l2, 2, false) : 0;
	data = l1 ? first_below(domid, l1, 1, true) : 0;
	check(data != 0, "a writable data page found by the walk", 0);
	if (!data)
		return 1;
	printf("frames: l4 %#llx l1 %#llx data %#llx\n", (unsigned long long)l4,
	       (unsigned long long)l1, (unsigned long long)data);

	/* A data page: read, the same bytes written back, read again. */
	expect(0, copy1(domid, data, 0), "read a data page");
	memcpy(before, buf, PAGE);
	expect(0, copy1(domid, data, NOXS_COPY_TO_DOMAIN),
	       "write a data page back");
	expect(0, copy1(domid, data, 0), "read it again");
	check(!memcmp(before, buf, PAGE), "the page holds what was written", 0);

	/* Page tables: readable, never writable, left as they were. */
	expect(0, copy1(domid, l4, 0), "read the top table");
	memcpy(before, buf, PAGE);
	memset(buf, 0x5a, PAGE);
	expect(EPERM, copy1(domid, l4, NOXS_COPY_TO_DOMAIN),
	       "a write into the top page table");
	memset(buf, 0x5a, PAGE);
	expect(EPERM, copy1(domid, l1, NOXS_COPY_TO_DOMAIN),
	       "a write into a leaf page table");
	expect(0, copy1(domid, l4, 0), "read the top table again");
	memcpy(again, buf, PAGE);
	check(!memcmp(before, again, PAGE), "the top table is unchanged", 0);

	/* A bad buffer, and a failure part-way through a call. */
	frames[0] = data;
	expect(EFAULT, call(domid, 1, 0, 0, 0x1000, NULL),
	       "a buffer the caller does not have");
	frames[0] = data;
	frames[1] = other_l4;
	expect(EINVAL, call(domid, 2, 0, 0, (uintptr_t)buf, &done),
	       "a good frame, then a foreign one");
	check(done == 1, "done counts the page before the failure", 0);

	printf("copy-pages-tool: %d failed\n", failures);
	return failures ? 1 : 0;
}
