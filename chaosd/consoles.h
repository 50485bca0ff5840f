/* SPDX-License-Identifier: MIT */
#ifndef CHAOSD_CONSOLES_H
#define CHAOSD_CONSOLES_H

#include <stdint.h>

#include <chaos/error.h>

/*
 * chaosd's console backend: one thread that holds the console of every
 * guest chaos built (those with a record) while chaosd runs: it attaches
 * to the guest's console through libchaos (chaos_console_open: ring mapped,
 * event channel bound), appends the output to <log dir>/<name>.log and
 * serves console streams to clients. It has its own host handle, whose one
 * event channel fd carries every console's notifications, so a guest
 * flooding its console costs this thread only, never the socket loop; and
 * every guest is drained at most CONSOLE_RATE_BYTES a second (the rest
 * waits in its ring, and the guest drops what does not fit).
 */

#define CONSOLE_RATE_BYTES (128 * 1024)  /* per guest per second */
#define CONSOLE_HISTORY    4096          /* replayed to a new stream */
/* Console streams at once: the ordinary ones any client may take, and a
 * few more kept for root, as for connections (slots.h): members
 * holding every ordinary stream never keep root from a console. */
#define CONSOLE_STREAMS_ORDINARY      64
#define CONSOLE_STREAMS_ROOT_RESERVED 8
#define CONSOLE_STREAMS_MAX \
	(CONSOLE_STREAMS_ORDINARY + CONSOLE_STREAMS_ROOT_RESERVED)

struct consoles;

/* Start the thread; it attaches the consoles of running guests at once. */
int consoles_start(struct consoles **out, const char *state_dir,
		   const char *log_dir, chaos_err *err);
/* Stop it: every console is released (the guests' ports go back to
 * unbound, so `chaos console` can attach directly). NULL is fine. */
void consoles_stop(struct consoles *c);

/* A guest was just created: attach its console (asynchronous). */
void consoles_attach(struct consoles *c, uint32_t domid);
/*
 * The same, but the console thread is not woken for it until
 * consoles_flush (or its next wake-up for anything else): a create's
 * worker queues the attach, and the serving loop flushes once the reply
 * is sent, so that the attach's work (the record read, the log opened,
 * the ring mapped) does not run beside the reply on dom0's CPUs. The
 * guest's first output waits in its ring meanwhile.
 */
void consoles_attach_later(struct consoles *c, uint32_t domid);
void consoles_flush(struct consoles *c);
/* Release domid's console and wait until its ring is unmapped (a mapped
 * page would keep a destroyed domain from going away). */
void consoles_detach(struct consoles *c, uint32_t domid);
/* The same for a guest that stopped on its own (the reaper's): what it
 * wrote last is taken into its log first, held or not. */
void consoles_reap(struct consoles *c, uint32_t domid);
/*
 * A save or migration of domid is starting: release its console as
 * consoles_detach does and attach it no more (a backend that drains the
 * ring writes to the guest's memory while it is copied) until
 * consoles_release, which lets the next check take it again if it still
 * runs. At most CONSOLES_HELD_MAX at once.
 */
#define CONSOLES_HELD_MAX 16
void consoles_hold(struct consoles *c, uint32_t domid);
void consoles_release(struct consoles *c, uint32_t domid);
/* Something changed (a domain stopped): re-check soon. Async-signal-safe. */
void consoles_poke(struct consoles *c);
/* Turn a client connection of uid into domid's console stream: the
 * thread takes fd (non-blocking) and sends the response frame itself. */
void consoles_stream(struct consoles *c, int fd, uint32_t domid,
		     uint32_t uid);

#endif
