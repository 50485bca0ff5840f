// SPDX-License-Identifier: MIT
/*
 * The name registry: one entry per guest name in a state directory, a
 * symbolic link whose target is the text "<domid> <handle as 32 hex
 * digits>" (never followed: it only holds the text). A claim is one
 * symlink(2), which creates the whole entry at once or fails because the
 * name is taken: atomic between processes without a lock, and one system
 * call where a create counts each. Readers need no lock either (one
 * readlink). Replacing an invalid entry and releasing one are
 * check-then-act, so those hold flock() on the directory. Entries that
 * earlier versions wrote, regular files holding the same text and a
 * newline, are still read, released and replaced.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/state.h"

#define ENTRY_MAX      64        /* bytes in a valid entry, with slack */
#define DOMID_GUEST_MAX 0x7fefu  /* below DOMID_FIRST_RESERVED */
#define TMP_PREFIX     ".tmp."

struct reg_entry {
	char name[CHAOS_NAME_MAX];
	uint32_t domid;
	uint8_t handle[16];
};

struct chaos_registry {
	int dirfd;
	char *path;
	chaos_registry_warn_fn *warn;
	void *warn_ctx;
	/* Snapshot for name_of, sorted by (domid, handle), of the directory
	 * as it was at snap_mtime: any process's claim or release changes
	 * the directory's mtime, and so drops the snapshot. */
	bool snap_valid;
	struct timespec snap_mtime;
	struct reg_entry *snap;
	size_t snap_n, snap_cap;
};

enum entry_status { ENTRY_OK, ENTRY_ABSENT, ENTRY_INVALID };

static void __attribute__((format(printf, 3, 4)))
warn(chaos_registry *reg, const char *file, const char *fmt, ...)
{
	char why[256], line[CHAOS_ERR_MSG_MAX];
	va_list ap;

	if (!reg->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "name registry: %s/%s: ignored: %s",
		 reg->path, file, why);
	reg->warn(reg->warn_ctx, line);
}

static int lock_dir(chaos_registry *reg, chaos_err *err)
{
	while (flock(reg->dirfd, LOCK_EX) < 0) {
		if (errno != EINTR)
			return chaos_err_set(err, errno,
					     "name registry: cannot lock %s: %s",
					     reg->path, strerror(errno));
	}
	return 0;
}

static void unlock_dir(chaos_registry *reg)
{
	flock(reg->dirfd, LOCK_UN);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Strictly "<domid> <32 lowercase hex>\n"; anything else is invalid. */
static const char *entry_parse(const char *buf, size_t len, uint32_t *domid,
			       uint8_t handle[16])
{
	size_t i = 0;
	uint32_t v = 0;

	while (i < len && buf[i] >= '0' && buf[i] <= '9' && i < 6)
		v = v * 10 + (uint32_t)(buf[i++] - '0');
	if (i == 0 || (buf[0] == '0' && i > 1) || v < 1 || v > DOMID_GUEST_MAX)
		return "bad domain id";
	if (len != i + 1 + 32 + 1 || buf[i] != ' ' || buf[len - 1] != '\n')
		return "malformed entry";
	for (size_t b = 0; b < 16; b++) {
		int hi = hex_value(buf[i + 1 + 2 * b]);
		int lo = hex_value(buf[i + 2 + 2 * b]);

		if (hi < 0 || lo < 0)
			return "bad domain handle";
		handle[b] = (uint8_t)(hi << 4 | lo);
	}
	*domid = v;
	return NULL;
}

/*
 * An entry an earlier version wrote: a regular file, read without
 * following links or blocking on odd file types.
 */
static enum entry_status entry_read_file(chaos_registry *reg,
					 const char *name, struct reg_entry *e,
					 const char **why, int *code)
{
	char buf[ENTRY_MAX + 1];
	struct stat st;
	ssize_t n;
	int fd;

	if (fstatat(reg->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		*code = errno;
		if (errno == ENOENT)
			return ENTRY_ABSENT;   /* released meanwhile */
		*why = "cannot stat";
		return ENTRY_INVALID;
	}
	if (S_ISLNK(st.st_mode)) {
		*code = ELOOP;   /* replaced by a link meanwhile: read again */
		return ENTRY_ABSENT;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		return ENTRY_INVALID;
	}
	if (st.st_size > ENTRY_MAX) {
		*why = "too large to be an entry";
		return ENTRY_INVALID;
	}
	fd = openat(reg->dirfd, name,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		*code = errno;
		if (errno == ENOENT || errno == ELOOP)
			return ENTRY_ABSENT;   /* released, or replaced (ELOOP) */
		*why = "cannot open";
		return ENTRY_INVALID;
	}
	/* Re-check what we opened: the name may have been swapped. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		*why = "not a regular file";
		return ENTRY_INVALID;
	}
	do {
		n = read(fd, buf, sizeof(buf));
	} while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0) {
		*why = "cannot read";
		return ENTRY_INVALID;
	}
	if (n > ENTRY_MAX) {
		*why = "too large to be an entry";
		return ENTRY_INVALID;
	}
	*why = entry_parse(buf, (size_t)n, &e->domid, e->handle);
	if (*why)
		return ENTRY_INVALID;
	snprintf(e->name, sizeof(e->name), "%s", name);
	return ENTRY_OK;
}

/*
 * Read the entry called name: its link's text, or an earlier version's
 * file. why gets the reason when the result is ENTRY_INVALID.
 */
static enum entry_status entry_read(chaos_registry *reg, const char *name,
				    struct reg_entry *e, const char **why,
				    int *code)
{
	char buf[ENTRY_MAX + 1];
	enum entry_status status;
	ssize_t n;

	for (int tries = 0;; tries++) {
		*code = 0;
		n = readlinkat(reg->dirfd, name, buf, ENTRY_MAX);
		if (n >= 0)
			break;
		*code = errno;
		if (errno == ENOENT)
			return ENTRY_ABSENT;
		if (errno != EINVAL) {
			*why = "cannot read";
			return ENTRY_INVALID;
		}
		/* Not a link: a file (an earlier version's entry), unless
		 * a claim put a link in its place meanwhile. */
		*code = 0;
		status = entry_read_file(reg, name, e, why, code);
		if (status != ENTRY_ABSENT || *code != ELOOP || tries)
			return status;
	}
	if (n >= ENTRY_MAX) {
		*why = "too large to be an entry";
		return ENTRY_INVALID;
	}
	/* The text is a file's without its newline. */
	buf[n] = '\n';
	*why = entry_parse(buf, (size_t)n + 1, &e->domid, e->handle);
	if (*why)
		return ENTRY_INVALID;
	snprintf(e->name, sizeof(e->name), "%s", name);
	return ENTRY_OK;
}

static int check_name(const char *name, chaos_err *err)
{
	if (!name || cfg_check_name(name, strlen(name), err) < 0) {
		char why[CHAOS_ERR_MSG_MAX];

		snprintf(why, sizeof(why), "%s",
			 err && name ? err->msg : "missing");
		return chaos_err_set(err, EINVAL, "invalid guest name: %s",
				     why);
	}
	return 0;
}

/* mkdir -p, each new level mode 0700. */
static int make_dirs(const char *path, chaos_err *err)
{
	size_t len = strlen(path);
	char *copy = malloc(len + 1);

	if (!copy)
		return chaos_err_set(err, ENOMEM, "out of memory");
	memcpy(copy, path, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (copy[i] != '/' && copy[i] != '\0')
			continue;
		copy[i] = '\0';
		if (mkdir(copy, 0700) < 0 && errno != EEXIST) {
			int e = errno;

			chaos_err_set(err, e, "name registry: cannot create %s: %s",
				      copy, strerror(e));
			free(copy);
			return -1;
		}
		copy[i] = i < len ? '/' : '\0';
	}
	free(copy);
	return 0;
}

int chaos_registry_open(const char *dir, chaos_registry **out, chaos_err *err)
{
	chaos_registry *reg;

	*out = NULL;
	if (!dir)
		dir = CHAOS_REGISTRY_DEFAULT_DIR;
	if (!dir[0])
		return chaos_err_set(err, EINVAL,
				     "name registry: empty directory path");
	if (make_dirs(dir, err) < 0)
		return -1;
	reg = calloc(1, sizeof(*reg));
	if (!reg)
		return chaos_err_set(err, ENOMEM, "out of memory");
	reg->path = strdup(dir);
	if (!reg->path) {
		free(reg);
		return chaos_err_set(err, ENOMEM, "out of memory");
	}
	reg->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (reg->dirfd < 0) {
		int e = errno;

		free(reg->path);
		free(reg);
		return chaos_err_set(err, e, "name registry: cannot open %s: %s",
				     dir, strerror(e));
	}
	*out = reg;
	return 0;
}

void chaos_registry_close(chaos_registry *reg)
{
	if (!reg)
		return;
	close(reg->dirfd);
	free(reg->snap);
	free(reg->path);
	free(reg);
}

void chaos_registry_set_warn(chaos_registry *reg, chaos_registry_warn_fn *fn,
			     void *ctx)
{
	reg->warn = fn;
	reg->warn_ctx = ctx;
}

static bool domid_ok(uint32_t domid)
{
	return domid >= 1 && domid <= DOMID_GUEST_MAX;
}

/* An entry's text, without a newline: a link's target. */
static void entry_text(char buf[ENTRY_MAX], uint32_t domid,
		       const uint8_t handle[16])
{
	int len = snprintf(buf, ENTRY_MAX, "%u ", domid);

	for (int b = 0; b < 16; b++)
		len += snprintf(buf + len, ENTRY_MAX - (size_t)len, "%02x",
				handle[b]);
}

static int write_failed(chaos_registry *reg, const char *name, int e,
			chaos_err *err)
{
	return chaos_err_set(err, e, "name registry: cannot write %s/%s: %s",
			     reg->path, name, strerror(e));
}

/*
 * Put the entry in place of whatever name is (an invalid entry): a link
 * made aside, then renamed over it. Under the lock, so nobody else
 * replaces or releases meanwhile (a claim only ever creates).
 */
static int entry_replace(chaos_registry *reg, const char *name,
			 const char *text, chaos_err *err)
{
	char tmp[sizeof(TMP_PREFIX) + CHAOS_NAME_MAX + 16];
	int e;

	snprintf(tmp, sizeof(tmp), TMP_PREFIX "%s.%ld", name, (long)getpid());
	if (symlinkat(text, reg->dirfd, tmp) < 0) {
		/* A leftover of ours (we hold the lock). */
		if (errno != EEXIST || unlinkat(reg->dirfd, tmp, 0) < 0 ||
		    symlinkat(text, reg->dirfd, tmp) < 0)
			return write_failed(reg, name, errno, err);
	}
	/*
	 * No fsync: the entries describe running domains, which do not
	 * survive a reboot either, and the default directory is on tmpfs.
	 */
	if (renameat(reg->dirfd, tmp, reg->dirfd, name) < 0) {
		e = errno;
		unlinkat(reg->dirfd, tmp, 0);
		return write_failed(reg, name, e, err);
	}
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct reg_entry *x = a, *y = b;

	if (x->domid != y->domid)
		return x->domid < y->domid ? -1 : 1;
	return memcmp(x->handle, y->handle, sizeof(x->handle));
}

static int snap_add(chaos_registry *reg, const struct reg_entry *e)
{
	if (reg->snap_n == reg->snap_cap) {
		size_t cap = reg->snap_cap ? reg->snap_cap * 2 : 64;
		struct reg_entry *grown = realloc(reg->snap,
						  cap * sizeof(*grown));

		if (!grown)
			return -1;
		reg->snap = grown;
		reg->snap_cap = cap;
	}
	reg->snap[reg->snap_n++] = *e;
	return 0;
}

static void snap_drop(chaos_registry *reg)
{
	reg->snap_valid = false;
	reg->snap_n = 0;
}

int chaos_registry_claim(chaos_registry *reg, const char *name, uint32_t domid,
			 const uint8_t handle[16], chaos_err *err)
{
	struct reg_entry e;
	const char *why = NULL;
	char text[ENTRY_MAX];
	int code, rc;

	if (check_name(name, err) < 0)
		return -1;
	if (!domid_ok(domid))
		return chaos_err_set(err, EINVAL,
				     "name registry: %u is not a guest domain id",
				     domid);
	entry_text(text, domid, handle);
	/* The claim itself: the link is made only if the name is free. The
	 * claim changes the directory's mtime, so name_of scans again;
	 * adding to its snapshot (a sort in each create) would buy nothing. */
	if (symlinkat(text, reg->dirfd, name) == 0) {
		snap_drop(reg);
		return 0;
	}
	if (errno != EEXIST)
		return write_failed(reg, name, errno, err);
	/* The name is there: taken, or an invalid entry, which is a free
	 * name. Told apart and replaced under the lock. */
	if (lock_dir(reg, err) < 0)
		return -1;
	switch (entry_read(reg, name, &e, &why, &code)) {
	case ENTRY_OK:
		rc = chaos_err_set(err, EEXIST,
				   "name '%s' is already used by domain %u",
				   name, e.domid);
		break;
	case ENTRY_INVALID:
		warn(reg, name, "%s (replacing it)", why);
		rc = entry_replace(reg, name, text, err);
		break;
	case ENTRY_ABSENT:
	default:
		/* Released meanwhile: created, not renamed over, as a claim
		 * without the lock may have been quicker. */
		rc = symlinkat(text, reg->dirfd, name) == 0 ? 0 :
		     errno == EEXIST ?
		     chaos_err_set(err, EEXIST,
				   "name '%s' was claimed meanwhile", name) :
		     write_failed(reg, name, errno, err);
		break;
	}
	unlock_dir(reg);
	snap_drop(reg);
	return rc;
}

int chaos_registry_lookup(chaos_registry *reg, const char *name,
			  uint32_t *domid, uint8_t handle[16], chaos_err *err)
{
	struct reg_entry e;
	const char *why = NULL;
	int code;

	if (check_name(name, err) < 0)
		return -1;
	switch (entry_read(reg, name, &e, &why, &code)) {
	case ENTRY_OK:
		break;
	case ENTRY_ABSENT:
		return chaos_err_set(err, ENOENT, "no guest named '%s'", name);
	case ENTRY_INVALID:
		warn(reg, name, "%s", why);
		return chaos_err_set(err, ENOENT,
			"no guest named '%s' (its registry entry is invalid: %s)",
			name, why);
	}
	if (domid)
		*domid = e.domid;
	if (handle)
		memcpy(handle, e.handle, sizeof(e.handle));
	return 0;
}

static const chaos_domain_info *find_live(const chaos_domain_info *live,
					  size_t count, uint32_t domid)
{
	for (size_t i = 0; i < count; i++)
		if (live[i].domid == domid)
			return &live[i];
	return NULL;
}

int chaos_registry_lookup_live(chaos_registry *reg, const char *name,
			       const chaos_domain_info *live, size_t count,
			       uint32_t *domid, chaos_err *err)
{
	const chaos_domain_info *d;
	uint8_t handle[16];
	uint32_t id;

	if (chaos_registry_lookup(reg, name, &id, handle, err) < 0)
		return -1;
	d = find_live(live, count, id);
	if (!d)
		return chaos_err_set(err, ESTALE,
				     "guest '%s' is gone (domain %u no longer exists)",
				     name, id);
	if (memcmp(d->handle, handle, sizeof(handle)))
		return chaos_err_set(err, ESTALE,
				     "guest '%s' is gone (domain %u is now another domain)",
				     name, id);
	if (d->state == CHAOS_STATE_DYING)
		return chaos_err_set(err, ESTALE,
				     "guest '%s' is gone (domain %u is dying)",
				     name, id);
	if (domid)
		*domid = id;
	return 0;
}

/* Call fn for each valid entry in the directory; invalid ones are warned. */
static int scan(chaos_registry *reg, int (*fn)(chaos_registry *reg,
					       const struct reg_entry *e,
					       void *ctx),
		void *ctx, bool remove_tmp, chaos_err *err)
{
	struct dirent *de;
	DIR *d;
	int fd = openat(reg->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || !(d = fdopendir(fd))) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return chaos_err_set(err, e, "name registry: cannot read %s: %s",
				     reg->path, strerror(e));
	}
	while ((de = readdir(d))) {
		struct reg_entry e;
		const char *why = NULL;
		int code;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX))) {
			if (remove_tmp)
				unlinkat(reg->dirfd, de->d_name, 0);
			continue;
		}
		if (cfg_check_name(de->d_name, strlen(de->d_name), NULL) < 0) {
			warn(reg, de->d_name, "not a valid guest name");
			continue;
		}
		switch (entry_read(reg, de->d_name, &e, &why, &code)) {
		case ENTRY_OK:
			if (fn(reg, &e, ctx) < 0) {
				closedir(d);
				return chaos_err_set(err, ENOMEM,
						     "out of memory");
			}
			break;
		case ENTRY_INVALID:
			warn(reg, de->d_name, "%s", why);
			break;
		case ENTRY_ABSENT:
			break;
		}
	}
	closedir(d);
	return 0;
}

static int snap_collect(chaos_registry *reg, const struct reg_entry *e,
			void *ctx)
{
	(void)ctx;
	return snap_add(reg, e);
}

int chaos_registry_name_of(chaos_registry *reg, uint32_t domid,
			   const uint8_t handle[16], char *name, size_t len)
{
	struct reg_entry key, *hit;
	struct stat st;

	if (fstat(reg->dirfd, &st) < 0)
		return -1;
	if (!reg->snap_valid ||
	    st.st_mtim.tv_sec != reg->snap_mtime.tv_sec ||
	    st.st_mtim.tv_nsec != reg->snap_mtime.tv_nsec) {
		/* The time is taken before the scan: a change during it
		 * makes the next call scan again. */
		reg->snap_n = 0;
		reg->snap_valid = false;
		if (scan(reg, snap_collect, NULL, false, NULL) < 0)
			return -1;
		qsort(reg->snap, reg->snap_n, sizeof(*reg->snap), entry_cmp);
		reg->snap_valid = true;
		reg->snap_mtime = st.st_mtim;
	}
	key.domid = domid;
	memcpy(key.handle, handle, sizeof(key.handle));
	hit = reg->snap_n ? bsearch(&key, reg->snap, reg->snap_n,
				    sizeof(*reg->snap), entry_cmp) : NULL;
	if (!hit || strlen(hit->name) >= len)
		return -1;
	memcpy(name, hit->name, strlen(hit->name) + 1);
	return 0;
}

/* Remove name's binding; if want_handle, only a binding to exactly that. */
static int release_entry(chaos_registry *reg, const char *name,
			 uint32_t want_domid, const uint8_t *want_handle,
			 chaos_err *err)
{
	struct reg_entry e;
	const char *why = NULL;
	int code, rc = 0;

	if (check_name(name, err) < 0)
		return -1;
	if (lock_dir(reg, err) < 0)
		return -1;
	switch (entry_read(reg, name, &e, &why, &code)) {
	case ENTRY_OK:
		if (want_handle && (e.domid != want_domid ||
				    memcmp(e.handle, want_handle, sizeof(e.handle)))) {
			rc = chaos_err_set(err, EBUSY,
					   "name '%s' is now bound to domain %u",
					   name, e.domid);
			break;
		}
		if (unlinkat(reg->dirfd, name, 0) < 0)
			rc = chaos_err_set(err, errno,
					   "name registry: cannot remove %s/%s: %s",
					   reg->path, name, strerror(errno));
		break;
	case ENTRY_ABSENT:
		rc = chaos_err_set(err, ENOENT, "no guest named '%s'", name);
		break;
	case ENTRY_INVALID:
		warn(reg, name, "%s", why);
		rc = chaos_err_set(err, ENOENT,
			"no guest named '%s' (its registry entry is invalid: %s)",
			name, why);
		break;
	}
	unlock_dir(reg);
	snap_drop(reg);
	return rc;
}

int chaos_registry_release(chaos_registry *reg, const char *name,
			   chaos_err *err)
{
	return release_entry(reg, name, 0, NULL, err);
}

int chaos_registry_release_if(chaos_registry *reg, const char *name,
			      uint32_t domid, const uint8_t handle[16],
			      chaos_err *err)
{
	return release_entry(reg, name, domid, handle, err);
}

struct prune_ctx {
	const chaos_domain_info *live;
	size_t count;
	int error;
};

static int prune_one(chaos_registry *reg, const struct reg_entry *e,
		     void *ctx)
{
	struct prune_ctx *pc = ctx;
	const chaos_domain_info *d = find_live(pc->live, pc->count, e->domid);

	/* A dying domain never runs again: it holds no name. */
	if (d && !memcmp(d->handle, e->handle, sizeof(e->handle)) &&
	    d->state != CHAOS_STATE_DYING)
		return 0;
	if (unlinkat(reg->dirfd, e->name, 0) < 0 && errno != ENOENT &&
	    !pc->error)
		pc->error = errno;
	return 0;
}

int chaos_registry_prune(chaos_registry *reg, const chaos_domain_info *live,
			 size_t count, chaos_err *err)
{
	struct prune_ctx pc = { .live = live, .count = count };
	int rc;

	if (lock_dir(reg, err) < 0)
		return -1;
	rc = scan(reg, prune_one, &pc, true, err);
	unlock_dir(reg);
	snap_drop(reg);
	if (rc == 0 && pc.error)
		rc = chaos_err_set(err, pc.error,
				   "name registry: cannot remove a stale entry in %s: %s",
				   reg->path, strerror(pc.error));
	return rc;
}
