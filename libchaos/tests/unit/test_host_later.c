// SPDX-License-Identifier: MIT
/* Mappings and descriptors left for later (hyp/host_later.c): kept until
 * tidied, bounded. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "hyp/hyp.h"
#include <chaos/host.h>

static struct chaos_host host;

static int reset(void **state)
{
	(void)state;
	memset(&host, 0, sizeof(host));
	return 0;
}

static size_t page(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static void *map_pages(size_t n)
{
	void *p = mmap(NULL, n * page(), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

/* mincore answers ENOMEM for an address range that is not mapped. */
static int mapped(void *p, size_t n)
{
	unsigned char vec[16];

	assert_true(n <= sizeof(vec));
	if (mincore(p, n * page(), vec) == 0)
		return 1;
	assert_int_equal(errno, ENOMEM);
	return 0;
}

static void test_kept_until_tidied(void **state)
{
	void *a = map_pages(2), *b = map_pages(3);

	(void)state;
	chaos_host_unmap_later(&host, a, 2 * page());
	chaos_host_unmap_later(&host, b, 3 * page());
	assert_int_equal(host.nr_later, 2);
	assert_true(mapped(a, 2));
	assert_true(mapped(b, 3));
	chaos_host_tidy(&host);
	assert_int_equal(host.nr_later, 0);
	assert_false(mapped(a, 2));
	assert_false(mapped(b, 3));
	/* Nothing left: a second tidy does nothing. */
	chaos_host_tidy(&host);
	assert_int_equal(host.nr_later, 0);
}

/* A caller that never tidies holds at most CHAOS_HOST_LATER_MAX: the
 * oldest goes first. */
static void test_bounded_oldest_first(void **state)
{
	void *p[CHAOS_HOST_LATER_MAX + 2];

	(void)state;
	/* All mapped first: a mapping made after an unmap may reuse its
	 * address. */
	for (int i = 0; i < CHAOS_HOST_LATER_MAX + 2; i++)
		p[i] = map_pages(1);
	for (int i = 0; i < CHAOS_HOST_LATER_MAX + 2; i++)
		chaos_host_unmap_later(&host, p[i], page());
	assert_int_equal(host.nr_later, CHAOS_HOST_LATER_MAX);
	assert_false(mapped(p[0], 1));
	assert_false(mapped(p[1], 1));
	for (int i = 2; i < CHAOS_HOST_LATER_MAX + 2; i++) {
		assert_true(mapped(p[i], 1));
		assert_ptr_equal(host.later[i - 2].base, p[i]);
	}
	chaos_host_tidy(&host);
	for (int i = 2; i < CHAOS_HOST_LATER_MAX + 2; i++)
		assert_false(mapped(p[i], 1));
}

/* No mapping (a shell not primed ahead): nothing to remember. */
static void test_nothing_is_not_kept(void **state)
{
	void *p = map_pages(1);

	(void)state;
	chaos_host_unmap_later(&host, NULL, page());
	chaos_host_unmap_later(&host, p, 0);
	assert_int_equal(host.nr_later, 0);
	chaos_host_tidy(NULL);
	assert_true(mapped(p, 1));
	munmap(p, page());
}

static int open_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

static int is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/* A descriptor (a pooled create's record file) is closed at the tidy, or
 * when more than CHAOS_HOST_LATER_MAX wait, the oldest first; -1 is not
 * one. */
static void test_descriptors(void **state)
{
	int fd[CHAOS_HOST_LATER_MAX + 1];

	(void)state;
	chaos_host_close_later(&host, -1);
	assert_int_equal(host.nr_close_later, 0);
	for (int i = 0; i < CHAOS_HOST_LATER_MAX + 1; i++)
		fd[i] = open_fd();
	for (int i = 0; i < CHAOS_HOST_LATER_MAX; i++)
		chaos_host_close_later(&host, fd[i]);
	for (int i = 0; i < CHAOS_HOST_LATER_MAX; i++)
		assert_true(is_open(fd[i]));
	chaos_host_close_later(&host, fd[CHAOS_HOST_LATER_MAX]);
	assert_int_equal(host.nr_close_later, CHAOS_HOST_LATER_MAX);
	assert_false(is_open(fd[0]));
	for (int i = 1; i < CHAOS_HOST_LATER_MAX + 1; i++)
		assert_true(is_open(fd[i]));
	chaos_host_tidy(&host);
	assert_int_equal(host.nr_close_later, 0);
	for (int i = 1; i < CHAOS_HOST_LATER_MAX + 1; i++)
		assert_false(is_open(fd[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_kept_until_tidied, reset),
		cmocka_unit_test_setup(test_bounded_oldest_first, reset),
		cmocka_unit_test_setup(test_nothing_is_not_kept, reset),
		cmocka_unit_test_setup(test_descriptors, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
