/* SPDX-License-Identifier: MIT */
#ifndef CHAOSD_REPLY_H
#define CHAOSD_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_gen.h>

/*
 * chaosd's replies (docs/chaosd-protocol.md): {"ok": true, ...} built field
 * by field, or {"ok": false, "error": msg}. Compact JSON, no spaces.
 */

/* Start {"ok":true (NULL when out of memory). */
yajl_gen reply_ok_begin(void);
/* Fields of a reply (or of any object inside one). */
void gen_str(yajl_gen g, const char *s);
void gen_kv_str(yajl_gen g, const char *k, const char *v);
void gen_kv_uint(yajl_gen g, const char *k, unsigned long long v);
void gen_kv_bool(yajl_gen g, const char *k, bool v);
/* Close the object; *resp (caller frees, NUL-terminated) and its length.
 * Frees g; -1 (g NULL or out of memory) leaves *resp alone. */
int reply_finish(yajl_gen g, char **resp, size_t *resp_len);

/* {"ok":false,"error":msg} into *resp (caller frees). */
int reply_error(const char *msg, char **resp, size_t *resp_len);
/* Send that as one frame on fd, best effort (the client may be gone or
 * never read): waits at most timeout_ms. */
void reply_error_send(int fd, const char *msg, int timeout_ms);

#endif
