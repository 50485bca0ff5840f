// SPDX-License-Identifier: MIT
/*
 * noxsctl: drive /dev/noxs by hand or from rig scenarios.
 *
 *   noxsctl version | stats | list [DOMID]
 *   noxsctl create DOMID TYPE DEVID
 *   noxsctl query DOMID TYPE DEVID
 *   noxsctl destroy DOMID TYPE DEVID [TIMEOUT_MS]
 *   noxsctl destroy-all DOMID [TIMEOUT_MS]
 *   noxsctl power DOMID DEVID poweroff|reboot|suspend [TIMEOUT_MS]
 *   noxsctl cycle DOMID COUNT        create + destroy power/0 COUNT times
 *   noxsctl badargs DOMID            malformed requests must all be refused
 *   noxsctl vif DOMID DEVID MAC [ip=A.B.C.D/N] [gw=A.B.C.D] [bridge=BR]
 *                                    create a vif (net device vifDOMID.DEVID)
 *   noxsctl vif DOMID DEVID unconfigured
 *                                    create a vif whose settings come later
 *   noxsctl vif DOMID DEVID ahead [BRIDGE]
 *                                    the same, with its net device now, on
 *                                    BRIDGE (default: xendevd's choice)
 *   noxsctl vif-config DOMID DEVID MAC [options as for vif]
 *                                    give such a vif its settings
 *   noxsctl netfe DEVID MODE [ARG...] play the guest of vif (0, DEVID);
 *                                    see netfe.c
 *   noxsctl fe DEVID MODE [ARG...]   play the guest of power device
 *                                    (0, DEVID); needs the module's
 *                                    loopback=1 parameter. Modes:
 *       serve SECONDS ERRNO    answer requests with -ERRNO (0: done)
 *       garbage KIND [HOLD]    write garbage, keep the page mapped HOLD s
 *       flood COUNT            COUNT notifications that change nothing
 *
 * TYPE is power, console or vif (or a number). Errors print one line
 * "noxsctl: <what>: <strerror> (<ERRNO>)" and exit 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <xen/xen.h>		/* domid_t, for the two below */
#include <xen/grant_table.h>	/* grant_ref_t */
#include <xen/sys/evtchn.h>
#include <xen/sys/gntdev.h>

#include "noxsctl.h"

static int noxs_fd = -1;

static const char *errno_name(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EALREADY: return "EALREADY";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case ENOSPC: return "ENOSPC";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENOTCONN: return "ENOTCONN";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ECONNRESET: return "ECONNRESET";
	case EACCES: return "EACCES";
	case ENODEV: return "ENODEV";
	case EXDEV: return "EXDEV";
	}
	return "E?";
}

void die_errno(const char *what)
{
	int e = errno;

	fprintf(stderr, "noxsctl: %s: %s (%s)\n", what, strerror(e),
		errno_name(e));
	exit(1);
}

void die(const char *fmt, ...)
{
	va_list ap;

	fputs("noxsctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

unsigned long parse_num(const char *s, const char *what, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > max || s[0] == '-')
		die("bad %s '%s'", what, s);
	return v;
}

static uint16_t parse_domid(const char *s)
{
	return (uint16_t)parse_num(s, "domid", 0xffff);
}

static uint16_t parse_type(const char *s)
{
	if (!strcmp(s, "power"))
		return NOXS_DEV_POWER;
	if (!strcmp(s, "console"))
		return NOXS_DEV_CONSOLE;
	if (!strcmp(s, "vif"))
		return NOXS_DEV_VIF;
	return (uint16_t)parse_num(s, "type", 0xffff);
}

static const char *type_name(unsigned int type)
{
	static const char *const names[] = { "none", "power", "console",
					     "vif" };

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

const char *state_name(unsigned int s)
{
	static const char *const names[] = {
		"Unknown", "Initialising", "InitWait", "Initialised",
		"Connected", "Closing", "Closed",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static void noxs_open(void)
{
	noxs_fd = open(NOXS_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (noxs_fd < 0)
		die_errno("open " NOXS_DEVICE_PATH);
}

int noxs_ioctl(unsigned long cmd, void *arg)
{
	return ioctl(noxs_fd, cmd, arg);
}

static void print_info(const struct noxs_ioc_info *i)
{
	printf("dom %u type %s devid %u be %s fe %s grant %u evtchn %u "
	       "error %u req_seq %u ack_seq %u reply %d events %" PRIu64
	       " flags 0x%x\n",
	       i->domid, type_name(i->type), i->devid,
	       state_name(i->be_state), state_name(i->fe_state), i->grant,
	       i->evtchn, i->error, i->req_seq, i->ack_seq, i->reply,
	       i->events, i->flags);
}

static int cmd_version(void)
{
	struct noxs_ioc_version v;

	memset(&v, 0, sizeof(v));
	if (noxs_ioctl(NOXS_IOC_VERSION, &v))
		die_errno("version");
	printf("ioctl %u abi %u ctrl %u max_devices %u\n", v.ioctl_version,
	       v.abi_version, v.ctrl_version, v.max_devices);
	return 0;
}

static int cmd_stats(void)
{
	struct noxs_ioc_stats s;

	memset(&s, 0, sizeof(s));
	if (noxs_ioctl(NOXS_IOC_STATS, &s))
		die_errno("stats");
	printf("devices %u grants %u ports %u irqs %u created %" PRIu64
	       " destroyed %" PRIu64 " closed_by_error %" PRIu64
	       " grants_deferred %" PRIu64 "\n",
	       s.devices, s.grants, s.ports, s.irqs, s.created, s.destroyed,
	       s.closed_by_error, s.grants_deferred);
	return 0;
}

static int create(uint16_t domid, uint16_t type, uint16_t devid,
		  struct noxs_ioc_create *c)
{
	memset(c, 0, sizeof(*c));
	c->domid = domid;
	c->type = type;
	c->devid = devid;
	return noxs_ioctl(NOXS_IOC_CREATE, c);
}

static int destroy(uint16_t domid, uint16_t type, uint16_t devid,
		   uint16_t flags, uint32_t timeout_ms, uint32_t *count)
{
	struct noxs_ioc_destroy d;

	memset(&d, 0, sizeof(d));
	d.domid = domid;
	d.type = type;
	d.devid = devid;
	d.flags = flags;
	d.timeout_ms = timeout_ms;
	if (noxs_ioctl(NOXS_IOC_DESTROY, &d))
		return -1;
	if (count)
		*count = d.count;
	return 0;
}

int query(uint16_t domid, uint16_t type, uint16_t devid,
	  struct noxs_ioc_info *i)
{
	memset(i, 0, sizeof(*i));
	i->domid = domid;
	i->type = type;
	i->devid = devid;
	return noxs_ioctl(NOXS_IOC_QUERY, i);
}

static int cmd_list(uint16_t domid)
{
	struct noxs_ioc_list l;
	struct noxs_ioc_info *v = NULL;
	uint32_t cap = 0;

	/* Ask for the count, then fetch; retry if devices appeared. */
	for (;;) {
		memset(&l, 0, sizeof(l));
		l.domid = domid;
		l.count = cap;
		l.entries = (uintptr_t)v;
		if (noxs_ioctl(NOXS_IOC_LIST, &l))
			die_errno("list");
		if (l.count <= cap)
			break;
		cap = l.count;
		free(v);
		v = calloc(cap, sizeof(*v));
		if (!v)
			die("out of memory");
	}
	for (uint32_t n = 0; n < l.count; n++)
		print_info(&v[n]);
	free(v);
	return 0;
}

static int cmd_power(uint16_t domid, uint16_t devid, const char *what,
		     uint32_t timeout_ms)
{
	struct noxs_ioc_power p;
	double t0;

	memset(&p, 0, sizeof(p));
	p.domid = domid;
	p.devid = devid;
	p.timeout_ms = timeout_ms;
	if (!strcmp(what, "poweroff"))
		p.request = NOXS_POWER_POWEROFF;
	else if (!strcmp(what, "reboot"))
		p.request = NOXS_POWER_REBOOT;
	else if (!strcmp(what, "suspend"))
		p.request = NOXS_POWER_SUSPEND;
	else
		die("bad power request '%s'", what);
	t0 = now_s();
	if (noxs_ioctl(NOXS_IOC_POWER, &p)) {
		int e = errno;

		/* The kernel's own time, without this process's start-up. */
		fprintf(stderr, "noxsctl: power: %s (%s) after %.0f ms\n",
			strerror(e), errno_name(e), (now_s() - t0) * 1000);
		return 1;
	}
	printf("reply %d\n", p.reply);
	return 0;
}

static int cmd_cycle(uint16_t domid, unsigned long count)
{
	struct noxs_ioc_create c;

	for (unsigned long n = 0; n < count; n++) {
		if (create(domid, NOXS_DEV_POWER, 0, &c))
			die_errno("cycle: create");
		if (destroy(domid, NOXS_DEV_POWER, 0, 0, 0, NULL))
			die_errno("cycle: destroy");
	}
	printf("cycles %lu\n", count);
	return 0;
}

static void parse_ipv4(const char *s, uint32_t *out, const char *what)
{
	if (inet_pton(AF_INET, s, out) != 1)
		die("bad %s '%s'", what, s);
}

/* MAC [ip=A.B.C.D/N] [mask=A.B.C.D] [gw=A.B.C.D] [bridge=BR] */
static void parse_vif_params(int argc, char **argv, struct noxs_vif_params *p)
{
	unsigned int m[6];
	char tail;

	memset(p, 0, sizeof(*p));
	if (sscanf(argv[0], "%x:%x:%x:%x:%x:%x%c", &m[0], &m[1], &m[2],
		   &m[3], &m[4], &m[5], &tail) != 6)
		die("bad MAC '%s'", argv[0]);
	for (int n = 0; n < 6; n++) {
		if (m[n] > 0xff)
			die("bad MAC '%s'", argv[0]);
		p->mac[n] = (uint8_t)m[n];
	}
	for (int n = 1; n < argc; n++) {
		const char *a = argv[n];

		if (!strncmp(a, "ip=", 3)) {
			char buf[32];
			char *slash;
			unsigned long len = 32;

			snprintf(buf, sizeof(buf), "%s", a + 3);
			slash = strchr(buf, '/');
			if (slash) {
				*slash = 0;
				len = parse_num(slash + 1, "prefix", 32);
			}
			parse_ipv4(buf, &p->ipv4_addr, "address");
			p->ipv4_netmask = len ? htonl(~0u << (32 - len)) : 0;
		} else if (!strncmp(a, "mask=", 5)) {
			/* Any netmask, even a bad one: the module judges. */
			parse_ipv4(a + 5, &p->ipv4_netmask, "netmask");
		} else if (!strncmp(a, "gw=", 3)) {
			parse_ipv4(a + 3, &p->ipv4_gateway, "gateway");
		} else if (!strncmp(a, "bridge=", 7)) {
			/* Copied as is (up to 16 bytes): the module judges. */
			memcpy(p->bridge, a + 7,
			       strnlen(a + 7, sizeof(p->bridge)));
		} else {
			die("bad vif option '%s'", a);
		}
	}
}

/* vif DOMID DEVID (MAC [options] | unconfigured | ahead [BRIDGE]) */
static int cmd_vif(int argc, char **argv)
{
	struct noxs_ioc_create c;
	struct noxs_vif_params p;

	memset(&c, 0, sizeof(c));
	c.domid = parse_domid(argv[0]);
	c.type = NOXS_DEV_VIF;
	c.devid = (uint16_t)parse_num(argv[1], "devid", 0xffff);
	if (argc == 3 && !strcmp(argv[2], "unconfigured")) {
		c.flags = NOXS_CREATE_F_UNCONFIGURED;
	} else if ((argc == 3 || argc == 4) && !strcmp(argv[2], "ahead")) {
		c.flags = NOXS_CREATE_F_UNCONFIGURED |
			  NOXS_CREATE_F_NETDEV_AHEAD;
		memset(&p, 0, sizeof(p));
		/* Copied as is (up to 16 bytes): the module judges. */
		if (argc == 4)
			memcpy(p.bridge, argv[3],
			       strnlen(argv[3], sizeof(p.bridge)));
		memcpy(c.params, &p, sizeof(p));
	} else {
		parse_vif_params(argc - 2, argv + 2, &p);
		memcpy(c.params, &p, sizeof(p));
	}
	if (noxs_ioctl(NOXS_IOC_CREATE, &c))
		die_errno("create vif");
	printf("grant %u evtchn %u\n", c.grant, c.evtchn);
	return 0;
}

/* vif-config DOMID DEVID MAC [options] */
static int cmd_vif_config(int argc, char **argv)
{
	struct noxs_ioc_vif_config c;
	struct noxs_vif_params p;

	memset(&c, 0, sizeof(c));
	c.domid = parse_domid(argv[0]);
	c.devid = (uint16_t)parse_num(argv[1], "devid", 0xffff);
	parse_vif_params(argc - 2, argv + 2, &p);
	memcpy(c.params, &p, sizeof(p));
	if (noxs_ioctl(NOXS_IOC_VIF_CONFIG, &c))
		die_errno("vif-config");
	return 0;
}

/* One malformed request: it must fail with want. */
static int expect(const char *what, unsigned long cmd, void *arg, int want)
{
	int ret = noxs_ioctl(cmd, arg);
	int got = ret ? errno : 0;

	printf("%-34s %-10s %s\n", what, ret ? errno_name(got) : "success",
	       got == want ? "ok" : "WRONG");
	return got == want ? 0 : 1;
}

static int cmd_badargs(uint16_t domid)
{
	struct noxs_ioc_create c;
	struct noxs_ioc_destroy d;
	struct noxs_ioc_info i;
	struct noxs_ioc_list l;
	struct noxs_ioc_power p;
	int bad = 0;

#define C_INIT() do { memset(&c, 0, sizeof(c)); c.domid = domid; \
		c.type = NOXS_DEV_POWER; c.devid = 7; } while (0)
	C_INIT(); c.domid = 0;
	bad += expect("create domid 0", NOXS_IOC_CREATE, &c, EINVAL);
	C_INIT(); c.domid = NOXS_DOMID_MAX;
	bad += expect("create domid 0x7ff0", NOXS_IOC_CREATE, &c, EINVAL);
	C_INIT(); c.devid = NOXS_DEVID_MAX + 1;
	bad += expect("create devid 256", NOXS_IOC_CREATE, &c, EINVAL);
	C_INIT(); c.type = NOXS_DEV_NONE;
	bad += expect("create type none", NOXS_IOC_CREATE, &c, EINVAL);
	C_INIT(); c.type = NOXS_DEV_TYPE_MAX + 1;
	bad += expect("create type 4", NOXS_IOC_CREATE, &c, EINVAL);
	C_INIT(); c.type = NOXS_DEV_CONSOLE;
	bad += expect("create console (not yet)", NOXS_IOC_CREATE, &c,
		      EOPNOTSUPP);
	C_INIT(); c.type = NOXS_DEV_VIF;
	bad += expect("create vif zero MAC", NOXS_IOC_CREATE, &c, EINVAL);
	C_INIT(); c.flags = 1;
	bad += expect("create flags", NOXS_IOC_CREATE, &c, EINVAL);
	C_INIT(); c.type = NOXS_DEV_VIF; c.flags = NOXS_CREATE_F_NETDEV_AHEAD;
	bad += expect("create vif ahead, configured", NOXS_IOC_CREATE, &c,
		      EINVAL);
	C_INIT(); c.type = NOXS_DEV_VIF; c.flags = 1u << 2;
	bad += expect("create vif unknown flag", NOXS_IOC_CREATE, &c, EINVAL);
	C_INIT(); c.type = NOXS_DEV_VIF;
	c.flags = NOXS_CREATE_F_UNCONFIGURED | NOXS_CREATE_F_NETDEV_AHEAD;
	c.params[0] = 0x02;	/* a MAC: only the bridge may be set ahead */
	bad += expect("create vif ahead with a MAC", NOXS_IOC_CREATE, &c,
		      EINVAL);
	C_INIT(); c.type = NOXS_DEV_VIF;
	c.flags = NOXS_CREATE_F_UNCONFIGURED | NOXS_CREATE_F_NETDEV_AHEAD;
	memcpy(c.params + offsetof(struct noxs_vif_params, bridge), "b/r", 3);
	bad += expect("create vif ahead, bad bridge", NOXS_IOC_CREATE, &c,
		      EINVAL);
	C_INIT(); c.type = NOXS_DEV_VIF; c.flags = NOXS_CREATE_F_UNCONFIGURED;
	memcpy(c.params + offsetof(struct noxs_vif_params, bridge), "br0", 3);
	bad += expect("create vif unconfigured, a bridge", NOXS_IOC_CREATE,
		      &c, EINVAL);
	C_INIT(); c.reserved[1] = 1;
	bad += expect("create reserved", NOXS_IOC_CREATE, &c, EINVAL);
	C_INIT(); c.params[63] = 1;
	bad += expect("create power params", NOXS_IOC_CREATE, &c, EINVAL);
	C_INIT(); c.grant = 1;
	bad += expect("create grant not zero", NOXS_IOC_CREATE, &c, EINVAL);
	bad += expect("create bad pointer", NOXS_IOC_CREATE, (void *)8,
		      EFAULT);
	C_INIT();
	bad += expect("create good", NOXS_IOC_CREATE, &c, 0);
	C_INIT();
	bad += expect("create duplicate", NOXS_IOC_CREATE, &c, EEXIST);

	memset(&d, 0, sizeof(d));
	d.domid = domid; d.type = NOXS_DEV_POWER; d.devid = 8;
	bad += expect("destroy missing", NOXS_IOC_DESTROY, &d, ENOENT);
	d.devid = 7; d.timeout_ms = NOXS_TIMEOUT_MAX_MS + 1;
	bad += expect("destroy timeout too long", NOXS_IOC_DESTROY, &d,
		      EINVAL);
	d.timeout_ms = 0; d.flags = NOXS_DESTROY_F_ALL;
	bad += expect("destroy all with devid", NOXS_IOC_DESTROY, &d, EINVAL);
	d.flags = 0x8000;
	bad += expect("destroy unknown flag", NOXS_IOC_DESTROY, &d, EINVAL);

	memset(&i, 0, sizeof(i));
	i.domid = domid; i.type = NOXS_DEV_POWER; i.devid = 7; i.grant = 1;
	bad += expect("query output not zero", NOXS_IOC_QUERY, &i, EINVAL);
	i.grant = 0; i.devid = 9;
	bad += expect("query missing", NOXS_IOC_QUERY, &i, ENOENT);

	memset(&l, 0, sizeof(l));
	l.domid = NOXS_LIST_ALL_DOMAINS; l.count = 4; l.entries = 8;
	bad += expect("list bad pointer", NOXS_IOC_LIST, &l, EFAULT);
	memset(&l, 0, sizeof(l));
	l.domid = NOXS_LIST_ALL_DOMAINS; l.pad[2] = 1;
	bad += expect("list pad", NOXS_IOC_LIST, &l, EINVAL);

	memset(&p, 0, sizeof(p));
	p.domid = domid; p.devid = 7; p.request = NOXS_POWER_NONE;
	bad += expect("power request none", NOXS_IOC_POWER, &p, EINVAL);
	p.request = NOXS_POWER_SUSPEND + 1;
	bad += expect("power request 4", NOXS_IOC_POWER, &p, EINVAL);
	p.request = NOXS_POWER_REBOOT; p.reserved[0] = 1;
	bad += expect("power reserved", NOXS_IOC_POWER, &p, EINVAL);
	p.reserved[0] = 0; p.devid = 9;
	bad += expect("power missing device", NOXS_IOC_POWER, &p, ENOENT);

	bad += expect("unknown ioctl", _IO(NOXS_IOC_MAGIC, 0xff), &p, ENOTTY);

	memset(&d, 0, sizeof(d));
	d.domid = domid; d.type = NOXS_DEV_POWER; d.devid = 7;
	bad += expect("destroy good", NOXS_IOC_DESTROY, &d, 0);
	bad += expect("destroy count not zero", NOXS_IOC_DESTROY, &d, EINVAL);
	d.count = 0;
	bad += expect("destroy twice", NOXS_IOC_DESTROY, &d, ENOENT);
#undef C_INIT
	printf("badargs %s\n", bad ? "FAILED" : "passed");
	return bad ? 1 : 0;
}

/* ---- fe: a frontend in dom0, through gntdev and evtchn ---- */

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void fe_notify_port(struct fe *f, unsigned int port)
{
	struct ioctl_evtchn_notify n = { .port = port };

	if (ioctl(f->evt_fd, IOCTL_EVTCHN_NOTIFY, &n))
		die_errno("fe: notify");
}

void fe_notify(struct fe *f)
{
	fe_notify_port(f, f->port);
}

/* Wait up to timeout_s for one event; true if one came. */
bool fe_wait(struct fe *f, double timeout_s)
{
	struct pollfd pfd = { .fd = f->evt_fd, .events = POLLIN };
	unsigned int port;
	int ret;

	ret = poll(&pfd, 1, (int)(timeout_s * 1000));
	if (ret < 0 && errno != EINTR)
		die_errno("fe: poll");
	if (ret <= 0)
		return false;
	if (read(f->evt_fd, &port, sizeof(port)) != sizeof(port))
		die_errno("fe: read event");
	/* Unmask it again. */
	if (write(f->evt_fd, &port, sizeof(port)) != sizeof(port))
		die_errno("fe: unmask event");
	return true;
}

void fe_attach(struct fe *f, uint16_t type, uint16_t devid)
{
	struct ioctl_gntdev_map_grant_ref map;
	struct ioctl_evtchn_bind_interdomain bind;
	struct noxs_ioc_info i;
	void *p;
	int ret;

	f->devid = devid;
	f->type = type;
	if (query(0, type, devid, &i))
		die_errno("fe: query device of domain 0");

	f->gnt_fd = open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
	if (f->gnt_fd < 0)
		die_errno("fe: open /dev/xen/gntdev");
	memset(&map, 0, sizeof(map));
	map.count = 1;
	map.refs[0].domid = 0;
	map.refs[0].ref = i.grant;
	if (ioctl(f->gnt_fd, IOCTL_GNTDEV_MAP_GRANT_REF, &map))
		die_errno("fe: map grant");
	p = mmap(NULL, NOXS_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 f->gnt_fd, (off_t)map.index);
	if (p == MAP_FAILED)
		die_errno("fe: mmap grant");
	f->page = p;

	f->evt_fd = open("/dev/xen/evtchn", O_RDWR | O_CLOEXEC);
	if (f->evt_fd < 0)
		die_errno("fe: open /dev/xen/evtchn");
	bind.remote_domain = 0;
	bind.remote_port = i.evtchn;
	ret = ioctl(f->evt_fd, IOCTL_EVTCHN_BIND_INTERDOMAIN, &bind);
	if (ret < 0)
		die_errno("fe: bind event channel");
	f->port = (unsigned int)ret;

	if (f->page->hdr.magic != NOXS_CTRL_MAGIC ||
	    f->page->hdr.type != type)
		die("fe: control page has magic 0x%x type %u", f->page->hdr.magic,
		    f->page->hdr.type);
	printf("fe: attached grant %u port %u be %s\n", i.grant, f->port,
	       state_name(f->page->hdr.be_state));
}

void fe_set_state(struct fe *f, uint32_t state)
{
	f->page->hdr.fe_state = state;
	__sync_synchronize();
	fe_notify(f);
}

/* Wait for the backend to reach state; false on timeout. */
bool fe_await_be(struct fe *f, uint32_t state, double timeout_s)
{
	double end = now_s() + timeout_s;

	while (f->page->hdr.be_state != state) {
		double left = end - now_s();

		if (left <= 0)
			return false;
		fe_wait(f, left < 0.1 ? left : 0.1);
	}
	return true;
}

/*
 * serve SECONDS REPLY: connect, answer power requests with REPLY, answer
 * Closing with Closed; stop after SECONDS or once closed.
 */
static int fe_serve(struct fe *f, double seconds, int32_t reply)
{
	double end = now_s() + seconds;
	volatile struct noxs_ctrl_power *pw = &f->page->u.power;
	unsigned int answered = 0;

	fe_set_state(f, NOXS_STATE_INITIALISING);
	fe_set_state(f, NOXS_STATE_CONNECTED);
	if (!fe_await_be(f, NOXS_STATE_CONNECTED, 5))
		die("fe: backend did not connect (be %s)",
		    state_name(f->page->hdr.be_state));
	printf("fe: connected\n");
	fflush(stdout);
	while (now_s() < end) {
		uint32_t be = f->page->hdr.be_state;
		uint32_t seq = pw->req_seq;

		if (seq != pw->ack_seq) {
			__sync_synchronize();
			printf("fe: request %u seq %u -> reply %d\n",
			       pw->request, seq, reply);
			pw->reply = reply;
			__sync_synchronize();
			pw->ack_seq = seq;
			fe_notify(f);
			answered++;
		}
		if (be == NOXS_STATE_CLOSING || be == NOXS_STATE_CLOSED) {
			fe_set_state(f, NOXS_STATE_CLOSED);
			printf("fe: backend %s, answered Closed\n",
			       state_name(be));
			break;
		}
		fflush(stdout);
		fe_wait(f, 0.2);
	}
	printf("fe: done, %u requests answered\n", answered);
	return 0;
}

/*
 * garbage KIND: connect, then write one illegal thing; the backend must
 * answer Closed. Stays mapped HOLD seconds after (deferred revocation).
 */
static int fe_garbage(struct fe *f, const char *kind, double hold)
{
	volatile struct noxs_ctrl_page *p = f->page;

	fe_set_state(f, NOXS_STATE_CONNECTED);
	if (!fe_await_be(f, NOXS_STATE_CONNECTED, 5))
		die("fe: backend did not connect");
	if (!strcmp(kind, "state"))
		p->hdr.fe_state = 99;
	else if (!strcmp(kind, "initwait"))
		p->hdr.fe_state = NOXS_STATE_INITWAIT;
	else if (!strcmp(kind, "backwards"))
		p->hdr.fe_state = NOXS_STATE_INITIALISING;
	else if (!strcmp(kind, "magic"))
		p->hdr.magic = 0xdeadbeef;
	else if (!strcmp(kind, "be_state"))
		p->hdr.be_state = NOXS_STATE_CLOSING;
	else if (!strcmp(kind, "reserved"))
		p->hdr.reserved[3] = 1;
	else if (!strcmp(kind, "req_seq"))
		p->u.power.req_seq = 1000;
	else if (!strcmp(kind, "ack_seq"))
		p->u.power.ack_seq = 12345;
	else if (!strcmp(kind, "random"))
		for (size_t n = 0; n < 128; n++)
			((volatile uint8_t *)p)[n] = (uint8_t)rand();
	else
		die("fe: unknown garbage '%s'", kind);
	__sync_synchronize();
	fe_notify(f);
	printf("fe: wrote garbage '%s'\n", kind);
	/* The guest's own be_state field may be garbage: ask the module. */
	for (double end = now_s() + 3; now_s() < end;) {
		struct noxs_ioc_info i;

		fe_wait(f, 0.05);
		if (query(0, NOXS_DEV_POWER, f->devid, &i))
			die_errno("fe: query");
		if (i.be_state == NOXS_STATE_CLOSED) {
			printf("fe: backend closed the device, error %u\n",
			       i.error);
			fflush(stdout);
			if (hold > 0)
				sleep((unsigned int)hold);
			return 0;
		}
	}
	die("fe: backend did not close the device after garbage");
	return 1;
}

/* flood COUNT: COUNT notifications that change nothing, as fast as can be. */
static int fe_flood(struct fe *f, unsigned long count)
{
	double t0;

	fe_set_state(f, NOXS_STATE_CONNECTED);
	if (!fe_await_be(f, NOXS_STATE_CONNECTED, 5))
		die("fe: backend did not connect");
	t0 = now_s();
	for (unsigned long n = 0; n < count; n++)
		fe_notify(f);
	printf("fe: %lu notifications in %.3f s\n", count, now_s() - t0);
	return 0;
}

static int cmd_fe(int argc, char **argv)
{
	struct fe f;
	uint16_t devid;

	if (argc < 2)
		die("usage: fe DEVID serve SECONDS REPLY | garbage KIND [HOLD]"
		    " | flood COUNT");
	devid = (uint16_t)parse_num(argv[0], "devid", NOXS_DEVID_MAX);
	fe_attach(&f, NOXS_DEV_POWER, devid);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "serve") && argc == 4)
		return fe_serve(&f, (double)parse_num(argv[2], "seconds", 600),
				-(int32_t)parse_num(argv[3], "reply", 4095));
	if (!strcmp(argv[1], "garbage") && (argc == 3 || argc == 4))
		return fe_garbage(&f, argv[2], argc == 4 ?
				  (double)parse_num(argv[3], "hold", 600) : 0);
	if (!strcmp(argv[1], "flood") && argc == 3)
		return fe_flood(&f, parse_num(argv[2], "count", 100000000));
	die("bad fe mode");
	return 1;
}

static void usage(void)
{
	fputs("usage: noxsctl version | stats | list [DOMID]\n"
	      "       noxsctl create|query DOMID TYPE DEVID\n"
	      "       noxsctl destroy DOMID TYPE DEVID [TIMEOUT_MS]\n"
	      "       noxsctl destroy-all DOMID [TIMEOUT_MS]\n"
	      "       noxsctl power DOMID DEVID poweroff|reboot|suspend"
	      " [TIMEOUT_MS]\n"
	      "       noxsctl cycle DOMID COUNT | badargs DOMID\n"
	      "       noxsctl fe DEVID serve SECONDS REPLY | garbage KIND"
	      " [HOLD] | flood COUNT\n"
	      "       noxsctl vif DOMID DEVID MAC [ip=A.B.C.D/N] [gw=A.B.C.D]"
	      " [bridge=BR]\n"
	      "       noxsctl vif DOMID DEVID unconfigured\n"
	      "       noxsctl vif DOMID DEVID ahead [BRIDGE]\n"
	      "       noxsctl vif-config DOMID DEVID MAC [ip=A.B.C.D/N]"
	      " [gw=A.B.C.D] [bridge=BR]\n"
	      "       noxsctl netfe DEVID ping SRC_IP DST_IP COUNT | flood SECONDS"
	      " | evflood COUNT | hostile KIND\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2)
		usage();
	cmd = argv[1];
	argc -= 2;
	argv += 2;
	noxs_open();

	if (!strcmp(cmd, "version") && argc == 0)
		return cmd_version();
	if (!strcmp(cmd, "stats") && argc == 0)
		return cmd_stats();
	if (!strcmp(cmd, "list") && argc <= 1)
		return cmd_list(argc ? parse_domid(argv[0]) :
				NOXS_LIST_ALL_DOMAINS);
	if (!strcmp(cmd, "create") && argc == 3) {
		struct noxs_ioc_create c;

		if (create(parse_domid(argv[0]), parse_type(argv[1]),
			   (uint16_t)parse_num(argv[2], "devid", 0xffff), &c))
			die_errno("create");
		printf("grant %u evtchn %u\n", c.grant, c.evtchn);
		return 0;
	}
	if (!strcmp(cmd, "query") && argc == 3) {
		struct noxs_ioc_info i;

		if (query(parse_domid(argv[0]), parse_type(argv[1]),
			  (uint16_t)parse_num(argv[2], "devid", 0xffff), &i))
			die_errno("query");
		print_info(&i);
		return 0;
	}
	if (!strcmp(cmd, "destroy") && (argc == 3 || argc == 4)) {
		if (destroy(parse_domid(argv[0]), parse_type(argv[1]),
			    (uint16_t)parse_num(argv[2], "devid", 0xffff), 0,
			    argc == 4 ? (uint32_t)parse_num(argv[3],
				"timeout", UINT32_MAX) : 0, NULL))
			die_errno("destroy");
		return 0;
	}
	if (!strcmp(cmd, "destroy-all") && (argc == 1 || argc == 2)) {
		uint32_t count = 0;

		if (destroy(parse_domid(argv[0]), 0, 0, NOXS_DESTROY_F_ALL,
			    argc == 2 ? (uint32_t)parse_num(argv[1], "timeout",
				UINT32_MAX) : 0, &count))
			die_errno("destroy-all");
		printf("destroyed %u\n", count);
		return 0;
	}
	if (!strcmp(cmd, "power") && (argc == 3 || argc == 4))
		return cmd_power(parse_domid(argv[0]),
				 (uint16_t)parse_num(argv[1], "devid", 0xffff),
				 argv[2], argc == 4 ?
				 (uint32_t)parse_num(argv[3], "timeout",
						     UINT32_MAX) : 0);
	if (!strcmp(cmd, "cycle") && argc == 2)
		return cmd_cycle(parse_domid(argv[0]),
				 parse_num(argv[1], "count", 10000000));
	if (!strcmp(cmd, "badargs") && argc == 1)
		return cmd_badargs(parse_domid(argv[0]));
	if (!strcmp(cmd, "fe"))
		return cmd_fe(argc, argv);
	if (!strcmp(cmd, "vif") && argc >= 3)
		return cmd_vif(argc, argv);
	if (!strcmp(cmd, "vif-config") && argc >= 3)
		return cmd_vif_config(argc, argv);
	if (!strcmp(cmd, "netfe"))
		return cmd_netfe(argc, argv);
	usage();
	return 2;
}
