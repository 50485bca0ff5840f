// SPDX-License-Identifier: MIT
/* Console log escaping: hostile bytes, CRLF across chunks, the way back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../console_escape.h"

static size_t esc(struct console_escape *st, const char *in, size_t len,
		  char *out)
{
	return console_escape(st, in, len, out);
}

static void test_plain_text_unchanged(void **state)
{
	struct console_escape st = { 0 };
	char out[CONSOLE_ESCAPE_ROOM(64)];
	const char *in = "hello 1\n\tindented ~ {}\n";
	size_t n = esc(&st, in, strlen(in), out);

	(void)state;
	assert_int_equal(n, strlen(in));
	assert_memory_equal(out, in, n);
}

static void test_control_and_high_bytes_escaped(void **state)
{
	struct console_escape st = { 0 };
	char out[CONSOLE_ESCAPE_ROOM(16)];
	const char in[] = { 0x1b, '[', '2', 'J', 0x00, (char)0xff, '\\', 0x7f };
	const char want[] = "\\x1b[2J\\x00\\xff\\\\\\x7f";
	size_t n = esc(&st, in, sizeof(in), out);

	(void)state;
	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, n);
}

static void test_crlf_becomes_lf_even_split(void **state)
{
	struct console_escape st = { 0 };
	char out[CONSOLE_ESCAPE_ROOM(16)];
	size_t n;

	(void)state;
	n = esc(&st, "a\r\nb\r", 5, out);
	assert_int_equal(n, 3);
	assert_memory_equal(out, "a\nb", 3);
	/* The held CR meets its LF in the next chunk. */
	n = esc(&st, "\nc\rd", 4, out);
	assert_memory_equal(out, "\nc\\x0dd", n);
	assert_int_equal(n, 7);
	/* A CR at the very end comes out on flush. */
	n = esc(&st, "\r", 1, out);
	assert_int_equal(n, 0);
	n = console_escape_flush(&st, out);
	assert_memory_equal(out, "\\x0d", n);
	assert_int_equal(console_escape_flush(&st, out), 0);
}

static void test_room_is_enough_for_the_worst(void **state)
{
	struct console_escape st = { .pending_cr = true };
	char in[100], out[CONSOLE_ESCAPE_ROOM(100)];

	(void)state;
	memset(in, 0x01, sizeof(in));
	assert_int_equal(esc(&st, in, sizeof(in), out), 4 + 4 * sizeof(in));
}

static void test_unescape_round_trip(void **state)
{
	struct console_escape st = { 0 };
	char in[256], out[CONSOLE_ESCAPE_ROOM(256)], back[CONSOLE_ESCAPE_ROOM(256)];
	size_t n, m, k = 0;

	(void)state;
	/* Every byte, except CR before LF (that one is folded on purpose). */
	for (int i = 0; i < 256; i++)
		if (i != '\r')
			in[k++] = (char)i;
	n = esc(&st, in, k, out);
	n += console_escape_flush(&st, out + n);
	m = console_unescape(out, n, back);
	assert_int_equal(m, k);
	assert_memory_equal(back, in, k);
}

static void test_unescape_malformed_is_copied(void **state)
{
	char out[16];
	size_t n = console_unescape("a\\x4\\", 5, out);

	(void)state;
	assert_int_equal(n, 5);
	assert_memory_equal(out, "a\\x4\\", 5);
	n = console_unescape("\\xZZ\\x41", 8, out);
	assert_int_equal(n, 5);
	assert_memory_equal(out, "\\xZZA", 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_unchanged),
		cmocka_unit_test(test_control_and_high_bytes_escaped),
		cmocka_unit_test(test_crlf_becomes_lf_even_split),
		cmocka_unit_test(test_room_is_enough_for_the_worst),
		cmocka_unit_test(test_unescape_round_trip),
		cmocka_unit_test(test_unescape_malformed_is_copied),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
