// SPDX-License-Identifier: MIT
/* chaosd's kept kernels (kernels.c): hits, changed files, eviction. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../kernels.h"
#include "../../../libchaos/tests/unit/image_fixture.h"

#define BASE 0xffffffff80000000ull
#define FILES (KERNELS_MAX + 2)

static char dir[64];

static void kernel_path(unsigned int i, char *out, size_t len)
{
	snprintf(out, len, "%s/k%u.elf", dir, i);
}

static void write_kernel(unsigned int i)
{
	uint8_t *elf = fx_default_elf(BASE);
	char path[96], tmp[104];
	FILE *f;

	kernel_path(i, path, sizeof(path));
	/* A new file each time, renamed over: a new inode. */
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	f = fopen(tmp, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(elf, 1, FX_SIZE, f), FX_SIZE);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(tmp, path), 0);
	free(elf);
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/chaosd-test-kernels-XXXXXX");
	assert_non_null(mkdtemp(dir));
	for (unsigned int i = 0; i < FILES; i++)
		write_kernel(i);
	return 0;
}

static int teardown(void **state)
{
	char path[96];

	(void)state;
	for (unsigned int i = 0; i < FILES; i++) {
		kernel_path(i, path, sizeof(path));
		unlink(path);
	}
	rmdir(dir);
	return 0;
}

/* The second create of a file takes the kept kernel. */
static void test_hit(void **state)
{
	struct kernels ks;
	chaos_kernel *a, *b;
	char path[96];

	kernels_init(&ks);
	(void)state;
	kernel_path(0, path, sizeof(path));
	a = kernels_get(&ks, path, 0, NULL, NULL);
	b = kernels_get(&ks, path, 0, NULL, NULL);
	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_int_equal(ks.reads, 1);
	assert_int_equal(ks.hits, 1);
	chaos_kernel_unref(a);
	chaos_kernel_unref(b);
	kernels_clear(&ks);
}

/* A file replaced since is read again; the old kernel lives on for
 * whoever still holds it. */
static void test_changed_file_read_again(void **state)
{
	struct kernels ks;
	chaos_kernel *a, *b;
	char path[96];

	kernels_init(&ks);
	(void)state;
	kernel_path(1, path, sizeof(path));
	a = kernels_get(&ks, path, 0, NULL, NULL);
	write_kernel(1);
	b = kernels_get(&ks, path, 0, NULL, NULL);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_int_equal(ks.reads, 2);
	assert_string_equal(chaos_kernel_path(a), path);
	chaos_kernel_unref(a);
	chaos_kernel_unref(b);
	kernels_clear(&ks);
}

/* More files than slots: the one used longest ago goes. */
static void test_eviction(void **state)
{
	struct kernels ks;
	char path[96];

	kernels_init(&ks);
	(void)state;
	for (unsigned int i = 0; i < FILES; i++) {
		kernel_path(i, path, sizeof(path));
		chaos_kernel_unref(kernels_get(&ks, path, 0, NULL, NULL));
	}
	assert_int_equal(ks.reads, FILES);
	/* The last ones are kept, the first ones are not. */
	kernel_path(FILES - 1, path, sizeof(path));
	chaos_kernel_unref(kernels_get(&ks, path, 0, NULL, NULL));
	assert_int_equal(ks.hits, 1);
	kernel_path(0, path, sizeof(path));
	chaos_kernel_unref(kernels_get(&ks, path, 0, NULL, NULL));
	assert_int_equal(ks.reads, FILES + 1);
	kernels_clear(&ks);
}

/* Unreadable: nothing kept, the create reports it itself. */
static void test_missing(void **state)
{
	struct kernels ks;
	chaos_err err;
	char path[96];

	kernels_init(&ks);
	(void)state;
	snprintf(path, sizeof(path), "%s/none", dir);
	assert_null(kernels_get(&ks, path, 0, NULL, NULL));
	assert_null(kernels_get(&ks, NULL, 0, NULL, NULL));
	/* Asked for, the reason comes back (chaosd's --prime-kernel). */
	memset(&err, 0, sizeof(err));
	assert_null(kernels_get(&ks, path, 0, NULL, &err));
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.msg, path));
	assert_int_equal(ks.reads, 0);
	kernels_clear(&ks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit),
		cmocka_unit_test(test_changed_file_read_again),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_missing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
