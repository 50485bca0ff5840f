/* SPDX-License-Identifier: MIT */
#ifndef XENDEVD_VIFS_H
#define XENDEVD_VIFS_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#define XD_REASON_MAX 96

enum xd_vif_state {
	XD_VIF_ATTACHED = 1,
	XD_VIF_FAILED,
};

/* What we know about one vif we have handled. */
struct xd_vif {
	char name[IFNAMSIZ];
	enum xd_vif_state state;
	int ifindex;                    /* the netdev handled, 0 if unknown */
	int master;                     /* its Linux bridge's ifindex, or 0 */
	bool ovs;                       /* attached through OVSDB */
	char bridge[IFNAMSIZ];
	char reason[XD_REASON_MAX];     /* FAILED: why, one line */
};

/* The table of handled vifs, keyed by interface name. */
struct xd_vifs {
	struct xd_vif *v;
	size_t n, cap;
};

void xd_vifs_free(struct xd_vifs *t);
struct xd_vif *xd_vifs_find(struct xd_vifs *t, const char *name);
/* Find or insert (zeroed except name); NULL on allocation failure. */
struct xd_vif *xd_vifs_get(struct xd_vifs *t, const char *name);
void xd_vifs_remove(struct xd_vifs *t, const char *name);

#endif
