// SPDX-License-Identifier: MIT
/* Escaping of guest console output for the log files (console_escape.h). */
#include "console_escape.h"

static size_t hex_byte(unsigned char c, char *out)
{
	static const char hex[] = "0123456789abcdef";

	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 15];
	return 4;
}

size_t console_escape_flush(struct console_escape *st, char *out)
{
	if (!st->pending_cr)
		return 0;
	st->pending_cr = false;
	return hex_byte('\r', out);
}

size_t console_escape(struct console_escape *st, const char *in, size_t len,
		      char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (st->pending_cr) {
			st->pending_cr = false;
			if (c != '\n')
				o += hex_byte('\r', out + o);
		}
		if (c == '\r') {
			st->pending_cr = true;
		} else if (c == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
		} else if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f)) {
			out[o++] = (char)c;
		} else {
			o += hex_byte(c, out + o);
		}
	}
	return o;
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

size_t console_unescape(const char *in, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (in[i] == '\\' && i + 1 < len && in[i + 1] == '\\') {
			out[o++] = '\\';
			i++;
		} else if (in[i] == '\\' && i + 3 < len && in[i + 1] == 'x' &&
			   hex_val(in[i + 2]) >= 0 && hex_val(in[i + 3]) >= 0) {
			out[o++] = (char)(hex_val(in[i + 2]) << 4 |
					  hex_val(in[i + 3]));
			i += 3;
		} else {
			out[o++] = in[i];
		}
	}
	return o;
}
