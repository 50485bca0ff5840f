// SPDX-License-Identifier: MIT
/* Filling chaos_err. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"

void chaos_err_clear(chaos_err *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

void chaos_err_vset(chaos_err *err, int code, const char *fmt, va_list ap)
{
	if (!err)
		return;
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int chaos_err_set(chaos_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	chaos_err_vset(err, code, fmt, ap);
	va_end(ap);
	return -1;
}
