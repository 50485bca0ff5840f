// SPDX-License-Identifier: MIT
/* Per-domain records: "key value" lines, written atomically, read strictly. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/state.h"

#define RECORD_MAX 8192
/* A record file made ahead gets this much storage with it: a record is a
 * few hundred bytes, one page holds it. */
#define RECORD_AHEAD_BYTES 4096
#define ACTION_MAX 2 /* destroy, restart, preserve */

static int hex_handle(const char *s, uint8_t out[16])
{
	if (strlen(s) != 32)
		return -1;
	for (int i = 0; i < 16; i++) {
		unsigned int b;

		if (sscanf(s + 2 * i, "%2x", &b) != 1 ||
		    !strchr("0123456789abcdef", s[2 * i]) ||
		    !strchr("0123456789abcdef", s[2 * i + 1]))
			return -1;
		out[i] = (uint8_t)b;
	}
	return 0;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_action(const char *s, int *out)
{
	uint64_t v;

	if (parse_u64(s, ACTION_MAX, &v))
		return -1;
	*out = (int)v;
	return 0;
}

/* A value goes on one line: no control character may end it early. */
static bool one_line(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/*
 * "vifs N", then "vif I mac=M[ ip=A][ bridge=B]" for each: no ip, no
 * address; no bridge, the host's default. n: what buf holds so far.
 */
static int format_vifs(const chaos_domain_record *rec, char *buf, size_t len,
		       int n)
{
	if (rec->nr_vifs > CHAOS_CONFIG_VIFS_MAX)
		return -1;
	n += snprintf(buf + n, len - (size_t)n, "vifs %u\n", rec->nr_vifs);
	for (unsigned int i = 0; i < rec->nr_vifs && n >= 0 &&
	     (size_t)n < len; i++) {
		const chaos_config_vif *v = &rec->vifs[i];
		char mac[18];

		if (strnlen(v->bridge, sizeof(v->bridge)) >= sizeof(v->bridge) ||
		    (v->bridge[0] &&
		     cfg_check_bridge(v->bridge, strlen(v->bridge), NULL) < 0))
			return -1;
		chaos_config_format_mac(v->mac, mac);
		n += snprintf(buf + n, len - (size_t)n, "vif %u mac=%s", i, mac);
		if (v->ip_set && n >= 0 && (size_t)n < len)
			n += snprintf(buf + n, len - (size_t)n,
				      " ip=%u.%u.%u.%u", v->ip[0], v->ip[1],
				      v->ip[2], v->ip[3]);
		if (v->bridge[0] && n >= 0 && (size_t)n < len)
			n += snprintf(buf + n, len - (size_t)n, " bridge=%s",
				      v->bridge);
		if (n >= 0 && (size_t)n < len)
			n += snprintf(buf + n, len - (size_t)n, "\n");
	}
	return n;
}

int chaos_record_format(const chaos_domain_record *rec, char *buf, size_t len)
{
	char handle[33];
	int n;

	if (!one_line(rec->name) || !one_line(rec->config_path))
		return -1;
	for (int i = 0; i < 16; i++)
		snprintf(handle + 2 * i, 3, "%02x", rec->handle[i]);
	n = snprintf(buf, len,
		     "domid %" PRIu32 "\nhandle %s\nname %s\n"
		     "console_mfn %" PRIu64 "\nconsole_port %" PRIu32 "\n"
		     "start_info_mfn %" PRIu64 "\n"
		     "on_poweroff %d\non_reboot %d\non_crash %d\n"
		     "config %s\nowner %" PRIu32 "\nowner_gid %" PRIu32 "\n",
		     rec->domid, handle, rec->name, rec->console_mfn,
		     rec->console_port, rec->start_info_mfn,
		     rec->on_poweroff, rec->on_reboot,
		     rec->on_crash, rec->config_path, rec->owner,
		     rec->owner_gid);
	if (n >= 0 && (size_t)n < len && rec->xenstore)
		n += snprintf(buf + n, len - (size_t)n, "devices xenstore\n");
	if (n >= 0 && (size_t)n < len && rec->vifs_known)
		n = format_vifs(rec, buf, len, n);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

/* Bits of `seen` past domid (1) and handle (2), one per other key. */
enum {
	SEEN_NAME = 4, SEEN_CONSOLE_MFN = 8, SEEN_START_INFO = 16,
	SEEN_CONSOLE_PORT = 32, SEEN_POWEROFF = 64, SEEN_REBOOT = 128,
	SEEN_CRASH = 256, SEEN_CONFIG = 512, SEEN_OWNER = 1024,
	SEEN_OWNER_GID = 2048, SEEN_DEVICES = 4096, SEEN_VIFS = 8192,
};

static unsigned int key_bit(const char *key)
{
	static const struct { const char *key; unsigned int bit; } keys[] = {
		{ "domid", 1 }, { "handle", 2 }, { "name", SEEN_NAME },
		{ "console_mfn", SEEN_CONSOLE_MFN },
		{ "start_info_mfn", SEEN_START_INFO },
		{ "console_port", SEEN_CONSOLE_PORT },
		{ "on_poweroff", SEEN_POWEROFF }, { "on_reboot", SEEN_REBOOT },
		{ "on_crash", SEEN_CRASH }, { "config", SEEN_CONFIG },
		{ "owner", SEEN_OWNER }, { "owner_gid", SEEN_OWNER_GID },
		{ "devices", SEEN_DEVICES }, { "vifs", SEEN_VIFS },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(key, keys[i].key))
			return keys[i].bit;
	return 0;
}

/* One "vif" line's value: "I mac=M[ ip=A][ bridge=B]", exactly as
 * format_vifs writes it. vifs_seen: a bit per index already read. */
static int parse_vif(chaos_domain_record *rec, const char *val,
		     unsigned int *vifs_seen)
{
	const char *sp = strchr(val, ' '), *tok;
	chaos_config_vif *v;
	char index[4];
	uint64_t i;

	if (!sp || (size_t)(sp - val) >= sizeof(index) ||
	    (val[0] == '0' && sp - val > 1))
		return -1;
	memcpy(index, val, (size_t)(sp - val));
	index[sp - val] = '\0';
	if (parse_u64(index, CHAOS_CONFIG_VIFS_MAX - 1, &i) ||
	    (*vifs_seen & (1u << i)))
		return -1;
	*vifs_seen |= 1u << i;
	v = &rec->vifs[i];
	tok = sp + 1;
	if (strncmp(tok, "mac=", 4) || strnlen(tok + 4, 17) != 17 ||
	    cfg_parse_mac(tok + 4, 17, v->mac, NULL))
		return -1;
	v->mac_set = true;
	tok += 4 + 17;
	if (!strncmp(tok, " ip=", 4)) {
		size_t l;

		tok += 4;
		l = strcspn(tok, " ");
		if (cfg_parse_ip(tok, l, v->ip, NULL))
			return -1;
		v->ip_set = true;
		tok += l;
	}
	if (!strncmp(tok, " bridge=", 8)) {
		size_t l;

		tok += 8;
		l = strlen(tok);
		if (cfg_check_bridge(tok, l, NULL) < 0)
			return -1;
		memcpy(v->bridge, tok, l + 1);
		tok += l;
	}
	return *tok ? -1 : 0;
}

static int parse_line(chaos_domain_record *rec, const char *key,
		      const char *val, unsigned int *seen,
		      unsigned int *vifs_seen)
{
	unsigned int bit = key_bit(key);
	uint64_t v;

	/* The one key a record repeats, once per vif. */
	if (!strcmp(key, "vif"))
		return parse_vif(rec, val, vifs_seen);

	/* A key given twice is an injected line, not a correction. */
	if (!bit || (*seen & bit))
		return -1;
	*seen |= bit;

	if (!strcmp(key, "domid")) {
		if (parse_u64(val, CHAOS_DOMID_FIRST_RESERVED - 1, &v))
			return -1;
		rec->domid = (uint32_t)v;
	} else if (!strcmp(key, "handle")) {
		if (hex_handle(val, rec->handle))
			return -1;
	} else if (!strcmp(key, "name")) {
		/* What format refuses to write is refused when read. */
		if (strlen(val) >= sizeof(rec->name) || !one_line(val))
			return -1;
		strcpy(rec->name, val);
	} else if (!strcmp(key, "console_mfn")) {
		if (parse_u64(val, UINT64_MAX >> 12, &rec->console_mfn))
			return -1;
	} else if (!strcmp(key, "start_info_mfn")) {
		if (parse_u64(val, UINT64_MAX >> 12, &rec->start_info_mfn))
			return -1;
	} else if (!strcmp(key, "console_port")) {
		if (parse_u64(val, UINT32_MAX, &v))
			return -1;
		rec->console_port = (uint32_t)v;
	} else if (!strcmp(key, "on_poweroff")) {
		return parse_action(val, &rec->on_poweroff);
	} else if (!strcmp(key, "on_reboot")) {
		return parse_action(val, &rec->on_reboot);
	} else if (!strcmp(key, "on_crash")) {
		return parse_action(val, &rec->on_crash);
	} else if (!strcmp(key, "owner") || !strcmp(key, "owner_gid")) {
		/* Optional: records written before owners existed are
		 * root's. (uid_t)-1 is no user. */
		if (parse_u64(val, UINT32_MAX - 1, &v))
			return -1;
		*(!strcmp(key, "owner") ? &rec->owner : &rec->owner_gid) =
			(uint32_t)v;
	} else if (!strcmp(key, "devices")) {
		/* Optional: older records are noxs guests. */
		if (strcmp(val, "xenstore") && strcmp(val, "noxs"))
			return -1;
		rec->xenstore = !strcmp(val, "xenstore");
	} else if (!strcmp(key, "vifs")) {
		/* Optional: older records name the config file instead. */
		if (parse_u64(val, CHAOS_CONFIG_VIFS_MAX, &v))
			return -1;
		rec->vifs_known = true;
		rec->nr_vifs = (uint8_t)v;
	} else if (!strcmp(key, "config")) {
		if (strlen(val) >= sizeof(rec->config_path) ||
		    (*val && *val != '/') || !one_line(val))
			return -1;
		strcpy(rec->config_path, val);
	} else {
		return -1;
	}
	return 0;
}

int chaos_record_parse(const char *text, size_t len, chaos_domain_record *rec,
		       chaos_err *err)
{
	char line[CHAOS_RECORD_PATH_MAX + 64];
	unsigned int seen = 0, vifs_seen = 0, lineno = 0;
	size_t pos = 0;

	memset(rec, 0, sizeof(*rec));
	if (len > RECORD_MAX)
		return chaos_err_set(err, EINVAL, "record: larger than %d bytes",
				     RECORD_MAX);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *sp;

		lineno++;
		if (l >= sizeof(line) || memchr(text + pos, '\0', l))
			return chaos_err_set(err, EINVAL, "record: line %u malformed",
					     lineno);
		memcpy(line, text + pos, l);
		line[l] = '\0';
		pos += l + 1;
		sp = strchr(line, ' ');
		if (!sp && l)
			return chaos_err_set(err, EINVAL, "record: line %u has no value",
					     lineno);
		if (!l)
			continue;
		*sp = '\0';
		if (parse_line(rec, line, sp + 1, &seen, &vifs_seen))
			return chaos_err_set(err, EINVAL, "record: line %u: bad %s",
					     lineno, line);
	}
	if ((seen & 3) != 3)
		return chaos_err_set(err, EINVAL, "record: missing domid or handle");
	/* Each of the vifs said, and no other. */
	if (vifs_seen != (1u << rec->nr_vifs) - 1)
		return chaos_err_set(err, EINVAL,
				     "record: vif lines do not match \"vifs %u\"",
				     rec->nr_vifs);
	return 0;
}

static void record_path(char *buf, size_t len, const char *state_dir,
			uint32_t domid)
{
	snprintf(buf, len, "%s/domains/%" PRIu32, state_dir, domid);
}

/* Where domid's record is staged. */
static void staged_path(char *buf, size_t len, const char *state_dir,
			uint32_t domid)
{
	snprintf(buf, len, "%s/domains/%" PRIu32 ".tmp", state_dir, domid);
}

/* rec as a record's text, checked: its length, or -1. */
static int record_text(const chaos_domain_record *rec, char text[RECORD_MAX],
		       chaos_err *err)
{
	int n;

	if (!one_line(rec->config_path))
		return chaos_err_set(err, EINVAL,
				     "config path: a control character in it cannot be recorded");
	n = chaos_record_format(rec, text, RECORD_MAX);
	if (n < 0)
		return chaos_err_set(err, ENAMETOOLONG, "record too large");
	return n;
}

int chaos_record_stage_open(const char *state_dir, uint32_t domid,
			    chaos_err *err)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	int fd;

	staged_path(tmp, sizeof(tmp), state_dir, domid);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	/* The directories only the first time: each system call counts in
	 * a create (under emulation, a tenth of a millisecond or more). */
	if (fd < 0 && errno == ENOENT) {
		snprintf(dir, sizeof(dir), "%s/domains", state_dir);
		if (mkdir(state_dir, 0700) && errno != EEXIST)
			return chaos_err_set(err, errno, "cannot create %s: %s",
					     state_dir, strerror(errno));
		if (mkdir(dir, 0700) && errno != EEXIST)
			return chaos_err_set(err, errno, "cannot create %s: %s",
					     dir, strerror(errno));
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
			  O_NOFOLLOW, 0600);
	}
	if (fd < 0)
		return chaos_err_set(err, errno, "cannot write %s: %s", tmp,
				     strerror(errno));
	/* Its storage now too, the size left at 0: the create's write then
	 * fills a page the file has (measured in the rig: a third to a half
	 * of that write's cost). A file system that cannot do it is only
	 * slower. */
	(void)fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, RECORD_AHEAD_BYTES);
	return fd;
}

/* A staged file that could not be written (error e): dropped, and said. */
static int staged_failed(const char *state_dir, uint32_t domid, int e,
			 chaos_err *err)
{
	char tmp[PATH_MAX];

	staged_path(tmp, sizeof(tmp), state_dir, domid);
	unlink(tmp);
	return chaos_err_set(err, e, "cannot write %s: %s", tmp, strerror(e));
}

/* The text of n bytes into fd at its start; the staged file goes on
 * failure. */
static int write_staged(int fd, const char *text, int n,
			const char *state_dir, uint32_t domid, chaos_err *err)
{
	ssize_t done;

	do {
		done = pwrite(fd, text, (size_t)n, 0);
	} while (done < 0 && errno == EINTR);
	if (done == n)
		return 0;
	/* A short write to a fresh file is a full file system. */
	return staged_failed(state_dir, domid, done < 0 ? errno : ENOSPC, err);
}

int chaos_record_stage_into(int fd, const char *state_dir,
			    const chaos_domain_record *rec, chaos_err *err)
{
	char text[RECORD_MAX];
	int n = record_text(rec, text, err);

	if (n < 0)
		return -1;
	return write_staged(fd, text, n, state_dir, rec->domid, err);
}

int chaos_record_stage(const char *state_dir, const chaos_domain_record *rec,
		       chaos_err *err)
{
	char text[RECORD_MAX];
	int fd, n = record_text(rec, text, err), rc;

	if (n < 0)
		return -1;
	fd = chaos_record_stage_open(state_dir, rec->domid, err);
	if (fd < 0)
		return -1;
	rc = write_staged(fd, text, n, state_dir, rec->domid, err);
	if (close(fd) && !rc)
		return staged_failed(state_dir, rec->domid, errno, err);
	return rc;
}

int chaos_record_commit(const char *state_dir, uint32_t domid,
			chaos_err *err)
{
	char path[PATH_MAX], tmp[PATH_MAX];

	record_path(path, sizeof(path), state_dir, domid);
	staged_path(tmp, sizeof(tmp), state_dir, domid);
	if (rename(tmp, path)) {
		int e = errno;

		unlink(tmp);
		return chaos_err_set(err, e, "cannot rename %s: %s", tmp,
				     strerror(e));
	}
	return 0;
}

void chaos_record_unstage(const char *state_dir, uint32_t domid)
{
	char tmp[PATH_MAX];

	staged_path(tmp, sizeof(tmp), state_dir, domid);
	unlink(tmp);
}

int chaos_record_save(const char *state_dir, const chaos_domain_record *rec,
		      chaos_err *err)
{
	if (chaos_record_stage(state_dir, rec, err))
		return -1;
	return chaos_record_commit(state_dir, rec->domid, err);
}

int chaos_record_load(const char *state_dir, uint32_t domid,
		      const uint8_t *handle, chaos_domain_record *rec,
		      chaos_err *err)
{
	char path[PATH_MAX], text[RECORD_MAX + 1];
	ssize_t n;
	int fd;

	record_path(path, sizeof(path), state_dir, domid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return chaos_err_set(err, errno == ENOENT ? ENOENT : errno,
				     "domain %u was not created by chaos (no record)",
				     domid);
	n = chaos_read_full(fd, text, sizeof(text));
	close(fd);
	if (n < 0)
		return chaos_err_set(err, errno, "cannot read %s", path);
	if (chaos_record_parse(text, (size_t)n, rec, err))
		return -1;
	if (rec->domid != domid)
		return chaos_err_set(err, EINVAL, "%s: names domain %u", path,
				     rec->domid);
	if (handle && memcmp(handle, rec->handle, 16))
		return chaos_err_set(err, ENOENT,
				     "domain %u was not created by chaos (stale record)",
				     domid);
	return 0;
}

int chaos_record_remove(const char *state_dir, uint32_t domid, chaos_err *err)
{
	char path[PATH_MAX];

	record_path(path, sizeof(path), state_dir, domid);
	if (unlink(path) && errno != ENOENT)
		return chaos_err_set(err, errno, "cannot remove %s: %s", path,
				     strerror(errno));
	return 0;
}
