/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_ERROR_H
#define CHAOS_ERROR_H

/*
 * Errors: how every libchaos call that can fail reports why.
 *
 * Such a call takes a `chaos_err *` as its last parameter and returns an
 * int: 0 on success, -1 on failure. On failure it fills the chaos_err with
 * an errno-style code and one human-readable line (no trailing newline,
 * naming what failed: "no domain 7", "noop.json:4:13: memory: ..."), which
 * the caller may print as is. On success the chaos_err is left untouched.
 * Passing NULL for err is allowed when the caller does not care.
 *
 * The codes are errno values. Each function's "Returns" paragraph lists
 * those a caller can act on (ESRCH: no such domain, ENOENT: no such file
 * or record, EEXIST: a name is taken, EPERM: Domain-0 refused, ETIMEDOUT,
 * EINVAL: a bad argument); anything else is the errno of the system or
 * hypervisor call that failed, for the message rather than for a decision.
 *
 * A chaos_err is a plain value: put it on the stack, copy it, no freeing.
 */

#include <chaos/api.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CHAOS_ERR_MSG_MAX 512

typedef struct chaos_err {
	int code;                   /* errno value, 0 if none */
	char msg[CHAOS_ERR_MSG_MAX];
} chaos_err;

/*
 * Reset (err) to "no error": code 0, empty message. NULL is allowed.
 * Reentrant.
 */
CHAOS_API void chaos_err_clear(chaos_err *err);

#ifdef __cplusplus
}
#endif

#endif
