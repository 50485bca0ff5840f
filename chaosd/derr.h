/* SPDX-License-Identifier: MIT */
/* Filling a chaos_err in chaosd (derr.c). */
#ifndef CHAOSD_DERR_H
#define CHAOSD_DERR_H

#include <chaos/error.h>

/* Fill err (code and message) if it is not NULL; returns -1. */
int derr(chaos_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
