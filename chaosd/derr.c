// SPDX-License-Identifier: MIT
/* Filling a chaos_err in chaosd (derr.h): every thread, and the request
 * parser, which the fuzzer links alone. */
#include <stdarg.h>
#include <stdio.h>

#include "derr.h"

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
