// SPDX-License-Identifier: MIT
/*
 * How deep JSON text nests, before a tree parser sees it: yajl builds and
 * frees its tree recursively, so text nested a million deep would take
 * the stack with it. A scan, not a parse: brackets inside strings do not
 * count, and a stray closer does not take the count below zero.
 */
#include <stdbool.h>

#include <chaos/format.h>

size_t chaos_json_depth(const char *text, size_t len)
{
	size_t depth = 0, deepest = 0;
	bool in_string = false;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"') {
			in_string = true;
		} else if (c == '[' || c == '{') {
			if (++depth > deepest)
				deepest = depth;
		} else if ((c == ']' || c == '}') && depth) {
			depth--;
		}
	}
	return deepest;
}
