// SPDX-License-Identifier: MIT
/* chaosd's log lines, shared by every thread. */
#include <stdarg.h>
#include <stdio.h>

#include "daemon.h"

void dlog(const char *fmt, ...)
{
	long long ms = chaos_clock_ms();
	va_list ap;
	char line[1024];
	int n;

	n = snprintf(line, sizeof(line), "chaosd[%lld.%03lld]: ", ms / 1000,
		     ms % 1000);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}
