/* SPDX-License-Identifier: MIT */
/* Event channels (2-level ABI) and the upcall that dispatches them. */
#ifndef MINIOS_EVENTS_H
#define MINIOS_EVENTS_H

#include <minios/xen.h>

/* Ports we can attach handlers to; higher ports are masked and ignored. */
#define EVTCHN_MAX_HANDLED 256

typedef void (*evtchn_handler_t)(evtchn_port_t port, void *arg);

/* Upcalls taken so far (for diagnostics). */
extern unsigned long events_upcalls;

void events_init(void);
/* After a resume in a new domain: no handlers, every port masked. */
void events_resume(void);
/* Handlers run in the upcall, with events masked. */
int evtchn_set_handler(evtchn_port_t port, evtchn_handler_t fn, void *arg);
int evtchn_bind_virq(uint32_t virq, evtchn_handler_t fn, void *arg,
		     evtchn_port_t *port);
void evtchn_mask(evtchn_port_t port);
void evtchn_unmask(evtchn_port_t port);
void evtchn_clear(evtchn_port_t port);
int evtchn_notify(evtchn_port_t port);

/* Entered from the assembly upcall stub. */
struct trap_frame;
void events_upcall(struct trap_frame *frame);

#endif
