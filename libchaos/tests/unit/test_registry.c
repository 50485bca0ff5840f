// SPDX-License-Identifier: MIT
/* Unit tests for the guest name registry, in a mkdtemp() directory. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "state/state.h"

struct fixture {
	char top[64];          /* the mkdtemp() directory */
	char dir[96];          /* the registry inside it */
	chaos_registry *reg;
	char warnings[4096];
	int nr_warnings;
};

static void collect_warning(void *ctx, const char *msg)
{
	struct fixture *fx = ctx;
	size_t used = strlen(fx->warnings);

	snprintf(fx->warnings + used, sizeof(fx->warnings) - used, "%s\n", msg);
	fx->nr_warnings++;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	chaos_err err = { 0 };

	if (!fx)
		return -1;
	snprintf(fx->top, sizeof(fx->top), "/tmp/chaos-registry-test.XXXXXX");
	if (!mkdtemp(fx->top))
		return -1;
	/* Nested and missing: open creates it. */
	snprintf(fx->dir, sizeof(fx->dir), "%s/run/names", fx->top);
	if (chaos_registry_open(fx->dir, &fx->reg, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	chaos_registry_set_warn(fx->reg, collect_warning, fx);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[160];

	chaos_registry_close(fx->reg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->top);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

static void handle_of(uint32_t seed, uint8_t h[16])
{
	for (int i = 0; i < 16; i++)
		h[i] = (uint8_t)(seed * 31u + (uint32_t)i * 7u);
}

static chaos_domain_info live_dom(uint32_t domid, uint32_t seed)
{
	chaos_domain_info d;

	memset(&d, 0, sizeof(d));
	d.domid = domid;
	handle_of(seed, d.handle);
	return d;
}

static void write_file(struct fixture *fx, const char *name, const char *data,
		       size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void test_claim_lookup_release(void **state)
{
	struct fixture *fx = *state;
	chaos_err err = { 0 };
	uint8_t h[16], got[16];
	uint32_t domid = 0;
	char name[CHAOS_NAME_MAX];

	handle_of(1, h);
	assert_int_equal(chaos_registry_claim(fx->reg, "web-1", 5, h, &err), 0);
	assert_int_equal(chaos_registry_lookup(fx->reg, "web-1", &domid, got,
					       &err), 0);
	assert_int_equal(domid, 5);
	assert_memory_equal(got, h, 16);
	assert_int_equal(chaos_registry_name_of(fx->reg, 5, h, name,
						sizeof(name)), 0);
	assert_string_equal(name, "web-1");
	/* Too small a buffer. */
	assert_int_equal(chaos_registry_name_of(fx->reg, 5, h, name, 5), -1);

	/* Duplicate claim, even for the same domain. */
	assert_int_equal(chaos_registry_claim(fx->reg, "web-1", 6, h, &err), -1);
	assert_int_equal(err.code, EEXIST);
	assert_string_equal(err.msg, "name 'web-1' is already used by domain 5");

	/* The snapshot follows this handle's own claims and releases. */
	handle_of(2, h);
	assert_int_equal(chaos_registry_claim(fx->reg, "web-2", 6, h, &err), 0);
	assert_int_equal(chaos_registry_name_of(fx->reg, 6, h, name,
						sizeof(name)), 0);
	assert_string_equal(name, "web-2");
	assert_int_equal(chaos_registry_release(fx->reg, "web-2", &err), 0);
	assert_int_equal(chaos_registry_name_of(fx->reg, 6, h, name,
						sizeof(name)), -1);
	assert_int_equal(chaos_registry_lookup(fx->reg, "web-2", NULL, NULL,
					       &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_string_equal(err.msg, "no guest named 'web-2'");
	assert_int_equal(chaos_registry_release(fx->reg, "web-2", &err), -1);
	assert_int_equal(err.code, ENOENT);

	/* Released names can be claimed again. */
	assert_int_equal(chaos_registry_claim(fx->reg, "web-2", 7, h, &err), 0);
	assert_int_equal(fx->nr_warnings, 0);
}

/*
 * An entry is a link whose text is "<domid> <handle>"; a regular file
 * holding that text and a newline (what earlier versions wrote) is read,
 * released and taken as the name's owner the same way.
 */
static void test_entry_formats(void **state)
{
	struct fixture *fx = *state;
	chaos_err err = { 0 };
	uint8_t h[16], got[16];
	uint32_t domid = 0;
	char path[256], text[80], name[CHAOS_NAME_MAX];
	struct stat st;
	ssize_t n;

	handle_of(1, h);
	assert_int_equal(chaos_registry_claim(fx->reg, "new", 5, h, &err), 0);
	snprintf(path, sizeof(path), "%s/new", fx->dir);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	n = readlink(path, text, sizeof(text) - 1);
	assert_true(n > 0);
	text[n] = '\0';
	assert_string_equal(text, "5 1f262d343b424950575e656c737a8188");

	/* An earlier version's file: read... */
	handle_of(2, h);
	write_file(fx, "old", "6 3e454c535a61686f767d848b9299a0a7\n", 35);
	assert_int_equal(chaos_registry_lookup(fx->reg, "old", &domid, got,
					       &err), 0);
	assert_int_equal(domid, 6);
	assert_memory_equal(got, h, 16);
	assert_int_equal(chaos_registry_name_of(fx->reg, 6, h, name,
						sizeof(name)), 0);
	assert_string_equal(name, "old");
	/* ...holding its name against a claim... */
	assert_int_equal(chaos_registry_claim(fx->reg, "old", 7, h, &err), -1);
	assert_int_equal(err.code, EEXIST);
	/* ...and released, after which the name is claimed as a link. */
	assert_int_equal(chaos_registry_release_if(fx->reg, "old", 6, h, &err),
			 0);
	assert_int_equal(chaos_registry_claim(fx->reg, "old", 7, h, &err), 0);
	snprintf(path, sizeof(path), "%s/old", fx->dir);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(fx->nr_warnings, 0);
}

/* Only the binding the caller saw is removed, never a newer one. */
static void test_release_if(void **state)
{
	struct fixture *fx = *state;
	chaos_err err = { 0 };
	uint8_t old[16], newer[16];
	uint32_t domid = 0;

	handle_of(1, old);
	handle_of(2, newer);
	assert_int_equal(chaos_registry_claim(fx->reg, "db", 5, old, &err), 0);
	/* Another domain id, or the same id with another handle: kept. */
	assert_int_equal(chaos_registry_release_if(fx->reg, "db", 6, old,
						   &err), -1);
	assert_int_equal(err.code, EBUSY);
	assert_string_equal(err.msg, "name 'db' is now bound to domain 5");
	assert_int_equal(chaos_registry_release_if(fx->reg, "db", 5, newer,
						   &err), -1);
	assert_int_equal(err.code, EBUSY);
	assert_int_equal(chaos_registry_lookup(fx->reg, "db", &domid, NULL,
					       &err), 0);
	assert_int_equal(domid, 5);
	/* Exactly the binding: removed, and the name can be claimed. */
	assert_int_equal(chaos_registry_release_if(fx->reg, "db", 5, old,
						   &err), 0);
	assert_int_equal(chaos_registry_release_if(fx->reg, "db", 5, old,
						   &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_int_equal(chaos_registry_claim(fx->reg, "db", 5, newer, &err), 0);
	assert_int_equal(chaos_registry_release_if(fx->reg, "../db", 5, newer,
						   &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_int_equal(fx->nr_warnings, 0);
}

/*
 * Audit finding 12, "registry: destroy releases names unconditionally,
 * through a snapshot that other processes never invalidate": a second
 * process's changes reach this handle's name_of, and releasing what the
 * old binding said leaves the new binding alone.
 */
static void test_other_process_changes(void **state)
{
	struct fixture *fx = *state;
	chaos_registry *r2;
	chaos_err err = { 0 };
	uint8_t h1[16], h2[16], hx[16];
	uint32_t domid = 0;
	char name[CHAOS_NAME_MAX];

	handle_of(1, h1);
	handle_of(2, h2);
	handle_of(9, hx);
	assert_int_equal(chaos_registry_open(fx->dir, &r2, &err), 0);
	assert_int_equal(chaos_registry_claim(fx->reg, "web", 5, h1, &err), 0);
	/* A miss keeps r1's snapshot warm. */
	assert_int_equal(chaos_registry_name_of(fx->reg, 7, hx, name,
						sizeof(name)), -1);
	/* Another process moves the name to domain 6. */
	assert_int_equal(chaos_registry_release(r2, "web", &err), 0);
	assert_int_equal(chaos_registry_claim(r2, "web", 6, h2, &err), 0);
	/* r1 sees it: domain 5 has no name any more, domain 6 has it. */
	assert_int_equal(chaos_registry_name_of(fx->reg, 5, h1, name,
						sizeof(name)), -1);
	assert_int_equal(chaos_registry_name_of(fx->reg, 6, h2, name,
						sizeof(name)), 0);
	assert_string_equal(name, "web");
	/* What chaos_guest_destroy does for domain 5 keeps 6's binding. */
	assert_int_equal(chaos_registry_release_if(fx->reg, "web", 5, h1,
						   &err), -1);
	assert_int_equal(err.code, EBUSY);
	assert_int_equal(chaos_registry_lookup(r2, "web", &domid, NULL, &err),
			 0);
	assert_int_equal(domid, 6);
	chaos_registry_close(r2);
}

static void test_bad_arguments(void **state)
{
	struct fixture *fx = *state;
	chaos_err err = { 0 };
	uint8_t h[16];
	static const char *const bad[] = {
		"", "123", ".", "..", ".tmp.x", "-x", "a/b", "../x", "a b",
		"0123456789012345678901234567890123456789012345678901234567890123",
	};

	handle_of(1, h);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_equal(chaos_registry_claim(fx->reg, bad[i], 5, h,
						      &err), -1);
		assert_int_equal(err.code, EINVAL);
		assert_non_null(strstr(err.msg, "invalid guest name: "));
		assert_int_equal(chaos_registry_lookup(fx->reg, bad[i], NULL,
						       NULL, &err), -1);
		assert_int_equal(chaos_registry_release(fx->reg, bad[i], &err),
				 -1);
	}
	assert_int_equal(chaos_registry_claim(fx->reg, NULL, 5, h, &err), -1);
	assert_int_equal(chaos_registry_claim(fx->reg, "x", 0, h, &err), -1);
	assert_string_equal(err.msg, "name registry: 0 is not a guest domain id");
	assert_int_equal(chaos_registry_claim(fx->reg, "x", 0x7ff0, h, &err), -1);
	assert_int_equal(chaos_registry_claim(fx->reg, "x", 0x7fef, h, &err), 0);
}

static void test_open_errors(void **state)
{
	struct fixture *fx = *state;
	chaos_registry *reg = NULL;
	chaos_err err = { 0 };
	char path[160];

	write_file(fx, "plain", "x", 1);
	snprintf(path, sizeof(path), "%s/plain", fx->dir);
	assert_int_equal(chaos_registry_open(path, &reg, &err), -1);
	assert_null(reg);
	assert_non_null(strstr(err.msg, "name registry: cannot open"));
	snprintf(path, sizeof(path), "%s/plain/sub", fx->dir);
	assert_int_equal(chaos_registry_open(path, &reg, &err), -1);
	assert_non_null(strstr(err.msg, "name registry: cannot create"));
	assert_int_equal(chaos_registry_open("", &reg, &err), -1);
	chaos_registry_close(NULL);
}

static void test_stale_and_prune(void **state)
{
	struct fixture *fx = *state;
	chaos_err err = { 0 };
	uint8_t h[16];
	uint32_t domid = 0;
	char name[CHAOS_NAME_MAX];
	chaos_domain_info live[3];

	handle_of(10, h);
	assert_int_equal(chaos_registry_claim(fx->reg, "alive", 5, h, &err), 0);
	handle_of(11, h);
	assert_int_equal(chaos_registry_claim(fx->reg, "dead", 6, h, &err), 0);
	handle_of(12, h);
	assert_int_equal(chaos_registry_claim(fx->reg, "reused", 7, h, &err), 0);
	/* The live domains: 7's id now belongs to another domain. */
	live[0] = live_dom(0, 99);
	live[1] = live_dom(5, 10);
	live[2] = live_dom(7, 13);

	assert_int_equal(chaos_registry_lookup_live(fx->reg, "alive", live, 3,
						    &domid, &err), 0);
	assert_int_equal(domid, 5);
	assert_int_equal(chaos_registry_lookup_live(fx->reg, "dead", live, 3,
						    &domid, &err), -1);
	assert_int_equal(err.code, ESTALE);
	assert_string_equal(err.msg, "guest 'dead' is gone (domain 6 no longer exists)");
	assert_int_equal(chaos_registry_lookup_live(fx->reg, "reused", live, 3,
						    &domid, &err), -1);
	assert_int_equal(err.code, ESTALE);
	assert_string_equal(err.msg, "guest 'reused' is gone (domain 7 is now another domain)");

	/* name_of matches the handle, not just the id. */
	assert_int_equal(chaos_registry_name_of(fx->reg, 7, live[2].handle,
						name, sizeof(name)), -1);
	handle_of(12, h);
	assert_int_equal(chaos_registry_name_of(fx->reg, 7, h, name,
						sizeof(name)), 0);
	assert_string_equal(name, "reused");

	/* A stale holder still blocks the name until pruned. */
	handle_of(20, h);
	assert_int_equal(chaos_registry_claim(fx->reg, "dead", 8, h, &err), -1);
	assert_int_equal(err.code, EEXIST);

	/* A writer that crashed left a temporary file behind. */
	write_file(fx, ".tmp.dead.12345", "6 ", 2);
	assert_int_equal(chaos_registry_prune(fx->reg, live, 3, &err), 0);
	assert_int_equal(chaos_registry_lookup(fx->reg, "alive", NULL, NULL,
					       &err), 0);
	assert_int_equal(chaos_registry_lookup(fx->reg, "dead", NULL, NULL,
					       &err), -1);
	assert_int_equal(chaos_registry_lookup(fx->reg, "reused", NULL, NULL,
					       &err), -1);
	{
		char path[160];

		snprintf(path, sizeof(path), "%s/.tmp.dead.12345", fx->dir);
		assert_int_equal(access(path, F_OK), -1);
	}
	assert_int_equal(chaos_registry_claim(fx->reg, "dead", 8, h, &err), 0);
	assert_int_equal(chaos_registry_name_of(fx->reg, 8, h, name,
						sizeof(name)), 0);
	assert_string_equal(name, "dead");

	/* No live domains at all: everything goes. */
	assert_int_equal(chaos_registry_prune(fx->reg, NULL, 0, &err), 0);
	assert_int_equal(chaos_registry_lookup(fx->reg, "alive", NULL, NULL,
					       &err), -1);
	assert_int_equal(fx->nr_warnings, 0);
}

/*
 * A killed save or destroy (kill-anywhere: "name 'hl' is already used by
 * domain 285") can leave a name bound to a domain that is dying: Xen keeps
 * listing it until its memory is freed, but it never runs again, so it
 * holds no name. Prune drops it and a live lookup calls it gone.
 */
static void test_dying_holder(void **state)
{
	struct fixture *fx = *state;
	chaos_err err = { 0 };
	uint8_t h[16];
	uint32_t domid = 0;
	chaos_domain_info live[2];

	handle_of(30, h);
	assert_int_equal(chaos_registry_claim(fx->reg, "hl", 285, h, &err), 0);
	handle_of(31, h);
	assert_int_equal(chaos_registry_claim(fx->reg, "up", 286, h, &err), 0);
	live[0] = live_dom(285, 30);
	live[0].state = CHAOS_STATE_DYING;
	live[1] = live_dom(286, 31);
	live[1].state = CHAOS_STATE_SHUTDOWN;

	assert_int_equal(chaos_registry_lookup_live(fx->reg, "hl", live, 2,
						    &domid, &err), -1);
	assert_int_equal(err.code, ESTALE);
	assert_string_equal(err.msg, "guest 'hl' is gone (domain 285 is dying)");
	assert_int_equal(chaos_registry_prune(fx->reg, live, 2, &err), 0);
	assert_int_equal(chaos_registry_lookup(fx->reg, "hl", NULL, NULL,
					       &err), -1);
	/* Shut down is not dying: the guest keeps its name until destroyed. */
	assert_int_equal(chaos_registry_lookup_live(fx->reg, "up", live, 2,
						    &domid, &err), 0);
	assert_int_equal(domid, 286);
	handle_of(32, h);
	assert_int_equal(chaos_registry_claim(fx->reg, "hl", 290, h, &err), 0);
	assert_int_equal(fx->nr_warnings, 0);
}

static void test_hostile_directory(void **state)
{
	struct fixture *fx = *state;
	chaos_err err = { 0 };
	uint8_t h[16];
	char path[256], target[160], name[CHAOS_NAME_MAX], *big;
	uint32_t domid;
	chaos_domain_info live[1];
	static const struct {
		const char *name, *data;
	} garbage[] = {
		{ "junk", "hello world\n" },
		{ "empty", "" },
		{ "zero-id", "0 000102030405060708090a0b0c0d0e0f\n" },
		{ "neg-id", "-1 000102030405060708090a0b0c0d0e0f\n" },
		{ "big-id", "32752 000102030405060708090a0b0c0d0e0f\n" },
		{ "lead-zero", "05 000102030405060708090a0b0c0d0e0f\n" },
		{ "upper", "5 000102030405060708090A0B0C0D0E0F\n" },
		{ "short", "5 000102030405060708090a0b0c0d0e\n" },
		{ "no-newline", "5 000102030405060708090a0b0c0d0e0f" },
		{ "trailing", "5 000102030405060708090a0b0c0d0e0f\nx" },
		{ "two-spaces", "5  000102030405060708090a0b0c0d0e0f\n" },
		{ "nul", "5 0001020304050607\0" "8090a0b0c0d0e0f\n" },
	};

	for (size_t i = 0; i < sizeof(garbage) / sizeof(*garbage); i++)
		write_file(fx, garbage[i].name, garbage[i].data,
			   strcmp(garbage[i].name, "nul") ? strlen(garbage[i].data)
							  : 35);
	/* A huge file, a directory, a FIFO, bad file names, symlinks. */
	big = malloc(1 << 20);
	assert_non_null(big);
	memset(big, '7', 1 << 20);
	write_file(fx, "huge", big, 1 << 20);
	free(big);
	snprintf(path, sizeof(path), "%s/subdir", fx->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/fifo", fx->dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	write_file(fx, "123", "5 000102030405060708090a0b0c0d0e0f\n", 35);
	write_file(fx, "bad name", "5 000102030405060708090a0b0c0d0e0f\n", 35);
	/* A valid-looking entry reached through a symlink is not trusted:
	 * an entry is a link's own text, never what it points to. */
	snprintf(target, sizeof(target), "%s/outside", fx->top);
	{
		FILE *f = fopen(target, "w");

		assert_non_null(f);
		fputs("9 000102030405060708090a0b0c0d0e0f\n", f);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/link", fx->dir);
	assert_int_equal(symlink(target, path), 0);
	snprintf(path, sizeof(path), "%s/zero", fx->dir);
	assert_int_equal(symlink("/dev/zero", path), 0);
	snprintf(path, sizeof(path), "%s/loop", fx->dir);
	assert_int_equal(symlink("loop", path), 0);

	/* One good entry among them. */
	handle_of(3, h);
	assert_int_equal(chaos_registry_claim(fx->reg, "good", 3, h, &err), 0);
	assert_int_equal(chaos_registry_name_of(fx->reg, 3, h, name,
						sizeof(name)), 0);
	assert_string_equal(name, "good");
	/* The scan reported every bad file with a reason. */
	assert_non_null(strstr(fx->warnings, "/junk: ignored: bad domain id"));
	assert_non_null(strstr(fx->warnings, "/zero-id: ignored: bad domain id"));
	assert_non_null(strstr(fx->warnings, "/big-id: ignored: bad domain id"));
	assert_non_null(strstr(fx->warnings, "/upper: ignored: bad domain handle"));
	assert_non_null(strstr(fx->warnings, "/no-newline: ignored: malformed entry"));
	assert_non_null(strstr(fx->warnings, "/huge: ignored: too large to be an entry"));
	assert_non_null(strstr(fx->warnings, "/subdir: ignored: not a regular file"));
	assert_non_null(strstr(fx->warnings, "/fifo: ignored: not a regular file"));
	assert_non_null(strstr(fx->warnings, "/link: ignored: bad domain id"));
	assert_non_null(strstr(fx->warnings, "/zero: ignored: bad domain id"));
	assert_non_null(strstr(fx->warnings, "/loop: ignored: bad domain id"));
	assert_non_null(strstr(fx->warnings, "/123: ignored: not a valid guest name"));
	assert_non_null(strstr(fx->warnings, "/bad name: ignored: not a valid guest name"));
	assert_int_equal(fx->nr_warnings, 20);
	/* The id 9 behind the symlink is never bound. */
	assert_int_equal(chaos_registry_lookup(fx->reg, "link", &domid, NULL,
					       &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_string_equal(err.msg, "no guest named 'link' (its registry "
			    "entry is invalid: bad domain id)");

	/* Invalid entries are free names: a claim replaces them... */
	handle_of(4, h);
	assert_int_equal(chaos_registry_claim(fx->reg, "junk", 4, h, &err), 0);
	assert_int_equal(chaos_registry_lookup(fx->reg, "junk", &domid, NULL,
					       &err), 0);
	assert_int_equal(domid, 4);
	/* ...replacing a symlink itself, never writing through it. */
	assert_int_equal(chaos_registry_claim(fx->reg, "link", 10, h, &err), 0);
	{
		char buf[64] = { 0 };
		FILE *f = fopen(target, "r");

		assert_non_null(f);
		assert_non_null(fgets(buf, sizeof(buf), f));
		fclose(f);
		assert_string_equal(buf, "9 000102030405060708090a0b0c0d0e0f\n");
	}
	assert_int_equal(chaos_registry_claim(fx->reg, "zero", 11, h, &err), 0);
	assert_int_equal(chaos_registry_claim(fx->reg, "huge", 12, h, &err), 0);
	assert_int_equal(chaos_registry_claim(fx->reg, "fifo", 13, h, &err), 0);
	/* ...except a directory, which is not ours to remove. */
	assert_int_equal(chaos_registry_claim(fx->reg, "subdir", 14, h, &err), -1);
	assert_non_null(strstr(err.msg, "name registry: cannot write"));

	/* Prune keeps the garbage it cannot vouch for, drops dead entries. */
	live[0] = live_dom(4, 4);
	assert_int_equal(chaos_registry_prune(fx->reg, live, 1, &err), 0);
	assert_int_equal(chaos_registry_lookup(fx->reg, "junk", NULL, NULL,
					       &err), 0);
	assert_int_equal(chaos_registry_lookup(fx->reg, "good", NULL, NULL,
					       &err), -1);
	assert_int_equal(chaos_registry_lookup(fx->reg, "link", NULL, NULL,
					       &err), -1);
	snprintf(path, sizeof(path), "%s/upper", fx->dir);
	assert_int_equal(access(path, F_OK), 0);
}

/* Each child claims every name; exactly one claim per name may win. */
#define RACE_NAMES 150

static void race_child(const char *dir, int id, int start_fd, int out_fd)
{
	chaos_registry *reg;
	chaos_err err = { 0 };
	char go, name[32];
	uint8_t h[16];
	unsigned char won[RACE_NAMES];

	if (read(start_fd, &go, 1) != 1)
		_exit(2);
	if (chaos_registry_open(dir, &reg, &err) < 0)
		_exit(3);
	for (int i = 0; i < RACE_NAMES; i++) {
		snprintf(name, sizeof(name), "race-%d", i);
		handle_of((uint32_t)(id * 1000 + i), h);
		won[i] = chaos_registry_claim(reg, name,
					      (uint32_t)(id * 1000 + i + 1),
					      h, &err) == 0;
		if (!won[i] && err.code != EEXIST)
			_exit(4);
	}
	chaos_registry_close(reg);
	if (write(out_fd, won, sizeof(won)) != (ssize_t)sizeof(won))
		_exit(5);
	_exit(0);
}

static void test_concurrent_claims(void **state)
{
	struct fixture *fx = *state;
	int start[2], out[2][2];
	unsigned char won[2][RACE_NAMES];
	pid_t pid[2];

	assert_int_equal(pipe(start), 0);
	for (int c = 0; c < 2; c++) {
		assert_int_equal(pipe(out[c]), 0);
		pid[c] = fork();
		assert_true(pid[c] >= 0);
		if (pid[c] == 0) {
			close(start[1]);
			close(out[c][0]);
			race_child(fx->dir, c + 1, start[0], out[c][1]);
		}
		close(out[c][1]);
	}
	close(start[0]);
	/* Release both at once. */
	assert_int_equal(write(start[1], "gg", 2), 2);
	close(start[1]);
	for (int c = 0; c < 2; c++) {
		int status;
		size_t got = 0;

		while (got < sizeof(won[c])) {
			ssize_t n = read(out[c][0], won[c] + got,
					 sizeof(won[c]) - got);

			assert_true(n > 0);
			got += (size_t)n;
		}
		close(out[c][0]);
		assert_int_equal(waitpid(pid[c], &status, 0), pid[c]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	for (int i = 0; i < RACE_NAMES; i++) {
		char name[32];
		uint32_t domid;
		chaos_err err = { 0 };
		int winner = won[0][i] ? 1 : 2;

		assert_int_equal(won[0][i] + won[1][i], 1);
		snprintf(name, sizeof(name), "race-%d", i);
		assert_int_equal(chaos_registry_lookup(fx->reg, name, &domid,
						       NULL, &err), 0);
		assert_int_equal(domid, (uint32_t)(winner * 1000 + i + 1));
	}
	assert_int_equal(fx->nr_warnings, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_claim_lookup_release,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_formats, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_release_if,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_process_changes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stale_and_prune, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dying_holder, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hostile_directory, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_claims, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
