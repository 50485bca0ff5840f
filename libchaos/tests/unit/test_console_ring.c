// SPDX-License-Identifier: MIT
/* The console ring against a guest that lies about its indexes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <xenctrl.h>
#include <xen/io/console.h>
#include <chaos/console.h>

static struct xencons_interface ring;

static int reset(void **state)
{
	(void)state;
	memset(&ring, 0, sizeof(ring));
	return 0;
}

static void test_reads_what_was_written_across_the_wrap(void **state)
{
	char buf[CHAOS_CONSOLE_OUT_RING];
	bool corrupt;
	size_t n;

	(void)state;
	ring.out_cons = ring.out_prod = 0xfffffffe;   /* indexes wrap too */
	for (int i = 0; i < 4; i++)
		ring.out[MASK_XENCONS_IDX(ring.out_prod++, ring.out)] = (char)('a' + i);
	n = chaos_console_ring_read(&ring, buf, sizeof(buf), &corrupt);
	assert_false(corrupt);
	assert_int_equal(n, 4);
	assert_memory_equal(buf, "abcd", 4);
	assert_int_equal(ring.out_cons, ring.out_prod);
}

static void test_partial_read_leaves_the_rest(void **state)
{
	char buf[8];
	bool corrupt;

	(void)state;
	ring.out_prod = 20;
	assert_int_equal(chaos_console_ring_read(&ring, buf, 8, &corrupt), 8);
	assert_int_equal(ring.out_cons, 8);
	assert_int_equal(chaos_console_ring_read(&ring, buf, 8, &corrupt), 8);
	assert_int_equal(chaos_console_ring_read(&ring, buf, 8, &corrupt), 4);
	assert_int_equal(chaos_console_ring_read(&ring, buf, 8, &corrupt), 0);
}

static void test_producer_too_far_ahead_is_skipped(void **state)
{
	char buf[CHAOS_CONSOLE_OUT_RING];
	bool corrupt;

	(void)state;
	ring.out_cons = 10;
	ring.out_prod = 10 + sizeof(ring.out) + 1;
	assert_int_equal(chaos_console_ring_read(&ring, buf, sizeof(buf), &corrupt), 0);
	assert_true(corrupt);
	assert_int_equal(ring.out_cons, ring.out_prod);
	/* Behind us is just as impossible. */
	ring.out_prod = ring.out_cons - 1;
	assert_int_equal(chaos_console_ring_read(&ring, buf, sizeof(buf), &corrupt), 0);
	assert_true(corrupt);
}

static void test_input_fills_the_ring_and_no_more(void **state)
{
	char keys[2 * sizeof(ring.in)];

	(void)state;
	memset(keys, 'k', sizeof(keys));
	assert_int_equal(chaos_console_ring_write(&ring, keys, sizeof(keys)),
			 sizeof(ring.in));
	assert_int_equal(chaos_console_ring_write(&ring, keys, 1), 0);
	ring.in_cons += 10;   /* the guest took ten */
	assert_int_equal(chaos_console_ring_write(&ring, keys, sizeof(keys)), 10);
}

static void test_lying_consumer_means_full(void **state)
{
	(void)state;
	ring.in_prod = 5;
	ring.in_cons = 6;   /* ahead of the producer */
	assert_int_equal(chaos_console_ring_write(&ring, "x", 1), 0);
	assert_int_equal(ring.in_prod, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reads_what_was_written_across_the_wrap, reset),
		cmocka_unit_test_setup(test_partial_read_leaves_the_rest, reset),
		cmocka_unit_test_setup(test_producer_too_far_ahead_is_skipped, reset),
		cmocka_unit_test_setup(test_input_fills_the_ring_and_no_more, reset),
		cmocka_unit_test_setup(test_lying_consumer_means_full, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
