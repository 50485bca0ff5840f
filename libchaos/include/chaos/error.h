/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_ERROR_H
#define CHAOS_ERROR_H

#include <chaos/api.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Errors. Every libchaos call that can fail takes a `chaos_err *` and, on
 * failure, returns -1 and leaves one human-readable line in it (no trailing
 * newline) plus an errno-style code. The caller decides whether to print it.
 * Passing NULL is allowed when the caller does not care.
 */

#define CHAOS_ERR_MSG_MAX 512

typedef struct chaos_err {
	int code;                   /* errno value, 0 if none */
	char msg[CHAOS_ERR_MSG_MAX];
} chaos_err;

/* Reset an error to "no error". */
CHAOS_API void chaos_err_clear(chaos_err *err);

#ifdef __cplusplus
}
#endif

#endif
