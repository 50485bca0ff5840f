// SPDX-License-Identifier: MIT
/*
 * noxs-tool: exercise the noxs hypercall from dom0 (privcmd ioctl, no
 * libraries, so it runs static in the rig's dom0).
 *
 *   noxs-tool [--expect ERR] get-page DOMID|self
 *   noxs-tool [--expect ERR] add DOMID TYPE DEVID BE_DOMID GRANT EVTCHN [FLAGS]
 *   noxs-tool [--expect ERR] remove DOMID TYPE DEVID
 *   noxs-tool [--expect ERR] list DOMID
 *   noxs-tool fill DOMID BE_DOMID EVTCHN
 *   noxs-tool [--expect ERR] map DOMID ro|rw
 *   noxs-tool raw OP DOMID HEXBYTES       (arbitrary argument bytes)
 *   noxs-tool port DOMID                  (a dom0 port unbound for DOMID)
 *   noxs-tool close PORT
 *
 * TYPE is power, console, vif or a number. With --expect ERR (an errno name
 * such as ENOSPC) the command succeeds only if the hypercall fails with
 * exactly that error. "list" prints one line per entry, "noxs-entry ...".
 *
 * An entry's port must be one its backend opened for the domain: "port"
 * opens one in dom0 straight through the hypercall (so dom0's kernel never
 * knows it, and it outlives the tool) and prints "noxs-port N"; "close"
 * closes it again.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/sys/privcmd.h>

#include "../../abi/noxs.h"

#define BUF_SIZE 8192 /* one op, the largest being list (8 + 4096 bytes) */

/*
 * Not __HYPERVISOR_event_channel_op: without an interface version, xen.h
 * names the old compat hypercall by it.
 */
#define EVENT_CHANNEL_OP 32

struct ctx {
	int fd;
	void *buf; /* locked, so the hypervisor never meets a missing page */
};

static const struct {
	const char *name;
	int err;
} errnames[] = {
	{ "EPERM", EPERM },	{ "ENOENT", ENOENT },	{ "ESRCH", ESRCH },
	{ "EFAULT", EFAULT },	{ "EEXIST", EEXIST },	{ "EINVAL", EINVAL },
	{ "ENOSPC", ENOSPC },	{ "ENOSYS", ENOSYS },	{ "ENOMEM", ENOMEM },
	{ "EOPNOTSUPP", EOPNOTSUPP }, { "EBUSY", EBUSY },
	{ "EACCES", EACCES },
};

static const char *errname(int err)
{
	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].err == err)
			return errnames[i].name;
	return "E?";
}

static int errnum(const char *name)
{
	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (!strcmp(errnames[i].name, name))
			return errnames[i].err;
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: noxs-tool [--expect ERR] get-page DOMID|self\n"
		"       noxs-tool [--expect ERR] add DOMID TYPE DEVID BE_DOMID GRANT EVTCHN [FLAGS]\n"
		"       noxs-tool [--expect ERR] remove DOMID TYPE DEVID\n"
		"       noxs-tool [--expect ERR] list DOMID\n"
		"       noxs-tool fill DOMID BE_DOMID EVTCHN\n"
		"       noxs-tool [--expect ERR] map DOMID ro|rw\n"
		"       noxs-tool [--expect ERR] raw OP HEXBYTES\n"
		"       noxs-tool port DOMID\n"
		"       noxs-tool close PORT\n");
	return 2;
}

/* Parse an unsigned number no larger than max; names the field on error. */
static bool parse_u(const char *s, unsigned long max, const char *field,
		    unsigned long *out)
{
	char *end;

	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v > max) {
		fprintf(stderr, "noxs-tool: bad %s '%s' (0..%lu)\n", field, s,
			max);
		return false;
	}
	*out = v;
	return true;
}

static bool parse_domid(const char *s, uint16_t *out)
{
	unsigned long v;

	if (!strcmp(s, "self")) {
		*out = NOXS_DOMID_SELF;
		return true;
	}
	if (!parse_u(s, 0xffff, "domid", &v))
		return false;
	*out = (uint16_t)v;
	return true;
}

static bool parse_type(const char *s, uint16_t *out)
{
	static const char *const names[] = { "none", "power", "console",
					     "vif" };
	unsigned long v;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i])) {
			*out = (uint16_t)i;
			return true;
		}
	}
	if (!parse_u(s, 0xffff, "type", &v))
		return false;
	*out = (uint16_t)v;
	return true;
}

/* Returns 0 or a positive errno from the hypercall. */
static int noxs_op(struct ctx *c, unsigned int cmd)
{
	privcmd_hypercall_t hc = {
		.op = __HYPERVISOR_noxs_op,
		.arg = { cmd, (uint64_t)(uintptr_t)c->buf },
	};

	if (ioctl(c->fd, IOCTL_PRIVCMD_HYPERCALL, &hc) < 0)
		return errno;
	return 0;
}

static void print_page(const struct noxs_page *p)
{
	const struct noxs_page_hdr *h = &p->hdr;

	printf("noxs-page domid=%u magic=%#" PRIx32 " version=%u gen=%" PRIu32
	       " count=%u max=%u entry_size=%u\n",
	       h->domid, h->magic, h->version, h->generation, h->count,
	       h->max_entries, h->entry_size);
	/* The page came from the hypervisor, but do not trust count. */
	unsigned int n = h->count;
	if (n > NOXS_MAX_ENTRIES) {
		fprintf(stderr, "noxs-tool: count %u exceeds %u\n", n,
			(unsigned int)NOXS_MAX_ENTRIES);
		n = NOXS_MAX_ENTRIES;
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct noxs_entry *e = &p->entries[i];
		printf("noxs-entry type=%u devid=%u be=%u grant=%" PRIu32
		       " evtchn=%" PRIu32 " flags=%#x\n",
		       e->type, e->devid, e->be_domid, e->grant, e->evtchn,
		       e->flags);
	}
}

static int cmd_get_page(struct ctx *c, int argc, char **argv)
{
	struct noxs_op_get_page *op = c->buf;

	if (argc != 1)
		return -1;
	memset(op, 0, sizeof(*op));
	if (!parse_domid(argv[0], &op->domid))
		return -1;
	int err = noxs_op(c, NOXSOP_get_page);
	if (!err)
		printf("noxs-frame %#" PRIx64 "\n", op->frame);
	return err;
}

static int cmd_add(struct ctx *c, int argc, char **argv)
{
	struct noxs_op_add *op = c->buf;
	unsigned long devid, be, grant, port, flags = 0;

	if (argc != 6 && argc != 7)
		return -1;
	memset(op, 0, sizeof(*op));
	if (!parse_domid(argv[0], &op->domid) ||
	    !parse_type(argv[1], &op->entry.type) ||
	    !parse_u(argv[2], 0xffff, "devid", &devid) ||
	    !parse_u(argv[3], 0xffff, "backend domid", &be) ||
	    !parse_u(argv[4], UINT32_MAX, "grant", &grant) ||
	    !parse_u(argv[5], UINT32_MAX, "evtchn", &port) ||
	    (argc == 7 && !parse_u(argv[6], 0xffff, "flags", &flags)))
		return -1;
	op->entry.devid = (uint16_t)devid;
	op->entry.be_domid = (uint16_t)be;
	op->entry.grant = (uint32_t)grant;
	op->entry.evtchn = (uint32_t)port;
	op->entry.flags = (uint16_t)flags;
	return noxs_op(c, NOXSOP_add);
}

static int cmd_remove(struct ctx *c, int argc, char **argv)
{
	struct noxs_op_remove *op = c->buf;
	unsigned long devid;

	if (argc != 3)
		return -1;
	memset(op, 0, sizeof(*op));
	if (!parse_domid(argv[0], &op->domid) ||
	    !parse_type(argv[1], &op->type) ||
	    !parse_u(argv[2], 0xffff, "devid", &devid))
		return -1;
	op->devid = (uint16_t)devid;
	return noxs_op(c, NOXSOP_remove);
}

static int cmd_list(struct ctx *c, int argc, char **argv)
{
	struct noxs_op_list *op = c->buf;

	if (argc != 1)
		return -1;
	memset(op, 0, sizeof(*op));
	if (!parse_domid(argv[0], &op->domid))
		return -1;
	int err = noxs_op(c, NOXSOP_list);
	if (!err)
		print_page(&op->page);
	return err;
}

/* Add vif entries until the page is full; the next add must say ENOSPC. */
static int cmd_fill(struct ctx *c, int argc, char **argv)
{
	struct noxs_op_add *op = c->buf;
	uint16_t domid;
	unsigned long be, port, added = 0;
	int err = 0;

	if (argc != 3 || !parse_domid(argv[0], &domid) ||
	    !parse_u(argv[1], 0xffff, "backend domid", &be) ||
	    !parse_u(argv[2], UINT32_MAX, "evtchn", &port))
		return -1;
	for (unsigned long devid = 0; devid <= NOXS_DEVID_MAX; devid++) {
		memset(op, 0, sizeof(*op));
		op->domid = domid;
		op->entry.type = NOXS_DEV_VIF;
		op->entry.devid = (uint16_t)devid;
		op->entry.be_domid = (uint16_t)be;
		op->entry.grant = NOXS_GRANT_MIN + (uint32_t)devid;
		op->entry.evtchn = (uint32_t)port;
		err = noxs_op(c, NOXSOP_add);
		if (err == EEXIST)
			continue;
		if (err)
			break;
		added++;
	}
	printf("noxs-fill added=%lu stopped=%s\n", added,
	       err ? errname(err) : "none");
	return err == ENOSPC ? 0 : (err ? err : EINVAL);
}

/*
 * Map a domain's device page into dom0 through privcmd. Read-only must
 * work and show the header; writable must be refused by the hypervisor.
 */
static int cmd_map(struct ctx *c, int argc, char **argv)
{
	struct noxs_op_get_page *op = c->buf;
	bool rw;

	if (argc != 2 || (strcmp(argv[1], "ro") && strcmp(argv[1], "rw")))
		return -1;
	rw = !strcmp(argv[1], "rw");
	memset(op, 0, sizeof(*op));
	if (!parse_domid(argv[0], &op->domid))
		return -1;
	int err = noxs_op(c, NOXSOP_get_page);
	if (err)
		return err;

	long psize = sysconf(_SC_PAGESIZE);
	int prot = PROT_READ | (rw ? PROT_WRITE : 0);
	void *addr = mmap(NULL, (size_t)psize, prot, MAP_SHARED, c->fd, 0);
	if (addr == MAP_FAILED) {
		fprintf(stderr, "noxs-tool: mmap privcmd: %s\n",
			strerror(errno));
		return errno;
	}
	xen_pfn_t gfn = (xen_pfn_t)op->frame;
	int map_err = 0;
	privcmd_mmapbatch_v2_t batch = {
		.num = 1,
		.dom = op->domid == NOXS_DOMID_SELF ? DOMID_SELF : op->domid,
		.addr = (uint64_t)(uintptr_t)addr,
		.arr = &gfn,
		.err = &map_err,
	};
	/* A per-frame failure leaves the ioctl at 0 and sets map_err. */
	if (ioctl(c->fd, IOCTL_PRIVCMD_MMAPBATCH_V2, &batch) < 0)
		err = map_err ? -map_err : errno;
	else if (map_err)
		err = -map_err;
	if (!err) {
		const struct noxs_page *p = addr;
		printf("noxs-map %s ok frame=%#" PRIx64 " magic=%#" PRIx32
		       " count=%u gen=%" PRIu32 "\n",
		       argv[1], op->frame, p->hdr.magic, p->hdr.count,
		       p->hdr.generation);
	}
	munmap(addr, (size_t)psize);
	return err;
}

/* Returns 0 or a positive errno from an event channel op on c->buf. */
static int evtchn_op(struct ctx *c, unsigned int cmd)
{
	privcmd_hypercall_t hc = {
		.op = EVENT_CHANNEL_OP,
		.arg = { cmd, (uint64_t)(uintptr_t)c->buf },
	};

	if (ioctl(c->fd, IOCTL_PRIVCMD_HYPERCALL, &hc) < 0)
		return errno;
	return 0;
}

/* A dom0 port unbound for DOMID, as a backend opens one for a device. */
static int cmd_port(struct ctx *c, int argc, char **argv)
{
	struct evtchn_alloc_unbound *op = c->buf;
	uint16_t domid;

	if (argc != 1 || !parse_domid(argv[0], &domid) ||
	    domid == NOXS_DOMID_SELF)
		return -1;
	memset(op, 0, sizeof(*op));
	op->dom = DOMID_SELF;
	op->remote_dom = domid;
	int err = evtchn_op(c, EVTCHNOP_alloc_unbound);
	if (!err)
		printf("noxs-port %" PRIu32 "\n", (uint32_t)op->port);
	return err;
}

static int cmd_close(struct ctx *c, int argc, char **argv)
{
	struct evtchn_close *op = c->buf;
	unsigned long port;

	if (argc != 1 || !parse_u(argv[0], UINT32_MAX, "port", &port))
		return -1;
	memset(op, 0, sizeof(*op));
	op->port = (evtchn_port_t)port;
	return evtchn_op(c, EVTCHNOP_close);
}

/* Raw op: send arbitrary bytes, to probe validation of every field. */
static int cmd_raw(struct ctx *c, int argc, char **argv)
{
	unsigned long op;
	const char *hex;
	size_t n = 0;

	if (argc != 2 || !parse_u(argv[0], UINT_MAX, "op", &op))
		return -1;
	memset(c->buf, 0, BUF_SIZE);
	for (hex = argv[1]; hex[0] && hex[1] && n < BUF_SIZE; hex += 2) {
		unsigned int b;
		if (sscanf(hex, "%2x", &b) != 1) {
			fprintf(stderr, "noxs-tool: bad hex '%s'\n", argv[1]);
			return -1;
		}
		((uint8_t *)c->buf)[n++] = (uint8_t)b;
	}
	if (*hex) {
		fprintf(stderr, "noxs-tool: odd hex length\n");
		return -1;
	}
	return noxs_op(c, (unsigned int)op);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct ctx *, int, char **);
	} cmds[] = {
		{ "get-page", cmd_get_page }, { "add", cmd_add },
		{ "remove", cmd_remove },     { "list", cmd_list },
		{ "fill", cmd_fill },	      { "map", cmd_map },
		{ "raw", cmd_raw },	      { "port", cmd_port },
		{ "close", cmd_close },
	};
	int expect = 0;
	struct ctx c;

	if (argc > 2 && !strcmp(argv[1], "--expect")) {
		expect = errnum(argv[2]);
		if (!expect) {
			fprintf(stderr, "noxs-tool: unknown error name '%s'\n",
				argv[2]);
			return 2;
		}
		argc -= 2;
		argv += 2;
	}
	if (argc < 2)
		return usage();

	c.fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
	if (c.fd < 0)
		c.fd = open("/proc/xen/privcmd", O_RDWR | O_CLOEXEC);
	if (c.fd < 0) {
		fprintf(stderr, "noxs-tool: open privcmd: %s\n",
			strerror(errno));
		return 1;
	}
	c.buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c.buf == MAP_FAILED || mlock(c.buf, BUF_SIZE) < 0) {
		fprintf(stderr, "noxs-tool: hypercall buffer: %s\n",
			strerror(errno));
		close(c.fd);
		return 1;
	}

	int rc = -1;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			rc = cmds[i].fn(&c, argc - 2, argv + 2);
	munlock(c.buf, BUF_SIZE);
	munmap(c.buf, BUF_SIZE);
	close(c.fd);

	if (rc < 0)
		return usage();
	if (expect) {
		if (rc == expect) {
			printf("noxs-tool: %s failed with %s as expected\n",
			       argv[1], errname(rc));
			return 0;
		}
		fprintf(stderr, "noxs-tool: %s: expected %s, got %s\n", argv[1],
			errname(expect), rc ? errname(rc) : "success");
		return 1;
	}
	if (rc) {
		fprintf(stderr, "noxs-tool: %s: %s (%s)\n", argv[1],
			strerror(rc), errname(rc));
		return 1;
	}
	return 0;
}
