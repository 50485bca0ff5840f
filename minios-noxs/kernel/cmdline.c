// SPDX-License-Identifier: MIT
/*
 * Command-line parsing. The command line is written by whoever built the
 * domain, so every access stays within the given length and numbers are
 * checked for overflow.
 */
#include <minios/lib.h>

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int parse_u64(const char *s, size_t len, uint64_t *value)
{
	uint64_t v = 0;

	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned int digit;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		digit = (unsigned int)(s[i] - '0');
		if (v > (UINT64_MAX - digit) / 10)
			return -1;
		v = v * 10 + digit;
	}
	*value = v;
	return 0;
}

int cmdline_get_u64(const char *cmdline, size_t len, const char *key,
		    uint64_t *value)
{
	size_t keylen = strnlen(key, 64);
	size_t i = 0;

	len = strnlen(cmdline, len);
	while (i < len) {
		size_t start, end;

		while (i < len && is_space(cmdline[i]))
			i++;
		start = i;
		while (i < len && !is_space(cmdline[i]))
			i++;
		end = i;
		if (end - start > keylen && cmdline[start + keylen] == '=' &&
		    !strncmp(cmdline + start, key, keylen))
			return parse_u64(cmdline + start + keylen + 1,
					 end - start - keylen - 1, value);
	}
	return -1;
}
