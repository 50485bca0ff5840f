/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_WATCH_H
#define CHAOS_WATCH_H

#include <chaos/error.h>

/*
 * Being told when a domain shuts down or dies: the hypervisor raises
 * VIRQ_DOM_EXC, which one process of dom0 may bind at a time (xenstored
 * does when it runs). The watch says only that something happened; list
 * the domains to see what.
 */
typedef struct chaos_watch chaos_watch;

/* Bind VIRQ_DOM_EXC. EBUSY and the like: another process holds it. */
int chaos_watch_open(chaos_watch **out, chaos_err *err);
/* Unbind; NULL is fine. */
void chaos_watch_close(chaos_watch *w);

/* The fd to poll (POLLIN): readable once a domain shut down or died. */
int chaos_watch_fd(const chaos_watch *w);
/*
 * Acknowledge what the fd reported, so it can wake the caller again.
 * Returns 1 if a notification was pending, 0 if none was.
 */
int chaos_watch_ack(chaos_watch *w);

#endif
