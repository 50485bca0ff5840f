/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_FORMAT_JSON_H
#define CHAOS_FORMAT_JSON_H

#include <yajl/yajl_gen.h>
#include <chaos/error.h>

/* Small wrappers so JSON writers read as a list of fields. */
yajl_gen chaos_json_begin(chaos_err *err);
void chaos_json_key(yajl_gen g, const char *key);
void chaos_json_str(yajl_gen g, const char *key, const char *value);
void chaos_json_uint(yajl_gen g, const char *key, unsigned long long value);
void chaos_json_double(yajl_gen g, const char *key, double value);
/* Copies the buffer into *json (caller frees) and frees the generator. */
int chaos_json_finish(yajl_gen g, char **json, chaos_err *err);

#endif
