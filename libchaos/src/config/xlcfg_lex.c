// SPDX-License-Identifier: MIT
/*
 * xl.cfg's syntax, one setting at a time. Written from xl.cfg(5): settings
 * "key = value" end at a newline or ';'; a value is a string in single
 * quotes (taken literally) or double quotes (with C escapes), a number
 * (decimal or 0x hex), or a list "[ ... ]" of those, which may span lines
 * and end with a comma; '#' starts a comment. Anything else stops the
 * parse with the position of the offending character, so that every
 * message can say where.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"

void xl_lex_init(struct xl_lexer *lx, const char *text, size_t len,
		 char *buf)
{
	memset(lx, 0, sizeof(*lx));
	lx->text = text;
	lx->len = len;
	lx->buf = buf;
}

/* The byte at the cursor, or '\0' at the end (the text holds no NUL). */
static char peek(const struct xl_lexer *lx)
{
	return lx->i < lx->len ? lx->text[lx->i] : '\0';
}

static int __attribute__((format(printf, 4, 5)))
lex_fail(struct xl_lexer *lx, size_t pos, chaos_err *err, const char *fmt,
	 ...)
{
	va_list ap;

	lx->err_pos = pos;
	va_start(ap, fmt);
	chaos_err_vset(err, EINVAL, fmt, ap);
	va_end(ap);
	return -1;
}

/* What is at pos, for "got ...": the end, a newline, or the character. */
static void shown(const struct xl_lexer *lx, size_t pos,
		  char out[CFG_QUOTE_MAX])
{
	size_t n = 1;

	if (pos >= lx->len) {
		snprintf(out, CFG_QUOTE_MAX, "the end of the file");
		return;
	}
	if (lx->text[pos] == '\n') {
		snprintf(out, CFG_QUOTE_MAX, "the end of the line");
		return;
	}
	/* A whole UTF-8 character (the text was checked as UTF-8). */
	while (pos + n < lx->len && n < 4 &&
	       ((unsigned char)lx->text[pos + n] & 0xc0) == 0x80)
		n++;
	cfg_quote(lx->text + pos, n, out);
}

static bool alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hexval(char c)
{
	if (digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Spaces, tabs, CRs and comments; newlines too inside a list. */
static void skip_blank(struct xl_lexer *lx, bool newlines)
{
	for (;;) {
		char c = peek(lx);

		if (c == ' ' || c == '\t' || c == '\r' ||
		    (newlines && c == '\n')) {
			lx->i++;
		} else if (c == '#') {
			while (lx->i < lx->len && lx->text[lx->i] != '\n')
				lx->i++;
		} else {
			return;
		}
	}
}

/* One escape after a backslash at lx->i in a double-quoted string. */
static int escape(struct xl_lexer *lx, const char *key, char *out,
		  chaos_err *err)
{
	size_t at = lx->i;
	char e = lx->i + 1 < lx->len ? lx->text[lx->i + 1] : '\0';
	unsigned v = 0;

	lx->i += 2;
	switch (e) {
	case 'n': *out = '\n'; return 0;
	case 't': *out = '\t'; return 0;
	case 'r': *out = '\r'; return 0;
	case '\\': case '\'': case '"': *out = e; return 0;
	case 'x':
		for (int k = 0; k < 2; k++, lx->i++) {
			int h = hexval(peek(lx));

			if (h < 0)
				return lex_fail(lx, at, err,
					"%s: \\x needs two hex digits", key);
			v = v << 4 | (unsigned)h;
		}
		break;
	default:
		if (e < '0' || e > '7')
			return lex_fail(lx, at, err,
				"%s: unknown escape '\\%c' in a string", key,
				e >= 0x20 && e < 0x7f ? e : '?');
		v = (unsigned)(e - '0');
		for (int k = 0; k < 2 && peek(lx) >= '0' && peek(lx) <= '7';
		     k++, lx->i++)
			v = v * 8 + (unsigned)(peek(lx) - '0');
		if (v > 0xff)
			return lex_fail(lx, at, err,
				"%s: octal escape above \\377", key);
		break;
	}
	if (v == 0)
		return lex_fail(lx, at, err,
			"%s: a string cannot hold a NUL byte", key);
	*out = (char)v;
	return 0;
}

static int string(struct xl_lexer *lx, const char *key, struct xl_atom *a,
		  chaos_err *err)
{
	char quote = peek(lx), *dst = lx->buf + lx->buf_used;
	size_t start = lx->i;

	a->s = dst;
	a->quoted = true;
	lx->i++;
	for (;;) {
		char c = peek(lx);

		if (c == '\0' || c == '\n')
			return lex_fail(lx, start, err,
				"%s: unterminated string (no closing %c on its line)",
				key, quote);
		if (c == quote) {
			lx->i++;
			break;
		}
		if (c == '\\' && quote == '"') {
			if (escape(lx, key, dst, err))
				return -1;
			dst++;
			continue;
		}
		*dst++ = c;
		lx->i++;
	}
	a->len = (size_t)(dst - a->s);
	*dst++ = '\0';
	lx->buf_used = (size_t)(dst - lx->buf);
	return 0;
}

static int number(struct xl_lexer *lx, const char *key, struct xl_atom *a,
		  chaos_err *err)
{
	size_t start = lx->i, n;
	char *dst = lx->buf + lx->buf_used;

	if (peek(lx) == '0' && lx->i + 1 < lx->len &&
	    (lx->text[lx->i + 1] == 'x' || lx->text[lx->i + 1] == 'X')) {
		lx->i += 2;
		while (hexval(peek(lx)) >= 0)
			lx->i++;
		if (lx->i == start + 2)
			return lex_fail(lx, start, err,
				"%s: 0x needs hex digits", key);
	} else {
		while (digit(peek(lx)))
			lx->i++;
		if (lx->text[start] == '0' && lx->i - start > 1)
			return lex_fail(lx, start, err,
				"%s: a number with a leading zero (xl would read it as octal)",
				key);
	}
	if (alpha(peek(lx)) || digit(peek(lx)) || peek(lx) == '.')
		return lex_fail(lx, start, err,
			"%s: not a number (strings need quotes)", key);
	n = lx->i - start;
	memcpy(dst, lx->text + start, n);
	dst[n] = '\0';
	a->s = dst;
	a->len = n;
	a->quoted = false;
	lx->buf_used += n + 1;
	return 0;
}

static int atom(struct xl_lexer *lx, const char *key, struct xl_atom *a,
		chaos_err *err)
{
	char c = peek(lx), got[CFG_QUOTE_MAX];

	a->pos = lx->i;
	if (c == '"' || c == '\'')
		return string(lx, key, a, err);
	if (digit(c))
		return number(lx, key, a, err);
	if (alpha(c)) {
		size_t end = lx->i;

		while (end < lx->len && (alpha(lx->text[end]) ||
					 digit(lx->text[end])))
			end++;
		cfg_quote(lx->text + lx->i, end - lx->i, got);
		return lex_fail(lx, lx->i, err,
			"%s: a string needs quotes: got %s unquoted", key, got);
	}
	if (c == '[')
		return lex_fail(lx, lx->i, err,
				"%s: lists cannot be nested", key);
	shown(lx, lx->i, got);
	return lex_fail(lx, lx->i, err,
		"%s: expected a value (a quoted string, a number or a list), got %s",
		key, got);
}

static int list(struct xl_lexer *lx, struct xl_setting *out, chaos_err *err)
{
	char got[CFG_QUOTE_MAX];

	out->is_list = true;
	lx->i++;        /* '[' */
	for (;;) {
		skip_blank(lx, true);
		if (peek(lx) == ']')
			break;
		if (peek(lx) == '\0')
			return lex_fail(lx, out->value_pos, err,
				"%s: the list has no closing ']'", out->key);
		if (out->n == XL_LIST_MAX)
			return lex_fail(lx, lx->i, err,
				"%s: a list has at most %d items", out->key,
				XL_LIST_MAX);
		if (atom(lx, out->key, &out->items[out->n], err))
			return -1;
		out->n++;
		skip_blank(lx, true);
		if (peek(lx) == ',') {
			lx->i++;
			continue;
		}
		if (peek(lx) == ']')
			break;
		if (peek(lx) == '\0')
			return lex_fail(lx, out->value_pos, err,
				"%s: the list has no closing ']'", out->key);
		shown(lx, lx->i, got);
		return lex_fail(lx, lx->i, err,
			"%s: expected ',' or ']' in the list, got %s",
			out->key, got);
	}
	lx->i++;        /* ']' */
	return 0;
}

int xl_lex_next(struct xl_lexer *lx, struct xl_setting *out, chaos_err *err)
{
	char got[CFG_QUOTE_MAX], c;
	size_t start;

	memset(out, 0, offsetof(struct xl_setting, items));
	lx->buf_used = 0;
	for (;;) {
		skip_blank(lx, false);
		c = peek(lx);
		if (c == '\0')
			return 0;
		if (c != '\n' && c != ';')
			break;
		lx->i++;
	}
	start = lx->i;
	if (!alpha(c)) {
		shown(lx, start, got);
		return lex_fail(lx, start, err,
			"expected a setting (key = value), got %s", got);
	}
	while (alpha(peek(lx)) || digit(peek(lx)))
		lx->i++;
	if (lx->i - start >= XL_KEY_MAX)
		return lex_fail(lx, start, err,
			"a key has at most %d characters", XL_KEY_MAX - 1);
	memcpy(out->key, lx->text + start, lx->i - start);
	out->key[lx->i - start] = '\0';
	out->pos = start;
	skip_blank(lx, false);
	if (peek(lx) == '+' && lx->i + 1 < lx->len &&
	    lx->text[lx->i + 1] == '=')
		return lex_fail(lx, lx->i, err,
			"%s: '+=' is not supported: set the whole value once",
			out->key);
	if (peek(lx) != '=') {
		shown(lx, lx->i, got);
		return lex_fail(lx, lx->i, err,
				"%s: expected '=' after the key, got %s",
				out->key, got);
	}
	lx->i++;
	skip_blank(lx, false);
	out->value_pos = lx->i;
	c = peek(lx);
	if (c == '\0' || c == '\n' || c == ';')
		return lex_fail(lx, lx->i, err, "%s: no value after '='",
				out->key);
	if (c == '[') {
		if (list(lx, out, err))
			return -1;
	} else {
		if (atom(lx, out->key, &out->items[0], err))
			return -1;
		out->n = 1;
	}
	skip_blank(lx, false);
	c = peek(lx);
	if (c != '\0' && c != '\n' && c != ';') {
		shown(lx, lx->i, got);
		return lex_fail(lx, lx->i, err,
			"%s: expected the end of the line after the value, got %s",
			out->key, got);
	}
	if (c)
		lx->i++;
	return 1;
}
