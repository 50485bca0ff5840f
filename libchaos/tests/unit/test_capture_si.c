// SPDX-License-Identifier: MIT
/* The start info a guest wrote, checked before a save believes it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ckpt/ckpt.h"

static start_info_t good(uint64_t nr_pages)
{
	start_info_t si;

	memset(&si, 0, sizeof(si));
	snprintf(si.magic, sizeof(si.magic), "xen-3.0-x86_64");
	si.nr_pages = nr_pages;
	si.mfn_list = 0x400000;
	return si;
}

static void test_honest(void **state)
{
	start_info_t si = good(1024);

	(void)state;
	assert_int_equal(chaos_capture_check_si(&si, 1024, 7, NULL), 0);
	assert_int_equal(chaos_capture_check_si(&si, 4096, 7, NULL), 0);
}

/*
 * Audit finding 7, "a hostile guest makes dom0 allocate GiBs and walk
 * millions of frames when it is saved or migrated": nr_pages beyond what
 * the domain may own is refused before anything is sized by it.
 */
static void test_lying_nr_pages(void **state)
{
	start_info_t si = good(1025);
	chaos_err err;

	(void)state;
	assert_int_equal(chaos_capture_check_si(&si, 1024, 7, &err), -1);
	assert_non_null(strstr(err.msg, "nr_pages 1025 does not match the domain"));
	si = good(0x1000000);
	assert_int_equal(chaos_capture_check_si(&si, 1024, 7, &err), -1);
	si = good(0);
	assert_int_equal(chaos_capture_check_si(&si, 1024, 7, &err), -1);
	si = good(UINT64_MAX);
	assert_int_equal(chaos_capture_check_si(&si, UINT64_MAX, 7, &err), -1);
}

static void test_other_lies(void **state)
{
	start_info_t si = good(16);
	chaos_err err;

	(void)state;
	si.mfn_list = 0x400001;
	assert_int_equal(chaos_capture_check_si(&si, 16, 7, &err), -1);
	assert_non_null(strstr(err.msg, "not page-aligned"));
	si = good(16);
	si.magic[0] = 'y';
	assert_int_equal(chaos_capture_check_si(&si, 16, 7, &err), -1);
	assert_non_null(strstr(err.msg, "magic"));
}

/* Finding 7 too: a suspended guest's console and store pfns beyond its
 * memory are refused at save, naming the field, as a restore would. */
static void test_frames_beyond_memory(void **state)
{
	start_info_t si = good(16);
	chaos_err err;

	(void)state;
	si.console.domU.mfn = 15;
	si.store_mfn = 14;
	assert_int_equal(chaos_capture_check_si_frames(&si, 7, NULL), 0);
	si.console.domU.mfn = 16;
	assert_int_equal(chaos_capture_check_si_frames(&si, 7, &err), -1);
	assert_non_null(strstr(err.msg, "console.domU.mfn"));
	si.console.domU.mfn = 0;
	si.store_mfn = UINT64_MAX;
	assert_int_equal(chaos_capture_check_si_frames(&si, 7, &err), -1);
	assert_non_null(strstr(err.msg, "store_mfn"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_honest),
		cmocka_unit_test(test_lying_nr_pages),
		cmocka_unit_test(test_other_lies),
		cmocka_unit_test(test_frames_beyond_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
