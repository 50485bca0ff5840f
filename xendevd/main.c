// SPDX-License-Identifier: MIT
/* xendevd: attach vif interfaces to their bridges from kernel uevents. */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "daemon.h"
#include "log.h"
#include "uevent.h"
#include "vifname.h"

#define UEVENT_RCVBUF (16 * 1024 * 1024)
#define UEVENT_MSG_MAX 8192

static const char usage[] =
"Usage: xendevd [options]\n"
"Attach vif<domid>.<n> interfaces to their bridge as they appear, from\n"
"kernel uevents (no udev, no scripts), and detach them on removal.\n"
"\n"
"  -c, --config FILE          config file (default " XD_DEFAULT_CONFIG
"; a\n"
"                             missing default file is not an error)\n"
"  -b, --default-bridge BR    bridge for vifs no rule matches\n"
"  -s, --control-socket PATH  completion socket (default "
XD_DEFAULT_CONTROL ")\n"
"      --ovsdb-socket PATH    ovsdb-server socket (default\n"
"                             " XD_DEFAULT_OVSDB ")\n"
"      --no-ovs               never talk to Open vSwitch\n"
"      --syslog               log to syslog instead of stderr\n"
"  -v, --verbose              log debug lines too\n"
"  -h, --help                 this text\n"
"\n"
"Bridge of a vif: the uevent property " XD_BRIDGE_PROP "=<bridge> if the\n"
"backend sets it, else the first config rule whose pattern matches, else\n"
"the default bridge. Linux bridges are handled through rtnetlink, Open\n"
"vSwitch bridges through OVSDB JSON-RPC. A missing bridge leaves the vif\n"
"down with one log line.\n"
"\n"
"Config file lines ('#' starts a comment):\n"
"  default-bridge <bridge>\n"
"  bridge <fnmatch pattern on the vif name> <bridge>\n"
"  ovsdb-socket <path>|none\n"
"  control-socket <path>\n"
"  control-group <group>    (may use the control socket besides root)\n"
"\n"
"Completion protocol (Unix stream socket, one request per connection;\n"
"peers must be root or in control-group, checked with SO_PEERCRED):\n"
"  -> wait vif<domid>.<n> <timeout_ms>\\n      (timeout 0..600000)\n"
"  <- attached <bridge>\\n | timeout\\n | error <reason>\\n\n"
"Users other than root hold at most 128 connections each and leave the\n"
"last 64 of 1024 to root; a request must come within 1 s of connecting.\n"
"\n"
"XenStore devices (Xen's netback and blkback, backends written by libchaos;\n"
"one naming a hotplug script, as xl's do, is left to it), instead of\n"
"vif-bridge and block:\n"
"  vif: bridge from backend/vif/<domid>/<n>/bridge if set (else as above);\n"
"       writes hotplug-status connected, or hotplug-error and error.\n"
"  vbd: reads params (block device or file) and mode (r|w); refuses a\n"
"       device another vbd uses if either writes; puts a file on a loop\n"
"       device (detached when the backend goes); writes physical-device\n"
"       (%x:%x), physical-device-path, xendevd-loop, hotplug-status.\n"
"  xenstored is contacted only when such a device shows up, or by the\n"
"  start-up/SIGHUP reconcile where /sys/bus/xen-backend exists or\n"
"  XENSTORED_PATH is set (its socket only); without it, noxs vifs work.\n"
"\n"
"Signals: SIGTERM/SIGINT stop cleanly; SIGHUP reloads the config and\n"
"retries every vif not attached, and completes XenStore vbds left over.\n";

struct options {
	const char *config;
	bool config_given;
	const char *default_bridge;
	const char *control_socket;
	const char *ovsdb_socket;
	bool no_ovs, use_syslog, verbose;
};

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "default-bridge", required_argument, NULL, 'b' },
		{ "control-socket", required_argument, NULL, 's' },
		{ "ovsdb-socket", required_argument, NULL, 'O' },
		{ "no-ovs", no_argument, NULL, 'N' },
		{ "syslog", no_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->config = XD_DEFAULT_CONFIG;
	while ((c = getopt_long(argc, argv, "c:b:s:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			o->config_given = true;
			break;
		case 'b':
			o->default_bridge = optarg;
			break;
		case 's':
			o->control_socket = optarg;
			break;
		case 'O':
			o->ovsdb_socket = optarg;
			break;
		case 'N':
			o->no_ovs = true;
			break;
		case 'S':
			o->use_syslog = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		default:
			fputs("Try 'xendevd --help'.\n", stderr);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "xendevd: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	return 0;
}

/* Defaults, then the file, then the command line. */
static int build_config(const struct options *o, struct xd_config *cfg)
{
	char err[512];

	xd_config_defaults(cfg);
	if (xd_config_load(cfg, o->config, err, sizeof(err)) < 0) {
		if (o->config_given || errno != ENOENT ||
		    access(o->config, F_OK) == 0) {
			xd_log(LOG_ERR, "%s", err);
			return -1;
		}
	}
	if (o->default_bridge) {
		if (!xd_valid_ifname(o->default_bridge)) {
			xd_log(LOG_ERR, "--default-bridge: bad name '%s'",
			       o->default_bridge);
			return -1;
		}
		snprintf(cfg->default_bridge, sizeof(cfg->default_bridge),
			 "%s", o->default_bridge);
	}
	if (o->control_socket) {
		if (o->control_socket[0] != '/' ||
		    strlen(o->control_socket) >= XD_PATH_MAX) {
			xd_log(LOG_ERR, "--control-socket: need an absolute "
			       "path under %zu bytes", XD_PATH_MAX);
			return -1;
		}
		snprintf(cfg->control_socket, sizeof(cfg->control_socket),
			 "%s", o->control_socket);
	}
	if (o->ovsdb_socket) {
		if (o->ovsdb_socket[0] != '/' ||
		    strlen(o->ovsdb_socket) >= XD_PATH_MAX) {
			xd_log(LOG_ERR, "--ovsdb-socket: need an absolute "
			       "path under %zu bytes", XD_PATH_MAX);
			return -1;
		}
		snprintf(cfg->ovsdb_socket, sizeof(cfg->ovsdb_socket), "%s",
			 o->ovsdb_socket);
	}
	if (o->no_ovs)
		cfg->ovsdb_socket[0] = '\0';
	return 0;
}

static int resolve_group(const char *name, gid_t *gid)
{
	struct group gr, *res = NULL;
	char buf[4096];

	if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) != 0 || !res) {
		xd_log(LOG_ERR, "control-group '%s': no such group", name);
		return -1;
	}
	*gid = gr.gr_gid;
	return 0;
}

/*
 * Room for every control connection and the daemon's own few: systemd's
 * soft limit is 1024, and accept failing with EMFILE would leave the
 * listening socket readable for ever.
 */
static void raise_fd_limit(void)
{
	const rlim_t want = XD_CTL_MAX_CLIENTS + 64;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max >= want ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < want)
		xd_log(LOG_WARNING, "open files limited to %llu: not every "
		       "one of the %u control connections fits",
		       (unsigned long long)rl.rlim_cur, XD_CTL_MAX_CLIENTS);
}

/* Tell systemd (Type=notify) that we are attached and listening. */
static void notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof(addr.sun_path))
		return;
	memcpy(addr.sun_path, path, strlen(path));
	if (path[0] == '@')
		addr.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
			  strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	(void)!sendto(fd, "READY=1", 7, MSG_NOSIGNAL,
		      (struct sockaddr *)&addr, len);
	close(fd);
}

/* A xen-backend device: a vif netback made, a vbd for blkback. */
static void handle_xenbus(struct xd_daemon *d, const struct xd_uevent *ev)
{
	char ifname[IFNAMSIZ];

	if (ev->xb_type == XD_XENBUS_VBD) {
		if (ev->action == XD_UEVENT_ADD)
			xd_vbd_add(&d->vbds, ev->xb_path);
		else if (ev->action == XD_UEVENT_REMOVE)
			xd_vbd_remove(&d->vbds, ev->xb_path);
		return;
	}
	if (ev->action != XD_UEVENT_ONLINE) {
		/* Its netdev's own remove event detaches it. */
		xd_log(LOG_DEBUG, "%s: xen-backend event %d", ev->xb_path,
		       (int)ev->action);
		return;
	}
	if (ev->ifname[0])
		snprintf(ifname, sizeof(ifname), "%s", ev->ifname);
	else
		snprintf(ifname, sizeof(ifname), "vif%u.%u", ev->domid,
			 ev->devid);
	xd_xsvif_online(d, ev->xb_path, ifname);
}

static void handle_uevent(struct xd_daemon *d, const char *buf, size_t len)
{
	struct xd_uevent ev;
	char err[128];
	int ret = xd_uevent_parse(buf, len, &ev, err, sizeof(err));

	if (ret < 0) {
		xd_log(LOG_WARNING, "ignoring uevent: %s", err);
		return;
	}
	if (ret == 0)
		return;
	if (ev.kind == XD_UEVENT_XENBUS) {
		handle_xenbus(d, &ev);
		return;
	}
	switch (ev.action) {
	case XD_UEVENT_ADD:
		/* netback's netdev: its backend says which bridge. */
		if (ev.xb_type == XD_XENBUS_VIF)
			xd_xsvif_online(d, ev.xb_path, ev.ifname);
		else if (xd_is_vif_name(ev.ifname, NULL, NULL))
			xd_vif_added(d, ev.ifname, ev.bridge);
		break;
	case XD_UEVENT_REMOVE:
		if (xd_is_vif_name(ev.ifname, NULL, NULL))
			xd_vif_removed(d, ev.ifname);
		break;
	case XD_UEVENT_MOVE:
		/* A rename: the old name goes away, the new one appears. */
		if (ev.old_ifname[0] && xd_is_vif_name(ev.old_ifname, NULL,
						       NULL))
			xd_vif_removed(d, ev.old_ifname);
		if (xd_is_vif_name(ev.ifname, NULL, NULL))
			xd_vif_added(d, ev.ifname, ev.bridge);
		break;
	default:
		break;
	}
}

/* Drain the uevent socket; an overflow means lost events: reconcile. */
static void drain_uevents(struct xd_daemon *d, int fd, char *buf)
{
	bool overflow = false;

	for (;;) {
		int n = xd_uevent_recv(fd, buf, UEVENT_MSG_MAX);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				overflow = true;
				continue;
			}
			if (errno != EAGAIN)
				xd_log(LOG_ERR, "uevent socket: %s",
				       strerror(errno));
			break;
		}
		if (n > 0)
			handle_uevent(d, buf, (size_t)n);
	}
	if (overflow) {
		xd_log(LOG_WARNING, "uevent queue overflowed; reconciling");
		xd_reconcile(d, false);
	}
}

static void reload(struct xd_daemon *d, const struct options *o)
{
	struct xd_config cfg;

	if (build_config(o, &cfg) < 0) {
		xd_log(LOG_ERR, "SIGHUP: config not reloaded");
	} else {
		/* Sockets stay where they are until a restart. */
		snprintf(cfg.control_socket, sizeof(cfg.control_socket), "%s",
			 d->cfg.control_socket);
		snprintf(cfg.ovsdb_socket, sizeof(cfg.ovsdb_socket), "%s",
			 d->cfg.ovsdb_socket);
		d->cfg = cfg;
		xd_log(LOG_INFO, "SIGHUP: config reloaded");
	}
	xd_reconcile(d, true);
}

static int run(struct xd_daemon *d, const struct options *o, int ufd,
	       int sfd, int epfd)
{
	char *buf = malloc(UEVENT_MSG_MAX);

	if (!buf)
		return -1;
	for (;;) {
		struct epoll_event evs[32];
		int timeout = xd_ctl_next_timeout(&d->ctl, xd_now_ms());
		int n = epoll_wait(epfd, evs, 32, timeout);

		if (n < 0 && errno != EINTR) {
			xd_log(LOG_ERR, "epoll: %s", strerror(errno));
			free(buf);
			return -1;
		}
		/*
		 * Uevents first, whatever woke us: a wait must not be answered
		 * from a table that has yet to learn of events the kernel
		 * already sent or reported lost. A recv that finds none is
		 * cheap.
		 */
		if (n > 0)
			drain_uevents(d, ufd, buf);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == ufd) {
				continue;
			} else if (fd == sfd) {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo == SIGHUP) {
					reload(d, o);
					continue;
				}
				xd_log(LOG_INFO, "stopping on signal %u",
				       si.ssi_signo);
				free(buf);
				return 0;
			} else {
				xd_ctl_event(&d->ctl, fd, &d->vifs, xd_now_ms());
			}
		}
		xd_ctl_expire(&d->ctl, xd_now_ms());
	}
}

static int add_fd(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int main(int argc, char **argv)
{
	struct xd_daemon d;
	struct options o;
	gid_t gid = 0;
	sigset_t mask;
	int ufd = -1, sfd = -1, epfd = -1, ret, status = 1;

	if (parse_options(argc, argv, &o) < 0)
		return 2;
	xd_log_init(o.use_syslog, o.verbose);
	memset(&d, 0, sizeof(d));
	d.xsops = &xd_xs_real_ops;
	xd_vbds_init(&d.vbds, d.xsops, &d.xs, &xd_loop_real_ops);
	if (build_config(&o, &d.cfg) < 0)
		return 1;
	if (d.cfg.control_group[0] && resolve_group(d.cfg.control_group,
						    &gid) < 0)
		return 1;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	raise_fd_limit();
	ret = xd_rtnl_open(&d.rt);
	if (ret < 0) {
		xd_log(LOG_ERR, "rtnetlink: %s", strerror(-ret));
		return 1;
	}
	d.ovs_enabled = d.cfg.ovsdb_socket[0] != '\0';
	xd_ovsdb_init(&d.ovs, d.cfg.ovsdb_socket);

	/* Listen before reconciling, so nothing between is missed. */
	ufd = xd_uevent_open(UEVENT_RCVBUF);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (ufd < 0 || sfd < 0 || epfd < 0 || add_fd(epfd, ufd) < 0 ||
	    add_fd(epfd, sfd) < 0) {
		xd_log(LOG_ERR, "uevent/signal/epoll setup: %s",
		       strerror(errno));
		goto out;
	}
	if (xd_ctl_open(&d.ctl, d.cfg.control_socket, epfd,
			d.cfg.control_group[0] != '\0', gid) < 0) {
		xd_log(LOG_ERR, "control socket %s: %s", d.cfg.control_socket,
		       strerror(errno));
		goto out;
	}
	d.ctl_open = true;
	xd_log(LOG_INFO, "started: default bridge %s, %u rules, OVS %s, "
	       "control %s", d.cfg.default_bridge[0] ? d.cfg.default_bridge :
	       "(none)", d.cfg.nrules, d.ovs_enabled ? d.cfg.ovsdb_socket :
	       "off", d.cfg.control_socket);
	xd_reconcile(&d, false);
	notify_ready();
	status = run(&d, &o, ufd, sfd, epfd) < 0;
out:
	if (d.ctl_open)
		xd_ctl_close(&d.ctl, d.cfg.control_socket);
	xd_ovsdb_close(&d.ovs);
	xd_rtnl_close(&d.rt);
	xd_vifs_free(&d.vifs);
	xd_vbds_free(&d.vbds);
	xd_xs_close(&d.xs);
	if (ufd >= 0)
		close(ufd);
	if (sfd >= 0)
		close(sfd);
	if (epfd >= 0)
		close(epfd);
	return status;
}
