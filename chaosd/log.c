// SPDX-License-Identifier: MIT
/* chaosd's log lines and error filling, shared by every thread. */
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

int derr(chaos_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}
