/* SPDX-License-Identifier: MIT */
#ifndef XENDEVD_CONFIG_H
#define XENDEVD_CONFIG_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/un.h>

#define XD_MAX_RULES 64
#define XD_PATTERN_MAX 64
#define XD_GROUP_MAX 64
#define XD_PATH_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

#define XD_DEFAULT_CONFIG "/etc/xendevd.conf"
#define XD_DEFAULT_CONTROL "/run/xendevd.sock"
#define XD_DEFAULT_OVSDB "/run/openvswitch/db.sock"

struct xd_rule {
	char pattern[XD_PATTERN_MAX];   /* fnmatch(3) glob on the vif name */
	char bridge[IFNAMSIZ];
};

struct xd_config {
	char default_bridge[IFNAMSIZ];  /* "" = none */
	struct xd_rule rules[XD_MAX_RULES];
	unsigned nrules;
	char ovsdb_socket[XD_PATH_MAX]; /* "" = Open vSwitch disabled */
	char control_socket[XD_PATH_MAX];
	char control_group[XD_GROUP_MAX]; /* "" = root only */
};

/* Built-in defaults: no bridge, OVS at its Debian socket, control socket. */
void xd_config_defaults(struct xd_config *cfg);

/*
 * Parse config text (see docs/xendevd.md) over the defaults already in cfg.
 * On error returns -1 and writes one line naming the line and field to err.
 */
int xd_config_parse(struct xd_config *cfg, const char *text, size_t len,
		    char *err, size_t errlen);

/* Read and parse a file; a file larger than 64 KiB is refused. */
int xd_config_load(struct xd_config *cfg, const char *path,
		   char *err, size_t errlen);

/* True if name can be a Linux interface name. */
bool xd_valid_ifname(const char *name);

/*
 * The bridge for a vif: the uevent's XENDEVD_BRIDGE if given (may be NULL),
 * else the first matching rule, else the default. NULL if none.
 */
const char *xd_config_bridge_for(const struct xd_config *cfg,
				 const char *ifname, const char *uevent_bridge);

#endif
