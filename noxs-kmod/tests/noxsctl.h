/* SPDX-License-Identifier: MIT */
/*
 * noxsctl: what its parts share (noxsctl.c: /dev/noxs commands and the
 * power frontend; netfe.c: the network frontend).
 */
#ifndef NOXSCTL_H
#define NOXSCTL_H

#include <stdbool.h>
#include <stdint.h>

#include "noxs_ioctl.h"

/* A frontend in dom0: the control page through gntdev, events via evtchn. */
struct fe {
	uint16_t type;
	uint16_t devid;
	int gnt_fd;
	int evt_fd;
	unsigned int port;		/* our local port of the control channel */
	volatile struct noxs_ctrl_page *page;
};

void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void die_errno(const char *what) __attribute__((noreturn));
unsigned long parse_num(const char *s, const char *what, unsigned long max);
const char *state_name(unsigned int s);
double now_s(void);
int noxs_ioctl(unsigned long cmd, void *arg);
int query(uint16_t domid, uint16_t type, uint16_t devid,
	  struct noxs_ioc_info *i);

void fe_attach(struct fe *f, uint16_t type, uint16_t devid);
void fe_notify(struct fe *f);
void fe_notify_port(struct fe *f, unsigned int port);
bool fe_wait(struct fe *f, double timeout_s);
void fe_set_state(struct fe *f, uint32_t state);
bool fe_await_be(struct fe *f, uint32_t state, double timeout_s);

/* netfe.c */
int cmd_netfe(int argc, char **argv);

#endif /* NOXSCTL_H */
