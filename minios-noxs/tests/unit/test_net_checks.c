// SPDX-License-Identifier: MIT
/*
 * netfront's view of the backend (noxs/net_checks.h) on the build machine:
 * producer indexes that run ahead of our requests, wrapped indexes,
 * responses naming buffers we never posted or got back already, bad
 * lengths, offsets and flags.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define xen_mb() __sync_synchronize()
#define xen_rmb() __sync_synchronize()
#define xen_wmb() __sync_synchronize()
#include <xen/io/netif.h>

#include "noxs/net_checks.h"

#define BUFS 64
#define PAGE 4096
#define FRAME_MAX 1518

static void test_producer_index(void **state)
{
	(void)state;
	/* Nothing asked, nothing answered. */
	assert_true(nf_responses_sane(0, 0, 0));
	assert_false(nf_responses_sane(1, 0, 0));
	/* 64 asked: up to 64 answers. */
	assert_true(nf_responses_sane(64, 0, 64));
	assert_true(nf_responses_sane(10, 0, 64));
	assert_false(nf_responses_sane(65, 0, 64));
	/* Behind what we consumed is as bad as ahead. */
	assert_false(nf_responses_sane(9, 10, 64));
	assert_false(nf_responses_sane(0xffffffffu, 0, 64));
	/* Indexes wrap at 2^32. */
	assert_true(nf_responses_sane(5, 0xfffffff0u, 0x20));
	assert_false(nf_responses_sane(0x21, 0xfffffff0u, 0x20));
}

static netif_rx_response_t rsp(uint16_t id, uint16_t offset, uint16_t flags,
			       int16_t status)
{
	netif_rx_response_t r = {
		.id = id, .offset = offset, .flags = flags, .status = status,
	};
	return r;
}

static enum nf_rx_verdict check(netif_rx_response_t r, const bool *posted)
{
	return nf_rx_check(&r, posted, BUFS, PAGE, FRAME_MAX);
}

static void test_rx_ids(void **state)
{
	bool posted[BUFS];

	(void)state;
	memset(posted, 1, sizeof(posted));
	posted[7] = false;
	assert_int_equal(check(rsp(0, 0, 0, 60), posted), NF_RX_FRAME);
	assert_int_equal(check(rsp(BUFS - 1, 0, 0, 60), posted), NF_RX_FRAME);
	assert_int_equal(check(rsp(BUFS, 0, 0, 60), posted), NF_RX_BAD_ID);
	assert_int_equal(check(rsp(0xffff, 0, 0, 60), posted), NF_RX_BAD_ID);
	/* A buffer we already got back (a repeated response). */
	assert_int_equal(check(rsp(7, 0, 0, 60), posted), NF_RX_BAD_ID);
}

static void test_rx_sizes(void **state)
{
	bool posted[BUFS];

	(void)state;
	memset(posted, 1, sizeof(posted));
	assert_int_equal(check(rsp(1, 0, 0, 1), posted), NF_RX_FRAME);
	assert_int_equal(check(rsp(1, 0, 0, FRAME_MAX), posted), NF_RX_FRAME);
	assert_int_equal(check(rsp(1, 0, 0, FRAME_MAX + 1), posted),
			 NF_RX_ERROR);
	assert_int_equal(check(rsp(1, 0, 0, 0), posted), NF_RX_ERROR);
	assert_int_equal(check(rsp(1, 0, 0, NETIF_RSP_ERROR), posted),
			 NF_RX_ERROR);
	assert_int_equal(check(rsp(1, 0, 0, NETIF_RSP_DROPPED), posted),
			 NF_RX_ERROR);
	assert_int_equal(check(rsp(1, 0, 0, INT16_MIN), posted), NF_RX_ERROR);
	assert_int_equal(check(rsp(1, 0, 0, INT16_MAX), posted), NF_RX_ERROR);
	/* The frame must fit the page from its offset. */
	assert_int_equal(check(rsp(1, PAGE - 60, 0, 60), posted), NF_RX_FRAME);
	assert_int_equal(check(rsp(1, PAGE - 59, 0, 60), posted), NF_RX_ERROR);
	assert_int_equal(check(rsp(1, 0xffff, 0, 60), posted), NF_RX_ERROR);
}

static void test_rx_flags(void **state)
{
	bool posted[BUFS];

	(void)state;
	memset(posted, 1, sizeof(posted));
	/* Checksum hints are harmless: the stack checks for itself. */
	assert_int_equal(check(rsp(1, 0, NETRXF_data_validated, 60), posted),
			 NF_RX_FRAME);
	assert_int_equal(check(rsp(1, 0, NETRXF_csum_blank, 60), posted),
			 NF_RX_FRAME);
	assert_int_equal(check(rsp(1, 0, NETRXF_more_data, 60), posted),
			 NF_RX_ERROR);
	assert_int_equal(check(rsp(1, 0, NETRXF_extra_info, 60), posted),
			 NF_RX_ERROR);
}

static void test_tx_ids(void **state)
{
	bool in_flight[BUFS] = { false };
	netif_tx_response_t r = { .id = 3, .status = NETIF_RSP_OKAY };

	(void)state;
	assert_false(nf_tx_id_ok(&r, in_flight, BUFS));
	in_flight[3] = true;
	assert_true(nf_tx_id_ok(&r, in_flight, BUFS));
	r.id = BUFS;
	assert_false(nf_tx_id_ok(&r, in_flight, BUFS));
	r.id = 0xffff;
	assert_false(nf_tx_id_ok(&r, in_flight, BUFS));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_producer_index),
		cmocka_unit_test(test_rx_ids),
		cmocka_unit_test(test_rx_sizes),
		cmocka_unit_test(test_rx_flags),
		cmocka_unit_test(test_tx_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
