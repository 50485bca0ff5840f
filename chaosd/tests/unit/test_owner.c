// SPDX-License-Identifier: MIT
/*
 * chaosd's ownership logic (owner.c): root's reserved connection slots
 * and console streams and the per-owner quotas, with the messages a
 * refused client reads, and their options (audit finding 9: group members must neither lock root
 * out nor take the host's memory with guests or pool shells).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../consoles.h"
#include "../../owner.h"
#include "../../slots.h"
#include "../../options.h"

/* Audit finding 9: with every ordinary slot held by clients that are not
 * root, root still connects; nobody gets more than the total. */
static void test_root_slots(void **state)
{
	(void)state;
	assert_true(owner_slot_ok(2001, 0, 0));
	assert_true(owner_slot_ok(2001, CLIENTS_ORDINARY - 1,
				  CLIENTS_ORDINARY - 1));
	assert_false(owner_slot_ok(2001, CLIENTS_ORDINARY, CLIENTS_ORDINARY));
	assert_true(owner_slot_ok(0, CLIENTS_ORDINARY, CLIENTS_ORDINARY));
	assert_true(owner_slot_ok(0, CLIENTS_MAX - 1, CLIENTS_ORDINARY));
	assert_false(owner_slot_ok(0, CLIENTS_MAX, CLIENTS_ORDINARY));
	/* Root's own clients never use up the members' share... */
	assert_true(owner_slot_ok(2001, CLIENTS_ORDINARY, 3));
	/* ... but the table is finite for everyone. */
	assert_false(owner_slot_ok(2001, CLIENTS_MAX, 3));
	assert_true(CLIENTS_ROOT_RESERVED > 0);
}

/* Console streams leave the connection slots, so they keep root's share
 * of their own: 64 streams a member holds leave root 8 more. */
static void test_root_streams(void **state)
{
	const unsigned int ord = CONSOLE_STREAMS_ORDINARY;
	const unsigned int max = CONSOLE_STREAMS_MAX;

	(void)state;
	assert_true(CONSOLE_STREAMS_ROOT_RESERVED > 0);
	assert_true(slots_ok(2001, 0, 0, ord, max));
	assert_true(slots_ok(2001, ord - 1, ord - 1, ord, max));
	assert_false(slots_ok(2001, ord, ord, ord, max));
	assert_true(slots_ok(0, ord, ord, ord, max));
	assert_true(slots_ok(0, max - 1, ord, ord, max));
	assert_false(slots_ok(0, max, ord, ord, max));
	/* Members and root sharing the ordinary ones: root's streams do not
	 * count against the members... */
	assert_true(slots_ok(2001, ord, 5, ord, max));
	/* ... and nobody gets past the table. */
	assert_false(slots_ok(2001, max, 5, ord, max));
	/* The connection slots follow the same rule with their numbers. */
	assert_int_equal(owner_slot_ok(2001, 10, 10),
			 slots_ok(2001, 10, 10, CLIENTS_ORDINARY,
					CLIENTS_MAX));
}

static void test_quota_parse(void **state)
{
	struct quota q;
	chaos_err err;

	(void)state;
	assert_int_equal(quota_parse("guests=2,memory=16,pool=3", &q, &err), 0);
	assert_int_equal(q.guests, 2);
	assert_int_equal(q.memory_mib, 16);
	assert_int_equal(q.pool, 3);
	/* What is not named is not limited. */
	assert_int_equal(quota_parse("guests=0", &q, &err), 0);
	assert_int_equal(q.guests, 0);
	assert_true(q.memory_mib == QUOTA_NONE && q.pool == QUOTA_NONE);
	assert_int_equal(quota_parse("guests=-1", &q, &err), -1);
	assert_non_null(strstr(err.msg, "guests"));
	assert_int_equal(quota_parse("cpus=2", &q, &err), -1);
	assert_non_null(strstr(err.msg, "unknown key 'cpus'"));
	assert_int_equal(quota_parse("memory", &q, &err), -1);
	assert_int_equal(quota_parse("", &q, &err), -1);
	assert_int_equal(quota_parse("pool=18446744073709551615", &q, &err),
			 -1);
}

/* Audit finding 9: a member's guests and memory are capped; the message
 * names the quota, the uid and the numbers. */
static void test_quota_create(void **state)
{
	struct quota q = { .guests = 2, .memory_mib = 16, .pool = 4 };
	struct usage u = { .guests = 1, .guest_mib = 4 };
	chaos_err err;

	(void)state;
	assert_int_equal(quota_check_create(&q, 2001, &u, 4, &err), 0);
	assert_int_equal(quota_check_create(&q, 2001, &u, 12, &err), 0);
	assert_int_equal(quota_check_create(&q, 2001, &u, 13, &err), -1);
	assert_int_equal(err.code, EDQUOT);
	assert_string_equal(err.msg,
			    "quota memory: uid 2001 may hold at most 16 MiB (has 4 MiB in guests and 0 MiB in pool shells; this guest needs 13 MiB)");
	/* Pool shells a member keeps count as its memory. */
	u.pool_mib = 8;
	assert_int_equal(quota_check_create(&q, 2001, &u, 8, &err), -1);
	assert_non_null(strstr(err.msg, "8 MiB in pool shells"));
	u.pool_mib = 0;
	u.guests = 2;
	assert_int_equal(quota_check_create(&q, 2001, &u, 4, &err), -1);
	assert_int_equal(err.code, EDQUOT);
	assert_string_equal(err.msg,
			    "quota guests: uid 2001 may have at most 2 guests (has 2)");
}

/* Audit finding 9: pool-set cannot make a member's flavours keep more
 * shells, or more memory, than its quota. */
static void test_quota_pool(void **state)
{
	struct quota q = { .guests = QUOTA_NONE, .memory_mib = 64, .pool = 4 };
	struct usage u = { .guest_mib = 8, .pool_shells = 1, .pool_mib = 4 };
	chaos_err err;

	(void)state;
	assert_int_equal(quota_check_pool(&q, 2001, &u, 3, 12, &err), 0);
	assert_int_equal(quota_check_pool(&q, 2001, &u, 4, 16, &err), -1);
	assert_int_equal(err.code, EDQUOT);
	assert_string_equal(err.msg,
			    "quota pool: uid 2001 may keep at most 4 pool shells (asked for 4, has 1 in other flavours)");
	assert_int_equal(quota_check_pool(&q, 2001, &u, 1, 53, &err), -1);
	assert_non_null(strstr(err.msg, "quota memory: uid 2001 may hold at most 64 MiB"));
	/* Setting a flavour to 0 always fits. */
	assert_int_equal(quota_check_pool(&q, 2001, &u, 0, 0, &err), 0);
}

static void test_options(void **state)
{
	char *argv[] = { "chaosd", "--quota", "guests=1,memory=8",
			 "--quota-root", "pool=100", NULL };
	char *bad[] = { "chaosd", "--quota", "guests=x", NULL };
	struct chaosd_options o;
	chaos_err err;

	(void)state;
	assert_int_equal(chaosd_options_parse(5, argv, &o, &err), 0);
	assert_true(o.quota_set && o.quota_root_set);
	assert_int_equal(o.quota.guests, 1);
	assert_int_equal(o.quota.memory_mib, 8);
	assert_true(o.quota.pool == QUOTA_NONE);
	assert_int_equal(o.quota_root.pool, 100);
	assert_int_equal(chaosd_options_parse(3, bad, &o, &err), -1);
	assert_non_null(strstr(err.msg, "quota: guests"));
	/* Without --quota-root, root is exempt. */
	assert_int_equal(chaosd_options_parse(3, argv, &o, &err), 0);
	assert_false(o.quota_root_set);
}

/* Flavours that differ only in vifs or bridge are kept apart, as the pool
 * keeps them; the same flavour again only changes its size. */
static void test_pool_flavours(void **state)
{
	char *argv[] = { "chaosd",
			 "--pool", "memory=4,vcpus=1,size=2",
			 "--pool", "memory=4,vcpus=1,vifs=1,size=3",
			 "--pool", "memory=4,vcpus=1,vifs=1,bridge=br0,size=4",
			 "--pool", "memory=4,vcpus=1,vifs=1,bridge=br1,size=5",
			 "--pool", "memory=4,vcpus=1,size=6", NULL };
	struct chaosd_options o;
	chaos_err err;

	(void)state;
	assert_int_equal(chaosd_options_parse(11, argv, &o, &err), 0);
	assert_int_equal(o.nr_pools, 4);
	assert_int_equal(o.pools[0].vifs, 0);
	assert_int_equal(o.pools[0].size, 6);
	assert_int_equal(o.pools[1].vifs, 1);
	assert_string_equal(o.pools[1].bridge, "");
	assert_int_equal(o.pools[1].size, 3);
	assert_string_equal(o.pools[2].bridge, "br0");
	assert_int_equal(o.pools[2].size, 4);
	assert_string_equal(o.pools[3].bridge, "br1");
	assert_int_equal(o.pools[3].size, 5);
}

static void test_prime_kernel_option(void **state)
{
	char *argv[] = { "chaosd", "--prime-kernel", "/srv/guests/noop.elf",
			 NULL };
	char *relative[] = { "chaosd", "--prime-kernel=noop.elf", NULL };
	char *missing[] = { "chaosd", "--prime-kernel", NULL };
	struct chaosd_options o;
	chaos_err err;

	(void)state;
	assert_int_equal(chaosd_options_parse(3, argv, &o, &err), 0);
	assert_string_equal(o.prime_kernel, "/srv/guests/noop.elf");
	free((char *)o.prime_kernel);
	assert_int_equal(chaosd_options_parse(2, relative, &o, &err), -1);
	assert_string_equal(err.msg,
			    "prime-kernel: expected an absolute path under 4096 bytes");
	assert_null(o.prime_kernel);
	assert_int_equal(chaosd_options_parse(2, missing, &o, &err), -1);
	assert_string_equal(err.msg, "--prime-kernel: needs a value");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_slots),
		cmocka_unit_test(test_root_streams),
		cmocka_unit_test(test_quota_parse),
		cmocka_unit_test(test_quota_create),
		cmocka_unit_test(test_quota_pool),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_pool_flavours),
		cmocka_unit_test(test_prime_kernel_option),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
