// SPDX-License-Identifier: MIT
/* Kernels read once (kernel.c): identity of the file, references, errors. */
#include <errno.h>
#include <fcntl.h>
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

#include <chaos/kernel.h>

#include "image_fixture.h"

#define BASE 0xffffffff80000000ull

struct dir {
	char path[64];
	char kernel[96];
};

static void write_file(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));
	uint8_t *elf = fx_default_elf(BASE);

	strcpy(d->path, "/tmp/chaos-test-kernel-XXXXXX");
	assert_non_null(mkdtemp(d->path));
	snprintf(d->kernel, sizeof(d->kernel), "%s/k.elf", d->path);
	write_file(d->kernel, elf, FX_SIZE);
	free(elf);
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct dir *d = *state;
	char fifo[128];

	snprintf(fifo, sizeof(fifo), "%s/fifo", d->path);
	unlink(fifo);
	unlink(d->kernel);
	rmdir(d->path);
	free(d);
	return 0;
}

static void test_open_and_current(void **state)
{
	struct dir *d = *state;
	chaos_kernel *k;
	chaos_err err;

	assert_int_equal(chaos_kernel_open(d->kernel, NULL, &k, &err), 0);
	assert_string_equal(chaos_kernel_path(k), d->kernel);
	assert_true(chaos_kernel_is_current(k, NULL));
	chaos_kernel_unref(k);
}

/* A file rewritten in place (new times) is not the kernel read before. */
static void test_rewritten_file_is_not_current(void **state)
{
	struct dir *d = *state;
	struct timespec later[2] = { { .tv_sec = 2000000000 },
				     { .tv_sec = 2000000000 } };
	chaos_kernel *k;
	chaos_err err;

	assert_int_equal(chaos_kernel_open(d->kernel, NULL, &k, &err), 0);
	assert_int_equal(utimensat(AT_FDCWD, d->kernel, later, 0), 0);
	assert_false(chaos_kernel_is_current(k, NULL));
	chaos_kernel_unref(k);
}

/* Replaced by another file under the same name: another inode. */
static void test_replaced_file_is_not_current(void **state)
{
	struct dir *d = *state;
	uint8_t *elf = fx_default_elf(BASE);
	char tmp[128];
	chaos_kernel *k;
	chaos_err err;

	assert_int_equal(chaos_kernel_open(d->kernel, NULL, &k, &err), 0);
	snprintf(tmp, sizeof(tmp), "%s/new", d->path);
	write_file(tmp, elf, FX_SIZE);
	free(elf);
	assert_int_equal(rename(tmp, d->kernel), 0);
	assert_false(chaos_kernel_is_current(k, NULL));
	unlink(d->kernel);
	assert_false(chaos_kernel_is_current(k, NULL));
	chaos_kernel_unref(k);
}

/* The same file, but current only for whoever may read it now. */
static void test_unreadable_is_not_current(void **state)
{
	struct dir *d = *state;
	chaos_cred nobody = { .uid = 65534, .gid = 65534 };
	chaos_cred root = { .uid = 0, .gid = 0 };
	chaos_kernel *k;
	chaos_err err;

	assert_int_equal(chmod(d->path, 0755), 0);
	assert_int_equal(chmod(d->kernel, 0644), 0);
	assert_int_equal(chaos_kernel_open(d->kernel, NULL, &k, &err), 0);
	if (geteuid() == 0)
		assert_true(chaos_kernel_is_current(k, &nobody));
	/* chmod changes the change time: read it again to compare. */
	chaos_kernel_unref(k);
	assert_int_equal(chmod(d->kernel, 0), 0);
	assert_int_equal(chaos_kernel_open(d->kernel, NULL, &k, &err),
			 geteuid() == 0 ? 0 : -1);
	if (geteuid() == 0) {
		assert_true(chaos_kernel_is_current(k, NULL));
		assert_false(chaos_kernel_is_current(k, &nobody));
		/* Root reads any regular file: no access check asked. */
		assert_true(chaos_kernel_is_current(k, &root));
		chaos_kernel_unref(k);
	}
	assert_int_equal(chmod(d->kernel, 0644), 0);
	assert_int_equal(chmod(d->path, 0700), 0);
}

/* The last reference frees it (ASan and valgrind see a leak otherwise). */
static void test_references(void **state)
{
	struct dir *d = *state;
	chaos_kernel *k, *k2;
	chaos_err err;

	assert_int_equal(chaos_kernel_open(d->kernel, NULL, &k, &err), 0);
	k2 = chaos_kernel_ref(k);
	assert_ptr_equal(k, k2);
	chaos_kernel_unref(k);
	assert_string_equal(chaos_kernel_path(k2), d->kernel);
	chaos_kernel_unref(k2);
	chaos_kernel_unref(NULL);
	assert_null(chaos_kernel_ref(NULL));
}

/* The errors a create gives for the same file, and nothing returned. */
static void test_bad_files(void **state)
{
	struct dir *d = *state;
	static const uint8_t junk[64] = "not a kernel";
	char path[128];
	chaos_kernel *k = (chaos_kernel *)1;
	chaos_err err;

	snprintf(path, sizeof(path), "%s/missing", d->path);
	assert_int_equal(chaos_kernel_open(path, NULL, &k, &err), -1);
	assert_null(k);
	assert_int_equal(err.code, ENOENT);

	/* A FIFO must not block the reader (audit finding 7). */
	snprintf(path, sizeof(path), "%s/fifo", d->path);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(chaos_kernel_open(path, NULL, &k, &err), -1);
	assert_null(k);

	write_file(d->kernel, junk, sizeof(junk));
	assert_int_equal(chaos_kernel_open(d->kernel, NULL, &k, &err), -1);
	assert_null(k);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, d->kernel));

	assert_int_equal(chaos_kernel_open(NULL, NULL, &k, &err), -1);
	assert_int_equal(err.code, EINVAL);
}

/*
 * Found by tests kept outside the tree: refusing a decompression bomb
 * cost chaosd about 270 MB, because the bound was a fixed 256 MiB and not
 * the guest's memory. A kernel for a 4 MiB guest stops at 4 MiB.
 */
static void test_bomb_bounded_by_guest_memory(void **state)
{
	struct dir *d = *state;
	uint8_t z[6 + 32 * 8 * 4];
	chaos_kernel *k;
	chaos_err err;

	write_file(d->kernel, z, fx_zstd_zeros(z, 32 * 8));
	assert_int_equal(chaos_kernel_open_bounded(d->kernel, NULL, 4, &k,
						   &err), -1);
	assert_null(k);
	assert_int_equal(err.code, EFBIG);
	assert_non_null(strstr(err.msg, "decompresses to more than 4 MiB"));
	/* Without a guest in view the library's own bound applies: all
	 * 32 MiB are read, and found not to be an ELF. */
	assert_int_equal(chaos_kernel_open_bounded(d->kernel, NULL, 0, &k,
						   &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "does not decompress to an ELF"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bomb_bounded_by_guest_memory,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_and_current, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rewritten_file_is_not_current,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_replaced_file_is_not_current,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_is_not_current,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_references, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_files, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
