/* SPDX-License-Identifier: MIT */
#ifndef XENDEVD_LOG_H
#define XENDEVD_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Log to stderr (foreground) or syslog (service); LOG_DEBUG only if verbose. */
void xd_log_init(bool use_syslog, bool verbose);
void xd_log(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
