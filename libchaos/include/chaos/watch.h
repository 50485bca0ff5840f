/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_WATCH_H
#define CHAOS_WATCH_H

#include <chaos/api.h>
#include <chaos/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Being told when a domain shuts down or dies: the hypervisor raises
 * VIRQ_DOM_EXC, which one process of dom0 may bind at a time (xenstored
 * does when it runs). The watch says only that something happened; list
 * the domains to see what. A watch is used by one thread at a time.
 */
typedef struct chaos_watch chaos_watch;

/*
 * Constructor. Bind VIRQ_DOM_EXC into (*out).
 *
 * Returns 0, or -1 with err set: EBUSY and the like when another process
 * (xenstored) holds the VIRQ, or the errno of opening the event channel
 * device. Free with chaos_watch_close.
 */
CHAOS_API int chaos_watch_open(chaos_watch **out, chaos_err *err);
/* Destructor. Unbind and free (w); NULL is fine. */
CHAOS_API void chaos_watch_close(chaos_watch *w);

/* The fd to poll (POLLIN) of (w): readable once a domain shut down or
 * died. Valid until chaos_watch_close. */
CHAOS_API int chaos_watch_fd(const chaos_watch *w);
/*
 * Acknowledge what (w)'s fd reported, so it can wake the caller again.
 *
 * Returns 1 if a notification was pending, 0 if none was.
 */
CHAOS_API int chaos_watch_ack(chaos_watch *w);

#ifdef __cplusplus
}
#endif

#endif
