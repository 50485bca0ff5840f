// SPDX-License-Identifier: MIT
/* Logging: one line per event, to stderr or syslog. */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static bool log_syslog;
static bool log_verbose;

void xd_log_init(bool use_syslog, bool verbose)
{
	log_syslog = use_syslog;
	log_verbose = verbose;
	if (use_syslog)
		openlog("xendevd", LOG_PID, LOG_DAEMON);
}

void xd_log(int prio, const char *fmt, ...)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "error",
		"warning", "notice", "info", "debug",
	};
	va_list ap;

	if (prio == LOG_DEBUG && !log_verbose)
		return;
	va_start(ap, fmt);
	if (log_syslog) {
		vsyslog(prio, fmt, ap);
	} else {
		fprintf(stderr, "xendevd: %s: ", names[prio & 7]);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}
