/* SPDX-License-Identifier: MIT */
/* The PV console ring: output that never blocks forever, buffered input. */
#ifndef MINIOS_CONSOLE_H
#define MINIOS_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

/* How long a write waits for a full ring to drain before dropping. */
#define CONSOLE_STALL_NS ((uint64_t)100 * 1000 * 1000)

void console_init(void);
/* After a resume in a new domain: new frame and port from start_info. */
void console_resume(void);
void console_write(const char *buf, size_t len);
/* Copy up to len bytes of received input; returns how many (never blocks). */
size_t console_read(char *buf, size_t len);
/* Bytes dropped so far: output (ring stayed full) and input (buffer full). */
uint64_t console_dropped_output(void);
uint64_t console_dropped_input(void);

/*
 * Called from the event upcall when input has arrived; apps override this
 * weak default (which does nothing) and drain it with console_read().
 */
void app_console_input(void);

#endif
