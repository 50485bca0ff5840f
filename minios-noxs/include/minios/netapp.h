/* SPDX-License-Identifier: MIT */
/*
 * The main loop of a network app: one vif (netfront), the IP stack
 * (minios-noxs/net) on top of it with the address from the vif's control
 * page, and blocking between frames. Apps bind their UDP ports on
 * app->stack between netapp_open() and netapp_run().
 */
#ifndef MINIOS_NETAPP_H
#define MINIOS_NETAPP_H

#include <minios/netfront.h>

#include <net/net.h>

/* How long netapp_open() waits for the backend to connect the vif. */
#define NETAPP_CONNECT_TIMEOUT_NS (30ull * 1000000000ull)

struct netapp {
	const char *name;
	uint16_t devid;
	struct netfront *nf;
	struct net_stack stack;
};

/*
 * Wait until vif devid is connected, then start the stack with its
 * addresses. 0, or -1 with a line on the console saying why.
 */
int netapp_open(struct netapp *app, const char *name, uint16_t devid);
/*
 * Print "<name>: vif/<devid> mac <mac> ip <ip>/<prefix> gw <gw>" and
 * "ready", then answer frames forever (a disconnected vif is waited for:
 * after a resume it comes back with the ARP cache and bindings kept).
 */
void netapp_run(struct netapp *app) __attribute__((noreturn));
/* One line of stack and netfront counters (e.g. from a shutdown hook). */
void netapp_print_stats(const struct netapp *app);

#endif
