// SPDX-License-Identifier: MIT
/* The config a restored guest restarts from (guest_restart_config): it
 * parses, with the restorer's rights, names the image's guest, and is
 * remembered as an absolute path. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "guest/guest.h"

struct dir {
	char path[64];
	char web1[96];  /* names web1 */
	char bad[96];   /* does not parse */
};

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	snprintf(d->path, sizeof(d->path), "/tmp/chaos-restart-XXXXXX");
	assert_non_null(mkdtemp(d->path));
	snprintf(d->web1, sizeof(d->web1), "%s/web1.json", d->path);
	snprintf(d->bad, sizeof(d->bad), "%s/bad.json", d->path);
	write_text(d->web1, "{ \"name\": \"web1\", \"kernel\": \"/k.elf\", "
			    "\"memory\": 4 }\n");
	write_text(d->bad, "{ \"name\": \"web1\", \"memory\": 4 }\n");
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct dir *d = *state;

	unlink(d->web1);
	unlink(d->bad);
	rmdir(d->path);
	free(d);
	return 0;
}

static void test_names_the_guest(void **state)
{
	struct dir *d = *state;
	char out[CHAOS_RECORD_PATH_MAX], cwd[PATH_MAX];
	chaos_err err;

	assert_int_equal(guest_restart_config(d->web1, NULL, "web1", out, &err),
			 0);
	assert_string_equal(out, d->web1);
	/* A relative path is remembered absolute. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(d->path), 0);
	assert_int_equal(guest_restart_config("web1.json", NULL, "web1", out,
					      &err), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_string_equal(out, d->web1);
}

static void test_refused(void **state)
{
	struct dir *d = *state;
	char out[CHAOS_RECORD_PATH_MAX], missing[128];
	chaos_err err;

	/* Another guest's config: a restart would build that one. */
	assert_int_equal(guest_restart_config(d->web1, NULL, "web2", out, &err),
			 -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "names the guest 'web1', the image 'web2'"));
	assert_string_equal(out, "");
	/* An unnamed image's guest restarts from an unnamed config only. */
	assert_int_equal(guest_restart_config(d->web1, NULL, "", out, &err), -1);
	assert_non_null(strstr(err.msg, "the image ''"));
	/* What does not parse, or is not there, or is not a file. */
	assert_int_equal(guest_restart_config(d->bad, NULL, "web1", out, &err),
			 -1);
	assert_non_null(strstr(err.msg, "kernel"));
	snprintf(missing, sizeof(missing), "%s/none.json", d->path);
	assert_int_equal(guest_restart_config(missing, NULL, "web1", out, &err),
			 -1);
	assert_int_equal(err.code, ENOENT);
	assert_int_equal(guest_restart_config(d->path, NULL, "web1", out, &err),
			 -1);
	assert_string_equal(out, "");
}

/* Read with the restorer's rights: one who cannot read it is refused. */
static void test_restorer_rights(void **state)
{
	struct dir *d = *state;
	chaos_cred nobody = { .uid = 65534, .gid = 65534 };
	char out[CHAOS_RECORD_PATH_MAX];
	chaos_err err;

	if (geteuid() != 0)
		return;  /* switching to another user's rights needs root */
	assert_int_equal(chmod(d->path, 0755), 0);
	assert_int_equal(chmod(d->web1, 0644), 0);
	assert_int_equal(guest_restart_config(d->web1, &nobody, "web1", out,
					      &err), 0);
	assert_string_equal(out, d->web1);
	assert_int_equal(chmod(d->web1, 0600), 0);
	assert_int_equal(guest_restart_config(d->web1, &nobody, "web1", out,
					      &err), -1);
	assert_int_equal(err.code, EACCES);
	assert_int_equal(chmod(d->path, 0700), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_the_guest),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_restorer_rights),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
